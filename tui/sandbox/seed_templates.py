"""The sandbox's templates of every kind the contract names ("Templates with media headers and
buttons"): image, video and document headers, a text header with a variable, URL buttons with
and without a variable, quick replies and phone numbers, named and positional variables, the
three categories, and one PENDING (listed, never sendable). Appended to the seed's older ones, so
their ids stay."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.sandbox.store import Store

TRACK_URL = "https://example.com/track/{{1}}"

KINDS: list[dict[str, Any]] = [
    {
        "name": "order_shipped",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "IMAGE"},
            {
                "type": "BODY",
                "text": "Hi {{first_name}}, your order {{order_id}} has shipped and arrives {{date}}.",
            },
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Track parcel", "url": TRACK_URL},
                    {"type": "QUICK_REPLY", "text": "Stop updates"},
                ],
            },
        ],
    },
    {
        "name": "product_tour",
        "language": "en_US",
        "category": "MARKETING",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "VIDEO"},
            {"type": "BODY", "text": "Hi {{1}}, here is a 1-minute tour of your new {{2}}."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Show me more"},
                    {"type": "QUICK_REPLY", "text": "Not now"},
                ],
            },
        ],
    },
    {
        "name": "statement_ready",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "DOCUMENT"},
            {"type": "BODY", "text": "Hi {{first_name}}, your statement for {{month}} is attached."},
            {"type": "FOOTER", "text": "Questions? Call us."},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "PHONE_NUMBER", "text": "Call billing", "phone_number": "+15550100"}],
            },
        ],
    },
    {
        "name": "support_contact",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Need help, {{first_name}}?"},
            {"type": "BODY", "text": "Reply here any time, or reach us another way."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "PHONE_NUMBER", "text": "Call support", "phone_number": "+15550100"},
                    {"type": "URL", "text": "Help centre", "url": "https://example.com/help"},
                    {"type": "QUICK_REPLY", "text": "All sorted"},
                ],
            },
        ],
    },
    {
        "name": "login_code",
        "language": "en_US",
        "category": "AUTHENTICATION",
        "status": "APPROVED",
        "components": [
            {"type": "BODY", "text": "{{1}} is your verification code. Do not share it."},
            {"type": "FOOTER", "text": "This code expires in 10 minutes."},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "URL", "text": "Copy code", "url": "https://example.com/otp/{{1}}"}],
            },
        ],
    },
    {
        "name": "spring_catalog",
        "language": "en_US",
        "category": "MARKETING",
        "status": "PENDING",
        "components": [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": "New arrivals are here, {{first_name}}!"},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "URL", "text": "Shop", "url": "https://example.com/spring"}],
            },
        ],
    },
]


#: One kind, added unless the file has a template of that name and language (checked and numbered
#: inside the one transaction, so two sandboxes opening one old file add it once).
_ADD = (
    "INSERT INTO templates (id, name, language, category, status, components) "
    "SELECT (SELECT coalesce(max(id), 0) + 1 FROM templates), ?, ?, ?, ?, ? "
    "WHERE NOT EXISTS (SELECT 1 FROM templates WHERE name = ? AND language = ?)"
)


def _row(t: dict[str, Any]) -> tuple[Any, ...]:
    return (
        t["name"],
        t["language"],
        t["category"],
        t["status"],
        json.dumps(t["components"], ensure_ascii=False),
    )


def add_missing(store: Store) -> None:
    """A file seeded before these kinds existed gets them, after its own templates; a file that
    has them is left as it is."""
    store.script(
        [
            (
                _ADD,
                (*_row(t), t["name"], t["language"]),
            )
            for t in KINDS
        ]
    )
