"""Every key that works where you are, with the binding id to remap it in `[keymap]`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from tui.core.paths import config_path
from tui.screens.base import BaseModal


def bindings_table(screen: Screen) -> Table:
    """One row per binding (its keys together: "j ↓  Down"), sorted by id; unnamed ones last."""
    table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
    table.add_column(Text("key"), no_wrap=True)
    table.add_column(Text("does"))
    # A plain Text header: the string "[keymap]" would be read as console markup and vanish.
    table.add_column(Text("id (for [keymap])"), style="dim", no_wrap=True)
    rows: dict[tuple[str, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system:
            continue
        label = binding.description or binding.action.replace("_", " ")
        keys, _ = rows.setdefault((binding.id or "", f"{binding.action}\0{label}"), ([], label))
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    for (binding_id, _), (keys, label) in sorted(rows.items(), key=lambda kv: (not kv[0][0], kv[0])):
        table.add_row(Text(" ".join(keys)), Text(label), Text(binding_id))
    return table


class HelpScreen(BaseModal[None]):
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="picker-box"):
            yield Label(" Keys · esc closes", classes="picker-title")
            with VerticalScroll():
                yield Static(bindings_table(self.target), id="help-table")
                yield Static(
                    Text(
                        "\nRemap any key by its id in the [keymap] table of "
                        f'{config_path()}, e.g.\n  [keymap]\n  "composer.send" = "ctrl+s"\n'
                        "ctrl+p opens the command palette (themes, profiles, filters); f9 the "
                        "message log, where every notice of this session can be read again whole."
                    ),
                    id="help-footnote",
                )
