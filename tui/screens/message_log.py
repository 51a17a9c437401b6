"""The message log (f9): every notice of this session, newest first, each whole and wrapped.

Notices quote server answers, paths and customer text: each is drawn as plain rich Text with
its controls made visible, never as markup. One widget draws the whole log, so opening it with
200 notices costs one layout, not 200.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from tui.core.message_log import Notice
from tui.core.text import visible
from tui.screens.base import BaseModal

#: The severity as a word: it stays when colour does not (NO_COLOR, TERM=dumb).
WORDS = {"information": "info", "warning": "warning", "error": "error"}


class NoticeList(Static):
    """The notices as one wrapped text; the severity word in the theme's colour."""

    COMPONENT_CLASSES = {"notice-list--time", "notice-list--warning", "notice-list--error"}
    DEFAULT_CSS = """
    NoticeList {
        height: auto;
        & > .notice-list--time { color: $text-muted; }
        & > .notice-list--warning { color: $warning; text-style: bold; }
        & > .notice-list--error { color: $error; text-style: bold; }
    }
    """

    def __init__(self, notices: list[Notice]) -> None:
        super().__init__(id="message-log-list")
        self.notices = notices

    def on_mount(self) -> None:
        self.update(self.log_text())

    def log_text(self) -> Text:
        if not self.notices:
            return Text("Nothing has been said yet in this session.")
        time_style = self.get_component_rich_style("notice-list--time")
        out = Text()
        for i, notice in enumerate(self.notices):
            if i:
                out.append("\n\n")
            word = WORDS.get(notice.severity, notice.severity)
            word_style = (
                self.get_component_rich_style(f"notice-list--{notice.severity}")
                if notice.severity in ("warning", "error")
                else ""
            )
            out.append(notice.at.astimezone().strftime("%H:%M:%S"), time_style)
            out.append("  ")
            out.append(word, word_style)
            if notice.title:
                out.append(f"  {visible(notice.title, multiline=False)}", "bold")
            out.append("\n")
            out.append(visible(notice.message))
        return out


class MessageLogScreen(BaseModal[None]):
    BINDINGS = [Binding("escape,f9,q", "dismiss", "Close", id="message_log.close")]

    def compose(self) -> ComposeResult:
        notices = self.ctx.message_log.newest_first()
        with Vertical(id="message-log", classes="picker-box"):
            count = f"{len(notices)} notice{'' if len(notices) == 1 else 's'}"
            yield Label(f" Message log · {count}, newest first · esc closes", classes="picker-title")
            with VerticalScroll():
                yield NoticeList(notices)
