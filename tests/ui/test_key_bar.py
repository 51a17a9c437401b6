"""The key bar (the footer drawn as one widget): what it shows, where, and that a click presses."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.widgets.key_bar import KeyBar


class Bar(App[None]):
    BINDINGS = [
        Binding("o", "note('open')", "Open"),
        Binding("x", "note('close')", "Close"),
        Binding("h", "note('hidden')", "Hidden", show=False),
        Binding("d", "note('off')", "Off"),
    ]

    def __init__(self, bar: KeyBar) -> None:
        super().__init__()
        self.bar = bar
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield self.bar

    def action_note(self, what: str) -> None:
        self.pressed.append(what)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if parameters == ("off",) else True  # shown, disabled (dim)


def last_line(app: Bar) -> str:
    return "".join(segment.text for segment in app.bar.render_line(0)).rstrip()


async def test_it_shows_each_shown_key_once_with_the_palette_key_at_the_right() -> None:
    app = Bar(KeyBar())
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        line = str(app.bar.render())
        assert line.startswith(" o Open  x Close  d Off  ")
        assert "Hidden" not in line
        assert line.endswith("▏^p palette ") and len(line) == 80


async def test_compact_keys_are_one_space_apart_and_the_palette_can_be_left_out() -> None:
    app = Bar(KeyBar(compact=True, show_command_palette=False))
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        assert str(app.bar.render()).rstrip() == "o Open x Close d Off"


async def test_keys_that_do_not_fit_are_cut_before_the_palette_key() -> None:
    app = Bar(KeyBar())
    async with app.run_test(size=(29, 5)) as pilot:
        await pilot.pause()
        line = str(app.bar.render())
        assert len(line) == 29 and line.endswith("▏^p palette ")
        assert line.startswith(" o Open  x Close ▏")


async def test_a_disabled_key_is_dim() -> None:
    app = Bar(KeyBar())
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        text = app.bar.render()
        start = str(text).index(" d Off")
        dims = [span for span in text.spans if span.style == "dim"]
        assert any(span.start <= start and span.end >= start + len(" d Off ") for span in dims)


async def test_clicking_a_key_presses_it() -> None:
    app = Bar(KeyBar())
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        await pilot.click(KeyBar, offset=(10, 0))  # on " x Close "
        await pilot.pause()
        assert app.pressed == ["close"]
        await pilot.click(KeyBar, offset=(3, 0))  # on " o Open "
        await pilot.pause()
        assert app.pressed == ["close", "open"]
        await pilot.click(KeyBar, offset=(50, 0))  # between the keys and the palette: nothing
        await pilot.pause()
        assert app.pressed == ["close", "open"]


class Pick(Static, can_focus=True):
    BINDINGS = [Binding("enter", "pick", "Pick")]

    def action_pick(self) -> None:
        pass


class Focused(App[None]):
    def compose(self) -> ComposeResult:
        yield Pick("list")
        yield KeyBar()


async def test_the_focused_widgets_keys_stay_while_the_terminal_is_not_focused() -> None:
    """Textual clears the focus when the terminal loses it; the bar keeps what it showed (as
    Footer does), instead of dropping the list's keys until the agent comes back."""
    from textual import events

    app = Focused()
    async with app.run_test(size=(60, 5)) as pilot:
        app.query_one(Pick).focus()
        await pilot.pause()
        bar = app.query_one(KeyBar)
        assert "Pick" in str(bar.render())
        app.post_message(events.AppBlur())
        await pilot.pause()
        await pilot.pause()
        assert app.focused is None  # what Textual does on blur
        assert "Pick" in str(bar.render())
