"""The snooze and assign pickers under Pilot, keyboard only, on a fixed clock and zone.

Each picker runs alone on a small host app that loads the app's stylesheets and theme, so the
tests need no backend; what the picker dismisses with is recorded in `host.results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static

from tests.ui.conftest import wait_for
from tui.app import STYLES, SwitchboardApp
from tui.core.snooze import UNREADABLE
from tui.screens.assign import AssignChoice, AssignScreen
from tui.screens.snooze import SnoozeScreen
from tui.themes import DEFAULT_THEME, load_themes, variable_defaults

#: A Tuesday, 10:00 UTC: 05:00 in New York, where "this afternoon" is still offered.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
PICKER_CSS = STYLES / "queue_pickers.tcss"


class PickerHost(App[None]):
    """One picker over an empty screen, in the app's look; records results and bells."""

    CSS_PATH = [*SwitchboardApp.CSS_PATH, *([] if PICKER_CSS in SwitchboardApp.CSS_PATH else [PICKER_CSS])]

    def __init__(self, picker: Screen[Any]) -> None:
        super().__init__()
        self.picker = picker
        self.results: list[object] = []
        self.bells = 0
        themes, _ = load_themes()
        for theme in themes:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        self.push_screen(self.picker, self.results.append)

    def bell(self) -> None:
        self.bells += 1


@dataclass(frozen=True)
class Agent:
    id: int
    display_name: str


AGENTS = [
    Agent(5, "Müller Hans"),
    Agent(1, "Dana Reyes"),
    Agent(3, "Søren Ørsted"),
    Agent(2, "Jönas Berg"),
    Agent(4, "[bold red]Evil[/] \x1b[2J\u202eAdmin"),
]


def snooze_host(tz: tzinfo = NEW_YORK, contact: str | None = "Ana Souza") -> PickerHost:
    return PickerHost(SnoozeScreen(NOW, tz, contact))


def assign_host(me: int | None = 1, current: int | None = 3) -> PickerHost:
    return PickerHost(AssignScreen(AGENTS, me=me, current=current, contact="Ana Souza"))


def plain(widget: Static) -> str:
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def rows(host: PickerHost, selector: str) -> list[str]:
    options = host.screen.query_one(selector, OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def highlighted(host: PickerHost, selector: str) -> int | None:
    return host.screen.query_one(selector, OptionList).highlighted


async def type_text(pilot: object, text: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press(*["space" if ch == " " else ch for ch in text])


# -- snooze ---------------------------------------------------------------------------------------


async def test_snooze_lists_the_presets_with_their_local_times() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)):
        assert rows(host, "#snooze-presets") == [
            "1 hour            today 06:00",
            "This afternoon    today 14:00",
            "Tomorrow 9:00     tomorrow 09:00",
            "Next week         Mon 7 Dec 09:00",
        ]
        assert plain(host.screen.query_one("#snooze-preview", Static)) == (
            "Enter snoozes until today 06:00 (in 1 h)."
        )


async def test_snooze_enter_picks_the_first_preset_as_utc() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [datetime(2026, 12, 1, 11, 0, tzinfo=UTC)]
    assert isinstance(host.results[0], datetime) and host.results[0].tzinfo is UTC


async def test_snooze_down_and_j_k_move() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "j", "j", "k")
        assert highlighted(host, "#snooze-presets") == 2
        assert "tomorrow 09:00 (in 1 d 4 h)" in plain(host.screen.query_one("#snooze-preview", Static))
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [datetime(2026, 12, 2, 14, 0, tzinfo=UTC)]  # 9:00 in New York


async def test_snooze_up_from_the_top_wraps_to_next_week() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [datetime(2026, 12, 7, 14, 0, tzinfo=UTC)]


async def test_snooze_escape_cancels() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "escape")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [None]


async def test_snooze_a_typed_time_previews_then_snoozes() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "tomorrow 10:30")
        field = host.screen.query_one("#snooze-when", Input)
        assert field.value == "tomorrow 10:30"
        assert highlighted(host, "#snooze-presets") is None  # the typed time is the choice
        preview = host.screen.query_one("#snooze-preview", Static)
        assert plain(preview) == "Enter snoozes until tomorrow 10:30 (in 1 d 5 h)."
        assert not preview.has_class("-refused")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [datetime(2026, 12, 2, 15, 30, tzinfo=UTC)]


async def test_snooze_j_and_k_are_letters_once_something_is_typed() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "1 jul")
        assert host.screen.query_one("#snooze-when", Input).value == "1 jul"
        assert highlighted(host, "#snooze-presets") is None
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [datetime(2027, 7, 1, 13, 0, tzinfo=UTC)]  # 9:00 New York summer time


async def test_snooze_keymap_moves_j_to_another_letter() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        host.set_keymap({"snooze.down_j": "n"})
        await pilot.press("n")
        assert highlighted(host, "#snooze-presets") == 1
        assert host.screen.query_one("#snooze-when", Input).value == ""
        await type_text(pilot, "2 jan")  # once something is typed, n is a letter again
        await pilot.press("backspace", "backspace", "backspace", "n")
        assert host.screen.query_one("#snooze-when", Input).value == "2 n"


