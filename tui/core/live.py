"""The live feed: the API's Feathers events over Socket.IO, reconnected on its own for as long as
it runs, with its state (live, polling, offline) and one sentence saying why.

After every connect the feed calls `on_resync`: the server replays nothing, so whoever shows data
re-reads its list's first page and the open conversation's newest messages (never a "since"
window, which is how web inboxes lose messages after a drop). Between connects the app polls.

A server without Socket.IO (a 404 at /socket.io/, or an answer there that is not Engine.IO) is
normal for a real AchieveApex: the feed says "polling" once and asks again every few minutes. A
refused key is said once, and asked again as rarely. A server that is down, or that accepts and
drops, is retried with backoff (full jitter): up to 0.5 s apart for the embedded sandbox (this
machine's own child: a refused connection costs nothing, and a restarted sandbox is live again
within half a second), up to 30 s apart for every other host, loopback included (an SSH tunnel or
`kubectl port-forward` on 127.0.0.1 reaches a real server, and each reconnect re-reads);
`nudge()` retries at once (when a REST read finds the server back).

Callbacks are plain callables run on the feed's event loop; they must not block. Socket.IO and
aiohttp load when the first connection is made (`live_socket`), not when this module does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui.core.config import ResolvedProfile
from tui.core.live_events import Backoff, LiveEvent, LiveState, event_names, parse_event
from tui.core.logins import expired_sentence
from tui.core.text import one_line

if TYPE_CHECKING:
    from tui.core.live_socket import Failure, SocketConnection

__all__ = ["LiveEvent", "LiveFeed", "LiveState"]

log = logging.getLogger("tui.core.live")
log.addHandler(logging.NullHandler())

#: How often a server without Socket.IO, or one that refused the key, is asked again.
RARE_RETRY_SECONDS = 300.0
#: The longest wait between attempts to reach a server that is down: the embedded sandbox, and
#: any other host.
SANDBOX_CAP_SECONDS = 0.5
REMOTE_CAP_SECONDS = 30.0
#: A connection that held this long resets the backoff; one that drops sooner keeps it growing,
#: so a server that accepts and drops at once is not hammered.
STABLE_SECONDS = 10.0

NO_LIVE = "This server has no live updates; polling."
OFF = "Live updates are off for this profile."


def _host(profile: ResolvedProfile) -> str:
    return one_line(urlsplit(profile.base_url).netloc or profile.base_url, 80)


def reason_for(failure: Failure, profile: ResolvedProfile) -> tuple[LiveState, str]:
    """The state and the sentence a failed connect leaves the feed in."""
    from tui.core.live_socket import Failure

    host = _host(profile)
    if failure is Failure.NO_SOCKET:
        return LiveState.POLLING, NO_LIVE
    if failure is Failure.REFUSED and profile.login is not None:
        return LiveState.POLLING, expired_sentence(profile.name)
    if failure is Failure.REFUSED:
        return LiveState.POLLING, (
            f"The server refused the API key of profile {one_line(profile.name, 40)} for live "
            "updates, so the app polls; check the key (`switchboard status` tries it)."
        )
    if failure is Failure.TIMEOUT:
        return LiveState.OFFLINE, (
            f"{host} did not open a live connection within {profile.timeout_seconds:g} s; retrying."
        )
    if failure is Failure.SERVER:
        return LiveState.OFFLINE, f"{host} answered the live connection with an error; retrying."
    return LiveState.OFFLINE, f"{host} cannot be reached for live updates; retrying."


class LiveFeed:
    """Live updates for one profile: `await start()`, then callbacks until `await stop()`."""

    def __init__(
        self,
        profile: ResolvedProfile,
        *,
        on_event: Callable[[LiveEvent], None],
        on_state: Callable[[LiveState, str | None], None],
        on_resync: Callable[[], None],
        backoff: Backoff | None = None,
        rare_retry_seconds: float = RARE_RETRY_SECONDS,
    ) -> None:
        self.profile = profile
        self._on_event = on_event
        self._on_state = on_state
        self._on_resync = on_resync
        cap = SANDBOX_CAP_SECONDS if profile.is_sandbox else REMOTE_CAP_SECONDS
        self.backoff = backoff or Backoff(cap=cap)
        self.rare_retry_seconds = rare_retry_seconds
        self._names = event_names(profile.paths)
        self._state = LiveState.OFFLINE
        self._reason: str | None = None
        self._reported = False
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self._wake = asyncio.Event()
        self._connection: SocketConnection | None = None
        #: Connection attempts and connections made so far (each followed by `on_resync`), and
        #: pushed events dropped as unreadable or not the organization's: for tests and the bench.
        self.attempts = 0
        self.connects = 0
        self.dropped = 0

    @property
    def state(self) -> LiveState:
        return self._state

    @property
    def reason(self) -> str | None:
        """The sentence that goes with `state` (None while live)."""
        return self._reason

    async def start(self) -> None:
        """Begin connecting in a background task; returns at once (a second call does nothing)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"live feed {self.profile.name}")

    async def stop(self) -> None:
        """Disconnect and end the background task; nothing is called back afterwards."""
        self._stopped = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await self._close_connection()

    def nudge(self) -> None:
        """Try to connect now instead of at the end of the current wait."""
        self._wake.set()

    # -- the loop -------------------------------------------------------------------------------

    async def _run(self) -> None:
        if self.profile.realtime == "off":
            self._set(LiveState.POLLING, OFF)
            return
        from tui.core.live_socket import Failure, SocketConnection

        while True:
            connection = self._connection = SocketConnection(self.profile, self._event)
            self.attempts += 1
            try:
                failure = await connection.open()
                if failure is None:
                    opened = time.monotonic()
                    self.connects += 1
                    self._set(LiveState.LIVE, None)
                    self._call(self._on_resync)
                    await connection.wait_closed()
                    if time.monotonic() - opened >= STABLE_SECONDS:
                        self.backoff.reset()
            finally:
                await self._close_connection()
            if failure is None:
                self._set(
                    LiveState.OFFLINE, f"The live connection to {_host(self.profile)} dropped; reconnecting."
                )
                delay = self.backoff.next()
            else:
                self._set(*reason_for(failure, self.profile))
                rare = failure in (Failure.NO_SOCKET, Failure.REFUSED)
                delay = self.rare_retry_seconds if rare else self.backoff.next()
            await self._sleep(delay)

    async def _sleep(self, seconds: float) -> None:
        with suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    # -- to the callbacks -----------------------------------------------------------------------

    def _set(self, state: LiveState, reason: str | None) -> None:
        if self._reported and (state, reason) == (self._state, self._reason):
            return  # quiet: the same failure again says nothing new
        self._state, self._reason, self._reported = state, reason, True
        self._call(self._on_state, state, reason)

    def _event(self, name: Any, args: tuple[Any, ...]) -> None:
        if not isinstance(name, str) or name not in self._names:
            return  # an event the contract does not name (Feathers sends others): not ours
        event = parse_event(name, args, self.profile.organization_id, self._names)
        if event is None:
            self.dropped += 1
            return
        self._call(self._on_event, event)

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        """A callback's own failure must not end the feed (nor reach the terminal): logged.
        Nothing is called once `stop` began (python-socketio may still hand over a packet)."""
        if self._stopped:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("a live-feed callback failed")
