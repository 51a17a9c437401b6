"""Canned replies: a fuzzy list; the chosen one, with its variables filled, goes to the composer."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.errors import SwitchboardError
from tui.core.models import Conversation
from tui.core.snippets import Snippet, context, fill, load_snippets, search, snippets_path
from tui.core.text import one_line, visible
from tui.screens.base import BaseModal


class SnippetScreen(BaseModal[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snippets.cancel"),
        Binding("down", "move(1)", show=False, id="snippets.down"),
        Binding("up", "move(-1)", show=False, id="snippets.up"),
    ]

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.values = context(conversation)
        self.snippets: list[Snippet] = []
        self.shown: list[Snippet] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="snippet-picker", classes="picker-box"):
            yield Label(" Snippets · type to filter · enter inserts · esc cancels", classes="picker-title")
            yield Input(placeholder="/", id="snippet-search")
            with Horizontal(classes="picker-body"):
                yield OptionList(id="snippet-list")
                yield Static(id="snippet-preview", classes="preview")
        yield Footer()

    def on_mount(self) -> None:
        try:
            self.snippets = load_snippets()
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
        self._fill("")
        self.query_one("#snippet-search", Input).focus()

    def _fill(self, query: str) -> None:
        self.shown = search(self.snippets, query)
        options = self.query_one("#snippet-list", OptionList)
        options.clear_options()
        options.add_options([Option(Text(one_line(s.name, 40)), id=str(i)) for i, s in enumerate(self.shown)])
        if self.shown:
            options.highlighted = 0
        self._preview()

    def _preview(self) -> None:
        options = self.query_one("#snippet-list", OptionList)
        chosen = self.shown[options.highlighted] if self.shown and options.highlighted is not None else None
        if chosen is not None:
            text = Text(visible(fill(chosen.text, self.values)))
        elif self.snippets:
            text = Text("No snippet matches.")
        else:  # the path lives here, not in the title: a long one would wrap the title at 80 columns
            text = Text(f"No snippets yet. Add them to {snippets_path()}.")
        self.query_one("#snippet-preview", Static).update(text)

    @on(Input.Changed, "#snippet-search")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value.strip())

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._preview()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#snippet-list", OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    @on(Input.Submitted, "#snippet-search")
    @on(OptionList.OptionSelected)
    def _choose(self) -> None:
        options = self.query_one("#snippet-list", OptionList)
        if self.shown and options.highlighted is not None:
            self.dismiss(fill(self.shown[options.highlighted].text, self.values))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
