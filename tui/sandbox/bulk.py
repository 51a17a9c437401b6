"""`POST /conversations-bulk-actions` [docs: conversations/bulk-actions]: one action on many
conversations. `action` is `assign` | `update_status` | `assign_ai_assistant` | `move`, with
exactly one target: `conversation_ids` (numbers), `view_id` or `filter`. The value travels in
the field a single PATCH uses ([ours]), checked by the same rules (`patches.CHECKS`). Only the
key's organization is touched; ids of another organization or of no conversation are skipped
and not counted. Answers `{"processed_count": N}`; each changed conversation is pushed live.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox import live
from tui.sandbox.feathers import Fail, agent_of, check_org, json_body
from tui.sandbox.patches import CHECKS
from tui.sandbox.state import state

#: Each action and the fields it may carry.
FIELDS: dict[str, tuple[str, ...]] = {
    "assign": ("assigned_user_id",),
    "update_status": ("status",),
    "assign_ai_assistant": ("assigned_ai_assistant_id",),
    "move": ("pipeline_id", "pipeline_stage_id"),
}
TARGETS = ("conversation_ids", "view_id", "filter")
FILTER_KEYS = ("organization_id", "status", "channel", "pipeline_id", "pipeline_stage_id")


async def bulk_action(request: Request) -> Response:
    sb = state(request)
    agent = agent_of(request)
    body = await json_body(request)
    check_org(request, body.get("organization_id"))
    action = body.get("action")
    if action not in FIELDS:
        raise Fail(400, "Invalid bulk action", {"action": f"must be one of {', '.join(FIELDS)}"})
    given = [t for t in TARGETS if t in body]
    if len(given) != 1:
        raise Fail(400, "Exactly one target", {"target": "give exactly one of " + ", ".join(TARGETS)})
    allowed = {"action", "organization_id", given[0], *FIELDS[action]}
    errors = {k: "not allowed with this action" for k in body if k not in allowed}
    changes: dict[str, Any] = {}
    for name in FIELDS[action]:
        if name not in body:
            errors[name] = "required"
            continue
        changes[name], error = CHECKS[name](sb, agent, body[name])
        if error is not None:
            errors[name] = error
    ids = _targets(sb, agent.organization_id, given[0], body[given[0]], errors)
    if errors:
        raise Fail(400, "Invalid bulk action: " + ", ".join(sorted(errors)), errors)
    if "pipeline_stage_id" in changes and changes["pipeline_stage_id"] is None:
        changes["pipeline_id"] = None
    columns = ", ".join(f"{name} = ?" for name in changes)
    for cid in ids:
        sb.store.execute(f"UPDATE conversations SET {columns} WHERE id = ?", [*changes.values(), cid])
    if ids:
        sb.store.stamp()
        for cid in ids:
            live.conversation_changed(sb, cid)
    return JSONResponse({"processed_count": len(ids)})


def _targets(sb: Any, organization_id: int, target: str, value: Any, errors: dict[str, str]) -> list[int]:
    """The organization's conversations the target names (ids of others are skipped)."""
    if target == "conversation_ids":
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            errors["conversation_ids"] = "must be an array of numbers"
            return []
        if not value:
            errors["conversation_ids"] = "must name at least one conversation"
            return []
        marks = ",".join("?" * len(value))
        rows = sb.store.query(
            f"SELECT id FROM conversations WHERE organization_id = ? AND id IN ({marks})",
            [organization_id, *value],
        )
        return sorted(r["id"] for r in rows)
    if target == "filter":
        if not isinstance(value, dict) or any(k not in FILTER_KEYS for k in value):
            errors["filter"] = "an object of " + ", ".join(FILTER_KEYS)
            return []
        where, params = ["organization_id = ?"], [organization_id]
        for key in ("status", "channel", "pipeline_id", "pipeline_stage_id"):
            if key in value:
                where.append(f"{key} = ?")
                params.append(value[key])
        rows = sb.store.query(f"SELECT id FROM conversations WHERE {' AND '.join(where)}", params)
        return [r["id"] for r in rows]
    errors["view_id"] = "the sandbox keeps no saved views"
    return []
