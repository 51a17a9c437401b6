"""The sandbox's seed: 30 conversations over all six channels, their histories, and templates.

Deterministic (one fixed random seed), laid out relative to the moment the file is created.
Handy conversation ids (also in `HANDY_IDS`):

| id | what |
|----|------|
| 1  | WhatsApp, window open (customer wrote 5 min ago) |
| 3  | WhatsApp, window open with 30 min left |
| 4  | WhatsApp, window closed (25 h ago) |
| 7  | WhatsApp, never opened (only outbound history) |
| 9  | Instagram, window open |
| 10 | Instagram, window open with 10 min left |
| 12 | Instagram, never opened |
| 14 | Messenger, window open |
| 15 | Messenger, window closed (26 h ago) |
| 19 | Webchat |
| 23 | SMS |
| 28 | Playground |

Who holds each (`ASSIGNMENTS`): an AI assistant alone on 2, 9, 13, 17, 19, 26; Maria Silva (the
default key's agent, 7) on 3, 14, 22; the other agents (11, 12, 13) on 4, 5, 7, 11, 15, 18, 21, 24,
29; nobody on the rest. Contacts include "Zoë Müller" (3) and "Søren Holm" (9) for folded search.
Conversation N is contact N's, except three contacts who also write on another channel
(`CONTACT_OF`): Ana Lima (1) on SMS 24, João Pereira (2) on Messenger 18, Olamide Adeyemi (4) on
webchat 20. Contact details, companies and the customers' reactions: `seed_contacts`.
"""

from __future__ import annotations

import json
import random
from typing import Any

from tui.sandbox.agents import ORGANIZATION_ID
from tui.sandbox.seed_contacts import ensure_contact_details, seed_reactions
from tui.sandbox.seed_files import seed_files
from tui.sandbox.seed_quotes import seed_quotes
from tui.sandbox.seed_templates import KINDS
from tui.sandbox.store import Store

__all__ = ["HANDY_IDS", "INBOUND", "ORGANIZATION_ID", "assign_seeded", "seed"]
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0

HANDY_IDS: dict[str, int] = {
    "whatsapp_open": 1,
    "whatsapp_open_ending": 3,
    "whatsapp_closed": 4,
    "whatsapp_never": 7,
    "instagram_open": 9,
    "instagram_open_urgent": 10,
    "instagram_never": 12,
    "messenger_open": 14,
    "messenger_closed": 15,
    "webchat": 19,
    "sms": 23,
    "playground": 28,
}

CONTACTS = [
    ("Ana", "Lima"),
    ("João", "Pereira"),
    ("Zoë", "Müller"),
    ("Olamide", "Adeyemi"),
    ("Priya", "Nair"),
    ("Liam", "O'Connor"),
    ("Mateo", "García"),
    ("愛子", "田中"),
    ("Søren", "Holm"),
    ("Fatima", "Zahra"),
    ("Chloé", "Dubois"),
    ("Wei", "Chen"),
    ("Noah", "Schmidt"),
    ("Amara", "Okafor"),
    ("Lucía", "Fernández"),
    ("Dmitri", "Ivanov"),
    ("Hana", "Kim"),
    ("Yusuf", "Demir"),
    ("Grace", "Mensah"),
    ("Émile", "Roy"),
    ("Isabela", "Costa"),
    ("Tomás", "Silva"),
    ("Nadia", "Haddad"),
    ("Kai", "Nakamura"),
    ("Maya", "Patel"),
    ("Oskar", "Nowak"),
    ("Leila", "Karimi"),
    ("Sam", "Taylor"),
    ("Rosa", "Bianchi"),
    ("Ibrahim", "Diallo"),
]

#: (channel, status, last inbound: seconds ago, or None for never)
PLAN: list[tuple[str, str, float | None]] = [
    ("whatsapp", "open", 5 * MINUTE),
    ("whatsapp", "open", 2 * HOUR),
    ("whatsapp", "open", 23.5 * HOUR),
    ("whatsapp", "open", 25 * HOUR),
    ("whatsapp", "closed", 3 * DAY),
    ("whatsapp", "closed", 14 * DAY),
    ("whatsapp", "open", None),
    ("whatsapp", "open", 40 * MINUTE),
    ("instagram", "open", 10 * MINUTE),
    ("instagram", "open", 23 * HOUR + 50 * MINUTE),
    ("instagram", "open", 30 * HOUR),
    ("instagram", "open", None),
    ("instagram", "closed", 6 * DAY),
    ("messenger", "open", 15 * MINUTE),
    ("messenger", "open", 26 * HOUR),
    ("messenger", "closed", 4 * DAY),
    ("messenger", "open", None),
    ("messenger", "open", 1 * HOUR),
    ("webchat", "open", 3 * MINUTE),
    ("webchat", "open", 7 * HOUR),
    ("webchat", "closed", 2 * DAY),
    ("webchat", "open", 50 * HOUR),
    ("sms", "open", 20 * MINUTE),
    ("sms", "open", 9 * HOUR),
    ("sms", "closed", 5 * DAY),
    ("sms", "open", 36 * HOUR),
    ("sms", "open", None),
    ("playground", "open", 30 * MINUTE),
    ("playground", "open", 3 * HOUR),
    ("playground", "open", 8 * DAY),
]

