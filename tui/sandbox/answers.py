"""The answer faults: an ASGI `send` that rewrites JSON answers (hostile, odd, key-echoing, hostile
file links) and trickles bodies, as `tui.sandbox.faults` describes. The request's own handling is
untouched."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote, urlsplit

from tui.sandbox.faults import (
    FAR_DATE,
    HOSTILE_PREFIX,
    HOSTILE_SUFFIX,
    HUGE_TIME,
    LINK_USERINFO,
    NESTED_DEPTH,
    Faults,
)

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

HOSTILE_FIELDS = frozenset(
    {"first_name", "last_name", "sender_name", "name", "file_name", "status", "message"}
)
TRICKLE_TICK = 0.1  # seconds between the pieces of a trickled body, at rates of 10 bytes/s and up


def request_key(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The API key the request carried (x-api-key, else a Bearer token), if any."""
    found = dict((k.lower(), v) for k, v in headers)
    if found.get(b"x-api-key"):
        return found[b"x-api-key"].decode("latin-1")
    auth = found.get(b"authorization", b"").decode("latin-1")
    return auth[7:].strip() or None if auth.lower().startswith("bearer ") else None


def hostile(value: Any) -> str:
    return f"{HOSTILE_PREFIX}{value}{HOSTILE_SUFFIX}"


