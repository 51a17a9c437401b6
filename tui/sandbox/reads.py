"""The read endpoints: conversations (listed and one), a conversation's messages, templates."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox.feathers import Fail, check_org, conversation_or_404, int_param, page, sort_of
from tui.sandbox.state import state


async def list_conversations(request: Request) -> Response:
    sb = state(request)
    check_org(request.query_params.get("organization_id"))
    limit = int_param(request, "$limit", 50, low=0, high=500)
    skip = int_param(request, "$skip", 0)
    field, direction = sort_of(request, ("last_message_at", "id", "unread_count"), ("last_message_at", -1))
    where, args = ["1 = 1"], []
    for name in ("status", "channel"):
        value = request.query_params.get(name)
        if value:
            where.append(f"c.{name} = ?")
            args.append(value.lower())
    search = (request.query_params.get("$search") or "").strip().lower()
    if search:
        where.append(
            "(lower(t.first_name) LIKE ? OR lower(t.last_name) LIKE ? OR lower(t.first_name || ' ' || "
            "t.last_name) LIKE ? OR t.phone LIKE ? OR lower(c.last_message_text) LIKE ?)"
        )
        args.extend([f"%{search}%"] * 5)
    clause = " AND ".join(where)
    base = f"FROM conversations c JOIN contacts t ON t.id = c.contact_id WHERE {clause}"
    total = sb.store.one(f"SELECT count(*) AS n {base}", args)["n"]  # type: ignore[index]
    rows = sb.store.query(
        f"SELECT c.* {base} ORDER BY c.{field} {direction} NULLS LAST, c.id DESC LIMIT ? OFFSET ?",
        [*args, limit, skip],
    )
    return page(total, limit, skip, [sb.store.conversation_json(r) for r in rows])


async def get_conversation(request: Request) -> Response:
    sb = state(request)
    check_org(request.query_params.get("organization_id"))
    raw = request.path_params["conversation_id"]
    row = conversation_or_404(sb, int(raw) if raw.isdigit() else raw)
    return JSONResponse(sb.store.conversation_json(row))


async def list_messages(request: Request) -> Response:
    sb = state(request)
    raw = request.query_params.get("conversation_id")
    if raw is None or not raw.isdigit():
        raise Fail(400, "conversation_id is required", {"conversation_id": "is required"})
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
    check_org(request.query_params.get("organization_id"))
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
