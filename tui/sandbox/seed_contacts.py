"""The seeded contacts' details (contract: "Contacts"): country codes, emails, companies, owners
among the agents, WhatsApp and Instagram ids, avatars and custom fields, and the seed's reactions.

Applied once per file (a meta flag each), to a new file by `seed` and to a file of before
version 6 when a sandbox opens it. Only contacts that are the seed's own (same id and name) are
given details; a contact made some other way keeps exactly what it has. Only the standard
library: this runs before the child's handshake.

Reactions (`seed_reactions`): in WhatsApp conversations 1 and 3 and Instagram conversation 9 the
customer reacts to the agent's newest reply with an emoji, a minute after it. A reaction is an
inbound message of type `reaction`, its emoji in `message_text`, the message it reacts to in
`reaction_to`; it moves nothing of its conversation (see `tui.sandbox.conversations`).
"""

from __future__ import annotations

import json
import unicodedata
from typing import TYPE_CHECKING, Any

from tui.sandbox.agents import ORGANIZATION_ID

if TYPE_CHECKING:
    from tui.sandbox.store import Store

__all__ = ["COMPANIES", "COUNTRIES", "REACTIONS", "ensure_contact_details", "seed_reactions"]

DETAILS_META = "seeded_contact_details"
REACTIONS_META = "seeded_reactions"
DAY = 86400.0

#: (id, organization_id, name)
COMPANIES: tuple[tuple[int, int, str], ...] = (
    (1, ORGANIZATION_ID, "Northwind Traders"),
    (2, ORGANIZATION_ID, "Lumen Health"),
    (3, ORGANIZATION_ID, "Blue Harbor Logistics"),
)
#: Each seeded contact's (calling code, ISO country), in `seed.CONTACTS` order.
COUNTRIES: tuple[tuple[str, str], ...] = (
    ("55", "BR"), ("351", "PT"), ("49", "DE"), ("234", "NG"), ("91", "IN"), ("353", "IE"),
    ("34", "ES"), ("81", "JP"), ("45", "DK"), ("212", "MA"), ("33", "FR"), ("65", "SG"),
    ("49", "DE"), ("234", "NG"), ("54", "AR"), ("372", "EE"), ("82", "KR"), ("90", "TR"),
    ("233", "GH"), ("1", "CA"), ("55", "BR"), ("351", "PT"), ("961", "LB"), ("81", "JP"),
    ("44", "GB"), ("48", "PL"), ("46", "SE"), ("1", "US"), ("39", "IT"), ("221", "SN"),
)  # fmt: skip
COMPANY_OF = {3: 1, 13: 1, 25: 1, 5: 2, 21: 2, 9: 3, 14: 3, 29: 3}
AGENT_IDS = (7, 11, 12, 13)
NO_EMAIL = frozenset({8, 16, 27})
TIERS = ("Gold", "Silver", "Bronze")
LANGUAGES = {"BR": "Portuguese", "PT": "Portuguese", "DE": "German", "ES": "Spanish", "AR": "Spanish",
             "FR": "French", "JP": "Japanese", "KR": "Korean", "IT": "Italian", "TR": "Turkish"}  # fmt: skip
