"""A config the CLI would refuse, shown full screen: the first frame was drawn from the raw
file, and validating it afterwards found a problem. The sentence is the CLI's own; quitting
exits with the CLI's code for a config problem (3)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Header, Static

from tui.core.paths import config_path
from tui.screens.base import BaseScreen
from tui.widgets.key_bar import KeyBar


class ConfigProblemScreen(BaseScreen[None]):
    BINDINGS = [
        Binding("q,escape", "app.quit", "Quit", id="config_problem.quit"),
    ]

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☎")
        with Vertical(id="config-problem"):
            yield Static(Text("The config cannot be used", style="bold"), id="config-problem-title")
            yield Static(Text(self.sentence), id="config-problem-sentence")
            yield Static(
                Text(f"Fix {config_path()} and start Switchboard again. q quits."),
                id="config-problem-hint",
            )
        yield KeyBar()
