"""Who the customer is: the contact's fields and their other conversations [docs: contacts].

Two requests, whoever asks (the app's panel, `switchboard contact`): the contact as a list row
(`GET /contacts?id=C`, since a list row carries `owner` and `company` and a get does not) and
the contact's conversations (`GET /conversations?contact_id=C`, newest interaction first, one
page of 50). A card read this recently (`CARD_SECONDS`) is used again. The conversations go into
the profile's conversation cache, the one owner of their data, so a card drawn later shows their
status as it is now, pushed changes included; the card keeps only their ids.

Everything here is the server's text: each value is made one visible line and cut
(`tui.core.text`) before it is shown, in the app and the CLI alike.
"""

from __future__ import annotations

import json
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.core.client_parse import parse_items
from tui.core.errors import BadResponseError, SwitchboardError
from tui.core.filters import ConversationFilter
from tui.core.models import Contact, Conversation, User
from tui.core.query import MAX_PAGE
from tui.core.text import clip, one_line

if TYPE_CHECKING:
    from tui.core.client import ApiClient
    from tui.core.conversation_cache import ConversationCache

#: A card read this recently is used again (seconds): a panel opened and closed while answering
#: spends nothing more from the organization's 1,000 requests an hour.
CARD_SECONDS = 300.0
#: A label or a value is cut to this many cells.
LABEL_CELLS = 30
VALUE_CELLS = 200


@dataclass(frozen=True)
class ContactCard:
    """The contact as read for the card, and the ids of their conversations (the cache holds
    the conversations themselves). `total`: how many the server says they have."""

    contact: Contact
    conversation_ids: tuple[int, ...]
    total: int
    read_at: float

    def conversations(self, cache: ConversationCache) -> list[Conversation]:
        """Their conversations as the cache has them now, newest interaction first."""
        rows = [c for cid in self.conversation_ids if (c := cache.get(cid)) is not None]
        return sorted(rows, key=_newest_first)


def _newest_first(c: Conversation) -> tuple[int, float]:
    when = c.last_interaction_at or c.created_at
    return (0, -when.timestamp()) if when is not None else (1, 0.0)


class ContactCards:
    """One client's cards, by contact id."""

    def __init__(self, client: ApiClient) -> None:
        self._client = weakref.ref(client)
        self._cards: dict[int, ContactCard] = {}

    def held(self, contact_id: int) -> ContactCard | None:
        """The card read last, however old (no request)."""
        return self._cards.get(contact_id)

    async def read(self, contact_id: int, *, max_age: float = CARD_SECONDS) -> ContactCard:
        """The contact and their conversations: two requests, or none when read lately."""
        held = self._cards.get(contact_id)
        if held is not None and time.monotonic() - held.read_at <= max_age:
            return held
        client = self._client()
        if client is None:
            raise SwitchboardError("The connection was closed; try again.")
        what = f"contact {contact_id}"
        query = {"organization_id": client.org, "id": contact_id, "$limit": 1}
        data = await client.request("GET", client.paths.contacts, what=what, params=query)
        page = parse_items(Contact, data, what, noun="contact", fallback_id=lambda i: None)
        contact = next(
            (c for c in page.data if not getattr(c, "unreadable", None) and c.id == contact_id), None
        )
        if contact is None:
            raise BadResponseError(
                f"The server has no readable contact {contact_id} (it may have been deleted); "
                "refresh the conversation and try again.",
                status=404,
            )
        client.cache.learn_contacts([contact])
        rows = await client.list_conversations(ConversationFilter(contact_id=contact_id), limit=MAX_PAGE)
        ids = tuple(c.id for c in rows.data if not c.unreadable and c.contact_id == contact_id)
        card = ContactCard(contact, ids, max(rows.total, len(ids)), time.monotonic())
        self._cards[contact_id] = card
        return card


_cards: weakref.WeakKeyDictionary[Any, ContactCards] = weakref.WeakKeyDictionary()


def contact_cards(client: ApiClient) -> ContactCards:
    """The client's cards (one `ContactCards` per client: the app's screens share it)."""
    cards = _cards.get(client)
    if cards is None:
        cards = _cards[client] = ContactCards(client)
    return cards


# -- what a card says ---------------------------------------------------------------------------


def shown(value: Any, cells: int = VALUE_CELLS) -> str:
    """A value of the server's as one visible line: text as it is, a yes/no, a list joined,
    anything else as compact JSON."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, str | int | float):
        text = str(value)
    elif isinstance(value, list):
        text = ", ".join(shown(v, cells) for v in value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return clip(one_line(text), cells)


def phone_line(contact: Contact) -> str:
    """The phone with its country: "+55 11987654321 (BR)"; the code is put in front of a number
    saved without it."""
    phone = one_line(contact.phone).strip()
    code = one_line(contact.phone_country_code).strip().lstrip("+")
    iso = one_line(contact.phone_country_iso).strip()
    if not phone:
        return ""
    if code and code.isdigit():
        if phone.startswith(f"+{code}"):
            phone = f"+{code} {phone[len(code) + 1 :].lstrip()}"
        elif not phone.startswith("+"):
            phone = f"+{code} {phone}"
    return clip(f"{phone} ({iso})" if iso else phone, 60)


def _person(contact: Contact, users: tuple[User, ...], me: User | None) -> str:
    if contact.owned_by_user_id is None and contact.owner is None:
        return ""
    if me is not None and contact.owned_by_user_id == me.id:
        return "you"
    named = contact.owner.display_name if contact.owner is not None else None
    known = {u.id: u.display_name for u in users}.get(contact.owned_by_user_id or -1)
    return shown(named or known or f"user {contact.owned_by_user_id}", 60)


def card_fields(
    contact: Contact, *, users: tuple[User, ...] = (), me: User | None = None
) -> list[tuple[str, str]]:
    """(label, value) for each documented field, in the card's order; an empty value is ""
    (the caller shows it as a dash). The custom fields are `custom_fields`."""
    company = contact.company.display_name if contact.company is not None else None
    if company is None and contact.company_id is not None:
        company = f"company {contact.company_id}"
    return [
        ("Name", shown(contact.display_name, 80)),
        ("Phone", phone_line(contact)),
        ("Email", shown(contact.email, 80)),
        ("Company", shown(company, 60)),
        ("Owner", _person(contact, users, me)),
        ("WhatsApp id", shown(contact.channel_whatsapp_wa_id, 40)),
        ("Instagram id", shown(contact.channel_instagram_user_id, 40)),
    ]


def custom_fields(contact: Contact) -> list[tuple[str, str]]:
    """Every custom field (label → value), in the server's order."""
    return [
        (clip(one_line(str(name)), LABEL_CELLS) or "(no label)", shown(value))
        for name, value in (contact.custom_fields_by_name or {}).items()
    ]
