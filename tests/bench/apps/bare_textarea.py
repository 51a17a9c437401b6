"""Baseline: a bare TextArea app, the peer the composer's keystroke echo is a ratio to."""

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import TextArea


class BareTextAreaApp(App[None]):
    # The editor gets the composer editor's size (at most 30vh: 9 lines at 100x30, one column of
    # padding), so the two draw the same amount of text per keystroke.
    CSS = "TextArea { height: 30vh; border: none; padding: 0 1; }"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def compose(self) -> ComposeResult:
        yield TextArea(soft_wrap=True, id="area")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()


if __name__ == "__main__":
    BareTextAreaApp().run()
