"""The live feed on its own thread and event loop, its news handed to the owner's loop in batches.

Why a thread: on the app's loop, a burst of pushed events (each parsed, each a callback) and the
app's drawing compete with the socket's reads, so Engine.IO pings wait behind unread frames and
the server drops the connection. Here the socket is read, and every event parsed and filtered,
on a loop that does nothing else; the owner's loop is woken at most once per `batch_seconds`
with everything that arrived meanwhile (`on_events`), and once per state change or connect.

The owner calls `start`, `nudge` and `stop` from its own loop; the callbacks run there too, never
on the feed's thread. Nothing is called back once `stop` began.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from typing import Any

from tui.core.config import ResolvedProfile
from tui.core.live import LiveFeed
from tui.core.live_events import Backoff, LiveEvent, LiveState

#: Pushed events reach the owner at most this often, as one batch.
BATCH_SECONDS = 0.05
#: How long `stop` waits for the feed's loop to close its connection before leaving the thread.
STOP_SECONDS = 5.0


class LiveThread:
    """A `LiveFeed` run on a daemon thread: `await start()`, callbacks on the owner's loop, then
    `await stop()`."""

    def __init__(
        self,
        profile: ResolvedProfile,
        *,
        on_events: Callable[[list[LiveEvent]], None],
        on_state: Callable[[LiveState, str | None], None],
        on_resync: Callable[[], None],
        batch_seconds: float = BATCH_SECONDS,
        backoff: Backoff | None = None,
    ) -> None:
        self.profile = profile
        self._on_events = on_events
        self._on_state = on_state
        self._on_resync = on_resync
        self.batch_seconds = batch_seconds
        self._backoff = backoff
        self._lock = threading.Lock()
        self._pending: list[LiveEvent] = []
        self._due = False
        self._stopped = False
        self._owner: asyncio.AbstractEventLoop | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._feed: LiveFeed | None = None
        #: Batches handed over and events in them (for tests and the bench).
        self.batches = 0
        self.delivered = 0

    # -- figures the owner may read (plain ints: reading them from another thread is safe) -------

    @property
    def attempts(self) -> int:
        return self._feed.attempts if self._feed is not None else 0

    @property
    def connects(self) -> int:
        return self._feed.connects if self._feed is not None else 0

    @property
    def dropped(self) -> int:
        return self._feed.dropped if self._feed is not None else 0

    @property
    def backoff(self) -> Backoff | None:
        return self._feed.backoff if self._feed is not None else None

    # -- lifecycle, from the owner's loop -----------------------------------------------------

    async def start(self) -> None:
        """Start the thread and its feed; returns once the feed is running (a second call does
        nothing)."""
        if self._thread is not None:
            return
        self._owner = asyncio.get_running_loop()
        ready: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=f"live feed {self.profile.name}", daemon=True
        )
        self._thread.start()
        await asyncio.wrap_future(ready)

    def nudge(self) -> None:
        """Try to connect now instead of at the end of the current wait."""
        loop, feed = self._loop, self._feed
        if loop is not None and feed is not None and not self._stopped:
            with suppress(RuntimeError):  # the loop just closed
                loop.call_soon_threadsafe(feed.nudge)

    async def stop(self) -> None:
        """Disconnect, end the thread; nothing is called back afterwards."""
        self._stopped = True
        loop, feed, thread = self._loop, self._feed, self._thread
        if loop is None or thread is None:
            return
        if feed is not None:
            with suppress(RuntimeError, TimeoutError, asyncio.CancelledError):
                stopping = asyncio.run_coroutine_threadsafe(feed.stop(), loop)
                async with asyncio.timeout(STOP_SECONDS):
                    await asyncio.wrap_future(stopping)
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, STOP_SECONDS)
        self._thread = None

    # -- the feed's thread --------------------------------------------------------------------

    def _run(self, ready: Future[None]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._feed = LiveFeed(
                self.profile,
                on_event=self._arrived,
                on_state=lambda state, reason: self._to_owner(self._on_state, state, reason),
                on_resync=lambda: self._to_owner(self._on_resync),
                backoff=self._backoff,
            )
            loop.run_until_complete(self._feed.start())
            ready.set_result(None)
            loop.run_forever()
        except BaseException as exc:  # reported to `start`, never printed over the screen
            if not ready.done():
                ready.set_exception(exc)
        finally:
            with suppress(Exception):
                for task in asyncio.all_tasks(loop):
                    task.cancel()
                loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    def _arrived(self, event: LiveEvent) -> None:
        """On the feed's thread: kept for the next batch; the owner is woken once per batch."""
        with self._lock:
            self._pending.append(event)
            if self._due:
                return
            self._due = True
        self._to_owner(self._schedule)

    def _to_owner(self, callback: Callable[..., None], *args: Any) -> None:
        owner = self._owner
        if owner is None or self._stopped:
            return
        with suppress(RuntimeError):  # the owner's loop closed: nobody is left to tell
            owner.call_soon_threadsafe(self._call, callback, *args)

    # -- the owner's loop ---------------------------------------------------------------------

    def _schedule(self) -> None:
        assert self._owner is not None
        self._owner.call_later(self.batch_seconds, self._flush)

    def _flush(self) -> None:
        with self._lock:
            batch, self._pending, self._due = self._pending, [], False
        if batch and not self._stopped:
            self.batches += 1
            self.delivered += len(batch)
            self._call(self._on_events, batch)

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        if not self._stopped:
            callback(*args)
