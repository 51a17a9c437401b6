"""Quoted replies on the conversation screen: `q` on a message starts a reply quoting it, Enter on
a reply shows the message it answers, reading older pages until it is there or the history has
no more. Mixed into the conversation screen through `ComposerActions` (kept apart for its size).

The history pages itself (`History.NeedOlder`, answered by the screen's `load_older` worker and
`History.add_older`); the jump asks for the same pages, one at a time, and waits for each to be
placed (`History.loading_older` goes false once the view has kept its position) before looking
again, so the item it scrolls to stays where it was put.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from textual.worker import WorkerCancelled, WorkerFailed

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.worker import Worker

    from tui.core.models import Conversation, Message
    from tui.widgets.composer import Composer
    from tui.widgets.history import History
    from tui.widgets.history_item import HistoryItem
    from tui.widgets.quote import QuotedItem

#: How long one older page may take to be read and placed before the jump gives up.
PAGE_WAIT_SECONDS = 30.0
NOT_FOUND = (
    "The quoted message is not in this conversation's history any more; the server no longer lists it."
)


class QuoteActions:
    app: Any
    conversation: Conversation

    if TYPE_CHECKING:

        @property
        def composer(self) -> Composer: ...

        @property
        def history(self) -> History: ...

        def load_older(self, skip: int) -> Worker[None]: ...

    @property
    def _screen(self) -> Screen[Any]:
        """This mixin as the screen it is mixed into (its workers and toasts are the screen's)."""
        return cast("Screen[Any]", self)

    # -- q: start a quoted reply ------------------------------------------------------------------

    def on_quoted_item_quote_requested(self, event: QuotedItem.QuoteRequested) -> None:
        event.stop()
        self.composer.set_quote(event.item.message)
        self.composer.area.focus()

    def restore_quote(self, reply_to: int | str | None) -> None:
        """A draft given back to the composer (edit, a refused send) quotes what it quoted, when
        that message is shown (else the quote is dropped: the composer shows what it quotes)."""
        original = self.shown_message(reply_to) if reply_to is not None else None
        if original is not None:
            self.composer.set_quote(original)

    def shown_message(self, message_id: int | str) -> Message | None:
        item = self.shown_item(message_id)
        return item.message if item is not None else None

    def shown_item(self, message_id: int | str) -> HistoryItem | None:
        wanted = str(message_id)
        for item in self.history.items:
            if str(item.message.id) == wanted:
                return item
        return None

    # -- Enter on a reply: to the original --------------------------------------------------------

    def on_quoted_item_jump_requested(self, event: QuotedItem.JumpRequested) -> None:
        event.stop()
        jump = self.jump_to(event.reply_to)
        self._screen.run_worker(jump, group="quote-jump", exclusive=True, exit_on_error=False)

    async def jump_to(self, message_id: int | str) -> bool:
        """Focus and show the message, loading older pages as needed; False (said in one
        sentence, or by the page's own error) when it cannot be shown. An original that is not
        shown is read by its id first (one request): one the server no longer has is said at
        once, without reading every older page to find out."""
        history = self.history
        if self.shown_item(message_id) is None and not await self._still_there(message_id):
            return False
        while True:
            item = self.shown_item(message_id)
            if item is not None:
                await self._refreshed(history)  # laid out: the item's place and the end are known
                item.focus(scroll_visible=False)
                history.release_anchor()  # else the history snaps back to its newest message
                history.scroll_to_center(item, animate=False, immediate=True)
                return True
            if history.loaded_count >= history.total:
                self._screen.notify(NOT_FOUND, severity="warning", timeout=6)
                return False
            before = history.loaded_count
            if not await self._older_page(history) or history.loaded_count <= before:
                return False  # the page could not be read: its error was said where it failed

    async def _still_there(self, message_id: int | str) -> bool:
        from tui.core.errors import NotFoundError, SwitchboardError

        backend = self.app.backend
        conversation = self.conversation
        if backend is None:
            return True  # the pages will say what is wrong
        try:
            original = await backend.client.get_message(
                conversation.id, message_id, channel=conversation.channel
            )
        except NotFoundError:
            self._screen.notify(NOT_FOUND, severity="warning", timeout=6)
            return False
        except SwitchboardError:
            return True  # paging may still find it
        if original.deleted_at is not None:
            self._screen.notify(NOT_FOUND, severity="warning", timeout=6)
            return False
        for item in self.history.items:  # its replies' quote lines show it at once
            replying = item.message.reply_to_message_id
            if replying is not None and item.quoted is None and str(replying) == original.key:
                item.show_quote(original)
        return True

    @staticmethod
    async def _refreshed(history: History) -> None:
        done = asyncio.Event()
        history.call_after_refresh(done.set)
        await done.wait()

    async def _older_page(self, history: History) -> bool:
        """One older page read and placed (or one already on its way, waited for)."""
        if not history.loading_older:
            history.loading_older = True  # as History does before asking: no second request
            try:
                await self.load_older(history.loaded_count).wait()
            except (WorkerFailed, WorkerCancelled):
                history.older_failed()
                return False
        deadline = asyncio.get_running_loop().time() + PAGE_WAIT_SECONDS
        while history.loading_older:  # placed once the view kept its position
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True
