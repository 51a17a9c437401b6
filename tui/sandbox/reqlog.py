"""The request log, for tests of the client: every API request a sandbox served, in order.

Tests count requests against the contract's rate budget (1,000 an hour), so the log holds what
the client sent: `(method, path, query string)` of each HTTP request as it arrived, faulted ones
included (it sits outside the fault injector). The live transport (`/socket.io/`), the public
media URL (`/media/`) and the storage PUT (`/_storage/`) are not API requests and are left out.
In memory, in this process only, at most `KEPT` entries (the oldest go first).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["KEPT", "RequestLog"]

KEPT = 100_000
NOT_API = ("/socket.io/", "/media/", "/_storage/")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestLog:
    """ASGI middleware noting each API request before passing it on."""

    def __init__(self, app: ASGIApp, kept: int = KEPT) -> None:
        self.app = app
        self._entries: deque[tuple[str, str, str]] = deque(maxlen=kept)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path != "/socket.io" and not path.startswith(NOT_API):
                query = bytes(scope.get("query_string", b"")).decode("latin-1")
                with self._lock:
                    self._entries.append((scope["method"], path, query))
        await self.app(scope, receive, send)

    def entries(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