#: (conversation id, its channel, emoji): the customer reacts to the agent's newest reply.
REACTIONS: tuple[tuple[int, str, str], ...] = (
    (1, "whatsapp", "👍"),
    (3, "whatsapp", "❤️"),
    (9, "instagram", "🙏"),
)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def details(index: int, first: str, last: str, channels: set[str], created: float) -> dict[str, Any]:
    """The seeded contact `index`'s fields (1-based, as `seed.CONTACTS`)."""
    code, iso = COUNTRIES[(index - 1) % len(COUNTRIES)]
    national = f"{(index * 7_919_333 + 4_102_557) % 90_000_000 + 10_000_000}"
    phone = f"+{code}{national}"
    name = f"{_ascii(first)}.{_ascii(last)}".strip(".")
    email = None if index in NO_EMAIL else f"{name if '.' in name else f'customer{index}'}@example.com"
    fields: dict[str, str] = {
        "Customer tier": TIERS[index % 3],
        "Preferred language": LANGUAGES.get(iso, "English"),
    }
    if index % 2:
        fields["Last order"] = f"A-{1000 + index * 37}"
    return {
        "phone": phone,
        "email": email,
        "phone_country_code": code,
        "phone_country_iso": iso,
        "organization_id": ORGANIZATION_ID,
        "company_id": COMPANY_OF.get(index),
        "owned_by_user_id": None if index % 5 == 0 else AGENT_IDS[index % 4],
        "created_by_user_id": AGENT_IDS[(index + 1) % 4],
        "channel_whatsapp_wa_id": phone[1:] if "whatsapp" in channels else None,
        "channel_instagram_user_id": str(17_841_400_000_000_000 + index * 7_919)
        if "instagram" in channels
        else None,
        "avatar_url": f"https://avatars.example.com/contacts/{index}.png" if index % 3 != 1 else None,
        "custom_fields": json.dumps(fields, ensure_ascii=False),
        "created_at": created,
        "updated_at": created + (index % 7) * DAY / 3,
    }


def ensure_contact_details(store: Store, contacts: list[tuple[str, str]]) -> None:
    """Give the seed's contacts (`contacts`: `seed.CONTACTS`) their details and add the
    companies, once per file."""
    if store.meta(DETAILS_META) is not None:
        return
    statements: list[tuple[str, tuple[Any, ...]]] = [
        ("INSERT OR IGNORE INTO companies (id, organization_id, name) VALUES (?, ?, ?)", company)
        for company in COMPANIES
    ]
    for index, (first, last) in enumerate(contacts, start=1):
        row = store.one("SELECT first_name, last_name FROM contacts WHERE id = ?", (index,))
        if row is None or (row["first_name"], row["last_name"]) != (first, last):
            continue
        seen = store.query(
            "SELECT channel, created_at FROM conversations WHERE contact_id = ? ORDER BY created_at", (index,)
        )
        first_seen = seen[0]["created_at"] if seen and seen[0]["created_at"] is not None else store.clock()
        values = details(index, first, last, {r["channel"] for r in seen}, first_seen - 30 * DAY)
        columns = ", ".join(f"{name} = ?" for name in values)
        statements.append((f"UPDATE contacts SET {columns} WHERE id = ?", (*values.values(), index)))
    statements.append(("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (DETAILS_META,)))
    store.script(statements)


#: Conversations that a file holds, on these channels, when it is the seed's.
SEED_LAYOUT = {1: "whatsapp", 9: "instagram", 14: "messenger", 19: "webchat", 23: "sms", 28: "playground"}


def seed_reactions(store: Store) -> None:
    """Add `REACTIONS` once per file, and only to a file laid out as the seed (`SEED_LAYOUT`):
    one made some other way keeps exactly its own messages."""
    if store.meta(REACTIONS_META) is not None:
        return
    store.set_meta(REACTIONS_META, "1")
    for cid, channel in SEED_LAYOUT.items():
        row = store.conversation(cid)
        if row is None or row["channel"] != channel:
            return
    for cid, channel, emoji in REACTIONS:
        conversation = store.conversation(cid)
        if conversation is None or conversation["channel"] != channel:
            continue
        target = store.one(
            "SELECT id, created_at FROM messages WHERE conversation_id = ? AND direction = 'outbound' "
            "AND message_type NOT IN ('note', 'reaction') ORDER BY created_at DESC, id DESC LIMIT 1",
            (cid,),
        )
        contact = store.one(
            "SELECT first_name, last_name FROM contacts WHERE id = ?", (conversation["contact_id"],)
        )
        if target is None or contact is None:
            continue
        store.add_message(
            conversation_id=cid,
            direction="inbound",
            message_type="reaction",
            message_text=emoji,
            created_at=target["created_at"] + 60,
            status="delivered",
            sender_name=f"{contact['first_name'] or ''} {contact['last_name'] or ''}".strip(),
            reaction_to=target["id"],
        )
