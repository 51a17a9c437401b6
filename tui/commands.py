"""Command-palette providers added to Textual's own (themes, keys, quit stay as they are)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import Hit, Hits, Provider
from textual.markup import escape

from tui.context import context
from tui.core.channels import label
from tui.core.errors import SwitchboardError
from tui.core.fold import matches
from tui.core.text import one_line

if TYPE_CHECKING:
    from tui.core.models import Conversation

MIN_QUERY = 2
SHOWN = 8
#: The server is asked only once typing rests this long: each request is spent from the team's budget.
ASK_AFTER_SECONDS = 0.35


#: A contact whose name matches what is typed ranks above every fuzzy match of Textual's
#: commands: its scores go past 1 (about 8 per letter typed), "zoe" is a fuzzy "Snooze…".
BY_NAME = 1_000_000.0


def name_matches(conversation: Conversation, wanted: str) -> bool:
    """Whether the contact's name holds what is typed, case and accents folded (zoe: Zoë)."""
    contact = conversation.contact
    names = (contact.first_name, contact.last_name, contact.display_name) if contact else ()
    return matches(wanted, conversation.contact_name, *names)


class ConversationsProvider(Provider):
    """ "Open …": conversations whose contact or messages match what is typed, from the backend.

    The conversations already read whose contact's name matches come at once (Enter typed right
    after the name must not run a fuzzy command); the server's answer adds the rest.
    Contact names are customer data: hits are shown as plain text, never through the fuzzy
    matcher's highlighting (which reads its input as markup)."""

    async def search(self, query: str) -> Hits:
        from tui.core.filters import ConversationFilter

        ctx = context(self.app)
        backend = ctx.backend
        wanted = query.strip()
        if backend is None or len(wanted) < MIN_QUERY:
            return
        cache = backend.client.cache
        known = [c for _, c in cache.items() if name_matches(c, wanted)]
        known.sort(key=lambda c: c.active_at.timestamp() if c.active_at else 0.0, reverse=True)
        shown: set[int] = set()
        for rank, conversation in enumerate(known[:SHOWN]):
            shown.add(conversation.id)
            yield self._hit(conversation, BY_NAME - rank)
        await asyncio.sleep(ASK_AFTER_SECONDS)  # Textual cancels this search when a key follows
        try:
            page = await backend.client.list_conversations(
                ConversationFilter(search_term=wanted), limit=SHOWN
            )
            await backend.client.fill_contacts(page.data)
        except SwitchboardError:
            return  # the palette is no place for an error; the inbox shows connection trouble
        for rank, found in enumerate(page.data):
            conversation = cache.get(found.id) or found
            if conversation.id in shown:
                continue
            # The backend's order: a contact's name first, a message's words below the commands.
            top = BY_NAME - SHOWN if name_matches(conversation, wanted) else 1.0
            yield self._hit(conversation, top - rank / (2 * SHOWN))

    def _hit(self, conversation: Conversation, score: float) -> Hit:
        title = (
            f"Open {one_line(conversation.contact_name, 40)} · "
            f"{one_line(label(conversation.channel), 12)} · #{conversation.id}"
        )
        return Hit(
            score=score,
            match_display=Text(title),
            command=partial(context(self.app).open_conversation, conversation),
            text=title,
            # Textual reads `help` as markup: a customer's "[@click=…]" must stay text.
            help=escape(one_line(conversation.last_message_text, 80)) or "Open this conversation",
        )
