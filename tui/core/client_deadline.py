"""An overall deadline per request: connecting plus the whole answer.

httpx's timeouts are per operation: a server that sends one byte a second never trips a read
timeout, so a command, a worker or a send could wait forever. Every request therefore runs under
one deadline (`profile.timeout_seconds`), and what it means when it passes depends on how far the
request got, which httpcore reports through its `trace` extension: before the request's first
byte went out nothing was sent (any retry is safe); after it, a write may have been done.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

#: The slowest upload rate a PUT to storage is given time for, on top of its fixed allowance.
STORAGE_MIN_RATE = 64 * 1024  # bytes per second
#: A PUT's fixed allowance, in multiples of the profile's timeout (connect, sign check, answer).
STORAGE_TIMEOUTS = 4


def deadline_seconds(timeout: float) -> float | None:
    """The deadline for one API request: the profile's timeout (None when it is unbounded)."""
    return timeout if math.isfinite(timeout) and timeout > 0 else None


def storage_deadline(timeout: float, size: int) -> float | None:
    """A PUT of `size` bytes to storage: 4 x timeout, plus the time `size` takes at 64 KiB/s.
    (A 16 MB video with the default 30 s: 120 s + 256 s.) Bounded, yet no slow line is cut."""
    base = deadline_seconds(timeout)
    return None if base is None else base * STORAGE_TIMEOUTS + max(size, 0) / STORAGE_MIN_RATE


class Progress:
    """How far one request got, from httpcore's trace events (pass `trace` as the request's
    `trace` extension). A transport that reports nothing (a mock, a custom one) is assumed to
    have sent the request: the safe assumption for a write."""

    def __init__(self) -> None:
        self.traced = False
        self.sending = False
        #: A new TCP connection was made for this request (else a pooled one was reused).
        self.connected = False
        #: Any of the answer arrived (its status line and headers began to be read and did).
        self.answered = False
        # A TCP stream whose TLS handshake has not finished: httpcore closes it when the
        # handshake fails, but not when the handshake is cancelled (our deadline), so we do.
        self._handshaking: Any = None

    async def trace(self, name: str, info: dict[str, Any]) -> None:
        self.traced = True
        if name.endswith("connect_tcp.complete"):
            self.connected = True
            self._handshaking = info.get("return_value")
        elif name.endswith("start_tls.complete"):
            self._handshaking = None  # the connection owns it now
        elif name.endswith(("send_request_headers.started", "send_request_body.started")):
            self._handshaking = None
            self.sending = True
        elif name.endswith("receive_response_headers.complete"):
            self.answered = True

    @property
    def may_have_left(self) -> bool:
        return self.sending or not self.traced

    def stale(self, exc: BaseException, method: str) -> bool:
        """The failure is a pooled keep-alive connection the server had just closed, and trying
        once more on a new one cannot do anything twice: a reused connection (traced), no byte
        of an answer, and either a read (GET, HEAD) or a write the server cannot have taken
        whole (it failed while the request was still being written)."""
        import httpx

        if not self.traced or self.connected or self.answered:
            return False
        if isinstance(exc, httpx.WriteError):
            return True
        idempotent = method.upper() in ("GET", "HEAD")
        return idempotent and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError)

    async def abandon(self) -> None:
        """After the deadline: close a connection left half-made, so no socket leaks."""
        stream, self._handshaking = self._handshaking, None
        close = getattr(stream, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()
