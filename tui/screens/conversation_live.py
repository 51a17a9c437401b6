"""What the open conversation does with pushed news: a new message joins the history once, a
delivery mark changes in place, the head (status, assignment, window) follows the server, and
after every (re)connect the newest messages are read again, since events are not replayed.

While the feed is live the screen's poll rests; it still runs now and then, so an event lost
between the server and here is repaired within `LIVE_POLL_SECONDS`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import work

from tui.core.actions import Action
from tui.core.errors import SwitchboardError
from tui.messages import LiveResynced, LiveStatus, LiveUpdate

if TYPE_CHECKING:
    from tui.core.models import Conversation, Message
    from tui.widgets.composer import Composer
    from tui.widgets.history import History

#: While live, the poll runs only this often (a safety net, not the way news arrives).
LIVE_POLL_SECONDS = 60.0
#: After a reconnect, how many of the newest messages are read (`read_newest`).
RESYNC_PAGE = 50


class ConversationLive:
    """Mixed into `ConversationScreen`, which provides what is declared here."""

    conversation: Conversation
    ctx: Any
    _last_poll: float = 0.0

    if TYPE_CHECKING:

        @property
        def history(self) -> History: ...

        @property
        def composer(self) -> Composer: ...

        is_current: bool

        def _show_head(self) -> None: ...

        def queue_act(
            self,
            conversation: Conversation,
            action: Action,
            *,
            to: int | None = None,
            then_next: bool = False,
            quiet: bool = False,
        ) -> None: ...

    def poll_due(self) -> bool:
        """Whether the interval poll should read the server now."""
        if self.ctx.polls_may_rest and time.monotonic() - self._last_poll < LIVE_POLL_SECONDS:
            return False
        self._last_poll = time.monotonic()
        return True

    def live_news(self, news: LiveUpdate | LiveStatus | LiveResynced) -> None:
        if isinstance(news, LiveStatus):
            self._show_head()  # the title bar's live / polling / offline
        elif isinstance(news, LiveResynced):
            self.resync()
        else:
            self._live_event(news)

    def _live_event(self, news: LiveUpdate) -> None:
        event = news.event
        if event.conversation_id != self.conversation.id:
            return
        if event.kind == "conversation_patched" and event.conversation is not None:
            from tui.core.queue_scan import keep_contact

            self.conversation = keep_contact(event.conversation, self.conversation)
            self._show_head()
        elif event.kind == "message_created" and event.message is not None:
            message = event.message
            self._live_add(message)
            if message.is_inbound and self.is_current and self.ctx.config.mark_read == "open":
                self.queue_act(self.conversation, Action.READ, quiet=True)  # the agent sees it
        elif event.kind == "message_patched" and event.message is not None:
            self.history.update_message(event.message)

    @work(exit_on_error=False, group="live-history")
    async def _live_add(self, message: Message) -> None:
        await self.history.add_new([message], self.history.total + 1)

    @work(exclusive=True, exit_on_error=False, group="resync")
    async def resync(self) -> None:
        """After a (re)connect: events missed meanwhile are not replayed."""
        await self.read_newest(RESYNC_PAGE)

    async def read_newest(self, limit: int) -> None:
        """Read the conversation and its newest `limit` messages again (the poll and the resync):
        each one not shown yet shows once, a changed delivery mark moves in place, and when none
        of them is one shown already (more were missed than the page holds) the history is read
        afresh."""
        backend = self.ctx.backend
        if backend is None:
            return
        try:
            self.conversation = await backend.client.get_conversation(self.conversation.id)
            page = await backend.client.list_messages(self.conversation.id, limit=limit)
        except SwitchboardError as exc:
            self.composer.set_progress(f"Not refreshed: {exc.sentence}")
            return  # said on screen; the next poll or connect tries again
        self.ctx.rest_answered()
        if self.composer.progress.startswith("Not refreshed"):
            self.composer.set_progress("")
        self._show_head()
        known = self.history.known_ids
        if page.data and known and not any(str(m.id) in known for m in page.data):
            await self.history.show_recent(page.data, page.total)  # a gap wider than the page
            return
        await self.history.add_new(page.data, page.total)
        self.history.update_messages(page.data)