#: conversation id -> its contact, where that is not the contact of the same number.
CONTACT_OF: dict[int, int] = {24: 1, 18: 2, 20: 4}

AI = "asst_support"
#: conversation id -> (assigned_user_id, assigned_ai_assistant_id); absent: unassigned.
ASSIGNMENTS: dict[int, tuple[int | None, str | None]] = {
    **{cid: (None, AI) for cid in (2, 9, 13, 17, 19, 26)},
    **{cid: (7, None) for cid in (3, 14, 22)},
    **{cid: (11, None) for cid in (4, 5, 18, 29)},
    **{cid: (12, None) for cid in (7, 15, 24)},
    **{cid: (13, None) for cid in (11, 21)},
}

INBOUND = [
    "Hi, where is my order?",
    "Can I change the delivery address?",
    "The package arrived damaged 😞",
    "Do you ship to Portugal?",
    "Thanks, that worked!",
    "I was charged twice this month.",
    "Is the store open on Sunday?",
    "Can you resend the invoice please?",
    "My tracking number doesn't work",
    "I'd like to cancel my subscription.",
]
OUTBOUND = [
    "Hi! Let me check that for you.",
    "Your order shipped yesterday; it should arrive in 2 days.",
    "I've updated the address on your order.",
    "Sorry about that! I've started a replacement.",
    "Yes, we ship to all of the EU.",
    "I've refunded the duplicate charge.",
    "Here is your invoice.",
    "Anything else I can help with?",
]
NOTES = [
    "VIP customer, handle with care.",
    "Refund approved by finance.",
    "Escalated to logistics (ticket L-2231).",
]
ATTACHMENTS = [
    ("image", "photo_of_box.jpg", "image/jpeg", 482_113),
    ("file", "invoice-2026-114.pdf", "application/pdf", 88_204),
    ("audio", "voice-note.ogg", "audio/ogg", 51_440),
]
AGENTS = ["Maria (Support)", "Tom (Support)", "Sandbox Agent"]

TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."},
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
        ],
    },
    {
        "name": "appointment_reminder",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {
                "type": "BODY",
                "text": "Hello {{first_name}}, this is a reminder of your appointment on {{date}}.",
            }
        ],
    },
    {
        "name": "shipping_notice",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
            {"type": "BODY", "text": "Hi {{1}}, your parcel is on its way and arrives {{2}}."},
            {"type": "FOOTER", "text": "Track it any time in the app"},
        ],
    },
    {
        "name": "welcome_back",
        "language": "en_US",
        "category": "MARKETING",
        "status": "APPROVED",
        "components": [{"type": "BODY", "text": "Thanks for contacting us! An agent will reply shortly."}],
    },
    {
        "name": "boas_vindas",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [{"type": "BODY", "text": "Olá {{1}}, obrigado pelo contato!"}],
    },
    {
        "name": "payment_due",
        "language": "en_US",
        "category": "UTILITY",
        "status": "PENDING",
        "components": [{"type": "BODY", "text": "Hi {{1}}, your payment of {{2}} is due tomorrow."}],
    },
    {
        "name": "flash_sale",
        "language": "en_US",
        "category": "MARKETING",
        "status": "REJECTED",
        "components": [{"type": "BODY", "text": "50% off everything today only!"}],
    },
]
TEMPLATES += KINDS  # every kind of header and button: seed_templates


def seed(store: Store, now: float) -> None:
    """Fill a new file. Everything is placed relative to `now`."""
    rnd = random.Random(7)
    statements: list[tuple[str, tuple[Any, ...]]] = []
    for index, (first, last) in enumerate(CONTACTS, start=1):
        phone = f"+1555{rnd.randint(1000000, 9999999)}"
        email = f"{last.lower().replace(chr(39), '')}.{index}@example.com" if index % 3 else None
        statements.append(
            (
                "INSERT INTO contacts (id, first_name, last_name, phone, email) VALUES (?, ?, ?, ?, ?)",
                (index, first, last, phone, email),
            )
        )
    for tid, template in enumerate(TEMPLATES, start=1):
        statements.append(
            (
                "INSERT INTO templates (id, name, language, category, status, components) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    tid,
                    template["name"],
                    template["language"],
                    template["category"],
                    template["status"],
                    json.dumps(template["components"], ensure_ascii=False),
                ),
            )
        )
    store.script(statements)
    for cid, (channel, status, inbound_ago) in enumerate(PLAN, start=1):
        _seed_conversation(store, rnd, cid, channel, status, inbound_ago, now)
    seed_files(store, now)
    seed_quotes(store, now)
    seed_reactions(store)
    ensure_contact_details(store, CONTACTS)


