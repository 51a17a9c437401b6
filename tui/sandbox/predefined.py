"""The organization's shared replies (contract: "Canned replies of the organization"):
`/conversation-predefined-messages`, a Feathers service: find, get, create, patch, remove.

Every route sees the key's organization only: another organization's reply is a 403, an unknown
one a 404. The find takes exactly `organization_id` (required, as the web app always sends it;
another organization's is a 403), `id` (`=`, `[$in]`, `[$nin]`), `message_type` (`=`, `[$ne]`,
`[$in]`, `[$nin]`), `created_by_user_id` (`=`, `[$in]`), `$limit` (at most 50; 0: the count),
`$skip`, `$sort[f]=1|-1` for f in `title` (case folded), `id`, `created_at`, `updated_at`, and
`$select[]`; anything else is a 400 (`query`).

A create or patch is checked whole before anything is written (a 400 whose `errors` names each
field): `title` (1 to 200 characters), `content` (text, at most 10,000), `message_type` (`text`,
`image`, `video`, `document`, `audio`, `location`: `file` is an upload's word, not this
service's), `media_url` (a full http(s) URL, or the key of an object uploaded for this
organization), `filename`, `mime_type`; a media type needs a `media_url`, text and location have
none. `created_by_user_id` is the key's agent (a create may say so, never someone else). One
agent's role may read the replies but not change them: Aiko Tanaka (12), for the 403 a client
must say in one sentence.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox.agents import Agent
from tui.sandbox.feathers import Fail, agent_of, check_org, json_body, page
from tui.sandbox.query import Field, Schema, integer, order_by, parse_query, selected, text, where
from tui.sandbox.records import ts
from tui.sandbox.state import Sandbox, state

__all__ = ["create_reply", "get_reply", "list_replies", "patch_reply", "remove_reply"]

FIELDS = (
    "id",
    "organization_id",
    "title",
    "content",
    "message_type",
    "media_url",
    "filename",
    "mime_type",
    "created_by_user_id",
    "created_at",
    "updated_at",
)
MEDIA_TYPES = ("image", "video", "document", "audio")
MESSAGE_TYPES = ("text", *MEDIA_TYPES, "location")
TITLE_MAX, CONTENT_MAX, NAME_MAX = 200, 10_000, 255
#: Agents whose role may read the team's replies but not change them.
READ_ONLY_AGENTS = frozenset({12})
SORTS = ("title", "id", "created_at", "updated_at")
SCHEMA = Schema(
    fields={
        "organization_id": Field(integer),
        "id": Field(integer, frozenset({"$eq", "$in", "$nin"})),
        "message_type": Field(text, frozenset({"$eq", "$ne", "$in", "$nin"})),
        "created_by_user_id": Field(integer, frozenset({"$eq", "$in"}), nullable=True),
    },
    sorts=SORTS,
    selects=FIELDS,
    required=("organization_id",),
)
COLUMNS = {name: f"t.{name}" for name in ("id", "message_type", "created_by_user_id")}
ORDER = {**{s: f"t.{s}" for s in SORTS}, "title": "t.title COLLATE NOCASE"}


def reply_doc(row: sqlite3.Row) -> dict[str, Any]:
    doc = {name: row[name] for name in FIELDS}
    doc["created_at"], doc["updated_at"] = ts(row["created_at"]), ts(row["updated_at"])
    return doc


async def list_replies(request: Request) -> Response:
    sb = state(request)
    query = parse_query(request.query_params.multi_items(), SCHEMA)
    check_org(request, query.eq("organization_id"))
    clauses, args = where(query, COLUMNS)
    clauses.insert(0, "t.organization_id = ?")
    args.insert(0, agent_of(request).organization_id)
    base = f"FROM predefined_messages t WHERE {' AND '.join(clauses)}"
    total = int(sb.store.query(f"SELECT count(*) {base}", args)[0][0])
    if query.limit == 0:
        return page(total, 0, query.skip, [])
    order = order_by(query, ("title", 1), ORDER, "t.id")
    rows = sb.store.query(
        f"SELECT t.* {base} ORDER BY {order} LIMIT ? OFFSET ?", [*args, query.limit, query.skip]
    )
    return page(total, query.limit, query.skip, [selected(reply_doc(r), query) for r in rows])


def _reply_or_404(request: Request) -> sqlite3.Row:
    check_org(request, request.query_params.get("organization_id"))
    raw = request.path_params["reply_id"]
    row = (
        state(request).store.one("SELECT * FROM predefined_messages WHERE id = ?", (int(raw),))
        if raw.isdigit() and len(raw) <= 18
        else None
    )
    if row is None:
        raise Fail(404, f"No record found for id '{raw[:40]}'")
    if row["organization_id"] != agent_of(request).organization_id:
        raise Fail(403, f"This API key has no access to predefined message {raw}")
    return row


def _may_write(agent: Agent) -> None:
    if agent.id in READ_ONLY_AGENTS:
        raise Fail(403, "Your role may read the organization's predefined messages but not change them")


def _text(value: Any, most: int, *, empty: bool) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if not empty and not value.strip():
        return "must not be empty"
    return f"at most {most:,} characters, got {len(value):,}" if len(value) > most else None


def _media_url(sb: Sandbox, agent: Agent, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return "must be a storage key, a full URL or null"
    if value.startswith(("http://", "https://")):
        return None
    parts = value.lstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "a storage key has no empty, '.' or '..' part"
    if not value.startswith(f"org-{agent.organization_id}/") or sb.store.object(value) is None:
        return "no uploaded object of this organization has this key"
    return None


def _check(sb: Sandbox, agent: Agent, body: dict[str, Any], allowed: set[str]) -> dict[str, str]:
    """Why each field of `body` cannot be written (nothing: it can)."""
    errors: dict[str, str] = {}
    for name, value in body.items():
        problem: str | None
        if name not in allowed:
            problem = "cannot be set here" if name in FIELDS else "is not a field of this service"
        elif name == "title":
            problem = _text(value, TITLE_MAX, empty=False)
        elif name == "content":
            problem = _text(value, CONTENT_MAX, empty=True)
        elif name == "message_type":
            problem = None if value in MESSAGE_TYPES else "must be one of " + ", ".join(MESSAGE_TYPES)
            if value == "file":
                problem = "must be document for a file (file is an upload's word)"
        elif name == "media_url":
            problem = _media_url(sb, agent, value)
        elif name in ("filename", "mime_type"):
            problem = None if value is None else _text(value, NAME_MAX, empty=False)
        elif name == "organization_id":
            problem = None if value == agent.organization_id else "must be your organization's id"
        else:  # created_by_user_id
            problem = None if value == agent.id else "must be your own user id"
        if problem is not None:
            errors[name] = problem
    return errors


def _kind_problems(record: dict[str, Any]) -> dict[str, str]:
    """A media reply carries its file; text and location carry none."""
    kind, url = record.get("message_type") or "text", record.get("media_url")
    if kind in MEDIA_TYPES and url is None:
        return {"media_url": f"is required for a {kind} message"}
    if kind not in MEDIA_TYPES and url is not None:
        return {"media_url": f"a {kind} message has none"}
    return {}


WRITABLE = {"title", "content", "message_type", "media_url", "filename", "mime_type"}


async def create_reply(request: Request) -> Response:
    sb, agent = state(request), agent_of(request)
    body = await json_body(request)
    errors = _check(sb, agent, body, WRITABLE | {"organization_id", "created_by_user_id"})
    for name in ("organization_id", "title"):
        if name not in body:
            errors[name] = "is required"
    if isinstance(body.get("organization_id"), int) and body["organization_id"] != agent.organization_id:
        raise Fail(403, f"This API key has no access to organization {body['organization_id']}")
    _may_write(agent)
    record = {"content": "", "message_type": "text", **body}
    errors = errors or _kind_problems(record)
    if errors:
        raise Fail(400, "Invalid predefined message: " + ", ".join(sorted(errors)), errors)
    now = sb.clock()
    reply_id = sb.store.execute(
        "INSERT INTO predefined_messages (organization_id, title, content, message_type, media_url, "
        "filename, mime_type, created_by_user_id, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            agent.organization_id,
            record["title"],
            record["content"],
            record["message_type"],
            record.get("media_url"),
            record.get("filename"),
            record.get("mime_type"),
            agent.id,
            now,
            now,
        ),
    )
    row = sb.store.one("SELECT * FROM predefined_messages WHERE id = ?", (reply_id,))
    assert row is not None
    return JSONResponse(reply_doc(row), status_code=201)


async def get_reply(request: Request) -> Response:
    return JSONResponse(reply_doc(_reply_or_404(request)))


async def patch_reply(request: Request) -> Response:
    sb, agent = state(request), agent_of(request)
    row = _reply_or_404(request)
    body = await json_body(request)
    _may_write(agent)
    errors = _check(sb, agent, body, WRITABLE) or _kind_problems({**reply_doc(row), **body})
    if errors:
        raise Fail(400, "Invalid patch: " + ", ".join(sorted(errors)), errors)
    if body:
        columns = ", ".join(f"{name} = ?" for name in body)
        sb.store.execute(
            f"UPDATE predefined_messages SET {columns}, updated_at = ? WHERE id = ?",
            [*body.values(), sb.clock(), row["id"]],
        )
    patched = sb.store.one("SELECT * FROM predefined_messages WHERE id = ?", (row["id"],))
    assert patched is not None
    return JSONResponse(reply_doc(patched))


async def remove_reply(request: Request) -> Response:
    sb = state(request)
    row = _reply_or_404(request)
    _may_write(agent_of(request))
    sb.store.execute("DELETE FROM predefined_messages WHERE id = ?", (row["id"],))
    return JSONResponse(reply_doc(row))
