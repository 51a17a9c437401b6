"""The contact card: who the customer is and their other conversations.

A widget that only draws what it is given (`CardContent`, built by the screen from
`tui.core.contact_card`) and says what the agent picked by a message (`ContactCardView.Open`):
it reads nothing and opens nothing itself. The same widget is the conversation screen's side
panel and, below 100 columns, the body of a screen of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.channel_names import label
from tui.core.models import Conversation
from tui.core.text import one_line
from tui.core.timefmt import age

#: Labels are padded to this many cells, so the values line up.
LABEL_WIDTH = 13


@dataclass(frozen=True)
class CardContent:
    """What the card shows: (label, value) rows, the custom fields' rows, the conversations
    (newest interaction first) and how many the server says there are."""

    fields: list[tuple[str, str]]
    custom: list[tuple[str, str]]
    conversations: list[Conversation]
    total: int
    current_id: int
    now: datetime


def conversation_line(c: Conversation, *, current: bool, now: datetime) -> Text:
    """ "WhatsApp · open · 3h ago" (and "· this one" for the conversation on screen)."""
    when = age(c.last_interaction_at or c.created_at, now, none="")
    parts = [
        label(c.channel),
        one_line(c.status, 12) or "?",
        f"{when} ago" if when and when != "now" else when,
    ]
    line = Text(" · ".join(p for p in parts if p))
    line.append(f"  #{c.id}", style="dim")
    if current:
        line.append("  · this one", style="bold")
    return line


class ContactCardView(VerticalScroll, can_focus=False):
    """The card: fields first, then the conversations (Enter opens the highlighted one)."""

    BINDINGS = [Binding("escape", "close", "Close", id="contact.close")]

    class Open(Message):
        """The agent picked one of the contact's conversations."""

        def __init__(self, conversation: Conversation) -> None:
            super().__init__()
            self.conversation = conversation

    class Closed(Message):
        """The agent closed the card (esc)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[Conversation] = []
        self._current_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Reading the contact…", style="dim"), id="contact-fields")
        yield Static(id="contact-others-title")
        yield OptionList(id="contact-others")

    @property
    def others(self) -> OptionList:
        return self.query_one("#contact-others", OptionList)

    def show_error(self, sentence: str) -> None:
        self.query_one("#contact-fields", Static).update(Text(sentence))
        self.query_one("#contact-others-title", Static).update("")
        self.others.clear_options()
        self._rows = []

    def show(self, content: CardContent) -> None:
        """Draw `content`; the highlighted conversation stays where it was when it still is."""
        text = Text()
        for name, value in content.fields:
            text.append(f"{name:<{LABEL_WIDTH}}", style="bold")
            text.append(value or "—")
            text.append("\n")
        if content.custom:
            text.append("\nCustom fields\n", style="bold underline")
            for name, value in content.custom:
                text.append(f"{name}: ", style="bold")
                text.append(value or "—")
                text.append("\n")
        text.rstrip()
        self.query_one("#contact-fields", Static).update(text)
        shown = len(content.conversations)
        more = f", {shown} shown" if content.total > shown else ""
        title = Text(f"\nConversations ({content.total}{more}) · Enter opens one", style="bold")
        self.query_one("#contact-others-title", Static).update(title)
        others = self.others
        before = self._rows[others.highlighted].id if others.highlighted is not None and self._rows else None
        self._rows = list(content.conversations)
        self._current_id = content.current_id
        others.set_options(
            Option(conversation_line(c, current=c.id == content.current_id, now=content.now))
            for c in self._rows
        )
        if self._rows:
            ids = [c.id for c in self._rows]
            others.highlighted = ids.index(before) if before in ids else 0

    @on(OptionList.OptionSelected, "#contact-others")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._rows):
            self.post_message(self.Open(self._rows[event.option_index]))

    def action_close(self) -> None:
        self.post_message(self.Closed())
