"""The sandbox's AI assistants and automations, per organization (fixed: not stored, so every
data file, old or new, has them as they are here).

AI assistants (`GET /ai-assistants`): ids are a string on one and numbers on the others, as the
contract allows. "Ava (returns)" keeps the id the seed has always given the AI that holds
conversations 2, 9, 13, 17, 19 and 26 (`asst_support`), so files seeded before keep their AI.

| organization | id | name | assistant_type |
|---|---|---|---|
| 1 | "asst_support" | Ava (returns) | conversation |
| 1 | 42 | Orbit (billing) | conversation |
| 1 | 43 | Echo (phone line) | voice |
| 2 | 901 | Nova (another organization) | conversation |

Automations (`GET /automations`, [ours]): three of organization 1 (ids 1 to 3), one of
organization 2 (id 9).
"""

from __future__ import annotations

from typing import Any

# The organizations of `agents` (not imported: `records` reads this module, and `agents` reads the store).
ORGANIZATION_ID, OTHER_ORGANIZATION_ID = 1, 2

__all__ = ["ASSISTANT_TYPES", "assistant_rows", "automation_rows", "holding_assistants"]

#: [docs: ai-assistants/list] the kinds an assistant may be.
ASSISTANT_TYPES = ("conversation", "support-ticket", "ai-chat", "voice")

#: (organization_id, id, name, assistant_type, created_at as an ISO date)
ASSISTANTS: tuple[tuple[int, int | str, str, str, str], ...] = (
    (ORGANIZATION_ID, "asst_support", "Ava (returns)", "conversation", "2025-03-04T10:00:00.000Z"),
    (ORGANIZATION_ID, 42, "Orbit (billing)", "conversation", "2025-06-11T08:30:00.000Z"),
    (ORGANIZATION_ID, 43, "Echo (phone line)", "voice", "2025-09-20T15:45:00.000Z"),
    (OTHER_ORGANIZATION_ID, 901, "Nova (another organization)", "conversation", "2025-05-01T12:00:00.000Z"),
)

#: (organization_id, id, name, description)
AUTOMATIONS: tuple[tuple[int, int, str, str], ...] = (
    (ORGANIZATION_ID, 1, "Send the returns label", "Emails the customer a prepaid returns label."),
    (ORGANIZATION_ID, 2, "Tag as VIP and tell the team lead", "Tags the contact VIP; notifies the lead."),
    (ORGANIZATION_ID, 3, "Satisfaction survey", "Sends a one-question survey, then closes the conversation."),
    (OTHER_ORGANIZATION_ID, 9, "Welcome series", "Another organization's automation."),
)


def assistant_rows(organization_id: int) -> list[dict[str, Any]]:
    """The organization's assistants as `GET /ai-assistants` serves them."""
    return [
        {
            "id": aid,
            "organization_id": org,
            "name": name,
            "assistant_type": kind,
            "created_at": created,
        }
        for org, aid, name, kind, created in ASSISTANTS
        if org == organization_id
    ]


def holding_assistants(organization_id: int) -> dict[str, int | str]:
    """The ids (by their text) of the assistants that can hold a conversation, as the server
    spells each: `assigned_ai_assistant_id` takes these."""
    rows = assistant_rows(organization_id)
    return {str(row["id"]): row["id"] for row in rows if row["assistant_type"] == "conversation"}


def automation_rows(organization_id: int) -> list[dict[str, Any]]:
    """The organization's automations as `GET /automations` serves them."""
    return [
        {"id": aid, "organization_id": org, "name": name, "description": about, "enabled": True}
        for org, aid, name, about in AUTOMATIONS
        if org == organization_id
    ]
