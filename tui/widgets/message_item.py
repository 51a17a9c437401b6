"""One message in the history. Inbound, outbound and notes differ in colour, side and label.

Every piece that came from outside (text, sender, file name) enters as `rich.Text` built from
`visible()` strings, never as markup, so `[bold]` or an escape sequence shows as typed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from tui.core.files import human_size
from tui.core.models import Message
from tui.core.text import cut_body, one_line
from tui.core.timefmt import clock
from tui.widgets.template_view import template_text

STATUS_MARKS = {
    "queued": "◷ queued",
    "sent": "✓ sent",
    "delivered": "✓✓ delivered",
    "read": "✓✓ read",
    "failed": "✗ failed",
}
MEDIA_TYPES = ("image", "audio", "video", "file")


#: A reaction mark shows at most this many cells of what the server sent for it.
REACTION_CELLS = 4
#: At most this many reactions show on a message ("+N" for the rest).
MAX_REACTIONS = 6


def reactions_line(reactions: tuple[str, ...]) -> str:
    """The marks reactions leave on a message, each cut (a reaction's text is the server's)."""
    shown = [one_line(r, REACTION_CELLS) for r in reactions[:MAX_REACTIONS]]
    more = f" +{len(reactions) - MAX_REACTIONS}" if len(reactions) > MAX_REACTIONS else ""
    return " ".join(r for r in shown if r) + more


def message_text(
    m: Message, now: datetime, *, pending: str | None = None, reactions: tuple[str, ...] = ()
) -> Text:
    """The whole item as Text: a header line (with reactions' marks), an attachment line, the body."""
    text = Text(end="")
    if m.is_note:
        who = f"NOTE · {one_line(m.sender_name) or 'agent'}"
    elif m.is_inbound:
        who = one_line(m.sender_name) or "Customer"
    else:
        who = f"{one_line(m.sender_name) or 'You'}"
    text.append(who, style="bold")
    stamp = clock(m.created_at, now)
    if stamp:
        text.append(f" · {stamp}", style="dim")
    if pending:
        text.append(f" · {pending}", style="italic")
    elif not m.is_inbound and not m.is_note and m.status:
        mark = STATUS_MARKS.get(m.status, one_line(m.status))
        text.append(f" · {mark}", style="bold red" if m.status == "failed" else "dim")
    if m.message_type == "template":
        text.append(" · template", style="dim")
    marks = reactions_line(reactions)
    if marks:
        text.append(f"  {marks}")
    if m.deleted_at is not None:
        text.append("\n(deleted)", style="dim italic")
        return text
    if m.file_name or m.message_type in MEDIA_TYPES:
        name = one_line(m.file_name) or "attachment"
        kind = one_line(m.file_type) or one_line(m.message_type)
        size = f" · {human_size(m.file_size)}" if m.file_size else ""
        text.append(f"\n📎 {name} · {kind}{size}", style="italic")
    if m.status == "failed" and not m.is_inbound and (m.error_code or m.error_text):
        code = one_line(str(m.error_code), 20) if m.error_code is not None else ""
        why = one_line(m.error_text, 200) or "no reason given"
        text.append(f"\n✗ Not delivered{f' (error {code})' if code else ''}: {why}", style="bold red")
    if m.unreadable:  # shown in its place: one bad message never empties the history
        text.append(f"\n⚠ {one_line(m.unreadable, 200)}", style="bold")
    if m.message_type == "template" and m.template is not None:
        text.append("\n")
        text.append(template_text(m))  # header, body, footer and buttons as sent
        return text
    body, more = cut_body(m.message_text)
    if body:
        text.append("\n")
        text.append(body)
    if more:
        text.append(f"\n… {more:,} more characters; y copies, s saves the whole", style="dim italic")
    return text


class MessageItem(Static):
    """A rendered message; `pending` shows a local state (sending…, failed: reason)."""

    DEFAULT_CLASSES = "message"

    def __init__(
        self,
        message: Message,
        *,
        pending: str | None = None,
        failed: bool = False,
        now: datetime | None = None,
    ) -> None:
        self.message = message
        self.pending = pending
        self.now = now or datetime.now(UTC)
        #: Reactions pushed for this message (the history's query leaves reaction rows out).
        self.reactions: tuple[str, ...] = ()
        super().__init__(message_text(message, self.now, pending=pending))
        kind = "note" if message.is_note else "inbound" if message.is_inbound else "outbound"
        self.add_class(kind)
        if pending:
            self.add_class("pending")
        if failed:
            self.add_class("failed")

    def update_message(self, message: Message, *, pending: str | None = None, failed: bool = False) -> None:
        self.message = message
        self.pending = pending
        self.set_class(bool(pending), "pending")
        self.set_class(failed, "failed")
        self.update(message_text(message, self.now, pending=pending, reactions=self.reactions))

    def add_reaction(self, mark: str) -> None:
        """A reaction naming this message arrived: its mark shows on the header line."""
        self.reactions = (*self.reactions, mark)
        self.update(message_text(self.message, self.now, pending=self.pending, reactions=self.reactions))
