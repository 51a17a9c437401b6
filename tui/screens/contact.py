"""The contact card in a conversation (alt+c or f6): a side panel from 100 columns, a screen of
its own below, so the history never shrinks under 56 cells.

`ContactPanel` is a helper the conversation screen holds (composition): it mounts or shows the
card, reads it in a worker of the screen's (`tui.core.contact_card`: two requests, none when read
in the last five minutes) and draws it again from the cache when one of the contact's
conversations changes (a push, an action), with no request. `Enter` on a conversation opens it;
`esc` closes the card and gives the composer its focus back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.widgets import Header

from tui.core.errors import SwitchboardError
from tui.core.models import Conversation
from tui.core.text import one_line
from tui.screens.base import BaseScreen
from tui.widgets.contact_card import CardContent, ContactCardView
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from tui.core.contact_card import ContactCard
    from tui.screens.conversation import ConversationScreen

#: From this many columns the card is a side panel; below, a screen of its own.
WIDE = 100


class ContactScreen(BaseScreen[Conversation | None]):
    """The card as a screen (a narrow terminal): dismissed with the conversation picked, or None."""

    DEFAULT_CSS = """
    ContactScreen ContactCardView { padding: 0 1; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.heading = title

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield ContactCardView(id="contact-card")
        yield KeyBar(compact=True, show_command_palette=False)

    @property
    def view(self) -> ContactCardView:
        return self.query_one(ContactCardView)

    def on_mount(self) -> None:
        self.title = self.heading
        self.sub_title = "contact"

    @on(ContactCardView.Open)
    def _card_open(self, message: ContactCardView.Open) -> None:
        self.dismiss(message.conversation)

    @on(ContactCardView.Closed)
    def _card_closed(self) -> None:
        self.dismiss(None)


class ContactPanel:
    """The conversation screen's card: where it is drawn, and reading it."""

    def __init__(self, screen: ConversationScreen) -> None:
        self._screen = screen
        self._narrow: ContactScreen | None = None
        self._card: ContactCard | None = None

    @property
    def _panel(self) -> ContactCardView | None:
        found = self._screen.query("#contact-panel")
        return found.first(ContactCardView) if found else None

    @property
    def is_open(self) -> bool:
        panel = self._panel
        return (panel is not None and panel.display) or self._narrow is not None

    def toggle(self) -> None:
        """Open the card (and read it), or close it when it is open and has the focus."""
        screen = self._screen
        panel = self._panel
        if screen.size.width < WIDE:
            if panel is not None:
                panel.display = False
            self._open_narrow()
            return
        if panel is not None and panel.display:
            if panel.has_focus_within:
                self.close()
            else:
                panel.others.focus()
            return
        ready = None
        if panel is None:
            panel = ContactCardView(id="contact-panel")
            ready = screen.query_one("#conversation-body").mount(panel)
        panel.display = True
        self._read(lambda: panel, ready)

    def command(self) -> SystemCommand:
        """The palette's entry."""
        return SystemCommand(
            "Contact", "Who the customer is, and their other conversations (alt+c)", self.toggle
        )

    def close(self) -> None:
        panel = self._panel
        if panel is not None:
            panel.display = False
        self._screen.composer.area.focus()

    def _open_narrow(self) -> None:
        screen = self._screen
        narrow = ContactScreen(one_line(screen.conversation.contact_name, 40))

        def done(picked: Conversation | None) -> None:
            self._narrow = None
            if picked is not None and picked.id != screen.conversation.id:
                screen.ctx.open_conversation(picked)

        self._narrow = narrow
        self._read(lambda: narrow.view, screen.app.push_screen(narrow, done))

    def opened(self, conversation: Conversation) -> None:
        """Enter on one of the contact's conversations in the side panel."""
        if conversation.id == self._screen.conversation.id:
            self.close()
        else:
            self._screen.ctx.open_conversation(conversation)

    def changed(self, ids: Iterable[int]) -> None:
        """Conversations changed in the cache: draw the card again if it shows any of them."""
        card = self._card
        if card is None or not self.is_open or not set(ids) & set(card.conversation_ids):
            return
        for view in self._views():
            self._draw(view, card)

    def _views(self) -> list[ContactCardView]:
        views = [self._narrow.view] if self._narrow is not None and self._narrow.is_attached else []
        panel = self._panel
        return [*views, panel] if panel is not None and panel.display else views

    def _read(self, view_of: Callable[[], ContactCardView], ready: Awaitable[object] | None) -> None:
        """Read the card into the view `view_of` gives once `ready` (its mounting) is done."""
        work = self._load(view_of, ready)
        self._screen.run_worker(work, group="contact-card", exclusive=True, exit_on_error=False)

    async def _load(self, view_of: Callable[[], ContactCardView], ready: Awaitable[object] | None) -> None:
        from tui.core.contact_card import contact_cards

        if ready is not None:
            await ready
        view = view_of()
        view.others.focus()
        screen = self._screen
        ctx = screen.ctx
        c = screen.conversation
        if ctx.backend is None:
            view.show_error(ctx.backend_error or "Not connected to a backend yet; try again in a moment.")
            return
        if c.contact_id is None:
            view.show_error("This conversation names no contact.")
            return
        cards = contact_cards(ctx.backend.client)
        held = cards.held(c.contact_id)
        if held is not None:
            self._card = held
            self._draw(view, held)  # what was read before, at once; the read below brings it up to date
        try:
            card = await cards.read(c.contact_id)
        except SwitchboardError as exc:
            if held is None:
                view.show_error(str(exc))
            else:
                ctx.notify_error(exc)
            return
        self._card = card
        if view.is_attached:
            self._draw(view, card)

    def _draw(self, view: ContactCardView, card: ContactCard) -> None:
        from tui.core.contact_card import card_fields, custom_fields

        ctx = self._screen.ctx
        if ctx.backend is None or not view.is_attached:
            return
        view.show(
            CardContent(
                fields=card_fields(card.contact, users=ctx.agents, me=ctx.me),
                custom=custom_fields(card.contact),
                conversations=card.conversations(ctx.backend.client.cache),
                total=card.total,
                current_id=self._screen.conversation.id,
                now=ctx.clock(),
            )
        )
