"""Canned replies: a fuzzy list showing where each came from (yours or a team file); the preview
names the files that go with it and the variables this contact cannot fill. The chosen one, with
its variables filled, goes to the composer at the cursor. A `/` typed into the empty filter
(so `//` in an empty composer) types a literal `/` instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.errors import SwitchboardError
from tui.core.models import Conversation
from tui.core.snippets import OWN, Snippet, context, fill, load_all, needs, search, snippets_path
from tui.core.text import one_line, visible
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar


@dataclass
class SnippetChoice:
    """What goes into the composer: the filled text, the snippet's files, and the variables
    left as markers because this contact has no value for them."""

    text: str
    files: list[Path] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


#: '//' in an empty composer: a literal slash, not a snippet.
SLASH = SnippetChoice("/")


class SnippetScreen(BaseModal[SnippetChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snippets.cancel"),
        Binding("down", "move(1)", show=False, id="snippets.down"),
        Binding("up", "move(-1)", show=False, id="snippets.up"),
    ]

    def __init__(self, conversation: Conversation, team_dir: str | None = None) -> None:
        super().__init__()
        self.team_dir = team_dir
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
        yield KeyBar()

    def on_mount(self) -> None:
        try:
            loaded = load_all(team_dir=self.team_dir)
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
        else:
            self.snippets = loaded.snippets
            for problem in loaded.problems:  # a broken team file hides only its own snippets
                self.ctx.notify_error(problem)
        self._fill("")
        self.query_one("#snippet-search", Input).focus()

    def _fill(self, query: str) -> None:
        self.shown = search(self.snippets, query)
        options = self.query_one("#snippet-list", OptionList)
        options.clear_options()
        mixed = any(s.source != OWN for s in self.snippets)  # then each says where it came from
        options.add_options([Option(self._label(s, mixed), id=str(i)) for i, s in enumerate(self.shown)])
        if self.shown:
            options.highlighted = 0
        self._preview()

    @staticmethod
    def _label(snippet: Snippet, mixed: bool) -> Text:
        """Its name, and (when a team folder adds some) where it came from."""
        text = Text(one_line(snippet.name, 40))
        if mixed:
            text.append(f"  {one_line(snippet.source, 30)}", style="dim")
        return text

    def _preview(self) -> None:
        options = self.query_one("#snippet-list", OptionList)
        chosen = self.shown[options.highlighted] if self.shown and options.highlighted is not None else None
        if chosen is not None:
            text = Text(visible(fill(chosen.text, self.values)))
            if chosen.source != OWN:
                text.append(f"\n\nfrom {one_line(chosen.source, 40)}", style="dim")
            for path in chosen.file_paths():
                text.append(f"\n📎 {one_line(path.name, 40)}", style="italic")
            missing = needs(chosen.text, self.values)
            if missing:
                text.append(f"\nneeds: {', '.join(missing)} (this contact has none)", style="bold")
        elif self.snippets:
            text = Text("No snippet matches.")
        else:  # the path lives here, not in the title: a long one would wrap the title at 80 columns
            text = Text(f"No snippets yet. Add them to {snippets_path()}.")
        self.query_one("#snippet-preview", Static).update(text)

    @on(Input.Changed, "#snippet-search")
    def _typed(self, event: Input.Changed) -> None:
        if event.value == "/":  # the second '/' of '//': the agent wants the character itself
            self.dismiss(SLASH)
            return
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
            chosen = self.shown[options.highlighted]
            filled = fill(chosen.text, self.values)
            self.dismiss(SnippetChoice(filled, chosen.file_paths(), needs(chosen.text, self.values)))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
