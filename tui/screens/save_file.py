"""Where to save a message's file: one field, pre-filled with the download folder.

Enter saves where the field says: a folder (the file goes in under its safe name, never over
another file) or a file path (refused if it exists). Esc cancels. The file's name, from the
server, is shown as plain text.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from tui.core.text import one_line
from tui.screens.base import BaseModal


class SaveFileScreen(BaseModal[str | None]):
    """Dismisses with the path as typed (a trailing `/` means a folder), or None when cancelled."""

    #: Back from it, the message it was opened from keeps focus (see ConversationScreen).
    KEEPS_MESSAGE_FOCUS = True

    DEFAULT_CSS = """
    SaveFileScreen #save-file-hint { color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save_file.cancel")]

    def __init__(self, file_name: str | None, folder: Path) -> None:
        super().__init__()
        self.file_name = file_name
        self.folder = folder

    def compose(self) -> ComposeResult:
        name = one_line(self.file_name, 50) or "the file"
        with Vertical(id="save-file", classes="picker-box"):
            yield Label(Text(f" Save {name} to"), classes="picker-title")
            yield Input(str(self.folder) + "/", id="save-file-path")
            yield Static(
                Text(
                    "A folder keeps the file's name; a file path saves under that name. Nothing is replaced."
                ),
                id="save-file-hint",
            )

    def on_mount(self) -> None:
        box = self.query_one("#save-file")
        box.styles.height = "auto"  # a one-field question, not a picker's list (inline: beats app.tcss)
        box.styles.width = 76
        box.styles.max_width = "100%"
        field = self.query_one("#save-file-path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#save-file-path")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.query_one("#save-file-hint", Static).update(Text("Type a folder or a file path."))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
