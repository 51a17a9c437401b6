"""Baseline: a bare Textual app (Header, Static, Footer), the peer every paint figure is a ratio to."""

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    TITLE = "Bare"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True), Binding("f1", "bell", "Help")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello from the bare baseline app")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
