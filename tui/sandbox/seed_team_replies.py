"""The team replies of the seed (`/conversation-predefined-messages`: `predefined`): a dozen of the
first organization's, two of them with a file (a packing photo, the returns form: real objects,
built like the seed's inbound files in `seed_files`, public at the media URL), and two of the other
organization's (Eve Marsh's), which the first one's keys never see.

A new file gets them on its first start, and so does a file of before schema 7 when it next
opens (`ensure_team_replies`, once: the store's meta remembers). Only the standard library and
the store: the child sandbox seeds before its web stack loads.
"""

from __future__ import annotations

import secrets
from typing import Any

from tui.sandbox.agents import ORGANIZATION_ID, OTHER_ORGANIZATION_ID
from tui.sandbox.seed_files import PARCEL_JPEG, statement_pdf, store_object
from tui.sandbox.store import Store

__all__ = ["MEDIA_REPLIES", "TEAM_REPLIES", "ensure_team_replies"]

#: Set in the store's meta once the team replies are seeded.
SEEDED_META = "seeded_team_replies"
DAY = 86400.0

#: (organization, author's user id, title, content, message_type) of the text replies.
TEAM_REPLIES: tuple[tuple[int, int, str, str, str], ...] = (
    (ORGANIZATION_ID, 7, "Address change", "Hi {{contact.first_name}}, I've updated the delivery "
     "address on your order. A new tracking link is on its way by email.", "text"),
    (ORGANIZATION_ID, 11, "Apology for the delay", "I'm sorry for the wait, {{contact.first_name}}. "
     "Your order is on its way now and should arrive within 2 working days.", "text"),
    (ORGANIZATION_ID, 7, "Cancel an order", "Your order is cancelled and the refund is on its way: "
     "3 to 5 working days to reach your account.", "text"),
    (ORGANIZATION_ID, 13, "Opening hours", "We're here Monday to Friday, 9:00 to 18:00, and on "
     "Saturday from 10:00 to 14:00.", "text"),
    (ORGANIZATION_ID, 12, "Order status", "Let me check that for you: could you send me your order "
     "number? It starts with A-.", "text"),
    (ORGANIZATION_ID, 11, "Refund policy", "Refunds go back to the card you paid with, within 5 "
     "working days of the item reaching us.", "text"),
    (ORGANIZATION_ID, 13, "Store location", "AchieveApex Store, 12 Harbour Street, Lisbon "
     "(38.7071, -9.1355). Open Monday to Saturday.", "location"),
    (ORGANIZATION_ID, 7, "Thanks and goodbye", "Glad we could help, {{contact.first_name}}. Have a "
     "great day!", "text"),
    (ORGANIZATION_ID, 12, "Warranty", "Every product has a 2-year warranty. Send us a photo of the "
     "fault and your order number and we'll sort it out.", "text"),
    (ORGANIZATION_ID, 11, "Wrong item received", "So sorry about the mix-up! The right item leaves "
     "today; keep the other one, there is no need to send it back.", "text"),
    (OTHER_ORGANIZATION_ID, 21, "Welcome", "Welcome to Marsh & Co! How can we help?", "text"),
    (OTHER_ORGANIZATION_ID, 21, "Closing time", "We're closed for today; we'll write back at 9:00.", "text"),
)  # fmt: skip

RETURNS_FORM = statement_pdf(
    (
        "AchieveApex Store - Returns form",
        "Order number: ____________   Item: ____________",
        "Reason: damaged / wrong item / changed my mind",
        "Put this form in the box and drop it at any post office.",
    )
)
#: (author, title, content, message_type, file name, MIME type, bytes) of the replies with a file.
MEDIA_REPLIES: tuple[tuple[int, str, str, str, str, str, bytes], ...] = (
    (13, "How to pack a return", "Please pack it like this, with tape on every edge.", "image",
     "packing-guide.jpg", "image/jpeg", PARCEL_JPEG),
    (7, "Returns form", "Here is our returns form, {{contact.first_name}}: fill it in and put it "
     "in the box.", "document", "returns-form.pdf", "application/pdf", RETURNS_FORM),
)  # fmt: skip

INSERT = (
    "INSERT INTO predefined_messages (organization_id, title, content, message_type, media_url, "
    "filename, mime_type, created_by_user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def seed_team_replies(store: Store, now: float) -> None:
    statements: list[tuple[str, tuple[Any, ...]]] = []
    for index, (org, author, title, content, kind) in enumerate(TEAM_REPLIES):
        at = now - (40 - index) * DAY
        statements.append((INSERT, (org, title, content, kind, None, None, None, author, at, at)))
    for index, (author, title, content, kind, name, mime, data) in enumerate(MEDIA_REPLIES):
        key = f"org-{ORGANIZATION_ID}/predefined-messages/{secrets.token_hex(12)}/{name}"
        store_object(store, key, data, mime)
        at = now - (20 - index) * DAY
        statements.append((INSERT, (ORGANIZATION_ID, title, content, kind, key, name, mime, author, at, at)))
    store.script(statements)


def ensure_team_replies(store: Store) -> None:
    """Seed the team replies once per file (a new one, or one of before schema 7)."""
    if store.meta(SEEDED_META) is not None:
        return
    if store.one("SELECT id FROM predefined_messages LIMIT 1") is None:
        seed_team_replies(store, store.clock())
    store.set_meta(SEEDED_META, "1")
