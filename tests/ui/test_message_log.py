"""The message log (f9, or "Message log" in the palette): every notice of the session, whole,
newest first, the last 200, server text shown as text."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from tests.ui.conftest import wait_for
from tests.ui.test_snapshots import FIXED, make, steady
from tui.app import SwitchboardApp
from tui.sandbox.runner import start_in_thread
from tui.screens.message_log import MessageLogScreen

LONG = (
    "The reply to Zoë could not be sent: the server answered 502 Bad Gateway from "
    "https://api.example.com/v1/messages-whatsapp while the attachment "
    "/home/agent/Downloads/invoice-2026-11-25-final-final.pdf was still uploading, "
    "and the outbox will try again at 12:05 [@click=app.quit]unless you discard it[/] end-of-error."
)


def drawn(widget: Widget) -> str:
    """What a widget draws, every line of it, whitespace collapsed."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join("".join(strip.text for strip in lines).split())


async def open_log(app: SwitchboardApp, pilot: Pilot) -> MessageLogScreen:
    await wait_for(pilot, lambda: getattr(app.screen, "list", None) is not None and app.screen.list.loaded)
    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, MessageLogScreen))
    await pilot.pause(0.2)
    assert isinstance(app.screen, MessageLogScreen)
    return app.screen


async def test_a_long_error_gone_from_the_screen_is_read_whole_in_the_log(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.list.loaded)  # type: ignore[attr-defined]
        app.notify_plain("Conversation 3 snoozed until 14:00.")
        app.notify_error(LONG)
        await pilot.pause(0.2)
        app.clear_notifications()  # the toast went
        screen = await open_log(app, pilot)
        listed = screen.query_one("#message-log-list", Widget)
        assert listed.size.width < len(LONG)  # so it is wrapped, on lines of the box's width
        shown = drawn(listed)
        assert " ".join(LONG.split()) in shown  # whole, the markup as typed
        assert shown.index("end-of-error") < shown.index("snoozed until 14:00")  # newest first
        assert "error The reply" in shown and "info Conversation 3" in shown  # severity as a word
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MessageLogScreen))
        assert app.return_code is None  # the [@click=app.quit] in the text did nothing


async def test_the_201st_notice_drops_the_oldest(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.list.loaded)  # type: ignore[attr-defined]
        before = len(app.message_log)
        for n in range(201 - before):
            app.notify(f"notice #{n:03d}", timeout=0.1)
        screen = await open_log(app, pilot)
        plain = str(screen.query_one("#message-log-list").render())
        assert "200 notices" in str(screen.query_one(".picker-title").render())
        numbers = re.findall(r"notice #(\d{3})", plain)
        last = 200 - before
        assert numbers[0] == f"{last:03d}" and len(plain.split("\n\n")) == 200
        if before == 0:
            assert "notice #000" not in plain and numbers[-1] == "001"


async def test_the_palette_opens_the_log(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.list.loaded)  # type: ignore[attr-defined]
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"message log")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageLogScreen))


@pytest.fixture
def log_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The snapshots' sandbox (tests/ui/test_snapshots.py): a fixed clock, in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    running = start_in_thread(tmp_path / "snap", clock=FIXED.timestamp)
    try:
        yield running
    finally:
        running.stop()
        monkeypatch.undo()
        time.tzset()


def test_message_log_snapshot(snap_compare: Any, log_sandbox: Any) -> None:
    async def log(pilot: Pilot) -> None:
        app: SwitchboardApp = pilot.app  # type: ignore[assignment]
        app.notify_plain("Conversation 3 snoozed until 14:00.")
        app.notify("Not connected to the live feed; polling every 30 s.", severity="warning")
        app.notify_error(LONG)
        await pilot.pause(0.1)
        app.clear_notifications()
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageLogScreen))
        await pilot.pause(0.2)

    assert snap_compare(make(log_sandbox), terminal_size=(80, 24), run_before=steady(log_sandbox, log))