async def test_snooze_an_unreadable_time_says_why_and_stays() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "soon")
        preview = host.screen.query_one("#snooze-preview", Static)
        assert plain(preview) == UNREADABLE
        assert preview.has_class("-refused")
        await pilot.press("enter")
        await pilot.pause()
        assert host.bells == 1
        assert host.results == []
        assert isinstance(host.screen, SnoozeScreen)


async def test_snooze_moving_goes_back_to_the_list() -> None:
    host = snooze_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "2h")
        await pilot.press("down")
        assert host.screen.query_one("#snooze-when", Input).value == ""
        assert highlighted(host, "#snooze-presets") == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [datetime(2026, 12, 1, 19, 0, tzinfo=UTC)]  # this afternoon, 14:00 New York


async def test_snooze_after_13_00_has_no_afternoon_row() -> None:
    host = PickerHost(SnoozeScreen(datetime(2026, 12, 1, 13, 0, tzinfo=UTC), UTC, None))
    async with host.run_test(size=(80, 24)):
        assert [row.split("  ")[0] for row in rows(host, "#snooze-presets")] == [
            "1 hour",
            "Tomorrow 9:00",
            "Next week",
        ]


async def test_snooze_title_shows_a_hostile_name_as_text() -> None:
    host = snooze_host(contact="[bold red]Eve[/] \x1b[31m\u202eX")
    async with host.run_test(size=(80, 24)):
        title = plain(host.screen.query_one(".picker-title", Label))
        assert title == " Snooze [bold red]Eve[/] ␛[31m\ufffdX until"


# -- assign ---------------------------------------------------------------------------------------


async def test_assign_rows_me_nobody_then_everyone_by_name() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)):
        assert rows(host, "#assign-list") == [
            "Me (Dana Reyes)",
            "Nobody (unassign)",
            "[bold red]Evil[/] ␛[2J\ufffdAdmin",
            "Jönas Berg",
            "Müller Hans",
            "Søren Ørsted  · current",
        ]
        assert highlighted(host, "#assign-list") == 0


async def test_assign_names_are_never_markup() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)):
        evil = host.screen.query_one("#assign-list", OptionList).get_option_at_index(2).prompt
        assert isinstance(evil, Text)
        assert evil.spans == []  # no style came from the name


async def test_assign_enter_assigns_to_me() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [AssignChoice(1)]


async def test_assign_nobody_differs_from_cancel() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [AssignChoice(None)]
    cancelled = assign_host()
    async with cancelled.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "escape")
        await wait_for(pilot, lambda: bool(cancelled.results))
    assert cancelled.results == [None]


async def test_assign_filter_folds_accents() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "jon")
        assert rows(host, "#assign-list") == ["Jönas Berg"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [AssignChoice(2)]


async def test_assign_filter_finds_soren() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "soren")
        assert rows(host, "#assign-list") == ["Søren Ørsted  · current"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [AssignChoice(3)]


async def test_assign_moves_within_the_matches() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "er")
        assert rows(host, "#assign-list") == ["Jönas Berg", "Müller Hans"]
        await pilot.press("up")  # from the first match: wraps to the last
        assert highlighted(host, "#assign-list") == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [AssignChoice(5)]


async def test_assign_filter_with_no_match_refuses_enter() -> None:
    host = assign_host()
    async with host.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "zz")
        assert rows(host, "#assign-list") == []
        status = host.screen.query_one("#assign-status", Static)
        assert plain(status) == "No agent matches “zz”; erase some letters."
        assert status.has_class("-refused")
        await pilot.press("enter")
        await pilot.pause()
        assert host.bells == 1 and host.results == []
        await pilot.press("backspace", "backspace")
        assert len(rows(host, "#assign-list")) == 6
        assert not status.has_class("-refused")


async def test_assign_without_me_marks_nobody_when_unassigned() -> None:
    host = assign_host(me=None, current=None)
    async with host.run_test(size=(80, 24)) as pilot:
        shown = rows(host, "#assign-list")
        assert shown[0] == "Nobody (unassign)  · current"
        assert "Dana Reyes" in shown and not any(row.startswith("Me") for row in shown)
        await type_text(pilot, "dana")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [AssignChoice(1)]


async def test_assign_me_current_is_marked_on_the_me_row() -> None:
    host = assign_host(me=1, current=1)
    async with host.run_test(size=(80, 24)):
        marked = [row for row in rows(host, "#assign-list") if row.endswith("· current")]
        assert marked == ["Me (Dana Reyes)  · current"]


async def test_assign_enter_right_after_typing_picks_what_the_filter_says() -> None:
    """Found in tmux: "tom" typed and Enter at once assigned to me, because Enter (a priority
    binding) ran before the filter's Changed message. Enter reads the field itself."""
    from textual.widgets import Input

    host = assign_host()
    async with host.run_test(size=(80, 24)) as pilot:
        field = host.screen.query_one("#assign-filter", Input)
        with field.prevent(Input.Changed):  # as if Enter came before the message was handled
            field.value = "soren"
        host.screen.action_pick()  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: bool(host.results))
    assert host.results == [AssignChoice(3)]
