"""The send endpoints, one per channel family, each enforcing the channel's rules from the same
table the client uses: 422 bad fields, 413 too large, 409 outside the reply window. Each answers
the created message as its channel's message service serves it (`_id` or `id`: `ids`).

`reply_to_message_id` names the answered message as its service gives ids: an `_id` string on
WhatsApp, Instagram, Messenger and Webchat, a number (or a string of digits) on SMS and the
playground; anything that is not a message of the same conversation is a 400. The reply window is
checked on the stored conversation itself (its `last_inbound_message_at`, whatever the sandbox
serves), so `documented_fields_only` changes nothing here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.core.channels import CHANNELS, META_CHANNELS
from tui.core.files import category_of
from tui.core.textcount import measure
from tui.sandbox import live
from tui.sandbox.feathers import Fail, agent_of, conversation_or_404, json_body, require
from tui.sandbox.ids import OBJECT_ID_CHANNELS, is_object_id
from tui.sandbox.state import Sandbox, state
from tui.sandbox.template_checks import check_template
from tui.sandbox.uploads import MEDIA_TYPES


def media_url_of(request: Request, key: str) -> str:
    from tui.core.payloads import public_media_url

    return public_media_url(str(request.base_url) + "media", key)


def check_text_limit(channel: str, text: str, errors: dict[str, str], *, caption: bool = False) -> None:
    limits = CHANNELS[channel].limits
    cap = limits.caption_max if caption and limits.caption_max else None
    m = measure(text, limits, limit=cap)
    if m.over:
        errors["message_text"] = f"at most {m.limit} {m.unit} on {channel}, got {m.used}"


WINDOW_SECONDS = 24 * 3600.0


def check_window(sb: Sandbox, channel: str, row: Any, message_type: str) -> None:
    """409 for a customer-facing message on a Meta channel when 24 h or more have passed since the
    customer last wrote (or they never did); notes and templates are always allowed. A customer
    time ahead of the clock counts as now."""
    customer_facing = channel in META_CHANNELS and message_type not in ("note", "template")
    if not customer_facing or not CHANNELS[channel].reply_window:
        return
    last = row["last_inbound_message_at"]
    if last is None or max(sb.clock() - last, 0.0) >= WINDOW_SECONDS:
        raise Fail(409, f"The 24-hour customer service window is closed for conversation {row['id']}")


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


@dataclass(frozen=True)
class Send:
    """A send request past the checks every send endpoint makes first."""

    sb: Sandbox
    body: dict[str, Any]
    cid: int
    row: Any  # the conversation's row
    text: str
    fields: dict[str, Any]  # the endpoint's other required fields, by name
    errors: dict[str, str]  # for the endpoint's own checks, empty so far
    reply_to: int | None = None  # the message of this conversation it answers (its rowid)


async def preamble(request: Request, channel: str, **required: type) -> Send:
    """The checks every send makes first, in one order: a JSON object (400); `conversation_id`,
    the endpoint's `required` fields and a string `message_text` (422); the conversation (404);
    on this endpoint's channel (422)."""
    sb = state(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    cid = require(body, errors, "conversation_id", int)
    fields = {name: require(body, errors, name, kind) for name, kind in required.items()}
    text = body.get("message_text", "")
    if not isinstance(text, str):
        errors["message_text"] = "must be a string"
    if errors:
        raise Fail(422, "Invalid message", errors)
    row = conversation_or_404(request, cid)
    if row["channel"] != channel:
        raise Fail(
            422,
            "Wrong channel",
            {"conversation_id": f"conversation {cid} is on {row['channel']}, not {channel}"},
        )
    return Send(sb, body, cid, row, text, fields, {}, reply_to_of(sb, body, cid, channel))


def reply_to_of(sb: Sandbox, body: dict[str, Any], cid: int, channel: str) -> int | None:
    """`reply_to_message_id` (contract: "Reply to a message"), as the channel's service spells
    ids: the rowid of that message of this conversation, or 400."""
    value = body.get("reply_to_message_id")
    if value is None:
        return None
    found = None
    numeric = isinstance(value, int | str) and not isinstance(value, bool) and str(value).isdigit()
    if channel in OBJECT_ID_CHANNELS and is_object_id(value):
        found = sb.store.one("SELECT id FROM messages WHERE uid = ? AND conversation_id = ?", (value, cid))
    elif channel not in OBJECT_ID_CHANNELS and numeric and len(str(value)) <= 18:
        found = sb.store.one(
            "SELECT id FROM messages WHERE id = ? AND uid IS NULL AND conversation_id = ?", (int(value), cid)
        )
    if found is None:
        raise Fail(
            400,
            f"reply_to_message_id {str(value)[:40]!r} names no message of conversation {cid}",
            {"reply_to_message_id": "no such message in this conversation"},
        )
    return int(found["id"])


def transform_sender(channel: str) -> Callable[[Request], Any]:
    async def send(request: Request) -> Response:
        req = await preamble(request, channel, message_type=str)
        sb, body, cid, text, errors = req.sb, req.body, req.cid, req.text, req.errors
        kind = req.fields["message_type"]
        allowed = ("text", "note", *MEDIA_TYPES, *(("template",) if channel == "whatsapp" else ()))
        if kind not in allowed:
            raise Fail(422, "Invalid message", {"message_type": f"must be one of {', '.join(allowed)}"})
        file_row = stored = None
        if kind in ("text", "note"):
            if not text.strip():
                errors["message_text"] = "must not be empty"
            check_text_limit(channel, text, errors)
        elif kind == "template":
            stored = check_template(sb, body, errors)
        else:
            file_row = check_media(sb, channel, cid, body, kind, errors)
            check_text_limit(channel, text, errors, caption=True)
        if errors:
            raise Fail(422, "Invalid message", errors)
        check_window(sb, channel, req.row, kind)
        return record(request, cid, kind, text, file_row, template=stored, reply_to=req.reply_to)

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
    reply_to: int | None = None,
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
        "sender_name": agent_of(request).name,
        "template": template if kind == "template" else None,
        "reply_to_message_id": reply_to,
    }
    if file_row is not None:
        fields.update(
            conversation_file_id=file_row["id"] if "id" in file_row.keys() else None,  # noqa: SIM118
            file_name=file_row["file_name"],
            file_type=file_row["file_type"],
            file_size=file_row["file_size"],
            media_url=media_url or media_url_of(request, file_row["s3_key"]),
        )
    preview = text or (file_row["file_name"] if file_row is not None else "")
    message_id = sb.store.add_message(touch=None if kind == "note" else (preview, False), **fields)
    live.message_added(sb, message_id)
    return JSONResponse(sb.store.message(message_id), status_code=201)


