"""How one conversation reads in a single line of the list. Pure: text in, rich Text out; no
pydantic (a first-page `RowView` is drawn before the models load)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from tui.core.queue import SOON, URGENT, Writer, has_ai, last_writer
from tui.core.row_view import RowLike
from tui.core.text import one_line
from tui.core.timefmt import age, compact, formatted, local
from tui.core.window import WindowState, reply_window, window_at

BADGES = {
    "whatsapp": "WA",
    "instagram": "IG",
    "messenger": "FB",
    "webchat": "WEB",
    "sms": "SMS",
    "playground": "PG",
}


def window_words(state: WindowState) -> tuple[str, str]:
    """(short text, style kind) for the window column: 'open', 'soon' (under an hour left),
    'urgent' (under 15 minutes), 'closed' or 'none'."""
    if not state.applies:
        return "no window", "none"
    if not state.known:
        return "window ?", "none"
    if state.never_opened:
        return "never open", "closed"
    if state.open:
        left = state.remaining
        kind = "urgent" if left < URGENT else "soon" if left < SOON else "open"
        return f"{compact(left, 2)} left", kind
    return f"closed {compact(state.closed_for)}", "closed"


#: Urgency in a glyph as well as a colour: NO_COLOR, 16 colours and colour-blind eyes keep it.
URGENCY_MARKS = {"urgent": "⚠ ", "soon": "! "}


@dataclass(frozen=True)
class RowContext:
    """What a row shows beyond the conversation itself: who "you" are, what this app sent,
    which conversations have a draft waiting, the agents' names."""

    me: int | None = None
    own_last_at: Mapping[int, datetime] = field(default_factory=dict)
    drafts: Collection[int] = ()
    names: Mapping[int, str] = field(default_factory=dict)
    #: Snoozed conversations and when each comes back.
    snoozed: Mapping[int, datetime] = field(default_factory=dict)
    #: Rows marked for a bulk action (a `●` before the badge).
    marked: Collection[int] = ()
    #: The window column says when a snoozed row comes back (the Snoozed view).
    wake_times: bool = False


WRITER_PREFIX = {Writer.YOU: "You: ", Writer.AGENT: "Agent: ", Writer.AI: "AI: "}


def assignee_cell(c: RowLike, ctx: RowContext) -> str:
    """ "me", an agent's first name, "user 9", "AI", or "" for nobody."""
    if c.assigned_user_id is not None:
        if c.assigned_user_id == ctx.me:
            return "me"
        name = ctx.names.get(c.assigned_user_id)
        return one_line(name.split()[0]) if name and name.split() else f"#{c.assigned_user_id}"
    return "AI" if has_ai(c) else ""


def conversation_cells(c: RowLike, now: datetime) -> dict[str, str]:
    state = window_at(c, applies=reply_window(c.channel), now=now)
    window, _ = window_words(state)
    return {
        "badge": BADGES.get(c.channel, one_line(c.channel)[:3].upper() or "?"),
        "contact": one_line(c.contact_name),
        "window": window,
        "unread": str(c.unread_count) if c.unread_count else "",
        "age": age(c.active_at, now),
        # An unreadable row stays in its place and says so (its readable fields are kept).
        "preview": f"⚠ {one_line(c.unreadable)}" if c.unreadable else one_line(c.last_message_text),
    }


def wake_words(until: datetime, now: datetime) -> str:
    """When a snoozed row comes back, in the window column's 11 cells: "14:00", "tmrw 09:00",
    "Tue 09:00", "14 Dec"."""
    try:
        days = (local(until).date() - local(now).date()).days
    except (OverflowError, OSError, ValueError):
        return "?"
    if days <= 0:
        return formatted(until, "%H:%M")
    if days == 1:
        return formatted(until, "tmrw %H:%M")
    return formatted(until, "%a %H:%M" if days < 7 else "%d %b")


def fit_cells(text: str, width: int) -> str:
    """`text` padded or cut to exactly `width` terminal cells (CJK and emoji take two), "…" if cut."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def row_text(
    c: RowLike, now: datetime, width: int, styles: dict[str, str], ctx: RowContext | None = None
) -> Text:
    """One row: badge, contact, window, unread, age, assignee, draft mark, then who wrote last
    and the preview; fitted to `width` cells."""
    ctx = ctx or RowContext()
    state = window_at(c, applies=reply_window(c.channel), now=now)
    words, kind = window_words(state)
    cells = conversation_cells(c, now)
    contact_w = 22 if width >= 100 else 15
    assignee_w = 10 if width >= 100 else 5
    window_w = 13
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append("●" if c.id in ctx.marked else " ", style=styles.get("marked", ""))
    text.append(f"{cells['badge']:<4}", style=styles.get("badge", ""))
    contact = fit_cells(cells["contact"], contact_w)
    text.append(f"{contact} ", style=styles.get("unread" if c.unread_count else "contact", ""))
    words = URGENCY_MARKS.get(kind, "") + words
    wakes = ctx.snoozed.get(c.id) if ctx.wake_times else None
    if wakes is not None:
        words, kind = f"z {wake_words(wakes, now)}", "none"
    text.append(f"{words:<{window_w}}", style=styles.get(f"window-{kind}", ""))
    text.append(f"{cells['unread']:>3} ", style=styles.get("unread", ""))
    text.append(f"{cells['age']:>4} ", style=styles.get("age", ""))
    text.append(fit_cells(assignee_cell(c, ctx), assignee_w), style=styles.get("assignee", ""))
    mark = "✎ " if c.id in ctx.drafts else "z " if c.id in ctx.snoozed else "  "
    text.append(mark, style=styles.get("draft", ""))
    used = text.cell_len
    known = not c.unreadable and c.last_message_at is not None
    writer = last_writer(c, ctx.own_last_at.get(c.id)) if known else Writer.NOBODY
    if c.status == "closed":  # said in words: a closed row must not read as an open one
        text.append("Closed · ", style=styles.get("closed", ""))
    prefix = WRITER_PREFIX.get(writer, "")
    if prefix:
        text.append(prefix, style=styles.get(f"writer-{writer.value}", ""))
    preview = cells["preview"]
    room = max(width - used - 1, 0)
    text.append(preview, style=styles.get("preview", ""))
    text.truncate(used + room, overflow="ellipsis", pad=True)
    return text
