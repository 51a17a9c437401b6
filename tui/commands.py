"""Command-palette providers added to Textual's own (themes, keys, quit stay as they are)."""

from __future__ import annotations

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


class ConversationsProvider(Provider):
    """ "Open …": conversations whose contact or messages match what is typed, from the backend.

    Contact names are customer data: hits are shown as plain text, never through the fuzzy
    matcher's highlighting (which reads its input as markup)."""

    async def search(self, query: str) -> Hits:
        ctx = context(self.app)
        backend = ctx.backend
        wanted = query.strip()
        if backend is None or len(wanted) < MIN_QUERY:
            return
        try:
            page = await backend.client.list_conversations(search=wanted, limit=SHOWN)
        except SwitchboardError:
            return  # the palette is no place for an error; the inbox shows connection trouble
        for rank, conversation in enumerate(page.data):
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
