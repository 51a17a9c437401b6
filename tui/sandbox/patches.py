"""`PATCH /conversations/:id`: a Feathers patch of the fields an agent may change.

Any subset of `status`, `assigned_user_id`, `assigned_ai_assistant_id`,
`ai_auto_assignment_disabled`, `ai_auto_assignment_disabled_reason`, `unread_count` (0 marks
read, 1 unread), `pipeline_id`, `pipeline_stage_id` (numbers or null; clearing the stage clears
the pipeline too), `ai_context_cut` (an ISO date, or null) and `blocked` (contract: "Update a
conversation"). The whole body is checked before anything is written: an unknown field, a wrong
type or an assignee who is not an agent (or assistant) of the organization is a 400 whose
`errors` maps each field to why, and nothing changes. The answer is the whole conversation, as
GET serves it; a patch moves no `last_interaction_at` (only messages do).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox import live
from tui.sandbox.agents import Agent
from tui.sandbox.feathers import Fail, agent_of, check_org, conversation_or_404, json_body
from tui.sandbox.seed_ai import holding_assistants
from tui.sandbox.state import Sandbox, state

REASON_MAX = 500  # characters of `ai_auto_assignment_disabled_reason`

Check = Callable[[Sandbox, Agent, Any], tuple[Any, str | None]]


def _status(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    return (value, None) if value in ("open", "closed") else (None, 'must be "open" or "closed"')


def _user(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, int) or isinstance(value, bool):
        return None, "must be a number or null"
    other = sb.agent(value)
    if other is None or other.organization_id != agent.organization_id:
        return None, f"no agent {value} in organization {agent.organization_id}"
    return value, None


def _assistant(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    known = holding_assistants(agent.organization_id)  # a conversation assistant of the organization
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value) in known:
        return str(value), None
    return None, f"must be null or an AI assistant of organization {agent.organization_id}"


def _flag(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    return (int(value), None) if isinstance(value, bool) else (None, "must be true or false")


def _reason(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, "must be a string or null"
    if len(value) > REASON_MAX:
        return None, f"at most {REASON_MAX} characters, got {len(value)}"
    return value, None


def _unread(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    if value in (0, 1) and not isinstance(value, bool):
        return value, None
    return None, "must be 0 (read) or 1 (unread)"


def _number_or_null(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value, None
    return None, "must be a number or null"


def _moment(sb: Sandbox, agent: Agent, value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None:
        return None, "must be an ISO 8601 date or null"
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp(), None


CHECKS: dict[str, Check] = {
    "status": _status,
    "assigned_user_id": _user,
    "assigned_ai_assistant_id": _assistant,
    "ai_auto_assignment_disabled": _flag,
    "ai_auto_assignment_disabled_reason": _reason,
    "unread_count": _unread,
    "pipeline_id": _number_or_null,
    "pipeline_stage_id": _number_or_null,
    "ai_context_cut": _moment,
    "blocked": _flag,
}


async def patch_conversation(request: Request) -> Response:
    sb = state(request)
    check_org(request, request.query_params.get("organization_id"))
    raw = request.path_params["conversation_id"]
    row = conversation_or_404(request, int(raw) if raw.isdigit() else raw)
    body = await json_body(request)
    agent = agent_of(request)
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in body.items():
        check = CHECKS.get(name)
        if check is None:
            errors[name] = "cannot be patched"
            continue
        changes[name], error = check(sb, agent, value)
        if error is not None:
            errors[name] = error
    if errors:
        raise Fail(400, "Invalid patch: " + ", ".join(sorted(errors)), errors)
    if "pipeline_stage_id" in changes and changes["pipeline_stage_id"] is None:
        changes["pipeline_id"] = None  # no stage, no pipeline
    if changes:
        columns = ", ".join(f"{name} = ?" for name in changes)
        sb.store.execute(f"UPDATE conversations SET {columns} WHERE id = ?", [*changes.values(), row["id"]])
        sb.store.stamp()
        live.conversation_changed(sb, row["id"])
    patched = sb.store.conversation(row["id"])
    assert patched is not None
    return JSONResponse(sb.store.conversation_json(patched))
