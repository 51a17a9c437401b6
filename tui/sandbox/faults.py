"""Faults on demand: latency, failed requests, dropped connections and a rate limit.

`Faults` says what to inject; `FaultInjector` is an ASGI middleware around the sandbox app that
injects it, and `protocol_class()` is the uvicorn HTTP protocol that lets it reach the request's
TCP connection. Nothing here is installed unless faults are asked for, so without them the
sandbox answers byte for byte as before.

How a drop works: the protocol subclass records each connection's transport under its peer
address (the same `(host, port)` uvicorn puts in the ASGI scope's `client`; proxy headers are off
while faults are on, so that is always the real peer). To drop, the middleware reads the request
body to its end, then calls `transport.abort()` (with `SO_LINGER` 0 first for a reset) and waits
until uvicorn has seen the connection go, so uvicorn neither writes nor logs anything. The client
gets end-of-stream (`drop_style="close"`: httpx `RemoteProtocolError`) or a TCP RST
(`drop_style="reset"`: httpx `ReadError`), never an HTTP answer. `drop_before` does this instead
of calling the app (nothing is stored); `drop_after` calls the app with its answer held back (the
message is stored, the client never learns it).

Which outcome a request gets is one draw of a seeded `random.Random`: below `drop_before` it is
dropped before, then `fail_rate` fails it, then `drop_after` drops it after; the rest pass. So the
rates are shares of the requests faults apply to, and must add up to at most 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

from tui.sandbox.feathers import feathers_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_FAIL_STATUS = (500, 503, 429)
DROP_STYLES = ("close", "reset")
# Outside `paths`, faults spare the public media URL (a CDN, not the API).
SPARED_BY_DEFAULT = ("/media/*",)
EVENTS_KEPT = 10_000
DISCONNECT_WAIT = 2.0

S3_CODES = {429: "SlowDown", 500: "InternalError", 501: "NotImplemented", 503: "SlowDown"}
RETRY_STATUSES = (429, 503)

# The keyword options of `start_in_thread` that configure faults, and their `Faults` field.
OPTION_FIELDS = {
    "latency_ms": "latency_ms",
    "fail_rate": "fail_rate",
    "fail_status": "fail_status",
    "drop_before": "drop_before",
    "drop_after": "drop_after",
    "drop_style": "drop_style",
    "rate_limit": "rate_limit",
    "retry_after": "retry_after",
    "fault_methods": "methods",
    "fault_paths": "paths",
    "fault_seed": "seed",
}


# -- the configuration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Faults:
    """What to inject. Rates are shares in [0, 1]; latency is milliseconds, a fixed value or a
    `(low, high)` range; `rate_limit` is `(requests, window_seconds)`; `retry_after` is the
    seconds an injected 429 or 503 asks the client to wait. `methods` and `paths` (shell-style
    globs, `*` crosses `/`) restrict every fault, the rate limit included, to matching requests;
    by default all requests but the public media URL are subject."""

    latency_ms: float | tuple[float, float] = 0.0
    fail_rate: float = 0.0
    fail_status: tuple[int, ...] = DEFAULT_FAIL_STATUS
    drop_before: float = 0.0
    drop_after: float = 0.0
    drop_style: str = "close"
    rate_limit: tuple[int, float] | None = None
    retry_after: float = 1.0
    methods: frozenset[str] | None = None
    paths: tuple[str, ...] | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        latency = self.latency_ms
        low, high = (latency, latency) if isinstance(latency, int | float) else tuple(latency)
        if not (0 <= low <= high) or not math.isfinite(high):
            raise ValueError(f"latency must be 0 or more milliseconds, low before high (got {latency!r})")
        object.__setattr__(self, "latency_ms", (float(low), float(high)))
        for name in ("fail_rate", "drop_before", "drop_after"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1 (got {value!r})")
        if self.fail_rate + self.drop_before + self.drop_after > 1 + 1e-9:
            raise ValueError("fail_rate, drop_before and drop_after together must not exceed 1")
        codes = tuple(int(c) for c in self.fail_status)
        if not codes or any(not 400 <= c <= 599 for c in codes):
            raise ValueError(f"fail_status must be HTTP error codes 400-599 (got {self.fail_status!r})")
        object.__setattr__(self, "fail_status", codes)
        if self.drop_style not in DROP_STYLES:
            raise ValueError(f"drop_style must be close or reset (got {self.drop_style!r})")
        if self.rate_limit is not None:
            count, window = self.rate_limit
            if int(count) < 1 or not 0 < float(window) < math.inf:
                raise ValueError(
                    f"rate_limit must be (requests >= 1, window > 0 s) (got {self.rate_limit!r})"
                )
            object.__setattr__(self, "rate_limit", (int(count), float(window)))
        if not 0 <= self.retry_after < math.inf:
            raise ValueError(f"retry_after must be 0 or more seconds (got {self.retry_after!r})")
        if self.methods is not None:
            object.__setattr__(self, "methods", frozenset(m.strip().upper() for m in self.methods))
        if self.paths is not None:
            object.__setattr__(self, "paths", tuple(self.paths))

    def applies(self, method: str, path: str) -> bool:
        if self.methods is not None and method.upper() not in self.methods:
            return False
        if self.paths is not None:
            return any(fnmatchcase(path, p) for p in self.paths)
        return not any(fnmatchcase(path, p) for p in SPARED_BY_DEFAULT)

    def describe(self) -> str:
        """One line for `switchboard sandbox` to print."""
        parts = []
        low, high = self.latency_ms  # type: ignore[misc]
        if high:
            parts.append(f"latency {low:g} ms" if low == high else f"latency {low:g}-{high:g} ms")
        if self.fail_rate:
            codes = ",".join(map(str, self.fail_status))
            parts.append(f"fail {self.fail_rate:.0%} with {codes}")
        if self.drop_before:
            parts.append(f"drop {self.drop_before:.0%} before handling ({self.drop_style})")
        if self.drop_after:
            parts.append(f"drop {self.drop_after:.0%} after handling ({self.drop_style})")
        if self.rate_limit:
            parts.append(f"rate limit {self.rate_limit[0]} per {self.rate_limit[1]:g} s")
        if not parts:
            return "Faults: none yet"
        scope = []
        if self.methods is not None:
            scope.append(",".join(sorted(self.methods)))
        if self.paths is not None:
            scope.append(",".join(self.paths))
        where = f" on {' '.join(scope)}" if scope else ""
        seed = f" (seed {self.seed})" if self.seed is not None else ""
        return f"Faults{where}: {'; '.join(parts)}{seed}"


# -- parsing the command line's spelling -----------------------------------------------------------


def parse_share(text: str) -> float:
    """`0.33` or `33%`."""
    raw = text.strip()
    value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    if not 0 <= value <= 1:
        raise ValueError(f"{text!r} is not a share between 0 and 1 (or 0% and 100%)")
    return value


def parse_latency(text: str) -> float | tuple[float, float]:
    """`MS` or `LOW-HIGH` milliseconds."""
    low, sep, high = text.strip().partition("-")
    return (float(low), float(high)) if sep else float(low)


def parse_statuses(text: str) -> tuple[int, ...]:
    """`500,503,429`."""
    return tuple(int(part) for part in text.replace(" ", "").split(",") if part)


UNITS = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hour": 3600.0}


def parse_rate_limit(text: str) -> tuple[int, float]:
    """`N/WINDOW`: `5/1`, `5/1s`, `60/min`, `1000/h`, `1000/3600`."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*\.?\d*)\s*([a-z]*)\s*", text.lower())
    if not match or match[3] not in UNITS:
        raise ValueError(f"{text!r} is not N/WINDOW (e.g. 5/1s, 60/min, 1000/h)")
    window = (float(match[2]) if match[2] else 1.0) * UNITS[match[3]]
    return int(match[1]), window


def parse_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


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

    def stats(self) -> dict[str, int]:
        """How many requests got each outcome: `requests` (subject to faults), `passed`,
        `delayed`, `rate_limited`, `fail_<code>`, `drop_before`, `drop_after`."""
        with self._lock:
            return dict(self._stats)

    def events(self) -> list[tuple[str, str, str]]:
        """`(method, path, outcome)` of the latest subject requests, oldest first."""
        with self._lock:
            return list(self._events)

    def _note(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self._stats[outcome] += 1
            self._events.append((method, path, outcome))

    # -- per request --

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self._faults
        if scope["type"] != "http" or not faults.applies(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        with self._lock:
            self._stats["requests"] += 1
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

    def _admit(self, faults: Faults) -> tuple[int, int, float] | None:
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


def merge_options(base: Faults | None, options: MutableMapping[str, Any]) -> Faults | None:
    """`base` with the fault keyword options found in `options` (popped) applied; None when there
    are neither."""
    given = {OPTION_FIELDS[k]: options.pop(k) for k in list(options) if k in OPTION_FIELDS}
    changes = {k: v for k, v in given.items() if v is not None}
    if base is None and not given:
        return None
    return replace(base or Faults(), **changes)
