"""The fault injector: an ASGI middleware around the sandbox app that injects `Faults`, and the
uvicorn HTTP protocol that lets it reach each request's TCP connection.

How a drop works: the protocol subclass records each connection's transport under its peer
address (the same `(host, port)` uvicorn puts in the ASGI scope's `client`; proxy headers are off
while faults are on, so that is always the real peer). To drop, the middleware reads the request
body to its end, then calls `transport.abort()` (with `SO_LINGER` 0 first for a reset) and waits
until uvicorn has seen the connection go, so uvicorn neither writes nor logs anything. The client
gets end-of-stream (`drop_style="close"`: httpx `RemoteProtocolError`) or a TCP RST
(`drop_style="reset"`: httpx `ReadError`), never an HTTP answer. `drop_before` does this instead
of calling the app (nothing is stored); `drop_after` calls the app with its answer held back (the
message is stored, the client never learns it). The answer faults wrap `send` (`answers.py`), and
so do the media route's (`media_faults.py`), which may close a connection gracefully (`_close`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from tui.sandbox.answers import answer_send, request_key
from tui.sandbox.faults import Faults
from tui.sandbox.feathers import feathers_body
from tui.sandbox.media_faults import media_faulted, media_send

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

EVENTS_KEPT = 10_000
DISCONNECT_WAIT = 2.0

S3_CODES = {429: "SlowDown", 500: "InternalError", 501: "NotImplemented", 503: "SlowDown"}
RETRY_STATUSES = (429, 503)


# -- the connections -------------------------------------------------------------------------------


def _peer(transport: Any) -> tuple[str, int] | None:
    info = transport.get_extra_info("peername")
    if isinstance(info, list | tuple) and len(info) >= 2:
        return str(info[0]), int(info[1])
    return None


def protocol_class(connections: dict[tuple[str, int], Any]) -> type[asyncio.Protocol]:
    """uvicorn's own HTTP protocol, noting each connection's transport in `connections`."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class FaultableHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: Any) -> None:
            peer = _peer(transport)
            if peer is not None:
                connections[peer] = transport
            super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            peer = _peer(self.transport) if self.transport is not None else None
            if peer is not None and connections.get(peer) is self.transport:
                del connections[peer]
            super().connection_lost(exc)

    return FaultableHTTPProtocol


# -- the middleware --------------------------------------------------------------------------------


@dataclass
class _Window:
    """Admitted requests of the sliding rate-limit window (monotonic times)."""

    times: deque[float] = field(default_factory=deque)


