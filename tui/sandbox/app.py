"""The sandbox's HTTP API: every endpoint of the backend contract, Feathers pages and errors.

It enforces the channel rules itself (409 outside the reply window, 413 too large, 422 bad
fields) from the same channel table the client uses, and serves uploaded objects at the public
media URL. `x-api-key` or `Authorization: Bearer` authenticate every API route; the storage PUT
refuses any request that carries them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from tui.core.channels import CHANNELS, META_CHANNELS
from tui.core.files import category_of
from tui.core.models import Conversation, Template
from tui.core.policy import window_state
from tui.core.templates import slots
from tui.core.textcount import measure
from tui.sandbox import storage
from tui.sandbox.seed import INBOUND, ORGANIZATION_ID, seed
from tui.sandbox.store import Store

MEDIA_TYPES = ("image", "audio", "video", "file")
TRANSFORM_CHANNELS = ("whatsapp", "instagram", "messenger", "webchat")
# Feathers error classes (name, className) by status, for every answer the sandbox can give.
CLASS_NAMES = {
    400: ("BadRequest", "bad-request"),
    401: ("NotAuthenticated", "not-authenticated"),
    402: ("PaymentError", "payment-error"),
    403: ("Forbidden", "forbidden"),
    404: ("NotFound", "not-found"),
    405: ("MethodNotAllowed", "method-not-allowed"),
    406: ("NotAcceptable", "not-acceptable"),
    408: ("Timeout", "timeout"),
    409: ("Conflict", "conflict"),
    410: ("Gone", "gone"),
    411: ("LengthRequired", "length-required"),
    413: ("PayloadTooLarge", "payload-too-large"),
    422: ("Unprocessable", "unprocessable"),
    429: ("TooManyRequests", "too-many-requests"),
    500: ("GeneralError", "general-error"),
    501: ("NotImplemented", "not-implemented"),
    502: ("BadGateway", "bad-gateway"),
    503: ("Unavailable", "unavailable"),
    504: ("GatewayTimeout", "gateway-timeout"),
}


class Fail(Exception):
    """Raised inside a handler; becomes a Feathers error answer."""

    def __init__(
        self, code: int, message: str, errors: dict[str, str] | None = None, data: Any = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.errors, self.data = code, message, errors or {}, data or {}


def feathers_body(
    code: int, message: str, errors: dict[str, str] | None = None, data: Any = None
) -> dict[str, Any]:
    """A Feathers error document, as handlers and injected faults answer it."""
    name, class_name = CLASS_NAMES.get(code, ("GeneralError", "general-error"))
    return {
        "name": name,
        "message": message,
        "code": code,
        "className": class_name,
        "data": data or {},
        "errors": errors or {},
    }


def feathers(code: int, message: str, errors: dict[str, str] | None = None, data: Any = None) -> JSONResponse:
    return JSONResponse(feathers_body(code, message, errors, data), status_code=code)


class Sandbox:
    """The app's state: the store, the objects folder and the options."""

    def __init__(self, data_dir: Path, clock: Callable[[], float], options: dict[str, Any]) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self.options = options
        self.store = Store(data_dir / "sandbox.db", clock)
        self.store.open(seed)
        self.objects = data_dir / "objects"
        self.objects.mkdir(parents=True, exist_ok=True)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)


# -- request helpers -------------------------------------------------------------------------------


def state(request: Request) -> Sandbox:
    return request.app.state.sandbox


def authenticate(request: Request) -> None:
    key = state(request).store.api_key
    given = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not given:
        raise Fail(401, "No API key: send it in the x-api-key header or as a Bearer token")
    if not secrets.compare_digest(given, key):
        raise Fail(401, "Invalid API key")


def check_org(value: Any) -> None:
    if value in (None, ""):
        return
    try:
        org = int(value)
    except (TypeError, ValueError):
        raise Fail(400, "organization_id must be a number", {"organization_id": "must be a number"}) from None
    if org != ORGANIZATION_ID:
        raise Fail(403, f"This API key has no access to organization {org}")