def assign_seeded(store: Store) -> None:
    """Hold the seeded conversations as `ASSIGNMENTS` says. A file of before agents (schema 3)
    had random holders, and nothing could change them then; this gives it the seed's mix."""
    store.script(
        [
            (
                "UPDATE conversations SET assigned_user_id = ?, assigned_ai_assistant_id = ? "
                "WHERE id = ? AND organization_id = ?",
                (*ASSIGNMENTS.get(cid, (None, None)), cid, ORGANIZATION_ID),
            )
            for cid in range(1, len(PLAN) + 1)
        ]
    )


def _seed_conversation(
    store: Store,
    rnd: random.Random,
    cid: int,
    channel: str,
    status: str,
    inbound_ago: float | None,
    now: float,
) -> None:
    contact = CONTACT_OF.get(cid, cid)
    first, last = CONTACTS[contact - 1]
    customer = f"{first} {last}"
    rnd.choice([None, 11, 12]), rnd.choice([None, AI])  # drawn as before, so the rest is as before
    user, assistant = ASSIGNMENTS.get(cid, (None, None))
    store.execute(
        "INSERT INTO conversations (id, organization_id, contact_id, channel, status, unread_count, "
        "assigned_user_id, assigned_ai_assistant_id, pipeline_id, pipeline_stage_id, ai_context_cut, "
        "ai_auto_assignment_disabled, blocked) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, NULL, 0, 0)",
        (
            cid,
            ORGANIZATION_ID,
            contact,
            channel,
            status,
            user,
            assistant,
            3,
            rnd.randint(1, 4),
        ),
    )
    count = rnd.randint(3, 12)
    # The last inbound message sits exactly at `inbound_ago`; history leads up to it, and an agent
    # may have answered after it.
    anchor = now - (inbound_ago if inbound_ago is not None else rnd.uniform(2, 9) * DAY)
    times = sorted(anchor - rnd.uniform(5 * MINUTE, 3 * DAY) for _ in range(count - 1))
    messages: list[dict[str, Any]] = []
    for i, at in enumerate(times):
        inbound = inbound_ago is not None and i % 2 == 0
        messages.append(_message(rnd, cid, at, inbound, customer, channel))
    if inbound_ago is not None:
        messages.append(_message(rnd, cid, anchor, True, customer, channel, text=rnd.choice(INBOUND)))
        if rnd.random() < 0.4 and inbound_ago > 10 * MINUTE:
            reply_at = anchor + min(inbound_ago / 2, 10 * MINUTE)
            messages.append(_message(rnd, cid, reply_at, False, customer, channel))
    else:
        messages.append(_message(rnd, cid, anchor, False, customer, channel))
    unread = 0
    for m in messages:
        store.add_message(**m)
        unread = unread + 1 if m["direction"] == "inbound" else 0
    shown = [m for m in messages if m["message_type"] != "note"]
    last_shown = shown[-1]
    preview = last_shown["message_text"] or last_shown.get("file_name") or ""
    store.execute(
        "UPDATE conversations SET last_message_text = ?, last_message_at = ?, last_inbound_message_at = ?, "
        "unread_count = ?, created_at = ?, last_interaction_at = ? WHERE id = ?",
        (
            preview,
            last_shown["created_at"],
            None if inbound_ago is None else anchor,
            unread if status == "open" else 0,
            min(m["created_at"] for m in messages) - 10 * MINUTE,
            max(m["created_at"] for m in messages),
            cid,
        ),
    )


def _message(
    rnd: random.Random,
    cid: int,
    at: float,
    inbound: bool,
    customer: str,
    channel: str,
    text: str | None = None,
) -> dict[str, Any]:
    if inbound:
        fields: dict[str, Any] = {
            "conversation_id": cid,
            "direction": "inbound",
            "message_type": "text",
            "message_text": text or rnd.choice(INBOUND),
            "created_at": at,
            "status": "delivered",
            "sender_name": customer,
        }
    elif channel != "sms" and rnd.random() < 0.15:
        fields = {
            "conversation_id": cid,
            "direction": "outbound",
            "message_type": "note",
            "message_text": rnd.choice(NOTES),
            "created_at": at,
            "status": None,
            "sender_name": rnd.choice(AGENTS),
        }
    else:
        fields = {
            "conversation_id": cid,
            "direction": "outbound",
            "message_type": "text",
            "message_text": text or rnd.choice(OUTBOUND),
            "created_at": at,
            "status": rnd.choice(["sent", "delivered", "read", "read", "read", "failed", "queued"]),
            "sender_name": rnd.choice(AGENTS),
        }
    if fields["message_type"] != "note" and rnd.random() < 0.12:
        kind, name, mime, size = rnd.choice(ATTACHMENTS)
        fields.update(
            message_type=kind,
            file_name=name,
            file_type=mime,
            file_size=size,
            message_text="" if rnd.random() < 0.5 else fields["message_text"],
        )
    return fields