async def send_sms(request: Request) -> Response:
    req = await preamble(request, "sms")
    sb, cid, text, errors = req.sb, req.cid, req.text, req.errors
    media_url = req.body.get("media_url")
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
        category: Any = category_of(obj["content_type"])  # a str; the table's keys are narrower
        rule = CHANNELS["sms"].limits.media.get(category)
        if rule is not None and obj["size"] > rule.max_bytes:
            raise Fail(413, f"MMS media is limited to {rule.max_bytes} bytes")
        file_row = {
            "file_name": obj["key"].rsplit("/", 1)[-1],
            "file_type": obj["content_type"],
            "file_size": obj["size"],
            "s3_key": obj["key"],
        }
    kind = category_of(obj["content_type"]) if obj is not None else "text"
    media = media_url if obj is not None else None
    return record(request, cid, kind, text, file_row, media_url=media, reply_to=req.reply_to)


async def send_playground(request: Request) -> Response:
    req = await preamble(request, "playground", organization_id=int, contact_id=int, message_type=str)
    sb, body, cid, row, text, errors = req.sb, req.body, req.cid, req.row, req.text, req.errors
    kind = req.fields["message_type"]
    if req.fields["organization_id"] != row["organization_id"]:
        errors["organization_id"] = "does not match the conversation"
    if req.fields["contact_id"] != row["contact_id"]:
        errors["contact_id"] = "does not match the conversation"
    if kind not in ("text", *MEDIA_TYPES):
        errors["message_type"] = "must be text, image, audio, video or file"
    file_row = None
    if kind == "text":
        if not text.strip():
            errors["message_text"] = "must not be empty"
    elif kind in MEDIA_TYPES:
        file_row = check_media(sb, "playground", cid, body, kind, errors)
        if file_row is not None:
            for name in ("s3_key", "file_name", "file_type"):
                if body.get(name) != file_row[name]:
                    errors[name] = "does not match the conversation file"
    check_text_limit("playground", text, errors)
    if errors:
        raise Fail(422, "Invalid message", errors)
    return record(request, cid, kind, text, file_row, reply_to=req.reply_to)
