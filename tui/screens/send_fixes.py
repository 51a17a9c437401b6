"""Retry, edit or discard a send that did not go through: the item asks (`HistoryItem.Act`),
the outbox decides, and an edited draft comes back into the composer only once it can no longer
go out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

from tui.core.drafts import Draft, attachment_paths
from tui.widgets.history_item import HistoryItem

if TYPE_CHECKING:
    from tui.widgets.composer import Composer
    from tui.widgets.history import History


class SendFixes:
    """Mixed into `ConversationScreen`, which provides what is declared here."""

    ctx: Any
    app: Any

    if TYPE_CHECKING:

        @property
        def history(self) -> History: ...

        @property
        def composer(self) -> Composer: ...

        def restore_quote(self, reply_to: int | str | None) -> None: ...

    def on_history_item_act(self, event: HistoryItem.Act) -> None:
        """(By name: a mixin's `@on` handlers are not collected by Textual.)"""
        item = event.item
        if item.entry_id is None:
            self.app.notify("This message is still being stored; try again in a moment.", timeout=3)
            return
        if event.action == "retry":
            self._retry(item.entry_id)
        elif event.action == "edit" and item.draft is not None:
            self._discard(item, "edited")
        elif event.action == "discard":
            self._discard(item, "discarded")

    @work(exit_on_error=False, group="retry")
    async def _retry(self, entry_id: int) -> None:
        from tui.screens.retry import retry_entry

        outbox = self.ctx.outbox
        if outbox is None:
            self.ctx.notify_error(self.ctx.backend_error or "Not connected to a backend.")
            return
        await retry_entry(self.app, outbox, entry_id)

    @work(exit_on_error=False, group="discard")
    async def _discard(self, item: HistoryItem, state: str) -> None:
        outbox = self.ctx.outbox
        if outbox is None or item.entry_id is None or not await outbox.discard(item.entry_id, state=state):
            self.app.notify("That message is being sent right now; wait for the answer.", timeout=4)
            return
        await self.history.settle(item, keep=False)
        if state == "edited" and item.draft is not None:  # only once it cannot go out any more
            self._restore(item.draft)
            self.composer.area.focus()

    def _restore(self, draft: Draft) -> None:
        if draft.template is not None:
            return
        self.restore_quote(draft.reply_to)
        mode = "note" if draft.note else "reply"
        if self.composer.mode != mode:
            self.composer.toggle_mode()
        if not self.composer.text.strip():
            self.composer.set_text(draft.text)
        self.composer.add_attachments([Path(p) for p in attachment_paths(draft.attachments)])
