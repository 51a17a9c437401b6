"""The snooze and assign pickers as the agent sees them, pinned at 80x24 on a fixed clock.

The clock and the zone are passed to the snooze picker (no wall clock, no TZ variable), so the
rows and the preview line are the same on every run.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.ui.test_pickers import AGENTS, NEW_YORK, NOW, PickerHost, type_text
from tui.screens.assign import AssignScreen
from tui.screens.snooze import SnoozeScreen


async def still(pilot: Pilot) -> None:
    """A blinking cursor is drawn or not depending on the moment: hold it still."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_snooze_presets(snap_compare: Any) -> None:
    host = PickerHost(SnoozeScreen(NOW, NEW_YORK, "Ana Souza"))

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("down")
        await still(pilot)

    assert snap_compare(host, terminal_size=(80, 24), run_before=run_before)


def test_snooze_typed_time_refused(snap_compare: Any) -> None:
    host = PickerHost(SnoozeScreen(NOW, NEW_YORK, "Ana Souza"))

    async def run_before(pilot: Pilot) -> None:
        await type_text(pilot, "tomorrow 25:00")
        await still(pilot)

    assert snap_compare(host, terminal_size=(80, 24), run_before=run_before)


def test_assign_list(snap_compare: Any) -> None:
    host = PickerHost(AssignScreen(AGENTS, me=1, current=3, contact="Ana Souza"))

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("down", "down")
        await still(pilot)

    assert snap_compare(host, terminal_size=(80, 24), run_before=run_before)


def test_assign_filtered(snap_compare: Any) -> None:
    host = PickerHost(AssignScreen(AGENTS, me=1, current=3, contact="Ana Souza"))

    async def run_before(pilot: Pilot) -> None:
        await type_text(pilot, "jon")
        await still(pilot)

    assert snap_compare(host, terminal_size=(80, 24), run_before=run_before)
