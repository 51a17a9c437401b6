"""`switchboard contact CONVERSATION_ID [--json]`: who the customer is, and their conversations.

Three requests: the conversation (for its `contact_id`), then the card as the app reads it
(`tui.core.contact_card`: the contact as a list row, with `owner` and `company`, and their
conversations, newest interaction first). The fields, the custom fields and the conversations'
rows are the server's text, made one visible line and cut before they are printed; `--json`
prints the contact and the conversations as read (escaped for the terminal).
"""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli_common import EXIT_OK, _out, backend_for


def add_contact_parser(sub: Any, common: argparse.ArgumentParser, conversation_id: Any) -> None:
    p = sub.add_parser(
        "contact",
        parents=[common],
        help="who a conversation's customer is: their fields and their other conversations",
        description="The contact of a conversation: name, phone with its country code, email, "
        "company, owner, the WhatsApp and Instagram ids, every custom field, and the contact's "
        "conversations (channel, status, last interaction).",
    )
    p.add_argument("conversation_id", type=conversation_id, metavar="CONVERSATION_ID")
    p.add_argument("--json", action="store_true", help="print the contact and their conversations as JSON")


async def cmd_contact(args: argparse.Namespace) -> int:
    from tui.cli_output import print_json, table
    from tui.core.channel_names import label
    from tui.core.contact_card import card_fields, contact_cards, custom_fields
    from tui.core.errors import BadResponseError
    from tui.core.text import cell_width, fit
    from tui.core.timefmt import stamp

    async with backend_for(args) as backend:
        client = backend.client
        conversation = await client.get_conversation(args.conversation_id)
        if conversation.contact_id is None:
            raise BadResponseError(f"Conversation {conversation.id} names no contact.", status=200)
        card = await contact_cards(client).read(conversation.contact_id, max_age=0)
        rows = card.conversations(client.cache)
        users: tuple[Any, ...] = ()
        if not args.json and card.contact.owner is None and card.contact.owned_by_user_id is not None:
            users = tuple(await client.list_users())  # the owner's name, when the row has none
    if args.json:
        print_json(
            {
                "contact": card.contact.model_dump(mode="json"),
                "conversations": [c.model_dump(mode="json") for c in rows],
                "total": card.total,
            }
        )
        return EXIT_OK
    fields = card_fields(card.contact, users=users)
    custom = custom_fields(card.contact)
    width = max(cell_width(name) for name, _ in [*fields, *custom])
    for name, value in fields:
        _out(f"{fit(name, width)}  {value or '-'}")
    if custom:
        _out("")
        for name, value in custom:
            _out(f"{fit(name, width)}  {value or '-'}")
    _out("")
    table(
        [
            [
                str(c.id),
                label(c.channel),
                c.status or "?",
                stamp(c.last_interaction_at, none="-"),
                "this one" if c.id == conversation.id else "",
            ]
            for c in rows
        ],
        ["ID", "CHANNEL", "STATUS", "LAST INTERACTION", ""],
        3,
    )
    more = f", {len(rows)} shown" if card.total > len(rows) else ""
    count = f"{card.total} conversation{'' if card.total == 1 else 's'}{more}"
    _out(f"({count}; open one with `switchboard show ID`)")
    return EXIT_OK
