"""Quoted replies (contract: "Reply to a message"): the one line that stands for the message a
reply answers, in the history above the reply and in the composer above the text.

Everything here is built from `one_line` strings into `rich.Text`, never markup: the quoted text
and its sender came from the server. `QuotedItem` is the history item's part of it (mixed into
`HistoryItem`, which holds the `q` and Enter bindings): the quote line above a reply, found among
the items shown, and the messages that ask the screen to quote or to jump.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message as TextualMessage
from textual.visual import VisualType
from textual.widgets import Static

from tui.core.models import Message
from tui.core.text import one_line

if TYPE_CHECKING:
    _Item = Static
else:
    _Item = object

#: How much of the original a quote shows (a line at 80 columns).
QUOTE_CHARS = 60


def sender_of(m: Message) -> str:
    """Who wrote it, the way the history's header says it."""
    if m.is_inbound:
        return one_line(m.sender_name, 30) or "Customer"
    return one_line(m.sender_name, 30) or "You"


def first_line(m: Message, width: int = QUOTE_CHARS) -> str:
    """The original's first non-empty line (or its file name), neutralised and cut."""
    for line in (m.message_text or "").splitlines():
        if line.strip():
            return one_line(line, width)
    if m.file_name:
        return "📎 " + one_line(m.file_name, width - 2)
    return one_line(m.message_type, 20) or "message"


def history_quote(original: Message | None) -> Text:
    """The dimmed line above a reply: sender and first line, or that the original is not loaded."""
    if original is None:
        return Text("↩ an earlier message (enter finds it)", style="dim italic", end="")
    text = Text("↩ ", style="dim", end="")
    text.append(sender_of(original), style="dim bold")
    text.append(f": {first_line(original)}", style="dim")
    return text


def with_quote(quote: Text | None, body: Text) -> Text:
    """A history item's text with its quote line under the header (sender and time), above the
    body: it reads as part of this reply, not of the message before it."""
    if quote is None:
        return body
    cut = body.plain.find("\n")
    head, rest = (body, Text("")) if cut < 0 else body.divide([cut])
    out = head.copy()
    out.end = ""
    out.append("\n")
    out.append_text(quote)
    out.append_text(rest)
    return out


def composer_quote(original: Message) -> Text:
    """The line above the composer's text: what the reply will quote, and how to drop it."""
    text = Text("↩ Replying to ", style="dim", end="")
    text.append(sender_of(original), style="bold")
    text.append(f": {first_line(original, 44)}")
    text.append("  ✕", style="dim")
    return text


def quotable(m: Message, client_id: str | None = None) -> bool:
    """Only a message the customer saw or wrote can be quoted: not a send still on its way (its
    id is the client id made on this device), not an unreadable placeholder, not an internal
    note, not one that failed to reach the customer (they would see a quote of nothing)."""
    if m.unreadable or (client_id is not None and str(m.id) == client_id):
        return False
    return not m.is_note and not (not m.is_inbound and m.status == "failed")


class QuotedItem(_Item):
    """A history item that may quote another one (mixed in before `MessageItem`)."""

    message: Message
    #: The line shown above this reply (None: not a reply), and the original once it is shown.
    quote: Text | None = None
    quoted: Message | None = None
    _body: VisualType | None = None

    class QuoteRequested(TextualMessage):
        """`q`: start a reply that quotes this message."""

        def __init__(self, item: QuotedItem) -> None:
            super().__init__()
            self.item = item

    class JumpRequested(TextualMessage):
        """Enter on a reply: show the message it answers (`reply_to`)."""

        def __init__(self, item: QuotedItem, reply_to: int | str) -> None:
            super().__init__()
            self.item = item
            self.reply_to = reply_to

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Every redraw of the message keeps its quote line on top."""
        self._body = content
        shown = with_quote(self.quote, content) if isinstance(content, Text) else content
        super().update(shown, layout=layout)

    def show_quote(self, original: Message | None) -> None:
        """Draw the quote line: the original's sender and first line, or that it is not loaded."""
        if self.message.reply_to_message_id is None:
            return
        self.quoted = original
        self.quote = history_quote(original)
        self.update(self._body if self._body is not None else self.content)

    def on_mount(self) -> None:
        """A reply finds what it answers among the items shown; an original shown later (an
        older page) draws the quote of every reply to it."""
        siblings = [w for w in self.parent.children if isinstance(w, QuotedItem)] if self.parent else []
        wanted = self.message.reply_to_message_id
        if wanted is not None:
            self.show_quote(next((w.message for w in siblings if str(w.message.id) == str(wanted)), None))
        mine = str(self.message.id)
        for w in siblings:
            replying = w.message.reply_to_message_id
            if w.quoted is None and replying is not None and str(replying) == mine:
                w.show_quote(self.message)

    def action_quote(self) -> None:
        self.post_message(self.QuoteRequested(self))

    def action_jump(self) -> None:
        if self.message.reply_to_message_id is not None:
            self.post_message(self.JumpRequested(self, self.message.reply_to_message_id))
