"""Every key that works where you are, with the binding id to remap it in `[keymap]`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui.core.paths import config_path


def bindings_table(screen: Screen) -> Table:  # type: ignore[type-arg]
    table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("key", no_wrap=True)
    table.add_column("does")
    table.add_column("id (for [keymap])", style="dim", no_wrap=True)
    seen: set[tuple[str, str]] = set()
    for key, active in sorted(screen.active_bindings.items(), key=lambda kv: kv[1].binding.id or "~"):
        binding = active.binding
        label = binding.description or binding.action.replace("_", " ")
        marker = (binding.id or binding.action, key)
        if marker in seen or binding.system:
            continue
        seen.add(marker)
        display = screen.app.get_key_display(binding)
        table.add_row(Text(display), Text(label), Text(binding.id or ""))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, target: Screen) -> None:  # type: ignore[type-arg]
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
                        "ctrl+p opens the command palette (themes, profiles, filters)."
                    ),
                    id="help-footnote",
                )
