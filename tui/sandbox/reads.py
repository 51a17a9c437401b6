"""The read endpoints: conversations (listed and one), a conversation's messages, templates.

Our reading of the list route's Feathers query (the contract names only some of it): every list
is the key's own organization's; `status`, `channel` and `assigned_user_id` are equality filters
(`assigned_user_id=null` matches the unassigned, as Feathers' REST adapters read `null`);
`$search` matches the contact's name, the phone or the last message, with case and accents
folded by `tui.core.fold.fold` (so `mul` finds Müller and `soren` finds Søren).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.core.fold import fold
from tui.sandbox.feathers import Fail, agent_of, check_org, conversation_or_404, int_param, page, sort_of
from tui.sandbox.state import state


async def list_conversations(request: Request) -> Response:
    sb = state(request)
    check_org(request, request.query_params.get("organization_id"))
    limit = int_param(request, "$limit", 50, low=0, high=500)
    skip = int_param(request, "$skip", 0)
    field, direction = sort_of(request, ("last_message_at", "id", "unread_count"), ("last_message_at", -1))
    where: list[str] = ["c.organization_id = ?"]
    args: list[object] = [agent_of(request).organization_id]
    for name in ("status", "channel"):
        value = request.query_params.get(name)
        if value:
            where.append(f"c.{name} = ?")
            args.append(value.lower())
    if "assigned_user_id" in request.query_params:
        raw = request.query_params["assigned_user_id"].strip()
        if raw == "null":
            where.append("c.assigned_user_id IS NULL")
        elif raw.isdigit():
            where.append("c.assigned_user_id = ?")
            args.append(int(raw))
        else:
            errors = {"assigned_user_id": "must be a number or null"}
            raise Fail(400, "assigned_user_id must be a number or null", errors)
    search = fold((request.query_params.get("$search") or "").strip())
    if search:
        where.append(
            "(instr(fold(coalesce(t.first_name, '') || ' ' || coalesce(t.last_name, '')), ?) > 0 "
            "OR instr(coalesce(t.phone, ''), ?) > 0 OR instr(fold(c.last_message_text), ?) > 0)"
        )
        args.extend([search] * 3)
    clause = " AND ".join(where)
    base = f"FROM conversations c JOIN contacts t ON t.id = c.contact_id WHERE {clause}"
    total = sb.store.one(f"SELECT count(*) AS n {base}", args)["n"]  # type: ignore[index]
    rows = sb.store.query(
        f"SELECT c.* {base} ORDER BY c.{field} {direction} NULLS LAST, c.id DESC LIMIT ? OFFSET ?",
        [*args, limit, skip],
    )
    return page(total, limit, skip, sb.store.conversations_json(rows))


async def get_conversation(request: Request) -> Response:
    sb = state(request)
    check_org(request, request.query_params.get("organization_id"))
    raw = request.path_params["conversation_id"]
    row = conversation_or_404(request, int(raw) if raw.isdigit() else raw)
    return JSONResponse(sb.store.conversation_json(row))


async def list_messages(request: Request) -> Response:
    sb = state(request)
    raw = request.query_params.get("conversation_id")
    if raw is None or not raw.isdigit():
        raise Fail(400, "conversation_id is required", {"conversation_id": "is required"})
    if sb.store.conversation(int(raw)) is not None:
        conversation_or_404(request, int(raw))  # another organization's: 403
    limit = int_param(request, "$limit", 50, low=0, high=500)
    skip = int_param(request, "$skip", 0)
    _, direction = sort_of(request, ("created_at", "id"), ("created_at", -1))
    total = sb.store.one("SELECT count(*) AS n FROM messages WHERE conversation_id = ?", (int(raw),))["n"]  # type: ignore[index]
    rows = sb.store.query(
        f"SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at {direction}, id {direction} "
        "LIMIT ? OFFSET ?",
        (int(raw), limit, skip),
    )
    return page(total, limit, skip, [sb.store.message_json(r) for r in rows])


async def list_templates(request: Request) -> Response:
    sb = state(request)
    check_org(request, request.query_params.get("organization_id"))
    channel = request.query_params.get("channel")
    if channel and channel.lower() != "whatsapp":
        return page(0, 0, 0, [])
    limit = int_param(request, "$limit", 50, low=0, high=500)
    skip = int_param(request, "$skip", 0)
    status = request.query_params.get("status")
    where, args = ("WHERE status = ?", [status.upper()]) if status else ("", [])
    total = sb.store.one(f"SELECT count(*) AS n FROM templates {where}", args)["n"]  # type: ignore[index]
    rows = sb.store.query(
        f"SELECT * FROM templates {where} ORDER BY id LIMIT ? OFFSET ?", [*args, limit, skip]
    )
    return page(total, limit, skip, [sb.store.template_json(r) for r in rows])
