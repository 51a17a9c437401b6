"""The AI assistants, the automations and their executions (contract: "AI assistants", "Run an
automation"), for the key's organization only; the rows are `seed_ai`'s.

- `GET /ai-assistants` takes exactly `organization_id` (checked: another one is 403),
  `assistant_type` (`=`, `[$in]`; one of conversation, support-ticket, ai-chat, voice), `id` (`=`,
  `[$in]`), `$limit` (at most 50; 0: the count alone), `$skip`, `$sort[f]=1|-1` for f in `name`,
  `id`, `created_at`, and `$select[]`; anything else is a 400 (`query`).
- `GET /automations` takes `organization_id`, `id` (`=`, `[$in]`), `$limit`, `$skip`,
  `$sort[f]` for f in `id` (default), `name`, and `$select[]`.
- `POST /automations-executions` checks the whole body first: `automation_id` (an automation of
  the organization, its id as served, a number or its text), `organization_id` (the key's own:
  403 otherwise), `conversation_id` (404 unknown, 403 another organization's), `initial_payload`
  = `{"conversation": {... its "id" is conversation_id}, "contact": {...} or null, "messages":
  [at most 50 objects]}`; any other field is refused. A bad body is a 400 whose `errors` names
  each field, and nothing is stored. The execution is stored (`automation_executions`) and
  answered: `id`, `automation_id`, `organization_id`, `conversation_id`, `status` ("queued"),
  `created_by_user_id`, `created_at` and `message_count`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox.feathers import Fail, agent_of, check_org, conversation_or_404, json_body, page
from tui.sandbox.query import Field, Query, Schema, integer, one_of, parse_query, selected, text
from tui.sandbox.records import ts
from tui.sandbox.seed_ai import ASSISTANT_TYPES, assistant_rows, automation_rows
from tui.sandbox.state import state

__all__ = ["create_execution", "list_ai_assistants", "list_automations"]

#: At most this many messages in an execution's `initial_payload` (one page, as the contract says).
PAYLOAD_MESSAGES = 50
BODY_FIELDS = ("automation_id", "organization_id", "conversation_id", "initial_payload")

ASSISTANTS = Schema(
    fields={
        "organization_id": Field(integer),
        "assistant_type": Field(one_of(*ASSISTANT_TYPES), frozenset({"$eq", "$in"})),
        "id": Field(text, frozenset({"$eq", "$in"})),
    },
    sorts=("name", "id", "created_at"),
    selects=("id", "organization_id", "name", "assistant_type", "created_at"),
)
AUTOMATIONS = Schema(
    fields={"organization_id": Field(integer), "id": Field(text, frozenset({"$eq", "$in"}))},
    sorts=("id", "name"),
    selects=("id", "organization_id", "name", "description", "enabled"),
)


def _sort_key(name: str, row: dict[str, Any]) -> Any:
    value = row.get(name)
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value).casefold())


def _found(rows: list[dict[str, Any]], query: Query, default: str) -> Response:
    """The find's page: filtered on `id` and `assistant_type`, sorted, paged, selected."""
    for name in ("id", "assistant_type"):
        wanted = query.filters.get(name, {})
        allowed = {str(v) for v in ([wanted["$eq"]] if "$eq" in wanted else []) + wanted.get("$in", [])}
        if wanted:
            rows = [row for row in rows if str(row.get(name)) in allowed]
    rows.sort(key=partial(_sort_key, default))
    for name, direction in reversed(query.sort):  # the first key sorts last: it wins
        rows.sort(key=partial(_sort_key, name), reverse=direction == -1)
    shown = rows[query.skip : query.skip + query.limit] if query.limit else []
    return page(len(rows), query.limit, query.skip, [selected(row, query) for row in shown])


def _find(schema: Schema, rows_of: Callable[[int], list[dict[str, Any]]], default: str) -> Any:
    async def find(request: Request) -> Response:
        query = parse_query(request.query_params.multi_items(), schema)
        check_org(request, query.eq("organization_id"))
        return _found(rows_of(agent_of(request).organization_id), query, default)

    return find


list_ai_assistants = _find(ASSISTANTS, assistant_rows, "name")
list_automations = _find(AUTOMATIONS, automation_rows, "id")


def _payload_errors(payload: Any, conversation_id: Any) -> dict[str, str]:
    if not isinstance(payload, dict):
        return {"initial_payload": "must be an object with conversation, contact and messages"}
    errors: dict[str, str] = {}
    for name in sorted(set(payload) - {"conversation", "contact", "messages"}):
        errors[f"initial_payload.{name}"] = "is not allowed"
    conversation = payload.get("conversation")
    if not isinstance(conversation, dict):
        errors["initial_payload.conversation"] = "must be the conversation (an object)"
    elif conversation.get("id") != conversation_id:
        errors["initial_payload.conversation"] = "must be the conversation of conversation_id"
    if "contact" not in payload or not isinstance(payload["contact"], dict | None):
        errors["initial_payload.contact"] = "must be the contact (an object) or null"
    messages = payload.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        errors["initial_payload.messages"] = "must be a list of messages (objects)"
    elif len(messages) > PAYLOAD_MESSAGES:
        errors["initial_payload.messages"] = f"at most {PAYLOAD_MESSAGES} messages, got {len(messages)}"
    return errors


async def create_execution(request: Request) -> Response:
    sb = state(request)
    body = await json_body(request)
    agent = agent_of(request)
    errors = {name: "is not allowed" for name in sorted(set(body) - set(BODY_FIELDS))}
    for name in ("organization_id", "conversation_id"):
        value = body.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[name] = "is required" if value is None else "must be a number"
    automation = body.get("automation_id")
    known = {str(row["id"]): row for row in automation_rows(agent.organization_id)}
    if automation is None:
        errors["automation_id"] = "is required"
    elif (
        isinstance(automation, bool) or not isinstance(automation, int | str) or str(automation) not in known
    ):
        errors["automation_id"] = f"must be an automation of organization {agent.organization_id}"
    if "organization_id" not in errors:
        check_org(request, body["organization_id"])
    if "conversation_id" not in errors:
        conversation_or_404(request, body["conversation_id"])
    errors.update(_payload_errors(body.get("initial_payload"), body.get("conversation_id")))
    if errors:
        raise Fail(400, "Invalid automation run: " + ", ".join(sorted(errors)), errors)
    served_id = known[str(automation)]["id"]
    payload = body["initial_payload"]
    now = sb.clock()
    new_id = sb.store.execute(
        "INSERT INTO automation_executions (organization_id, automation_id, conversation_id, "
        "created_by_user_id, status, initial_payload, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
        (agent.organization_id, str(served_id), body["conversation_id"], agent.id, json.dumps(payload), now),
    )
    sb.store.stamp()
    return JSONResponse(
        {
            "id": new_id,
            "automation_id": served_id,
            "organization_id": agent.organization_id,
            "conversation_id": body["conversation_id"],
            "status": "queued",
            "created_by_user_id": agent.id,
            "created_at": ts(now),
            "message_count": len(payload["messages"]),
        },
        status_code=201,
    )
