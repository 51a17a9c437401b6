"""How one conversation reads in a single line of the list. Pure: text in, rich Text out."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from tui.core.channels import channel_spec
from tui.core.models import Conversation
from tui.core.policy import WindowState, window_state
from tui.core.text import one_line
from tui.core.timefmt import age, compact

BADGES = {
    "whatsapp": "WA",
    "instagram": "IG",
    "messenger": "FB",
    "webchat": "WEB",
    "sms": "SMS",
    "playground": "PG",
}


def window_words(state: WindowState) -> tuple[str, str]:
    """(short text, style kind) for the window column: 'open', 'closed' or 'none'."""
    if not state.applies:
        return "no window", "none"
    if state.never_opened:
        return "never open", "closed"
    if state.open:
        return f"{compact(state.remaining, 2)} left", "open"
    return f"closed {compact(state.closed_for)}", "closed"


def conversation_cells(c: Conversation, now: datetime) -> dict[str, str]:
    state = window_state(c, channel_spec(c.channel), now)
    window, _ = window_words(state)
    return {
        "badge": BADGES.get(c.channel, one_line(c.channel)[:3].upper() or "?"),
        "contact": one_line(c.contact_name),
        "window": window,
        "unread": str(c.unread_count) if c.unread_count else "",
        "age": age(c.last_message_at, now),
        # An unreadable row stays in its place and says so (its readable fields are kept).
        "preview": f"⚠ {one_line(c.unreadable)}" if c.unreadable else one_line(c.last_message_text),
    }


def fit_cells(text: str, width: int) -> str:
    """`text` padded or cut to exactly `width` terminal cells (CJK and emoji take two), "…" if cut."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def row_text(c: Conversation, now: datetime, width: int, styles: dict[str, str]) -> Text:
    """One row: badge, contact, window, unread, age, preview; fitted to `width` cells."""
    state = window_state(c, channel_spec(c.channel), now)
    words, kind = window_words(state)
    cells = conversation_cells(c, now)
    contact_w = 22 if width >= 100 else 16
    window_w = 13
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(f" {cells['badge']:<4}", style=styles.get("badge", ""))
    contact = fit_cells(cells["contact"], contact_w)
    text.append(f"{contact} ", style=styles.get("unread" if c.unread_count else "contact", ""))
    text.append(f"{words:<{window_w}}", style=styles.get(f"window-{kind}", ""))
    text.append(f"{cells['unread']:>3} ", style=styles.get("unread", ""))
    text.append(f"{cells['age']:>4}  ", style=styles.get("age", ""))
    used = text.cell_len
    preview = cells["preview"]
    room = max(width - used - 1, 0)
    text.append(preview, style=styles.get("preview", ""))
    text.truncate(used + room, overflow="ellipsis", pad=True)
    return text
