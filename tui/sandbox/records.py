"""The API's documents, built from the store's rows: conversations, messages, contacts.

Only the standard library: the child sandbox builds its first page before anything heavy loads.

A conversation carries the documented fields (`DOCUMENTED_FIELDS`, contract: "A conversation"),
then, unless the sandbox serves documented fields only, the optional [ours] ones (`OUR_FIELDS`):
`last_message_text`, `last_message_at`, `last_inbound_message_at` and `contact`. A message carries
`_id` (the WhatsApp-style channels) or `id` (SMS, playground), never both (`ids`); the ids it names
(`reply_to_message_id`, `reaction_to`) are spelled as their own service gives them. Internal
columns (the change tracking, the rowid behind an `_id`) never leave the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "CONTACT_FIELDS",
    "DOCUMENTED_FIELDS",
    "MESSAGE_FIELDS",
    "OUR_FIELDS",
    "contact_doc",
    "conversation_doc",
    "message_doc",
    "ts",
]

DOCUMENTED_FIELDS = (
    "id",
    "organization_id",
    "contact_id",
    "channel",
    "status",
    "unread_count",
    "assigned_user_id",
    "assigned_ai_assistant_id",
    "pipeline_id",
    "pipeline_stage_id",
    "ai_context_cut",
    "ai_auto_assignment_disabled",
    "ai_auto_assignment_disabled_reason",
    "blocked",
    "last_interaction_at",
    "created_at",
)
#: The [ours] fields that `documented_fields_only` leaves out of every conversation.
OUR_FIELDS = ("last_message_text", "last_message_at", "last_inbound_message_at", "contact")
TIME_FIELDS = frozenset(
    {"ai_context_cut", "last_interaction_at", "created_at", "last_message_at", "last_inbound_message_at"}
)
#: What a conversation says of its contact (an [ours] field).
CONVERSATION_CONTACT = ("id", "first_name", "last_name", "phone", "email")
#: A message's fields after its id, in the order they are served (absent ones are left out).
MESSAGE_FIELDS = (
    "conversation_id",
    "direction",
    "message_type",
    "message_text",
    "created_at",
    "status",
    "sender_name",
    "conversation_file_id",
    "file_name",
    "file_type",
    "file_size",
    "media_url",
    "template",
    "reply_to_message_id",
    "reaction_to",
    "error_code",
    "error_text",
    "deleted_at",
)
#: Contacts service fields (contract: "Contacts"), in the order they are served.
CONTACT_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_country_code",
    "phone_country_iso",
    "organization_id",
    "company_id",
    "owned_by_user_id",
    "created_by_user_id",
    "channel_whatsapp_wa_id",
    "channel_instagram_user_id",
    "avatar_url",
    "custom_fields_by_name",
    "created_at",
    "updated_at",
    "deleted_at",
)


def ts(value: float | None) -> str | None:
    """The API's timestamp form, as `tui.core.models.iso` writes it (UTC, milliseconds, `Z`);
    spelled out here so that serving a page needs no pydantic (a test keeps the two equal)."""
    if value is None:
        return None
    dt = datetime.fromtimestamp(value, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def conversation_doc(
    row: sqlite3.Row, contact: sqlite3.Row | None, *, documented_only: bool
) -> dict[str, Any]:
    """One conversation as the API serves it; `contact` is its contact's row (unused when
    `documented_only`)."""
    names = row.keys()
    fields = DOCUMENTED_FIELDS if documented_only else DOCUMENTED_FIELDS + OUR_FIELDS[:-1]
    data: dict[str, Any] = {}
    for key in fields:
        value = row[key] if key in names else None
        data[key] = ts(value) if key in TIME_FIELDS else value
    for key in ("ai_auto_assignment_disabled", "blocked"):
        data[key] = None if data[key] is None else bool(data[key])
    held = data.get("assigned_ai_assistant_id")
    if isinstance(held, str) and held.isascii() and held.isdigit():  # stored as text: a numeric id
        data["assigned_ai_assistant_id"] = int(held)
    if not documented_only:
        data["contact"] = {k: contact[k] for k in CONVERSATION_CONTACT} if contact is not None else None
    return data


def message_doc(row: sqlite3.Row, served_id: Callable[[int], str | int]) -> dict[str, Any]:
    """One message as its channel's service serves it; `served_id(rowid)` spells another
    message's id (a reply's or a reaction's target)."""
    names = set(row.keys())
    uid = row["uid"] if "uid" in names else None
    data: dict[str, Any] = {"_id": uid} if uid else {"id": row["id"]}
    for key in MESSAGE_FIELDS:
        data[key] = row[key] if key in names else None
    data["created_at"] = ts(data["created_at"])
    if data["template"]:
        data["template"] = json.loads(data["template"])
        if isinstance(data["template"], dict) and "_components" in data["template"]:
            data["template_components"] = data["template"].pop("_components")  # template_checks
    else:
        data.pop("template")
    if data["reply_to_message_id"] is None:  # only a reply says what it answers
        data.pop("reply_to_message_id")
    else:
        data["reply_to_message_id"] = served_id(data["reply_to_message_id"])
    if data["reaction_to"] is None or data["message_type"] != "reaction":  # only a reaction
        data.pop("reaction_to")
    else:
        data["reaction_to"] = served_id(data["reaction_to"])
    if data["error_code"] is None:  # only a failed delivery says why (schema 4)
        data.pop("error_code"), data.pop("error_text")
    if data["deleted_at"] is None:  # only a deleted message says when
        data.pop("deleted_at")
    else:
        data["deleted_at"] = ts(data["deleted_at"])
    return data


def contact_doc(
    row: sqlite3.Row,
    *,
    owner: dict[str, Any] | None = None,
    company: dict[str, Any] | None = None,
    listed: bool = False,
) -> dict[str, Any]:
    """One contact as the Contacts service serves it; a list row (`listed`) also carries its
    `owner` and `company` (each null when there is none)."""
    names = row.keys()
    data: dict[str, Any] = {}
    for key in CONTACT_FIELDS:
        if key == "custom_fields_by_name":
            raw = row["custom_fields"] if "custom_fields" in names else None
            data[key] = json.loads(raw) if raw else {}
        else:
            value = row[key] if key in names else None
            data[key] = ts(value) if key in ("created_at", "updated_at", "deleted_at") else value
    if listed:
        data["owner"] = owner
        data["company"] = company
    return data