class FaultInjector:
    """ASGI middleware injecting `faults` into the requests they apply to."""

    def __init__(self, app: ASGIApp, faults: Faults, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.connections: dict[tuple[str, int], Any] = {}
        self.protocol = protocol_class(self.connections)
        self._clock = clock
        self._lock = threading.Lock()
        self._stats: Counter[str] = Counter()
        self._events: deque[tuple[str, str, str]] = deque(maxlen=EVENTS_KEPT)
        self._closing = False
        self.set(faults)

    # -- control, from any thread --

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        """Replace the faults; the RNG restarts from their seed and the rate window empties."""
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)
            self._window = _Window()

    def close(self) -> None:
        """The sandbox stops: trickled answers send their rest at once."""
        self._closing = True

    def stats(self) -> dict[str, int]:
        """How many requests got each outcome: `requests` (subject to faults), `passed`,
        `delayed`, `rate_limited`, `fail_<code>`, `drop_before`, `drop_after`; and how many
        answers the answer faults changed: `trickled`, `hostile`, `odd_nested`, `odd_range`,
        `echoed_key`."""
        with self._lock:
            return dict(self._stats)

    def events(self) -> list[tuple[str, str, str]]:
        """`(method, path, outcome)` of the latest subject requests, oldest first."""
        with self._lock:
            return list(self._events)

    def _count(self, outcome: str) -> None:
        with self._lock:
            self._stats[outcome] += 1

    def _alive(self, scope: Scope) -> bool:
        """Whether the request's client is still connected and the sandbox not stopping."""
        client = scope.get("client")
        transport = self.connections.get((str(client[0]), int(client[1]))) if client else None
        return not self._closing and transport is not None and not transport.is_closing()

    def _note(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self._stats[outcome] += 1
            self._events.append((method, path, outcome))

    # -- per request --

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self._faults
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if media_faulted(faults, method, path):
            send = media_send(
                send,
                faults,
                alive=lambda: self._alive(scope),
                close=lambda: self._close(scope),
                note=self._count,
            )
        if not faults.applies(method, path):
            await self.app(scope, receive, send)
            return
        with self._lock:
            self._stats["requests"] += 1
        send = answer_send(
            send,
            faults,
            key=request_key(scope.get("headers", [])),
            alive=lambda: self._alive(scope),
            note=self._count,
            links_base=_media_base(scope) if path.startswith("/conversation-messages-") else None,
        )
        limited = self._admit(faults)
        if limited is not None:
            await _drain(receive)
            self._note(method, path, "rate_limited")
            await self._answer_rate_limit(scope, receive, send, faults, *limited)
            return
        low, high = faults.latency_ms  # type: ignore[misc]
        if high > 0:
            with self._lock:
                delay = self._rng.uniform(low, high) / 1000
                self._stats["delayed"] += 1
            await asyncio.sleep(delay)
        with self._lock:
            draw = self._rng.random()
            status = self._rng.choice(faults.fail_status)
        if draw < faults.drop_before:
            await _drain(receive)
            self._note(method, path, "drop_before")
            await self._drop(scope, receive, faults.drop_style)
        elif draw < faults.drop_before + faults.fail_rate:
            await _drain(receive)
            self._note(method, path, f"fail_{status}")
            await self._answer_failure(scope, receive, send, faults, status)
        elif draw < faults.drop_before + faults.fail_rate + faults.drop_after:
            await self._run_unheard(scope, receive)
            self._note(method, path, "drop_after")
            await self._drop(scope, receive, faults.drop_style)
        else:
            self._note(method, path, "passed")
            await self.app(scope, receive, send)

    def _admit(self, faults: Faults) -> tuple[int, int, int] | None:
        """None when the request fits the rate limit, else (limit, current, retry_after)."""
        if faults.rate_limit is None:
            return None
        limit, window = faults.rate_limit
        now = self._clock()
        with self._lock:
            times = self._window.times
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) < limit:
                times.append(now)
                return None
            return limit, len(times) + 1, max(1, math.ceil(times[0] + window - now))

    async def _run_unheard(self, scope: Scope, receive: Receive) -> None:
        """Run the app to its end (its effect happens), keeping its answer from the client."""

        async def swallow(message: Message) -> None:
            return None

        with contextlib.suppress(Exception):  # a 500 would not reach the client either
            await self.app(scope, receive, swallow)

    async def _close(self, scope: Scope) -> None:
        """Close the request's connection once what was sent has gone (a FIN), and wait until
        uvicorn has seen it go, so the unfinished answer is neither completed nor complained of."""
        client = scope.get("client")
        peer = (str(client[0]), int(client[1])) if client else ("", 0)
        transport = self.connections.get(peer)
        if transport is None:
            return
        transport.close()
        deadline = time.monotonic() + DISCONNECT_WAIT
        while self.connections.get(peer) is transport and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def _drop(self, scope: Scope, receive: Receive, style: str) -> None:
        client = scope.get("client")
        transport = self.connections.get((str(client[0]), int(client[1]))) if client else None
        if transport is None:  # the client has gone already: nothing left to drop
            return
        if style == "reset":
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        # Wait until uvicorn has seen the connection go, so it neither answers nor complains.
        deadline = time.monotonic() + DISCONNECT_WAIT
        while time.monotonic() < deadline:
            try:
                message = await asyncio.wait_for(receive(), DISCONNECT_WAIT)
            except TimeoutError:
                break
            if message["type"] == "http.disconnect":
                break

    async def _answer_rate_limit(
        self, scope: Scope, receive: Receive, send: Send, faults: Faults, limit: int, current: int, wait: int
    ) -> None:
        assert faults.rate_limit is not None
        window = faults.rate_limit[1]
        data = {"limit": limit, "current": current, "window": _number(window), "retryAfter": wait}
        body = _feathers(429, "Rate limit exceeded", data)
        await _respond(
            send, 429, body, "application/json", {"retry-after": str(wait), "x-sandbox-fault": "rate-limit"}
        )

    async def _answer_failure(
        self, scope: Scope, receive: Receive, send: Send, faults: Faults, status: int
    ) -> None:
        headers = {"x-sandbox-fault": f"fail-{status}"}
        wait = faults.retry_after
        if status in RETRY_STATUSES:
            headers["retry-after"] = str(math.ceil(wait))
        if scope["path"].startswith("/_storage/"):
            code = S3_CODES.get(status, "ServiceUnavailable" if status >= 500 else "InvalidRequest")
            text = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{code}</Code><Message>Injected by the sandbox ({status})</Message></Error>"
            )
            await _respond(send, status, text.encode(), "application/xml", headers)
            return
        data = {"retryAfter": _number(wait)} if status in RETRY_STATUSES else {}
        messages = {429: "Rate limit exceeded", 503: "Service unavailable, try again later"}
        message = messages.get(status, f"Injected failure ({status})")
        await _respond(send, status, _feathers(status, message, data), "application/json", headers)


# -- helpers ---------------------------------------------------------------------------------------


def _media_base(scope: Scope) -> str:
    """The public media URL's base as the request reached the sandbox (its Host header)."""
    headers = dict((k.lower(), v) for k, v in scope.get("headers", []))
    server = scope.get("server") or ("127.0.0.1", 80)
    host = headers.get(b"host", f"{server[0]}:{server[1]}".encode()).decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}/media"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _feathers(code: int, message: str, data: dict[str, Any]) -> bytes:
    body = feathers_body(code, message, data=data)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def _respond(send: Send, status: int, body: bytes, media_type: str, headers: dict[str, str]) -> None:
    raw: list[tuple[bytes, bytes]] = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _drain(receive: Receive) -> None:
    """Read the request body to its end (discarding it), as a server does before answering."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
