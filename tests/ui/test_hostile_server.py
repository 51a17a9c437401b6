"""The app against a server that misbehaves on demand (the sandbox's answer faults, real loopback
HTTP): odd data shown in place as unreadable, a failed refresh said where the rows are, a
trickled answer cut at the profile's deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import notifications, sandbox_config, wait_for
from tests.ui.test_flows import inbox_ready, open_conversation
from tui.app import SwitchboardApp
from tui.sandbox.faults import Faults
from tui.sandbox.runner import start_in_thread


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[Any]:
    running = start_in_thread(tmp_path / "faulty", faults=Faults())
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def east_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def test_odd_messages_are_unreadable_in_place_not_an_empty_history(
    faulty: Any, east_of_utc: None
) -> None:
    # Every other timestamp of the message list is 1e300, the rest year 9999 (valid, but it
    # overflows when shown in a zone east of UTC).
    faulty.set_faults(odd_bodies="range", fault_paths=("/conversation-messages-*",), fault_methods=("GET",))
    app = SwitchboardApp(config=sandbox_config(faulty))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp")
        await wait_for(pilot, lambda: len(screen.history.items) >= 2)
        shown = [str(item.render()) for item in screen.history.items]
        assert any("could not be read" in s for s in shown), shown
        assert any("could not be read" not in s for s in shown), shown
        assert not any("Something went wrong" in n for n in notifications(app))


async def test_a_failed_refresh_says_the_rows_are_old(faulty: Any) -> None:
    app = SwitchboardApp(config=sandbox_config(faulty))
    async with app.run_test(size=(100, 30)) as pilot:
        await inbox_ready(pilot)
        faulty.set_faults(fail_rate=1.0, fail_status=(500,), fault_paths=("/conversations",))
        await pilot.press("r")
        status = app.screen.query_one("#list-status")
        await wait_for(pilot, lambda: "Not refreshed" in str(status.render()))
        assert "rows shown are from before" in str(status.render())


async def test_a_trickled_answer_ends_at_the_profiles_deadline(faulty: Any) -> None:
    faulty.set_faults(trickle_bytes_per_s=2.0, fault_paths=("/conversations",), fault_methods=("GET",))
    config = sandbox_config(faulty)
    config.profiles["local"].timeout_seconds = 1.0
    app = SwitchboardApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        started = time.monotonic()
        status = app.screen.query_one("#list-status")
        await wait_for(pilot, lambda: "within 1 s" in " ".join(notifications(app)), timeout=5)
        assert time.monotonic() - started < 1.0 + 2.0  # the deadline, plus the app's start
        assert "Not refreshed" in str(status.render())
