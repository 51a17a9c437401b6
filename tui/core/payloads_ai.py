"""The request bodies of the AI, automation and block actions, built here and nowhere else (next
to `payloads`, which holds the sends and the queue's PATCH bodies). Field names are the
contract's: "Update a conversation", "AI assistants" and "Run an automation"; the golden tests
in tests/core/test_ai_payloads.py pin their JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tui.core.models import iso

# -- PATCH /conversations/:id ---------------------------------------------------------------------


def handoff_patch(assistant_id: int | str, *, unassign_human: bool = False) -> dict[str, Any]:
    """To an AI assistant (its id as the server gave it); with `unassign_human`, the agent who
    holds it is cleared too, as the web app does when the agent asks."""
    body: dict[str, Any] = {"assigned_ai_assistant_id": assistant_id}
    if unassign_human:
        body["assigned_user_id"] = None
    return body


def ai_auto_patch(on: bool, reason: str | None = None) -> dict[str, Any]:
    """AI auto-assignment on (the reason cleared) or off (with why, so a teammate sees it)."""
    return {
        "ai_auto_assignment_disabled": not on,
        "ai_auto_assignment_disabled_reason": None if on else reason,
    }


def ai_cut_patch(when: datetime) -> dict[str, Any]:
    """The AI forgets what came before `when` (ISO, UTC, milliseconds)."""
    return {"ai_context_cut": iso(when)}


def block_patch(blocked: bool) -> dict[str, Any]:
    return {"blocked": blocked}


# -- POST /automations-executions -----------------------------------------------------------------


def automation_run_body(
    automation_id: int | str,
    *,
    organization_id: int,
    conversation_id: int,
    conversation: dict[str, Any],
    contact: dict[str, Any] | None,
    messages: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """Run an automation on a conversation: `conversation`, `contact` and `messages` (the newest
    50, oldest first) go as the server sent them."""
    return {
        "automation_id": automation_id,
        "organization_id": organization_id,
        "conversation_id": conversation_id,
        "initial_payload": {"conversation": conversation, "contact": contact, "messages": list(messages)},
    }


__all__ = ["ai_auto_patch", "ai_cut_patch", "automation_run_body", "block_patch", "handoff_patch"]
