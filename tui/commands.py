"""Command-palette providers added to Textual's own (themes, keys, quit stay as they are)."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import Hit, Hits, Provider
from textual.markup import escape

from tui.context import context
from tui.core.channels import label
from tui.core.errors import SwitchboardError
from tui.core.text import one_line

MIN_QUERY = 2
SHOWN = 8
#: The server is asked only once typing rests this long: each request is spent from the team's budget.
ASK_AFTER_SECONDS = 0.35


class ConversationsProvider(Provider):
    """ "Open …": conversations whose contact or messages match what is typed, from the backend.

    Contact names are customer data: hits are shown as plain text, never through the fuzzy
    matcher's highlighting (which reads its input as markup)."""

    async def search(self, query: str) -> Hits:
        from tui.core.filters import ConversationFilter

        ctx = context(self.app)
        backend = ctx.backend
        wanted = query.strip()
        if backend is None or len(wanted) < MIN_QUERY:
            return
        await asyncio.sleep(ASK_AFTER_SECONDS)  # Textual cancels this search when a key follows
        try:
            page = await backend.client.list_conversations(
                ConversationFilter(search_term=wanted), limit=SHOWN
            )
            await backend.client.fill_contacts(page.data)
        except SwitchboardError:
            return  # the palette is no place for an error; the inbox shows connection trouble
        cache = backend.client.cache
        for rank, found in enumerate(page.data):
            conversation = cache.get(found.id) or found
            title = (
                f"Open {one_line(conversation.contact_name, 40)} · "
                f"{one_line(label(conversation.channel), 12)} · #{conversation.id}"
            )
            yield Hit(
                score=1.0 - rank / (2 * SHOWN),  # the backend's order, above fuzzy system matches
                match_display=Text(title),
                command=partial(ctx.open_conversation, conversation),
                text=title,
                # Textual reads `help` as markup: a customer's "[@click=…]" must stay text.
                help=escape(one_line(conversation.last_message_text, 80)) or "Open this conversation",
            )
