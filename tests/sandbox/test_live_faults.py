"""The sandbox's live faults: a burst of customer messages once a live client is there, a short
heartbeat, connections dropped after a while, and a live route that accepts and never answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.core.test_live import Heard, profile_for, until
from tui.core.live import LiveState
from tui.sandbox.burst import parse_burst
from tui.sandbox.runner import start_in_thread


def test_burst_flags_parse() -> None:
    assert parse_burst("5000") == (5000, 1, 200.0)
    assert parse_burst("50@7") == (50, 7, 200.0)
    assert parse_burst("50@7/0") == (50, 7, 0.0)
    for bad in ("", "x", "0", "5@-1", "5@2/-3", "5@2/x"):
        with pytest.raises(ValueError, match="expected"):
            parse_burst(bad)


async def test_a_burst_starts_once_a_live_client_is_there(tmp_path: Path) -> None:
    running = await asyncio.to_thread(
        start_in_thread, data_dir=tmp_path / "sb", burst=(40, 2, 0.0), burst_after=0.2
    )
    heard = Heard()
    feed = heard.feed(profile_for(running.base_url, running.api_key, is_sandbox=True))
    try:
        await asyncio.sleep(0.5)
        assert running.requests() == [] and "Burst message 1 of 40" not in str(heard.texts())
        await feed.start()
        await until(lambda: sum(t is not None and t.startswith("Burst message") for t in heard.texts()) == 40)
        assert heard.texts()[-1] == "Burst message 40 of 40"
    finally:
        await feed.stop()
        await asyncio.to_thread(running.stop)


async def test_a_live_route_that_never_answers_is_a_timeout_then_backoff(tmp_path: Path) -> None:
    running = await asyncio.to_thread(start_in_thread, data_dir=tmp_path / "sb", live_stall=True)
    heard = Heard()
    feed = heard.feed(profile_for(running.base_url, running.api_key, timeout_seconds=0.3))
    try:
        await feed.start()
        await until(lambda: feed.state is LiveState.OFFLINE and feed.reason is not None)
        assert "did not open a live connection within 0.3 s" in (feed.reason or "")
        await asyncio.sleep(2.0)
        assert feed.attempts <= 5 and feed.connects == 0
    finally:
        await feed.stop()
        await asyncio.to_thread(running.stop)
