"""Failures as one sentence each: below HTTP (`transport_error`) and error answers (`api_error`).

Kept apart from the client so the mapping can be read, tested and reused (the app's hostile-input
tests build errors from canned answers) without a connection.
"""

from __future__ import annotations

import math
import socket
import ssl
from typing import Any, TypedDict
from urllib.parse import urlsplit

from tui.core.client_parse import UnreadableJson, load_json
from tui.core.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TooLargeError,
    TransportError,
)
from tui.core.http import httpx
from tui.core.text import one_line, redact
from tui.core.timefmt import human_seconds


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        chain.append(current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return chain


#: Methods that only read: a failed one changed nothing, so trying again is always safe.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_read(method: str) -> bool:
    return method.upper() in READ_METHODS


def _customer_visible(what: str) -> bool:
    """A message, note or template: what an unsure write must be checked for before sending again."""
    return what.startswith(("the message", "the note", "the template"))


def _after_unsure(method: str, what: str) -> str:
    """What to do after a request whose answer never came. Only a write that may have created
    something the customer sees needs checking; a read, or an upload step, is simply tried again."""
    if is_read(method) or (what and not _customer_visible(what)):
        return "try again."
    return "the request may still have been processed, so check before sending again."


def _where(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = parts.hostname or url
    try:
        port = parts.port
    except ValueError:
        port = None
    return host, (f"{host}:{port}" if port else host)


def transport_error(
    exc: httpx.TransportError, url: str, timeout: float, *, method: str, what: str = ""
) -> TransportError:
    """One sentence for a failure below HTTP, and whether trying again is provably harmless: the
    request never left, or it was a read."""
    host, where = _where(url)
    chain = _cause_chain(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return connect_deadline_error(url, timeout)
    if isinstance(exc, httpx.PoolTimeout):
        return TransportError("Too many requests were waiting for a connection; try again.", retry_safe=True)
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, ssl.SSLError) for e in chain):
            detail = next(
                (getattr(e, "reason", None) or str(e) for e in chain if isinstance(e, ssl.SSLError)), ""
            )
            return TransportError(
                f"The secure (TLS) connection to {host} failed ({one_line(str(detail), 80)}); check "
                "the URL and the server's certificate.",
                retry_safe=True,
            )
        if any(isinstance(e, socket.gaierror) for e in chain) or "Name or service not known" in str(exc):
            return TransportError(
                f"The host {host} cannot be found (DNS lookup failed); check base_url and the network.",
                retry_safe=True,
            )
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in str(exc).lower():
            return TransportError(
                f"Nothing is answering at {where} (connection refused); check that the server is "
                "running and base_url is right.",
                retry_safe=True,
            )
        return TransportError(
            f"Cannot connect to {where} ({one_line(str(exc), 80) or 'network error'}); check the network.",
            retry_safe=True,
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return TransportError(f"The URL {url!r} is not http or https; fix base_url.", retry_safe=True)
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return answer_deadline_error(url, timeout, method=method, what=what)
    return TransportError(
        f"The connection to {host} broke before an answer came; {_after_unsure(method, what)}",
        retry_safe=is_read(method),
    )


def connect_deadline_error(url: str, timeout: float) -> TransportError:
    """No connection within the time allowed: nothing was sent, so a retry is safe."""
    _, where = _where(url)
    return TransportError(
        f"Connecting to {where} timed out after {timeout:g} s; check the network and base_url.",
        retry_safe=True,
    )


def answer_deadline_error(url: str, timeout: float, *, method: str, what: str = "") -> TransportError:
    """The request went out and its whole answer did not come in time: a read may simply be tried
    again; a write may have been done, exactly as when the connection breaks."""
    host, _ = _where(url)
    return TransportError(
        f"{host} did not answer within {timeout:g} s; {_after_unsure(method, what)}",
        retry_safe=is_read(method),
    )


def masked(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value` (parsed JSON) with every secret masked in every string, dictionary keys included.
    Iterative, so no nesting depth can overflow the stack."""
    if not any(len(s) >= 4 for s in secrets):
        return value
    root: list[Any] = [value]
    # Each job: a copy to fill and the original it copies; strings are masked as they are met.
    jobs: list[tuple[Any, Any]] = [(root, [value])]
    while jobs:
        copy, original = jobs.pop()
        items = original.items() if isinstance(original, dict) else enumerate(original)
        for key, item in items:
            if isinstance(key, str):
                key = redact(key, *secrets)
            if isinstance(item, str):
                item = redact(item, *secrets)
            elif isinstance(item, dict | list):
                child: Any = {} if isinstance(item, dict) else [None] * len(item)
                jobs.append((child, item))
                item = child
            copy[key] = item
    return root[0]


#: A server's delay is believed up to a day: beyond that (or inf, NaN, a negative) it is noise.
MAX_RETRY_AFTER = 86400.0


def _retry_after(response: httpx.Response, data: Any) -> float | None:
    """The server's delay in seconds, from the Feathers body or the `Retry-After` header."""
    if isinstance(data, dict):
        value = data.get("retryAfter", data.get("retry_after"))
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value) if abs(value) < 1e300 else math.inf
            if 0 <= seconds <= MAX_RETRY_AFTER:  # False for NaN
                return seconds
    header = response.headers.get("retry-after", "").strip()
    if header.isascii() and header.isdigit() and len(header) <= 6 and int(header) <= MAX_RETRY_AFTER:
        return float(header)
    return None


class _Fields(TypedDict):
    """What every `ApiError` carries besides its sentence."""

    status: int
    name: str
    data: Any
    errors: dict[str, str]


def api_error(
    response: httpx.Response,
    body: bytes,
    *,
    what: str,
    secrets: tuple[str, ...],
    method: str | None = None,
) -> ApiError:
    """Map an error answer (Feathers JSON, HTML, text or nothing) to a typed error. `method`
    (when known) decides whether a server failure needs checking: only a write can have done
    something; without it, `what` decides (a message, note or template may have been stored)."""
    status = response.status_code
    parsed: Any = None
    ctype = response.headers.get("content-type", "")
    unreadable = ""
    try:
        parsed = load_json(body)
    except UnreadableJson as exc:
        parsed, unreadable = None, exc.shape  # described by its shape below
    # Masked once, here, in every part a caller can reach: keys, values and nested data alike.
    payload = masked(parsed, secrets) if isinstance(parsed, dict) else {}
    name = one_line(str(payload.get("name") or response.reason_phrase or ""), 80)
    server_msg = one_line(str(payload.get("message") or ""), 200)
    data = payload.get("data")
    raw_errors = payload.get("errors")
    errors = (
        {one_line(str(k), 60): one_line(str(v), 120) for k, v in raw_errors.items()}
        if isinstance(raw_errors, dict)
        else {}
    )
    said = f": {server_msg}" if server_msg else ""
    kw: _Fields = {"status": status, "name": name, "data": data, "errors": errors}
    after = _retry_after(response, data if payload else None)

    if not payload:
        if not body.strip():
            shape = "an empty answer"
        elif "html" in ctype or body.lstrip()[:1] == b"<":
            shape = "an HTML page"
        elif unreadable.startswith("JSON"):
            shape = unreadable
        else:
            shape = "plain text"
        if status in (401, 403):
            return AuthError(
                f"The server refused the credentials ({status}, {shape}); "
                "check the API key and auth setting.",
                **kw,
            )
        if status == 429:
            return RateLimitedError(f"The API rate limit is reached{_wait(after)}.", retry_after=after, **kw)
        if status == 503 and after is not None:
            return ServerError(_unavailable(f"503, {shape}", after), retry_after=after, **kw)
        if status >= 500:
            return ServerError(
                f"The server failed with {status} and {shape} instead of the API's JSON; "
                f"{_unsure_hint(what, method)}",
                retry_after=after,
                **kw,
            )
        return BadResponseError(
            f"The server answered {status} with {shape} instead of the API's JSON; check that base_url "
            "points at the AchieveApex API.",
            **kw,
        )

    if status == 401:
        return AuthError(
            f"The server refused the API key (401{said}); check the key and the auth setting.", **kw
        )
    if status == 403:
        return AuthError(
            f"The API key is not allowed to do this (403{said}); check organization_id and the key's rights.",
            **kw,
        )
    if status == 404:
        return NotFoundError(f"{what[:1].upper()}{what[1:]} was not found (404{said}); check the id.", **kw)
    if status == 409:
        return ConflictError(f"The server refused by channel policy (409{said}).", **kw)
    if status == 413:
        return TooLargeError(f"The server refused it as too large (413{said}); send a smaller file.", **kw)
    if status in (400, 422):
        if errors:
            fields = "; ".join(f"{k}: {v}" for k, v in list(errors.items())[:4])
            return InvalidRequestError(f"The server rejected {what} ({status}): {fields}.", **kw)
        return InvalidRequestError(f"The server rejected {what} ({status}{said}).", **kw)
    if status == 429:
        return RateLimitedError(f"The API rate limit is reached{_wait(after)}.", retry_after=after, **kw)
    if status == 503 and after is not None:
        return ServerError(_unavailable(f"503{said}", after), retry_after=after, **kw)
    if status >= 500:
        return ServerError(
            f"The server failed ({status}{said}); {_unsure_hint(what, method)}", retry_after=after, **kw
        )
    return ApiError(f"The server refused {what} ({status}{said}).", **kw)


def _wait(after: float | None) -> str:
    return f"; try again in {human_seconds(after)}" if after is not None else "; try again later"


def _unavailable(detail: str, after: float) -> str:
    """A 503 that names its delay turned the request away: nothing was done, so no check."""
    return (
        f"The server is unavailable for now ({detail}), so nothing was done; "
        f"try again in {human_seconds(after)}."
    )


def _unsure_hint(what: str, method: str | None) -> str:
    if (method is None or not is_read(method)) and _customer_visible(what):
        return "it may or may not have been stored, so check the conversation before sending again."
    return "try again in a moment."
