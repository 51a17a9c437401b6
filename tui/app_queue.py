"""The work queue's figures as the app keeps them (`tui.core.queue_state.QueueState`): read after
the agent is known and after every (re)connect, moved by what changes here or is pushed, the
counts a change leaves unknown read again later, and, while polling, everything every
`QUEUE_POLL_SECONDS` (slower as the hour's request budget fills). The budget is written to the
machine's log every few seconds, off the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import work

from tui.app_backend import BackendApp
from tui.messages import QueueChanged

if TYPE_CHECKING:
    from tui.backend import Backend

#: While polling, the queue's figures are read again this often (times the budget's pace).
QUEUE_POLL_SECONDS = 300.0


class QueueApp(BackendApp):
    """The queue's figures, on top of the backend's lifecycle."""

    _queue_polled: float = 0.0
    #: Whether who the agent is was asked already (Mine's count needs it), and whether a read of
    #: the figures waits for it.
    _agent_known: bool = False
    _queue_pending: bool = False

    def feed_coming(self) -> bool:
        """A live connection is on its way: its first connect re-reads the figures (`LiveApp`)."""
        return False

    def want_queue(self) -> None:
        """Read the figures now, or once who the agent is is known (one read, not two)."""
        if self._agent_known:
            self._queue_pending = False
            self.refresh_queue()
        else:
            self._queue_pending = True

    def agent_known(self) -> None:
        """Who the agent is was asked: the figures are read now, unless a live connection is
        about to connect (its re-read reads them: one read at start, not two)."""
        self._agent_known = True
        if self._queue_pending or not self.feed_coming():
            self.want_queue()

    def poll_factor(self) -> float | None:
        """How much slower than usual timed re-reads run (None: not at all) as the budget fills."""
        backend = self.backend
        return backend.budget.poll_factor() if backend is not None else 1.0

    # -- the queue's figures ----------------------------------------------------------------------

    def queue_seen(self, ids: Iterable[int]) -> None:
        """Conversations just read: what the counts already hold of them."""
        ids = list(ids)
        backend = self.backend
        if self.queue is not None and backend is not None:
            self.queue.seen(backend.client.cache, ids, me=self._me_id())
        self.read_news(ids)

    def read_news(self, ids: Iterable[int]) -> None:
        """Conversations read again: news for the notifier while polling (`LiveApp`)."""

    def queue_changed(self, ids: Iterable[int]) -> None:
        """Conversations that changed (a push, an action's answer): the counts move by
        themselves when they can; the ones that cannot be told are read again, later."""
        backend = self.backend
        if self.queue is None or backend is None:
            return
        if self.queue.changed(backend.client.cache, ids, me=self._me_id()):
            self.backend_signal.publish(QueueChanged())
            self._show_unread()
        if self.queue.stale:
            self._read_stale_queue()

    @work(exclusive=True, exit_on_error=False, group="queue-stale")
    async def _read_stale_queue(self) -> None:
        from tui.core.errors import SwitchboardError
        from tui.core.queue_state import STALE_READ_SECONDS

        queue, backend = self.queue, self.backend
        if queue is None or backend is None:
            return
        await asyncio.sleep(max(STALE_READ_SECONDS - (time.monotonic() - queue.read_at), 0.0))
        with contextlib.suppress(SwitchboardError):
            if await queue.read_stale(backend.client, me=self._me_id()) and queue is self.queue:
                self._queue_read()

    def queue_for_channel(self, channel: str | None) -> None:
        """The inbox filters a channel: the queue's figures count that channel's (read anew)."""
        from tui.core.queue_state import QueueState

        if self.queue is None or self.queue.channel != channel:
            self.queue = QueueState(channel=channel)
        self.refresh_queue()

    @work(exclusive=True, exit_on_error=False, group="queue")
    async def refresh_queue(self) -> None:
        """Read the queue's figures (four requests at once)."""
        from tui.core.errors import SwitchboardError
        from tui.core.queue_state import QueueState

        backend = self.backend
        if backend is None:
            return
        if self.queue is None:
            self.queue = QueueState()
        queue = self.queue
        try:
            await queue.read(backend.client, me=self._me_id())
        except SwitchboardError as exc:
            self.backend_signal.publish(QueueChanged())
            self.log.warning("queue figures not read", exc.sentence)
            return
        if queue is self.queue and backend is self.backend:
            self._queue_polled = time.monotonic()
            self._queue_read()

    def _queue_read(self) -> None:
        self.backend_signal.publish(QueueChanged())
        self.queue_read_news()

    def queue_read_news(self) -> None:
        """The queue's figures were read: the notifications layer (`LiveApp`) hears it."""

    def _show_unread(self) -> None:
        """The title's unread count follows the queue (`LiveApp` keeps it)."""

    def live_label(self) -> str:
        """What the title bar says about freshness (`LiveApp` says it)."""
        return ""

    def backend_title(self, backend: Backend) -> str:
        """The title bar's words for a backend: the profile, how fresh, the hour's request budget
        when more than half is spent, then where (the address is the part an 80-column bar cuts,
        so it goes last)."""
        from tui.core.budget import SHOW_ABOVE

        name, _, where = backend.description.partition(" · ")
        budget = backend.budget
        spent = f" · {budget.used():,}/{budget.limit:,} req/h" if budget.share() > SHOW_ABOVE else ""
        if budget.blocked_for() > 0:
            spent = " · rate limited"
        head = f"{name}{self.live_label()}{spent}"
        return f"{head} · {where}" if where else head

    def queue_poll_due(self) -> bool:
        """While polling, the queue's figures are read every `QUEUE_POLL_SECONDS` (times the pace)."""
        factor = self.poll_factor()
        if (self.live) or factor is None:
            return False
        return time.monotonic() - self._queue_polled >= QUEUE_POLL_SECONDS * factor

    def _me_id(self) -> int | None:
        return self.me.id if self.me is not None else None

    async def _flush_budget(self) -> None:
        backend = self.backend
        if backend is None:
            return
        await asyncio.to_thread(backend.budget.flush)
        if self.backend is backend:
            self.sub_title = self.backend_title(backend)
        if self.queue_poll_due():
            self.refresh_queue()
