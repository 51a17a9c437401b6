"""What the user sees, pinned: each screen at 80x24 and 120x40.

The sandbox and the app share one fixed clock and the zone is UTC, so ages, windows and times
are the same on every run. The loopback port is the only volatile text; it is blanked.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import sandbox_config, wait_for
from tui.app import SwitchboardApp
from tui.sandbox.runner import start_in_thread

FIXED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"
SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def fixed_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    running = start_in_thread(tmp_path / "snap", clock=FIXED.timestamp)
    try:
        yield running
    finally:
        running.stop()
        monkeypatch.undo()
        time.tzset()


def make(sandbox: Any) -> SwitchboardApp:
    return SwitchboardApp(config=sandbox_config(sandbox), clock=lambda: FIXED)


def steady(
    sandbox: Any, then: Callable[[Pilot], Awaitable[None]] | None = None
) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await wait_for(
            pilot, lambda: getattr(app.screen, "list", None) is not None and app.screen.list.loaded
        )
        # The views' counts and the rows' assignees come with the scan and the agent's name.
        await wait_for(pilot, lambda: app.queue is not None and app.me is not None and bool(app.agents))
        await pilot.pause(0.1)
        app.sub_title = app.sub_title.replace(sandbox.base_url, "http://127.0.0.1:PORT")
        if then is not None:
            await then(pilot)
        from tui.screens.conversation import ConversationScreen

        screen = app.screen
        if isinstance(screen, ConversationScreen):  # under load the composer's focus lands late
            await wait_for(pilot, lambda: app.focused is screen.composer.area)
        # A blinking cursor is drawn or not depending on the moment: hold it still.
        from textual.widgets import Input, TextArea

        for editor in [*app.screen.query(TextArea), *app.screen.query(Input)]:
            editor.cursor_blink = False
        await pilot.pause(0.1)

    return run_before


async def open_first_whatsapp(pilot: Pilot) -> None:
    from tui.screens.conversation import ConversationScreen

    rows = pilot.app.screen.list  # type: ignore[attr-defined]
    index = next(i for i in range(rows.total) if (rows.row(i) and rows.row(i).id == 1))
    for _ in range(index):
        await pilot.press("j")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
    await wait_for(pilot, lambda: len(pilot.app.screen.history.children) > 0)  # type: ignore[attr-defined]
    pilot.app.screen.composer.set_text("Hi Ana, your parcel left our warehouse this morning.")  # type: ignore[attr-defined]
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_inbox(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox))


async def needs_reply(pilot: Pilot) -> None:
    await pilot.press("1")
    await wait_for(pilot, lambda: pilot.app.screen.view.value == "needs-reply")  # type: ignore[attr-defined]
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_needs_reply_view(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    """The queue view: counts, assignees, who wrote last, windows closing soon in colour."""
    assert snap_compare(
        make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox, needs_reply)
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_marked_rows(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    """Three rows marked for a bulk action: the dots, and the count in the filters' line."""

    async def mark_three(pilot: Pilot) -> None:
        await pilot.press("space", "space", "j", "space")
        await pilot.pause(0.1)

    assert snap_compare(make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox, mark_three))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_conversation(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    assert snap_compare(
        make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox, open_first_whatsapp)
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_contact_card(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    """alt+c on Ana Lima's WhatsApp conversation: a side panel at 120 columns, a screen at 80;
    her fields, custom fields and her two conversations (this one marked)."""

    async def card(pilot: Pilot) -> None:
        from textual.widgets import OptionList

        await steady(fixed_sandbox, open_first_whatsapp)(pilot)
        await pilot.press("alt+c")
        await wait_for(pilot, lambda: bool(pilot.app.screen.query("#contact-others")))
        await wait_for(
            pilot, lambda: pilot.app.screen.query_one("#contact-others", OptionList).option_count == 2
        )
        await pilot.pause(0.2)

    assert snap_compare(make(fixed_sandbox), terminal_size=size, run_before=card)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_note_mode_on_closed_window(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    async def closed_note(pilot: Pilot) -> None:
        from tui.screens.conversation import ConversationScreen

        await pilot.press("c", "c", "c")  # all -> whatsapp -> instagram -> messenger
        rows = pilot.app.screen.list  # type: ignore[attr-defined]
        await wait_for(
            pilot, lambda: rows.loaded and rows.row(0) is not None and rows.row(0).channel == "messenger"
        )
        index = next(i for i in range(rows.total) if rows.row(i) and rows.row(i).id == 15)
        for _ in range(index):
            await pilot.press("j")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
        await wait_for(pilot, lambda: len(pilot.app.screen.history.children) > 0)  # type: ignore[attr-defined]
        await pilot.press("ctrl+n")
        pilot.app.screen.composer.set_text("Customer called; refund approved.")  # type: ignore[attr-defined]

    assert snap_compare(
        make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox, closed_note)
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_file_picker(
    snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(FIXTURES))

    async def picker(pilot: Pilot) -> None:
        from tui.screens.file_picker import FilePickerScreen

        await open_first_whatsapp(pilot)
        pilot.app.last_folder = FIXTURES / "files"  # type: ignore[attr-defined]
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FilePickerScreen))
        tree = pilot.app.screen.picker_tree  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: len(tree.root.children) == 4)
        await pilot.press("tab", "down", "down", "space", "down")

    assert snap_compare(make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox, picker))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_template_form(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    async def form(pilot: Pilot) -> None:
        from tui.screens.templates import TemplateFormScreen, TemplatePickerScreen

        await open_first_whatsapp(pilot)
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, TemplatePickerScreen) and pilot.app.screen.templates
        )
        await pilot.press("down", "down", "enter")  # shipping_notice: a header variable and two in the body
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TemplateFormScreen))
        await pilot.press("A", "-", "7", "tab", "tab")

    assert snap_compare(make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox, form))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare: Any, fixed_sandbox: Any, size: tuple[int, int]) -> None:
    async def help_screen(pilot: Pilot) -> None:
        await open_first_whatsapp(pilot)
        await pilot.press("f1")
        await pilot.pause(0.2)

    assert snap_compare(
        make(fixed_sandbox), terminal_size=size, run_before=steady(fixed_sandbox, help_screen)
    )
