"""The live feed on its own thread: events reach the owner's loop in batches, on the owner's
thread, and the socket keeps answering pings while the owner's loop is busy (as when a burst is
drawn), against a sandbox whose heartbeat is short."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from tests.core.test_live import TOM, profile_for, send_as, until
from tui.core.live import LiveEvent, LiveFeed, LiveState
from tui.core.live_thread import LiveThread


class Owner:
    """What the owner's callbacks saw, and on which thread."""

    def __init__(self) -> None:
        self.events: list[LiveEvent] = []
        self.batches: list[int] = []
        self.states: list[LiveState] = []
        self.resyncs = 0
        self.threads: set[int] = set()

    def thread(self, profile: Any) -> LiveThread:
        return LiveThread(profile, on_events=self._events, on_state=self._state, on_resync=self._resync)

    def _events(self, events: list[LiveEvent]) -> None:
        self.threads.add(threading.get_ident())
        self.batches.append(len(events))
        self.events.extend(events)

    def _state(self, state: LiveState, reason: str | None) -> None:
        self.threads.add(threading.get_ident())
        self.states.append(state)

    def _resync(self) -> None:
        self.threads.add(threading.get_ident())
        self.resyncs += 1


async def test_a_burst_reaches_the_owner_in_few_batches_on_its_own_thread(sandbox: Any) -> None:
    owner = Owner()
    live = owner.thread(profile_for(sandbox.base_url, sandbox.api_key))
    try:
        await live.start()
        await until(lambda: owner.resyncs == 1)

        def burst() -> None:
            for n in range(300):
                sandbox.customer_writes(2, f"burst {n}")

        await asyncio.to_thread(burst)
        await until(lambda: len([e for e in owner.events if e.kind == "message_created"]) >= 300)
        assert owner.threads == {threading.get_ident()}
        assert len(owner.batches) < 150  # coalesced, not one wake-up per event
        assert live.connects == 1
    finally:
        await live.stop()
    count = len(owner.events)
    await asyncio.sleep(0.2)
    assert len(owner.events) == count  # nothing after stop


async def test_pings_are_answered_while_the_owners_loop_is_blocked(tmp_path: Path) -> None:
    """With the feed on the owner's loop, a loop busy for longer than the heartbeat loses the
    connection; on its own thread it is kept."""
    from tui.sandbox.runner import start_in_thread

    running = await asyncio.to_thread(start_in_thread, data_dir=tmp_path / "sb", ping_seconds=1.0)
    owner = Owner()
    live = owner.thread(profile_for(running.base_url, running.api_key, is_sandbox=True))
    try:
        await live.start()
        await until(lambda: owner.resyncs == 1)
        time.sleep(3.5)  # the owner's loop draws a burst: nothing of it runs meanwhile
        await asyncio.sleep(0.3)
        assert live.connects == 1 and owner.states[-1] is LiveState.LIVE
        await send_as(running, TOM, 1, "still here")
        await until(lambda: any(e.message and e.message.message_text == "still here" for e in owner.events))
    finally:
        await live.stop()
        await asyncio.to_thread(running.stop)


async def test_the_feed_on_the_owners_loop_would_have_dropped(tmp_path: Path) -> None:
    """The contrast that makes the test above mean something: the same block, the feed on the
    blocked loop, and the sandbox drops it."""
    from tui.sandbox.runner import start_in_thread

    running = await asyncio.to_thread(start_in_thread, data_dir=tmp_path / "sb", ping_seconds=1.0)
    states: list[LiveState] = []
    feed = LiveFeed(
        profile_for(running.base_url, running.api_key, is_sandbox=True),
        on_event=lambda event: None,
        on_state=lambda state, reason: states.append(state),
        on_resync=lambda: None,
    )
    try:
        await feed.start()
        await until(lambda: feed.connects == 1)
        time.sleep(3.5)
        await until(lambda: feed.connects >= 2 or LiveState.OFFLINE in states)
    finally:
        await feed.stop()
        await asyncio.to_thread(running.stop)


async def test_stop_before_any_connection_leaves_no_thread() -> None:
    owner = Owner()
    live = owner.thread(profile_for("http://127.0.0.1:9", "k"))
    await live.start()
    await live.stop()
    await live.stop()
    assert not any(t.name.startswith("live feed") for t in threading.enumerate())
