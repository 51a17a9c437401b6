"""Assign a conversation to: me, nobody, or any agent of the organization, filtered as typed.

The filter folds case and accents (`tui.core.fold`), so `jon` finds "Jönas". Names come from
the server: each is shown as plain `Text`, neutralised and cut to the row, never as markup.
"Nobody" and "cancelled" differ: the screen dismisses with `AssignChoice(None)` to unassign,
with None when the agent pressed Esc.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.fold import fold, matches
from tui.core.text import clip, one_line
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar

#: Columns a name may take in a row (the picker is 64 wide).
NAME_WIDTH = 40


class Agent(Protocol):
    """What the picker needs of an agent: `tui.core.models.User` has both."""

    @property
    def id(self) -> int: ...

    @property
    def display_name(self) -> str: ...


@dataclass(frozen=True)
class AssignChoice:
    """The agent picked: a user id, or None to leave the conversation unassigned."""

    user_id: int | None


@dataclass(frozen=True)
class _Row:
    key: str
    choice: AssignChoice
    prompt: Text
    #: What the filter searches: the row's words and the agent's name.
    words: tuple[str, ...]


def _name(agent: Agent) -> str:
    return clip(one_line(agent.display_name) or f"User {agent.id}", NAME_WIDTH)


class AssignScreen(BaseModal[AssignChoice | None]):
    """Rows: "Me (<name>)" when `me` is known, "Nobody (unassign)", then every other agent by
    name; the current assignee (or Nobody, when unassigned) is marked. `ai`: the AI assistant
    that holds a conversation no agent holds (its name), shown first as the current holder;
    picking it changes nothing (as esc)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="assign.cancel"),
        Binding("enter", "pick", "Assign", id="assign.pick"),
        Binding("down", "move(1)", "Down", show=False, id="assign.down"),
        Binding("up", "move(-1)", "Up", show=False, id="assign.up"),
    ]

    def __init__(
        self,
        agents: Sequence[Agent],
        *,
        me: int | None,
        current: int | None,
        contact: str | None = None,
        ai: str | None = None,
    ) -> None:
        super().__init__()
        self.me = me
        self.current = current
        self.ai = ai if current is None else None
        self.contact = contact
        self.rows = self._rows(agents)
        self.shown: list[_Row] = list(self.rows)
        self._query = ""

    def _rows(self, agents: Sequence[Agent]) -> list[_Row]:
        by_id: dict[int, Agent] = {}
        for agent in agents:
            by_id.setdefault(agent.id, agent)
        rows = []
        if self.ai is not None:
            name = clip(one_line(self.ai), NAME_WIDTH)
            prompt = Text(f"{name} (AI assistant)").append("  · current", style="dim")
            rows.append(_Row("ai", AssignChoice(None), prompt, ("ai", "assistant", name)))
        if self.me is not None:
            mine = by_id.get(self.me)
            name = _name(mine) if mine is not None else ""
            label = f"Me ({name})" if name else "Me"
            rows.append(self._row("me", AssignChoice(self.me), label, ("me", name)))
        rows.append(
            self._row("nobody", AssignChoice(None), "Nobody (unassign)", ("nobody", "unassign", "none"))
        )
        others = sorted((a for a in by_id.values() if a.id != self.me), key=lambda a: (fold(_name(a)), a.id))
        for agent in others:
            rows.append(self._row(f"user-{agent.id}", AssignChoice(agent.id), _name(agent), (_name(agent),)))
        return rows

    def _row(self, key: str, choice: AssignChoice, label: str, words: tuple[str, ...]) -> _Row:
        prompt = Text(label)
        if choice.user_id == self.current and self.ai is None:
            prompt.append("  · current", style="dim")
        return _Row(key, choice, prompt, words)

    def compose(self) -> ComposeResult:
        title = " Assign"
        if self.contact:
            title += f" {clip(one_line(self.contact), 40)}"
        with Vertical(id="assign-picker", classes="picker-box"):
            yield Label(Text(f"{title} to"), classes="picker-title")
            yield Input(placeholder="type to filter agents", id="assign-filter")
            yield OptionList(id="assign-list")
            yield Static(id="assign-status")
        yield KeyBar()

    def on_mount(self) -> None:
        options = self.query_one("#assign-list", OptionList)
        options.can_focus = False  # typing always goes to the filter
        self.query_one("#assign-filter", Input).focus()
        self._fill("")

    def _fill(self, query: str) -> None:
        self._query = query
        self.shown = [row for row in self.rows if matches(query, *row.words)]
        options = self.query_one("#assign-list", OptionList)
        options.clear_options()
        options.add_options([Option(row.prompt, id=row.key) for row in self.shown])
        status = self.query_one("#assign-status", Static)
        if self.shown:
            options.highlighted = 0
            status.remove_class("-refused")
            if query.strip():
                count = len(self.shown)
                status.update(Text(f"{count} match{'' if count == 1 else 'es'} · enter assigns"))
            else:
                agents = sum(1 for row in self.rows if row.key.startswith("user-"))
                status.update(Text(f"{agents} other agent{'' if agents == 1 else 's'} · enter assigns"))
        else:
            status.add_class("-refused")
            status.update(Text(f"No agent matches “{clip(one_line(query), 30)}”; erase some letters."))

    @on(Input.Changed, "#assign-filter")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, delta: int) -> None:
        options = self.query_one("#assign-list", OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    @on(Input.Submitted, "#assign-filter")
    def _submitted(self) -> None:
        """Enter in the field: it comes after the letters typed before it, in the field's own
        queue (a priority binding ran before them, on a burst over tmux or a slow link)."""
        self.action_pick()

    def action_pick(self) -> None:
        # Enter is a priority binding: it can run before the Changed message of the letters
        # typed just before it, so the list is brought up to the field's text first.
        typed = self.query_one("#assign-filter", Input).value
        if typed != self._query:
            self._fill(typed)
        highlighted = self.query_one("#assign-list", OptionList).highlighted
        if not self.shown or highlighted is None:
            self.app.bell()
            return
        self._choose(self.shown[highlighted])

    @on(OptionList.OptionSelected, "#assign-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self._choose(self.shown[event.option_index])

    def _choose(self, row: _Row) -> None:
        self.dismiss(None if row.key == "ai" else row.choice)  # the AI row: it keeps it

    def action_cancel(self) -> None:
        self.dismiss(None)