def int_param(request: Request, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Fail(400, f"{name} must be a number", {name: "must be a number"}) from None
    value = max(value, low)
    return min(value, high) if high is not None else value


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise Fail(400, "The body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Fail(400, "The body must be a JSON object")
    return body


def require(body: dict[str, Any], errors: dict[str, str], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is None:
        errors[name] = "is required"
    elif kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        errors[name] = "must be a number"
    elif kind is str and not isinstance(value, str):
        errors[name] = "must be a string"
    else:
        return value
    return None


def sort_of(request: Request, allowed: tuple[str, ...], default: tuple[str, int]) -> tuple[str, str]:
    for key, value in request.query_params.items():
        if key.startswith("$sort[") and key.endswith("]"):
            field = key[6:-1]
            if field not in allowed:
                raise Fail(400, f"Cannot sort by {field}")
            return field, "ASC" if value.strip() == "1" else "DESC"
    return default[0], "ASC" if default[1] == 1 else "DESC"


def page(total: int, limit: int, skip: int, data: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"total": total, "limit": limit, "skip": skip, "data": data})


def conversation_or_404(sb: Sandbox, conversation_id: Any) -> Any:
    row = sb.store.conversation(conversation_id) if isinstance(conversation_id, int) else None
    if row is None:
        raise Fail(404, f"No record found for id '{conversation_id}'")
    return row


def model_of(sb: Sandbox, row: Any) -> Conversation:
    return Conversation.model_validate(sb.store.conversation_json(row))


# -- reads -----------------------------------------------------------------------------------------


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


# -- uploads ---------------------------------------------------------------------------------------


async def sign_upload(request: Request) -> Response:
    sb = state(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    name = require(body, errors, "file_name", str)
    mime = require(body, errors, "file_type", str)
    cid = require(body, errors, "conversation_id", int)
    org = require(body, errors, "organization_id", int)
    if name is not None and (not name.strip() or "/" in name):
        errors["file_name"] = "must be a plain file name"
    if errors:
        raise Fail(422, "Invalid upload request", errors)
    check_org(org)
    conversation_or_404(sb, cid)
    key = f"org-{org}/conversation-{cid}/{uuid.uuid4().hex}/{name}"
    expires = int(time.time()) + int(sb.options.get("signed_url_seconds", storage.SIGNED_URL_SECONDS))
    url = storage.signed_url(str(request.base_url), sb.store.signing_secret, key, mime, expires)
    return JSONResponse({"url": url, "s3PathWithoutBucket": key, "s3Path": f"s3://sandbox-bucket/{key}"})


async def put_object(request: Request) -> Response:
    sb = state(request)
    if "x-api-key" in request.headers or "authorization" in request.headers:
        return storage.s3_error(400, "InvalidArgument", "API credentials must never be sent to storage")
    key = unquote(request.path_params["key"])
    params = request.query_params
    try:
        expires = int(params.get("expires", ""))
    except ValueError:
        return storage.s3_error(403, "AccessDenied", "Missing or malformed expiry")
    content_type = params.get("content_type", "")
    if not storage.valid(sb.store.signing_secret, key, content_type, expires, params.get("signature", "")):
        return storage.s3_error(403, "SignatureDoesNotMatch", "The request signature does not match")
    if expires < time.time():
        return storage.s3_error(403, "AccessDenied", "Request has expired")
    if request.headers.get("content-type", "") != content_type:
        return storage.s3_error(403, "SignatureDoesNotMatch", "Content-Type differs from the signed one")
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return storage.s3_error(411, "MissingContentLength", "Content-Length is required")
    size, etag = await storage.write_stream(sb.objects, key, request.stream(), int(length))
    if not etag:
        return storage.s3_error(400, "IncompleteBody", f"Expected {length} bytes, received {size}")
    sb.store.execute(
        "INSERT OR REPLACE INTO objects (key, content_type, size, etag) VALUES (?, ?, ?, ?)",
        (key, content_type, size, etag),
    )
    return Response(status_code=200, headers={"ETag": f'"{etag}"'})


async def get_media(request: Request) -> Response:
    sb = state(request)
    key = unquote(request.path_params["key"])
    row = sb.store.object(key)
    path = storage.object_path(sb.objects, key)
    if row is None or not path.is_file():
        return storage.s3_error(404, "NoSuchKey", "The specified key does not exist")
    return FileResponse(path, media_type=row["content_type"])


async def create_file(request: Request) -> Response:
    sb = state(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    cid = require(body, errors, "conversation_id", int)
    org = require(body, errors, "organization_id", int)
    name = require(body, errors, "file_name", str)
    mime = require(body, errors, "file_type", str)
    size = require(body, errors, "file_size", int)
    key = require(body, errors, "s3_key", str)
    path = require(body, errors, "s3_path", str)
    category = require(body, errors, "file_category", str)
    if category is not None and category not in MEDIA_TYPES:
        errors["file_category"] = "must be image, audio, video or file"
    if errors:
        raise Fail(422, "Invalid conversation file", errors)
    check_org(org)
    conversation_or_404(sb, cid)
    stored = sb.store.object(key)
    if stored is None:
        errors["s3_key"] = "no uploaded object has this key"
    else:
        if stored["size"] != size:
            errors["file_size"] = f"the uploaded object has {stored['size']} bytes"
        if stored["content_type"] != mime:
            errors["file_type"] = f"the object was uploaded as {stored['content_type']}"
        if not path.endswith(key):
            errors["s3_path"] = "does not name the object of s3_key"
    if category != category_of(mime):
        errors["file_category"] = f"a {mime} file is {category_of(mime)}"
    if errors:
        raise Fail(422, "Invalid conversation file", errors)
    file_id = secrets.token_hex(12)
    created = sb.clock()
    sb.store.execute(
        "INSERT INTO files (id, conversation_id, organization_id, file_name, file_type, file_size, s3_key, "
        "s3_path, file_category, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (file_id, cid, org, name, mime, size, key, path, category, created),
    )
    document = {
        "_id": file_id,
        **{
            k: body[k]
            for k in (
                "conversation_id",
                "organization_id",
                "file_name",
                "file_type",
                "file_size",
                "s3_key",
                "s3_path",
                "file_category",
            )
        },
        "createdAt": datetime.fromtimestamp(created, tz=UTC).isoformat(),
    }
    return JSONResponse(document, status_code=201)


# -- sends -----------------------------------------------------------------------------------------


def media_url_of(request: Request, key: str) -> str:
    from tui.core.payloads import public_media_url

    return public_media_url(str(request.base_url) + "media", key)


def check_text_limit(channel: str, text: str, errors: dict[str, str], *, caption: bool = False) -> None:
    limits = CHANNELS[channel].limits
    cap = limits.caption_max if caption and limits.caption_max else None
    m = measure(text, limits, limit=cap)
    if m.over:
        errors["message_text"] = f"at most {m.limit} {m.unit} on {channel}, got {m.used}"


def check_window(sb: Sandbox, channel: str, conversation: Conversation, message_type: str) -> None:
    customer_facing = channel in META_CHANNELS and message_type not in ("note", "template")
    if customer_facing and not window_state(conversation, CHANNELS[channel], sb.now()).open:
        raise Fail(409, f"The 24-hour customer service window is closed for conversation {conversation.id}")


def check_media(
    sb: Sandbox, channel: str, cid: int, body: dict[str, Any], kind: str, errors: dict[str, str]
) -> Any:
    """The conversation file a media message refers to, checked against the channel's limits."""
    file_id = body.get("conversation_file_id")
    row = sb.store.file(str(file_id)) if isinstance(file_id, str | int) else None
    if row is None or row["conversation_id"] != cid:
        errors["conversation_file_id"] = "no such file on this conversation"
        return None
    if body.get("s3_path") != row["s3_path"]:
        errors["s3_path"] = "does not match the conversation file"
    if body.get("file_size") != row["file_size"]:
        errors["file_size"] = "does not match the conversation file"
    if row["file_category"] != kind:
        errors["message_type"] = f"the file is {row['file_category']}, not {kind}"
    rule = CHANNELS[channel].limits.media.get(row["file_category"])
    if rule is None or not rule.accepts(row["file_type"]):
        errors["conversation_file_id"] = f"{channel} does not take {row['file_type']} files"
    elif row["file_size"] > rule.max_bytes and not errors:
        raise Fail(413, f"{row['file_name']} is larger than {channel} allows ({rule.max_bytes} bytes)")
    return row


def check_template(sb: Sandbox, body: dict[str, Any], errors: dict[str, str]) -> None:
    spec = body.get("template")
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        errors["template"] = "must be an object with a name"
        return
    language = (spec.get("language") or {}).get("code") if isinstance(spec.get("language"), dict) else None
    row = sb.store.one(
        "SELECT * FROM templates WHERE name = ? AND language = ?", (spec["name"], language or "")
    )
    if row is None:
        errors["template"] = f"no template {spec['name']!r} in {language}"
        return
    template = Template.model_validate(sb.store.template_json(row))
    if template.status != "APPROVED":
        errors["template"] = f"{template.name} is {template.status}; only APPROVED templates can be sent"
        return
    wanted: dict[str, int] = {}
    for slot in slots(template):
        wanted[slot.component.lower()] = wanted.get(slot.component.lower(), 0) + 1
    given: dict[str, int] = {}
    for component in spec.get("components") or []:
        if isinstance(component, dict):
            params = component.get("parameters") or []
            given[str(component.get("type", "")).lower()] = len(params)
            if any(not isinstance(p, dict) or not isinstance(p.get("text"), str) for p in params):
                errors["template"] = "every parameter needs a text"
    for kind in set(wanted) | set(given):
        if wanted.get(kind, 0) != given.get(kind, 0):
            errors["template"] = f"{kind} takes {wanted.get(kind, 0)} parameters, got {given.get(kind, 0)}"


def transform_sender(channel: str) -> Callable[[Request], Any]:
    async def send(request: Request) -> Response:
        sb = state(request)
        body = await json_body(request)
        errors: dict[str, str] = {}
        cid = require(body, errors, "conversation_id", int)
        kind = require(body, errors, "message_type", str)
        text = body.get("message_text", "")
        if not isinstance(text, str):
            errors["message_text"] = "must be a string"
        if errors:
            raise Fail(422, "Invalid message", errors)
        row = conversation_or_404(sb, cid)
        if row["channel"] != channel:
            raise Fail(
                422,
                "Wrong channel",
                {"conversation_id": f"conversation {cid} is on {row['channel']}, not {channel}"},
            )
        allowed = ("text", "note", *MEDIA_TYPES, *(("template",) if channel == "whatsapp" else ()))
        if kind not in allowed:
            raise Fail(422, "Invalid message", {"message_type": f"must be one of {', '.join(allowed)}"})
        conversation = model_of(sb, row)
        file_row = None
        if kind in ("text", "note"):
            if not text.strip():
                errors["message_text"] = "must not be empty"
            check_text_limit(channel, text, errors)
        elif kind == "template":
            check_template(sb, body, errors)
        else:
            file_row = check_media(sb, channel, cid, body, kind, errors)
            check_text_limit(channel, text, errors, caption=True)
        if errors:
            raise Fail(422, "Invalid message", errors)
        check_window(sb, channel, conversation, kind)
        return record(request, cid, kind, text, file_row, template=body.get("template"))

    return send


def record(
    request: Request,
    cid: int,
    kind: str,
    text: str,
    file_row: Any,
    *,
    template: Any = None,
    media_url: str | None = None,
) -> Response:
    sb = state(request)
    at = sb.clock()
    fields: dict[str, Any] = {
        "conversation_id": cid,
        "direction": "outbound",
        "message_type": kind,
        "message_text": text,
        "created_at": at,
        "status": None if kind == "note" else "sent",
        "sender_name": "Sandbox Agent",
        "template": template if kind == "template" else None,
    }
    if file_row is not None:
        fields.update(
            conversation_file_id=file_row["id"] if "id" in file_row.keys() else None,  # noqa: SIM118
            file_name=file_row["file_name"],
            file_type=file_row["file_type"],
            file_size=file_row["file_size"],
            media_url=media_url or media_url_of(request, file_row["s3_key"]),
        )
    message_id = sb.store.add_message(**fields)
    if kind != "note":
        sb.store.touch_conversation(
            cid, text or (file_row["file_name"] if file_row is not None else ""), at, inbound=False
        )
    return JSONResponse(sb.store.message(message_id), status_code=201)


async def send_sms(request: Request) -> Response:
    sb = state(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    cid = require(body, errors, "conversation_id", int)
    text = body.get("message_text", "")
    if not isinstance(text, str):
        errors["message_text"] = "must be a string"
    media_url = body.get("media_url")
    if errors:
        raise Fail(422, "Invalid message", errors)
    row = conversation_or_404(sb, cid)
    if row["channel"] != "sms":
        raise Fail(
            422, "Wrong channel", {"conversation_id": f"conversation {cid} is on {row['channel']}, not sms"}
        )
    check_text_limit("sms", text, errors)
    obj = None
    if media_url is not None:
        path = urlsplit(media_url).path if isinstance(media_url, str) else ""
        key = unquote(path.removeprefix("/media/")) if path.startswith("/media/") else None
        obj = sb.store.object(key) if key else None
        if obj is None:
            errors["media_url"] = "must be the public URL of an uploaded object"
    elif not text.strip():
        errors["message_text"] = "must not be empty without media_url"
    if errors:
        raise Fail(422, "Invalid message", errors)
    file_row = None
    if obj is not None:
        rule = CHANNELS["sms"].limits.media.get(category_of(obj["content_type"]))
        if rule is not None and obj["size"] > rule.max_bytes:
            raise Fail(413, f"MMS media is limited to {rule.max_bytes} bytes")
        file_row = {
            "file_name": obj["key"].rsplit("/", 1)[-1],
            "file_type": obj["content_type"],
            "file_size": obj["size"],
            "s3_key": obj["key"],
        }
    kind = category_of(obj["content_type"]) if obj is not None else "text"
    return record(request, cid, kind, text, file_row, media_url=media_url if obj is not None else None)


async def send_playground(request: Request) -> Response:
    sb = state(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    cid = require(body, errors, "conversation_id", int)
    org = require(body, errors, "organization_id", int)
    contact = require(body, errors, "contact_id", int)
    kind = require(body, errors, "message_type", str)
    text = body.get("message_text", "")
    if errors:
        raise Fail(422, "Invalid message", errors)
    row = conversation_or_404(sb, cid)
    if row["channel"] != "playground":
        raise Fail(
            422,
            "Wrong channel",
            {"conversation_id": f"conversation {cid} is on {row['channel']}, not playground"},
        )
    if org != row["organization_id"]:
        errors["organization_id"] = "does not match the conversation"
    if contact != row["contact_id"]:
        errors["contact_id"] = "does not match the conversation"
    if kind not in ("text", *MEDIA_TYPES):
        errors["message_type"] = "must be text, image, audio, video or file"
    file_row = None
    if kind == "text":
        if not isinstance(text, str) or not text.strip():
            errors["message_text"] = "must not be empty"
    elif kind in MEDIA_TYPES:
        file_row = check_media(sb, "playground", cid, body, kind, errors)
        if file_row is not None:
            for name in ("s3_key", "file_name", "file_type"):
                if body.get(name) != file_row[name]:
                    errors[name] = "does not match the conversation file"
    if isinstance(text, str):
        check_text_limit("playground", text, errors)
    if errors:
        raise Fail(422, "Invalid message", errors)
    return record(request, cid, kind, text, file_row)


# -- the app ---------------------------------------------------------------------------------------


async def simulate_inbound(sb: Sandbox, interval: tuple[float, float]) -> None:
    """Customers write now and then."""
    rnd = random.Random()
    while True:
        await asyncio.sleep(rnd.uniform(*interval))
        row = sb.store.one(
            "SELECT c.*, t.first_name, t.last_name FROM conversations c JOIN contacts t "
            "ON t.id = c.contact_id ORDER BY random() LIMIT 1"
        )
        if row is None:
            continue
        text = rnd.choice(INBOUND)
        at = sb.clock()
        sb.store.add_message(
            conversation_id=row["id"],
            direction="inbound",
            message_type="text",
            message_text=text,
            created_at=at,
            status="delivered",
            sender_name=f"{row['first_name']} {row['last_name']}",
        )
        sb.store.touch_conversation(row["id"], text, at, inbound=True)


def api(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """Authenticate, then run; a `Fail` becomes a Feathers error."""

    async def wrapped(request: Request) -> Response:
        try:
            authenticate(request)
            return await handler(request)
        except Fail as fail:
            return feathers(fail.code, fail.message, fail.errors, fail.data)

    return wrapped


async def not_found(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 404)
    return feathers(code, f"Page not found: {request.method} {request.url.path}" if code == 404 else str(exc))


async def server_error(request: Request, exc: Exception) -> Response:
    return feathers(500, f"Internal error: {type(exc).__name__}")


def create_app(
    data_dir: Path,
    *,
    clock: Callable[[], float] | None = None,
    simulate_inbound_every: tuple[float, float] | None = None,
    **options: Any,
) -> Starlette:
    """The ASGI app. `simulate_inbound_every=(low, high)` seconds makes customers write."""
    sb = Sandbox(data_dir, clock or time.time, options)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = (
            asyncio.create_task(simulate_inbound(sb, simulate_inbound_every))
            if simulate_inbound_every
            else None
        )
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    routes = [
        Route("/conversations", api(list_conversations), methods=["GET"]),
        Route("/conversations/{conversation_id}", api(get_conversation), methods=["GET"]),
        Route("/conversation-messages", api(list_messages), methods=["GET"]),
        Route("/message-templates", api(list_templates), methods=["GET"]),
        Route("/s3-url-signing", api(sign_upload), methods=["POST"]),
        Route("/conversation-files", api(create_file), methods=["POST"]),
        *[
            Route(
                f"/conversation-messages-transform-outgoing-{ch}", api(transform_sender(ch)), methods=["POST"]
            )
            for ch in TRANSFORM_CHANNELS
        ],
        Route("/conversation-messages-sms", api(send_sms), methods=["POST"]),
        Route("/conversation-messages-playground", api(send_playground), methods=["POST"]),
        Route("/_storage/{key:path}", put_object, methods=["PUT"]),
        Route("/media/{key:path}", get_media, methods=["GET", "HEAD"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: not_found, Exception: server_error},
    )
    app.state.sandbox = sb
    return app
