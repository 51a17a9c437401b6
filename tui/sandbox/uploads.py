"""Uploads: the signed storage URL, the storage PUT and public media GET (S3-style, no API key),
and the conversation file that registers an uploaded object."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from tui.core.files import category_of
from tui.sandbox import storage
from tui.sandbox.feathers import Fail, check_org, conversation_or_404, json_body, require
from tui.sandbox.state import state

MEDIA_TYPES = ("image", "audio", "video", "file")
#: The stored `conversation_id` of a file uploaded for no conversation (a team reply's): no
#: conversation has it, so no send can use the file as a conversation's.
NO_CONVERSATION = 0


def _conversation_id(body: dict[str, Any], errors: dict[str, str]) -> int | None:
    """The body's conversation, or None when it names none: a file for a team reply (contract:
    "Canned replies": a media reply is created with the same three upload steps)."""
    if body.get("conversation_id") is None:
        return None
    result: int | None = require(body, errors, "conversation_id", int)
    return result


def _reply_key(key: Any) -> bool:
    """Whether `key` names an object signed for no conversation (`sign_upload`)."""
    return isinstance(key, str) and key.split("/")[1:2] == ["predefined-messages"]


async def sign_upload(request: Request) -> Response:
    sb = state(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    name = require(body, errors, "file_name", str)
    mime = require(body, errors, "file_type", str)
    cid = _conversation_id(body, errors)
    org = require(body, errors, "organization_id", int)
    if name is not None and (not name.strip() or "/" in name):
        errors["file_name"] = "must be a plain file name"
    if errors:
        raise Fail(422, "Invalid upload request", errors)
    check_org(request, org)
    if cid is None:  # a file of no conversation: a team reply's (`predefined`)
        key = f"org-{org}/predefined-messages/{uuid.uuid4().hex}/{name}"
    else:
        conversation_or_404(request, cid)
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
    if "x-api-key" in request.headers or "authorization" in request.headers:  # a leak: say so
        return storage.s3_error(400, "InvalidArgument", "API credentials must never be sent to storage")
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
    cid = _conversation_id(body, errors)
    org = require(body, errors, "organization_id", int)
    name = require(body, errors, "file_name", str)
    mime = require(body, errors, "file_type", str)
    size = require(body, errors, "file_size", int)
    key = require(body, errors, "s3_key", str)
    path = require(body, errors, "s3_path", str)
    category = require(body, errors, "file_category", str)
    if category is not None and category not in MEDIA_TYPES:
        errors["file_category"] = "must be image, audio, video or file"
    if cid is None and "conversation_id" not in errors and not _reply_key(key):
        errors["conversation_id"] = "is required (only a team reply's file has none)"
    if errors:
        raise Fail(422, "Invalid conversation file", errors)
    check_org(request, org)
    if cid is not None:
        conversation_or_404(request, cid)
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
        (
            file_id,
            NO_CONVERSATION if cid is None else cid,
            org,
            name,
            mime,
            size,
            key,
            path,
            category,
            created,
        ),
    )
    document: dict[str, Any] = {
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
            if k in body
        },
        "createdAt": datetime.fromtimestamp(created, tz=UTC).isoformat(),
    }
    return JSONResponse(document, status_code=201)
