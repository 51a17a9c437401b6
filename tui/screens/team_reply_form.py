"""A team reply's title and text, to save as a new one (the composer's text to start from) or to
change one. ctrl+s saves, escape cancels; an empty title is refused in the form, in one line,
before any request. The picker (`snippets`) sends what the form gives back."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static, TextArea

from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar

#: The longest title the form takes (a picker's label, not a paragraph).
TITLE_MAX = 200


class TeamReplyFormScreen(BaseModal[tuple[str, str] | None]):
    """Answers (title, text), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="team_reply_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="team_reply_form.cancel"),
    ]

    def __init__(self, heading: str, title: str = "", text: str = "", *, needs_text: bool = True) -> None:
        super().__init__()
        self.heading = heading
        self.start = (title, text)
        #: A media reply may go without words (its file says it all).
        self.needs_text = needs_text

    def compose(self) -> ComposeResult:
        with Vertical(id="team-reply-form", classes="picker-box"):
            yield Label(Text(f" {self.heading} · ctrl+s saves · esc cancels"), classes="picker-title")
            yield Input(
                self.start[0],
                placeholder="title, as the picker lists it",
                id="team-reply-title",
                select_on_focus=False,  # typing adds to a title being edited, never replaces it
            )
            yield TextArea(self.start[1], id="team-reply-text", soft_wrap=True, show_line_numbers=False)
            problem = Static(id="team-reply-problem")
            problem.display = False
            yield problem
            yield Static(
                Text("Shared with everyone in your organization.", style="dim"), id="team-reply-hint"
            )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#team-reply-title", Input).focus()

    @on(Input.Submitted, "#team-reply-title")
    def _next(self) -> None:
        self.query_one("#team-reply-text", TextArea).focus()

    def _say(self, sentence: str) -> None:
        problem = self.query_one("#team-reply-problem", Static)
        problem.update(Text(sentence, style="bold"))
        problem.display = True

    def action_save(self) -> None:
        title = self.query_one("#team-reply-title", Input).value.strip()
        text = self.query_one("#team-reply-text", TextArea).text
        if not title:
            self._say("Give it a title: the picker lists team replies by title.")
            self.query_one("#team-reply-title", Input).focus()
        elif len(title) > TITLE_MAX:
            self._say(f"A title holds at most {TITLE_MAX} characters; this one has {len(title)}.")
        elif self.needs_text and not text.strip():
            self._say("Write the reply's text first: an empty reply helps nobody.")
            self.query_one("#team-reply-text", TextArea).focus()
        else:
            self.dismiss((title, text))

    def action_cancel(self) -> None:
        self.dismiss(None)
