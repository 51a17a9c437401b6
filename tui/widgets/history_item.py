"""A message in the history that the agent can act on: copy it, delete it (after a yes), and for
a send that did not go through, retry, edit or discard it.

The item does not act itself: it posts `HistoryItem.Act`, which the conversation screen handles
(the screen owns the outbox). An item shown from this device's outbox carries the `client_id`
made when the agent pressed send, and the outbox entry's id once it is stored.
"""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.message import Message as TextualMessage

from tui.core.downloads import has_file
from tui.core.drafts import Draft
from tui.core.models import Message
from tui.core.send_states import RESOLVABLE, describe
from tui.core.text import BODY_MAX
from tui.widgets.message_item import MessageItem
from tui.widgets.quote import QuotedItem, quotable


class HistoryItem(QuotedItem, MessageItem, can_focus=True):
    """`state` is the outbox entry's state while the send is unresolved; None once the server
    confirmed it, and for every message that came from the server."""

    BINDINGS = [
        Binding("y", "copy", "Copy", id="message.copy"),
        # Between messages (found in tmux: only tab and shift+tab moved, the arrows scrolled).
        Binding("up,k", "neighbour(-1)", "Previous", show=False, id="message.previous"),
        Binding("down,j", "neighbour(1)", "Next", show=False, id="message.next"),
        Binding("r", "act('retry')", "Retry", id="message.retry"),
        Binding("e", "act('edit')", "Edit", id="message.edit"),
        Binding("d,delete", "act('discard')", "Discard", id="message.discard"),
        Binding("o", "file('open')", "Open file", id="message.open"),  # screens/file_actions.py
        Binding("s", "file('save')", "Save file…", id="message.save"),
        Binding("p", "preview", "Preview", id="message.preview"),  # screens/preview_actions.py
        Binding("q", "quote", "Quote", id="message.quote"),  # quote.py: the reply starts here
        Binding("enter", "jump", "Original", id="message.jump"),  # a reply: to what it answers
        # X, not d or delete (they discard a failed send): screens/message_delete.py asks first.
        Binding("X,shift+delete", "delete", "Delete…", id="message.delete"),
    ]

    class Act(TextualMessage):
        """The agent asked to retry, edit or discard this unresolved send."""

        def __init__(self, item: HistoryItem, action: str) -> None:
            super().__init__()
            self.item = item
            self.action = action

    def __init__(
        self,
        message: Message,
        *,
        now: datetime | None = None,
        client_id: str | None = None,
        draft: Draft | None = None,
        entry_id: int | None = None,
        state: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.draft = draft
        self.entry_id = entry_id
        self.state = state
        super().__init__(
            message,
            now=now,
            pending=describe(state, reason) if state else None,
            failed=state in RESOLVABLE,
        )

    @property
    def local(self) -> bool:
        """Shown from this device's outbox, not yet confirmed by the server."""
        return self.state is not None

    @property
    def resolvable(self) -> bool:
        return self.state in RESOLVABLE

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            return self.resolvable
        if action == "file":  # a long text is saved whole by `s` too (the history shows its start)
            cut = len(self.message.message_text or "") > BODY_MAX
            return has_file(self.message) or (parameters == ("save",) and cut)
        if action == "preview":
            from tui.screens.preview_actions import previewable

            return previewable(self.message)
        if action == "quote":
            return quotable(self.message, self.client_id)
        if action == "jump":
            return self.message.reply_to_message_id is not None
        if action == "delete":  # the server's messages, once: not a local send, not one deleted
            return self.state is None and self.message.deleted_at is None and not self.message.unreadable
        return True

    def action_neighbour(self, step: int) -> None:
        """The message above or below; past the newest, the composer; above the oldest shown,
        the history scrolls to its top (which reads the older page)."""
        parent = self.parent
        if parent is None:
            return
        items = [c for c in parent.children if isinstance(c, HistoryItem)]
        index = items.index(self) + step
        if 0 <= index < len(items):
            items[index].focus()
        elif index >= len(items):
            self.screen.focus_next()
        elif isinstance(parent, ScrollableContainer):
            parent.scroll_home(animate=False)

    def action_preview(self) -> None:
        from tui.screens.preview_actions import preview_message

        preview_message(self, self.message)

    def show_state(self, state: str | None, reason: str | None = None, *, detail: str | None = None) -> None:
        """The entry moved on; `detail` overrides the words (upload progress)."""
        self.state = state
        if state is None:
            self.update_message(self.message)
        else:
            words = detail or describe(state, reason)
            self.update_message(self.message, pending=words, failed=self.resolvable)
        if self.is_mounted:
            self.screen.refresh_bindings()

    def confirmed(self, message: Message) -> None:
        """The server created it: from now on it is that message."""
        self.message = message
        self.update_message(message, pending=self.pending, failed=self.resolvable)

    def refresh_from_server(self, message: Message) -> None:
        """The server's newer copy of this message (a delivery mark moved); a local state, if
        any, stays shown."""
        merged = self.message.model_copy(
            update={k: v for k, v in message.model_dump().items() if v is not None}
        )
        if merged == self.message:
            return  # a poll re-reads every shown message: only a change is drawn
        self.message = merged
        self.update_message(merged, pending=self.pending, failed=self.resolvable)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.message.message_text or self.message.file_name or "")
        self.app.notify("Message copied to the clipboard.", timeout=2)

    def action_file(self, action: str) -> None:
        """o, s: open or save the message's file; the work runs in an app worker that outlives
        this item (a redraw of the history does not stop a download)."""
        from tui.screens.file_actions import open_message_file, save_message_file

        (open_message_file if action == "open" else save_message_file)(self, self.message, self)

    def action_delete(self) -> None:
        from tui.screens.message_delete import ask_delete

        ask_delete(self)

    def action_act(self, action: str) -> None:
        if self.resolvable:
            self.post_message(self.Act(self, action))
