"""Pick one of the organization's AI assistants or automations: a short list (one page of the
server's, at most 50), moved with the arrows or j/k, chosen with enter; esc cancels. The AI
picker also offers one option, toggled with u: clear the agent who holds the conversation too.

Names come from the server: each row is plain `Text`, neutralised and cut (`Named.label`),
never markup. The screen dismisses with `Chosen` (the row's id as the server gave it, and the
option), or None when cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.ai import Named, directory
from tui.core.errors import SwitchboardError
from tui.core.text import clip, one_line
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from tui.context import AppContext


async def assistants_to_offer(ctx: AppContext) -> tuple[Named, ...] | None:
    """The AI assistants a picker offers (`directory`: read at most once in ten minutes), or
    None once the agent has been told why there are none to offer."""
    if ctx.backend is None:
        ctx.notify_error(ctx.backend_error or "Not connected to a backend yet; try again in a moment.")
        return None
    try:
        rows = await directory(ctx.backend.client).assistants()
    except SwitchboardError as exc:
        ctx.notify_error(exc)
        return None
    if not rows:
        ctx.notify_plain("The organization has no AI assistants for conversations.", timeout=5)
        return None
    return rows


@dataclass(frozen=True)
class Chosen:
    """The row picked (its id, as the server gave it) and whether the option was ticked."""

    id: int | str
    option: bool = False


class ChooseScreen(BaseModal[Chosen | None]):
    """`rows` in the server's order; `current` (an id's text) is marked; `option`, when given,
    is the words of the u toggle ("Also unassign Maria Silva")."""

    DEFAULT_CSS = """
    ChooseScreen { align: center middle; background: $background 60%; }
    #choose-box {
        width: 64; max-width: 95%; height: auto; max-height: 95%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    #choose-list { height: auto; max-height: 60vh; border: none; padding: 0; margin: 1 0 0 0; }
    #choose-option { height: 1; margin: 1 0 0 0; }
    #choose-status { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        # Every key a priority one, so they run in the order typed: a priority enter would
        # otherwise run before a down typed just before it reached the list (tmux, a slow link).
        Binding("escape", "cancel", "Cancel", id="choose.cancel", priority=True),
        Binding("enter", "pick", "Choose", id="choose.pick", priority=True),
        Binding("down,j", "move(1)", "Down", show=False, id="choose.down", priority=True),
        Binding("up,k", "move(-1)", "Up", show=False, id="choose.up", priority=True),
        Binding("u", "toggle_option", "Unassign agent", id="choose.option", priority=True),
    ]

    def __init__(
        self,
        title: str,
        rows: Sequence[Named],
        *,
        noun: str,
        verb: str,
        current: str | None = None,
        option: str | None = None,
    ) -> None:
        super().__init__()
        self.heading = title
        self.rows = list(rows)
        self.noun = noun
        self.verb = verb
        self.current = current
        self.option_words = option
        self.option = False

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-box"):
            yield Label(Text(f" {clip(one_line(self.heading), 60)}"), classes="picker-title")
            yield OptionList(
                *[Option(self._prompt(row), id=f"row-{i}") for i, row in enumerate(self.rows)],
                id="choose-list",
            )
            if self.option_words is not None:
                yield Static(id="choose-option")
            yield Static(id="choose-status")
        yield KeyBar()

    def _prompt(self, row: Named) -> Text:
        prompt = Text(row.label)
        if self.current is not None and row.key == self.current:
            prompt.append("  · current", style="dim")
        return prompt

    def on_mount(self) -> None:
        options = self.query_one("#choose-list", OptionList)
        options.focus()
        if self.rows:
            current = next((i for i, row in enumerate(self.rows) if row.key == self.current), None)
            options.highlighted = 0 if current is None else current
        count = len(self.rows)
        self.query_one("#choose-status", Static).update(
            Text(f"{count} {self.noun}{'' if count == 1 else 's'} · enter {self.verb} · esc cancels")
        )
        self._show_option()

    def _show_option(self) -> None:
        if self.option_words is None:
            return
        mark = "[x]" if self.option else "[ ]"
        self.query_one("#choose-option", Static).update(Text(f"{mark} {self.option_words} (u)"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.option_words is not None if action == "toggle_option" else True

    def action_toggle_option(self) -> None:
        self.option = not self.option
        self._show_option()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#choose-list", OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    def action_pick(self) -> None:
        highlighted = self.query_one("#choose-list", OptionList).highlighted
        if highlighted is None or not self.rows:
            self.app.bell()
            return
        self.dismiss(Chosen(self.rows[highlighted].id, self.option))

    @on(OptionList.OptionSelected, "#choose-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Chosen(self.rows[event.option_index].id, self.option))

    def action_cancel(self) -> None:
        self.dismiss(None)
