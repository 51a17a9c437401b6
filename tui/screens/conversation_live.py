"""What the open conversation does with pushed news: a new message joins the history once, a
reaction marks the message it names, a delivery mark changes in place, the head (status,
assignment, window) follows the cache, and after every (re)connect the newest messages are read
once again, since events are not replayed. A burst of customer messages marks the conversation
read with one PATCH, and only when it is unread.

While the feed is live nothing is polled; while polling, the newest messages are read every
`refresh_seconds` (slower as the hour's request budget fills), the conversation itself every
`HEAD_EVERY` polls.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import work
from textual.timer import Timer

from tui.core.actions import Action
from tui.core.errors import SwitchboardError
from tui.messages import LiveEvents, LiveResynced, LiveStatus

if TYPE_CHECKING:
    from tui.core.live import LiveEvent
    from tui.core.models import Conversation, Message
    from tui.widgets.composer import Composer
    from tui.widgets.history import History

#: While polling, the conversation itself (status, assignment) is read every this many polls.
HEAD_EVERY = 4
#: Customer messages are marked read with one PATCH once none came for this long (a burst is
#: one PATCH), or at the latest this long after the first of them (a burst that never ends).
MARK_READ_SECONDS = 1.0
MARK_READ_MAX_SECONDS = 30.0
#: Pushed messages are drawn at most this often, however fast they come.
DRAW_EVERY_SECONDS = 0.1
#: More pushed messages than this waiting to be drawn: the history starts afresh from the newest
#: `REREAD_OVER` of them (no request: a push is the whole message) and the rest is left to paging.
REREAD_OVER = 60


class ConversationLive:
    """Mixed into `ConversationScreen`, which provides what is declared here."""

    conversation: Conversation
    ctx: Any
    _last_poll: float = 0.0
    _polls: int = 0
    _marking_since: float | None = None
    _mark_timer: Timer | None = None
    _drawing: bool = False
    _to_draw: list[Message]

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
        """Whether the timed poll should read the server now: never while live, else every
        `refresh_seconds` times the budget's pace."""
        if self.ctx.live:
            return False
        factor = self.ctx.poll_factor()
        if factor is None:
            return False
        if time.monotonic() - self._last_poll < self.ctx.config.refresh_seconds * factor - 0.5:
            return False
        self._last_poll = time.monotonic()
        return True

    def live_news(self, news: LiveEvents | LiveStatus | LiveResynced) -> None:
        if isinstance(news, LiveStatus):
            self._show_head()  # the title bar's live / polling / offline
        elif isinstance(news, LiveResynced):
            self.resync()
        else:
            mine = [e for e in news.events if e.conversation_id == self.conversation.id]
            if mine:
                self._live_events(mine)

    def _live_events(self, events: list[LiveEvent]) -> None:
        created: list[Message] = []
        for event in events:
            message = event.message
            if message is None:
                continue
            if message.is_reaction:
                if event.kind == "message_created" and message.reaction_to is not None:
                    self.history.react(message)
            elif event.kind == "message_created":
                created.append(message)
            elif event.kind == "message_patched":
                self.history.update_message(message)
        if created:
            self._live_add(created)
            inbound = any(m.is_inbound for m in created)
            if inbound and self.is_current and self.ctx.config.mark_read == "open":
                self.mark_read_soon()

    def _live_add(self, messages: list[Message]) -> None:
        """Pushed messages wait here and are drawn by one worker, a batch at most every
        `DRAW_EVERY_SECONDS`: a burst neither piles up workers nor draws one message at a time."""
        self._to_draw.extend(messages)
        if not self._drawing:
            self._drawing = True
            self._draw_pushed()

    @work(exit_on_error=False, group="live-history")
    async def _draw_pushed(self) -> None:
        import asyncio

        try:
            while self._to_draw:
                batch, self._to_draw = self._to_draw, []
                total = self.history.total + len(batch)
                if len(batch) > REREAD_OVER:
                    batch.sort(key=lambda m: m.created_at.timestamp() if m.created_at else 0.0)
                    await self.history.show_recent(batch[: -REREAD_OVER - 1 : -1], total)
                else:
                    await self.history.add_new(batch, total)
                await asyncio.sleep(DRAW_EVERY_SECONDS)
        finally:
            self._drawing = False

    def mark_read_soon(self) -> None:
        """One PATCH for a burst: when no message came for `MARK_READ_SECONDS` (or
        `MARK_READ_MAX_SECONDS` after the first), and only when the conversation is unread."""
        now = time.monotonic()
        if self._marking_since is None:
            self._marking_since = now
        if self._mark_timer is not None:
            self._mark_timer.stop()
        due = min(MARK_READ_SECONDS, self._marking_since + MARK_READ_MAX_SECONDS - now)
        # Never 0: Textual's timer divides by its delay when the loop is late (a burst).
        self._mark_timer = self.ctx.set_timer(max(due, 0.01), self._mark_read)

    def _mark_read(self) -> None:
        self._marking_since = self._mark_timer = None
        if self.conversation.unread_count > 0:
            self.queue_act(self.conversation, Action.READ, quiet=True)

    @work(exclusive=True, exit_on_error=False, group="resync")
    async def resync(self) -> None:
        """After a (re)connect: events missed meanwhile are not replayed."""
        await self.read_newest(head=True)

    async def read_newest(self, *, head: bool = False) -> None:
        """Read the newest messages again (and the conversation, with `head` or every
        `HEAD_EVERY` polls): each one not shown yet shows once, a changed delivery mark moves in
        place, and when none of them is one shown already (more were missed than the page
        holds) the history is read afresh."""
        backend = self.ctx.backend
        if backend is None:
            return
        client = backend.client
        self._polls += 1
        try:
            if head or self._polls % HEAD_EVERY == 0:
                await client.get_conversation(self.conversation.id)
            page = await client.list_messages(self.conversation.id, channel=self.conversation.channel)
        except SwitchboardError as exc:
            self.composer.set_progress(f"Not refreshed: {exc.sentence}")
            return  # said on screen; the next poll or connect tries again
        self.ctx.rest_answered()
        if self.composer.progress.startswith("Not refreshed"):
            self.composer.set_progress("")
        self._show_head()
        known = self.history.known_ids
        if page.data and known and not any(m.key in known for m in page.data):
            await self.history.show_recent(page.data, page.total)  # a gap wider than the page
            return
        await self.history.add_new(page.data, page.total)
        self.history.update_messages(page.data)
