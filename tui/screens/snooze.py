"""Snooze a conversation until: a preset (1 hour, this afternoon, tomorrow 9:00, next week) or a
time the agent types, with a live line saying what Enter will do.

Exactly one thing is chosen at a time: the highlighted preset while the field is empty, the
typed time once something is typed (the list's cursor is then hidden); moving up or down goes
back to the list. The times come from `tui.core.snooze` on the clock and zone passed in, so the
screen shows the same rows on every run of a test.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.snooze import describe_until, parse_when, presets
from tui.core.text import clip, fit, one_line
from tui.core.timefmt import human_duration
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar

#: The preset's words take this many columns, so the times line up.
LABEL_WIDTH = 18


class WhenField(Input):
    """The typed-time field. While it is empty, a letter the screen binds to moving (j, k) is not
    taken as text, so the binding gets it; once something is typed, every letter is text."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        screen = self.screen
        if not self.value and isinstance(screen, SnoozeScreen) and screen.moves_on(key):
            return False
        return super().check_consume_key(key, character)


class SnoozeScreen(BaseModal[datetime | None]):
    """Dismisses with the chosen time as an aware UTC datetime, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snooze.cancel"),
        Binding("enter", "pick", "Snooze", id="snooze.pick"),
        Binding("down", "move(1)", "Down", show=False, id="snooze.down"),
        Binding("up", "move(-1)", "Up", show=False, id="snooze.up"),
        # Letters are typed into the field; j and k move only while nothing is typed.
        Binding("j", "move_unless_typing(1)", "Down", show=False, id="snooze.down_j", priority=True),
        Binding("k", "move_unless_typing(-1)", "Up", show=False, id="snooze.up_k", priority=True),
    ]

    def __init__(self, now: datetime, tz: tzinfo, contact: str | None = None) -> None:
        super().__init__()
        self.now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        self.tz = tz
        self.contact = contact
        self.presets = presets(self.now, tz)
        #: The preset row chosen while the field is empty (kept while something is typed).
        self.row = 0

    def compose(self) -> ComposeResult:
        title = " Snooze"
        if self.contact:
            title += f" {clip(one_line(self.contact), 40)}"
        with Vertical(id="snooze-picker", classes="picker-box"):
            yield Label(Text(f"{title} until"), classes="picker-title")
            yield OptionList(*self._options(), id="snooze-presets")
            yield WhenField(placeholder="or type a time: 2h, 14:30, tomorrow 9:00, mon 9", id="snooze-when")
            yield Static(id="snooze-preview")
        yield KeyBar()

    def _options(self) -> list[Option]:
        options = []
        for index, preset in enumerate(self.presets):
            prompt = Text(fit(preset.label, LABEL_WIDTH))
            prompt.append(describe_until(preset.until, self.now, self.tz), style="dim")
            options.append(Option(prompt, id=str(index)))
        return options

    def on_mount(self) -> None:
        options = self.query_one("#snooze-presets", OptionList)
        options.can_focus = False  # typing always goes to the field
        options.highlighted = self.row
        self.query_one("#snooze-when", Input).focus()
        self._preview()

    @property
    def typed(self) -> str:
        return self.query_one("#snooze-when", Input).value.strip()

    def chosen(self) -> datetime:
        """The time Enter would snooze until, in the local zone; `ValueError` with the sentence
        when the typed text is not a time that can be used."""
        if self.typed:
            return parse_when(self.typed, self.now, self.tz)
        return self.presets[self.row].until

    def _preview(self) -> None:
        preview = self.query_one("#snooze-preview", Static)
        try:
            until = self.chosen()
        except ValueError as exc:
            preview.add_class("-refused")
            preview.update(Text(str(exc)))
            return
        preview.remove_class("-refused")
        words = describe_until(until, self.now, self.tz)
        left = "" if words.startswith("in ") else f" (in {human_duration(until - self.now)})"
        preview.update(Text(f"Enter snoozes until {words}{left}."))

    def moves_on(self, key: str) -> bool:
        """Whether `key` is bound here to move while nothing is typed (j, k, or the keymap's)."""
        bound = self._bindings.key_to_bindings.get(key, ())
        return any(b.action.startswith("move_unless_typing") for b in bound)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """j and k are letters once something is typed ("jun 3" starts with one)."""
        if action == "move_unless_typing":
            return not self.typed
        return True

    def action_move_unless_typing(self, delta: int) -> None:
        self.action_move(delta)

    def action_move(self, delta: int) -> None:
        field = self.query_one("#snooze-when", Input)
        field.value = ""  # back to the list: the typed time no longer counts
        self.row = (self.row + delta) % len(self.presets)
        self.query_one("#snooze-presets", OptionList).highlighted = self.row
        self._preview()

    @on(Input.Changed, "#snooze-when")
    def _typed(self) -> None:
        options = self.query_one("#snooze-presets", OptionList)
        options.highlighted = None if self.typed else self.row
        self._preview()

    @on(Input.Submitted, "#snooze-when")
    def _submitted(self) -> None:
        """Enter in the field: it comes after the letters typed before it, in the field's own
        queue (a priority binding ran before them, on a burst over tmux or a slow link)."""
        self.action_pick()

    def action_pick(self) -> None:
        try:
            until = self.chosen()
        except ValueError:
            self.app.bell()  # the line under the field already says why
            return
        self.dismiss(until.astimezone(UTC))

    @on(OptionList.OptionSelected, "#snooze-presets")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.presets[event.option_index].until.astimezone(UTC))

    def action_cancel(self) -> None:
        self.dismiss(None)
