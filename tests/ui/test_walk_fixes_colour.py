"""Issue 19, colour on the terminals agents really have: what is sent to a 16-colour terminal
behind a modal (the light theme's title bar readable, the ANSI theme's screen not blanked), no
colour at all to TERM=dumb, and the reply window's urgency in a glyph as well as a colour."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rich.text import Text
from textual.widgets import Static

from tests.ui.conftest import wait_for
from tui.app import SwitchboardApp
from tui.screens.conversation import ConversationScreen
from tui.screens.help import HelpScreen

_CODES = re.compile(r"\x1b\[([0-9;]*)m|\x1b\[(\d+);\d+H|([^\x1b]+)")
LIGHT = {"37", "97", "47", "107"}


@dataclass
class Run:
    text: str
    fg: str | None
    bg: str | None
    reverse: bool


def _sgr(params: str, run: Run) -> None:
    codes = params.split(";") if params else ["0"]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in ("", "0"):
            run.fg = run.bg = None
            run.reverse = False
        elif code == "7":
            run.reverse = True
        elif code in ("38", "48"):  # 38;5;n or 38;2;r;g;b
            width = 3 if codes[i + 1] == "5" else 5
            value = ";".join(codes[i : i + width])
            if code == "38":
                run.fg = value
            else:
                run.bg = value
            i += width - 1
        elif code.isdigit() and (30 <= int(code) <= 39 or 90 <= int(code) <= 97):
            run.fg = code
        elif code.isdigit() and (40 <= int(code) <= 49 or 100 <= int(code) <= 107):
            run.bg = code
        i += 1


def terminal_rows(app: SwitchboardApp) -> dict[int, list[Run]]:
    """What the app sends the terminal for the whole screen, as styled runs per row (1-based)."""
    sent = app.screen._compositor.render_full_update().render_segments(app.console)
    rows: dict[int, list[Run]] = {}
    state = Run("", None, None, False)
    row = 0
    for match in _CODES.finditer(sent):
        params, moved_to, text = match.groups()
        if moved_to is not None:
            row = int(moved_to)
        elif params is not None:
            _sgr(params, state)
        elif text and text != "\n":
            rows.setdefault(row, []).append(Run(text, state.fg, state.bg, state.reverse))
    return rows


def run_with(app: SwitchboardApp, row: int, needle: str) -> Run:
    found = [run for run in terminal_rows(app).get(row, []) if needle in run.text]
    assert found, f"{needle!r} is not sent on row {row}: {terminal_rows(app).get(row)}"
    return found[0]


@pytest.fixture
def sixteen_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-16color")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


async def open_help(app: SwitchboardApp, pilot: object) -> None:
    await wait_for(pilot, lambda: getattr(app.screen, "list", None) is not None and app.screen.list.loaded)  # type: ignore[arg-type]
    await pilot.press("f1")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))  # type: ignore[arg-type]
    await pilot.pause(0.2)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("sixteen_colours")
async def test_the_day_title_bar_stays_readable_behind_a_modal_on_16_colours(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app(theme="switchboard-day")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_help(app, pilot)
        title = run_with(app, 1, "Switchboard")
        assert not (title.fg in LIGHT and title.bg in LIGHT), f"light on light: {title}"


@pytest.mark.usefixtures("sixteen_colours")
async def test_the_ansi_theme_keeps_the_screen_behind_a_modal(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app(theme="switchboard-16")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_help(app, pilot)
        assert run_with(app, 1, "Switchboard")  # the title bar, above the help box
        assert "".join(run.text for run in terminal_rows(app)[2]).startswith(" 1 N")  # the views, beside it


async def test_a_dumb_terminal_gets_no_colour_and_still_sees_the_cursor_row(
    make_app: Callable[..., SwitchboardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.list.loaded and app.screen.list.row(0) is not None)  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        colours = {c for runs in terminal_rows(app).values() for run in runs for c in (run.fg, run.bg)}
        assert colours <= {None, "39", "49"}, f"colour sent to TERM=dumb: {sorted(map(str, colours))}"
        first = app.screen.list.row(0)  # type: ignore[attr-defined]
        assert run_with(app, 4, first.contact_name[:6]).reverse  # the cursor's row, without colour


def row_line(app: SwitchboardApp, contact: str) -> str:
    lst = app.screen.list  # type: ignore[attr-defined]
    for index in range(lst.total):
        c = lst.row(index)
        if c is not None and c.contact_name == contact:
            return "".join(segment.text for segment in lst.render_line(index - lst.scroll_offset.y))
    raise LookupError(contact)


async def test_window_urgency_has_a_glyph_in_rows_and_the_banner(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    """NO_COLOR is set for every test: only the glyphs tell urgent (under 15 minutes) and soon
    (under an hour) from open."""
    app = make_app()
    async with app.run_test(size=(100, 60)) as pilot:
        await wait_for(pilot, lambda: app.screen.list.loaded and app.screen.list.row(0) is not None)  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        assert re.search(r" ⚠ \d+m left ", row_line(app, "Fatima Zahra"))  # 9 minutes
        assert re.search(r" ! \d+m left ", row_line(app, "Zoë Müller"))  # 29 minutes
        assert re.search(r"Ana Lima +\d+h \d+m left ", row_line(app, "Ana Lima"))  # a day: no mark
        urgent = next(c for _, c in app.backend.client.cache.items() if c.contact_name == "Fatima Zahra")  # type: ignore[union-attr]
        app.open_conversation(urgent)
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.is_mounted)
        banner = app.screen.query_one("#window-banner", Static)
        await wait_for(pilot, lambda: "left" in str(banner.content))
        assert isinstance(banner.content, Text) and banner.content.plain.startswith("⚠ Window open")