def _make_hostile(node: Any) -> Any:
    if isinstance(node, list):
        return [_make_hostile(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in HOSTILE_FIELDS and isinstance(value, str):
            out[key] = hostile(value)
        elif key == "errors" and isinstance(value, dict):
            out[key] = {k: hostile(v) if isinstance(v, str) else v for k, v in value.items()}
        else:
            out[key] = _make_hostile(value)
    return out


def _out_of_range(node: Any, turn: list[int]) -> Any:
    """Every timestamp field in document order: 1e300, then year 9999, then 1e300..."""
    if isinstance(node, list):
        return [_out_of_range(item, turn) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.endswith("_at") or key == "createdAt":
            out[key] = HUGE_TIME if turn[0] % 2 == 0 else FAR_DATE
            turn[0] += 1
        else:
            out[key] = _out_of_range(value, turn)
    return out


def hostile_links(node: Any, style: str, media_base: str) -> Any:
    """Each object with a file link (`media_url` or `s3_key`), its link made hostile: `userinfo`,
    `media_url` (built from `media_base` and `s3_key` when absent) carries `LINK_USERINFO@`;
    `dots`, `s3_key` gains `..` segments and `media_url` goes, so the key is what a client uses."""
    if isinstance(node, list):
        return [hostile_links(item, style, media_base) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: hostile_links(v, style, media_base) for k, v in node.items()}
    url, key = out.get("media_url"), out.get("s3_key")
    if style == "userinfo":
        if not isinstance(url, str) or not url:
            url = f"{media_base}/{quote(key)}" if isinstance(key, str) and key else None
        if url is not None:
            parts = urlsplit(url)
            out["media_url"] = parts._replace(netloc=f"{LINK_USERINFO}@{parts.netloc}").geturl()
    elif isinstance(key, str) and key:
        head, _, rest = key.partition("/")
        out["s3_key"] = f"{head}/../../{rest}" if rest else f"../../{head}"
        out["media_url"] = None
    return out


def rewrite(
    body: bytes, status: int, faults: Faults, key: str | None, links_base: str | None = None
) -> tuple[bytes, list[str]]:
    """A JSON answer with the answer faults applied, and which of them changed it; file links
    only where `links_base` (the media base URL) is given."""
    try:
        doc = json.loads(body)
    except ValueError:
        return body, []
    done = []
    if faults.echo_key_errors and key and 400 <= status < 500 and isinstance(doc, dict):
        errors: dict[str, Any] = doc["errors"] if isinstance(doc.get("errors"), dict) else {}
        data: dict[str, Any] = doc["data"] if isinstance(doc.get("data"), dict) else {}
        echo = {"request": {"headers": {"x-api-key": key}}}
        errors = {**errors, f"key={key}": "echoes the API key"}
        doc = {**doc, "errors": errors, "data": {**data, "echo": echo}}
        done.append("echoed_key")
    if faults.media_links is not None and links_base is not None:
        doc = hostile_links(doc, faults.media_links, links_base)
        done.append("media_links")
    if faults.hostile_ids:
        if status == 201 and isinstance(doc, dict):  # a created record's id, `_id` or `id`
            doc = {**doc, **{k: hostile(doc[k]) for k in ("_id", "id") if k in doc}}
        doc = _make_hostile(doc)
        done.append("hostile")
    if faults.odd_bodies == "range":
        doc = _out_of_range(doc, [0])
        done.append("odd_range")
    nested = "[" * NESTED_DEPTH + "]" * NESTED_DEPTH
    if faults.odd_bodies == "nested":
        done.append("odd_nested")
        if isinstance(doc, dict):
            rest = {k: v for k, v in doc.items() if k != "nested"}
            text = json.dumps({**rest, "nested": None}, ensure_ascii=False, separators=(",", ":"))
            return (text[: -len("null}")] + nested + "}").encode(), done
        return nested.encode(), done
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), done


def answer_send(
    send: Send,
    faults: Faults,
    *,
    key: str | None,
    alive: Callable[[], bool],
    note: Callable[[str], None],
    links_base: str | None = None,
) -> Send:
    """`send`, with the answer faults of `faults` applied to what the app answers (file links
    made hostile only where `links_base` is given: message answers)."""
    rate = faults.trickle_bytes_per_s
    rewrites = faults.rewrites_answers or (faults.media_links is not None and links_base is not None)
    if rate is None and not rewrites:
        return send

    async def out(message: Message) -> None:
        if rate is not None and message["type"] == "http.response.body":
            await trickle(send, message, rate, alive)
        else:
            await send(message)

    if not rewrites:
        trickled = False

        async def trickling(message: Message) -> None:
            nonlocal trickled
            if not trickled and message["type"] == "http.response.start":
                trickled = True
                note("trickled")
            await out(message)

        return trickling

    start: Message | None = None
    chunks: list[bytes] = []

    async def rewriting(message: Message) -> None:
        nonlocal start
        kind = message["type"]
        if kind == "http.response.start":
            types = [v for k, v in message.get("headers", []) if k.lower() == b"content-type"]
            if not types or b"json" not in types[0]:
                if rate is not None:
                    note("trickled")
                await out(message)  # not JSON (media, S3 XML): as it is
                return
            start = message
            return
        if kind != "http.response.body" or start is None:
            await out(message)
            return
        chunks.append(bytes(message.get("body", b"")))
        if message.get("more_body", False):
            return
        body, done = rewrite(b"".join(chunks), int(start["status"]), faults, key, links_base)
        for outcome in (*done, *(["trickled"] if rate is not None else [])):
            note(outcome)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await out({**start, "headers": headers})
        await out({"type": "http.response.body", "body": body, "more_body": False})

    return rewriting


async def trickle(send: Send, message: Message, rate: float, alive: Callable[[], bool]) -> None:
    """Send one body message a few bytes at a time, about `rate` bytes per second."""
    body = bytes(message.get("body", b""))
    more = bool(message.get("more_body", False))
    step = max(1, int(rate * TRICKLE_TICK))
    pause = step / rate
    for at in range(0, len(body), step):
        if not alive():  # the client has gone, or the sandbox stops: the rest at once
            await send({"type": "http.response.body", "body": body[at:], "more_body": more})
            return
        await send({"type": "http.response.body", "body": body[at : at + step], "more_body": True})
        await asyncio.sleep(pause)
    await send({"type": "http.response.body", "body": b"", "more_body": more})
