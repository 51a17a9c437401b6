"""One Socket.IO connection to the API (python-socketio's asyncio client over aiohttp), and why
one could not be opened.

python-socketio's own reconnection is off: it retries every failure alike, and the feed must
tell a server without Socket.IO (404: poll quietly, ask again rarely) and a refused key (say so
once) from a server that is down (retry soon). So each attempt is one `SocketConnection`, opened
once and closed for good; the feed decides when to make the next.

socketio and aiohttp are imported when a connection is opened, never when this module loads.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from contextlib import suppress
from enum import StrEnum
from typing import Any

from tui import __version__
from tui.core.config import ResolvedProfile

#: python-socketio logs to stderr by default, which would draw over the app's screen: its
#: loggers go here, silent unless the application configures logging.
QUIET = logging.getLogger("tui.core.live.socketio")
QUIET.addHandler(logging.NullHandler())

#: How long closing may take before the connection's tasks are cancelled outright.
CLOSE_SECONDS = 2.0

_STATUS = re.compile(r"status code (\d{3})")


class Failure(StrEnum):
    """Why a connection did not open."""

    NO_SOCKET = "no-socket"  # 404, or an answer at /socket.io/ that is not Engine.IO
    REFUSED = "refused"  # the key: a connect_error, or 401/403
    DOWN = "down"  # refused connection, network, a dropped handshake
    SERVER = "server"  # a 5xx (or 408, 429) at /socket.io/: a server or proxy in trouble
    TIMEOUT = "timeout"  # the whole connect took longer than the profile's timeout


def refusal_code(data: Any) -> int | None:
    """The Feathers error code a `connect_error` carries (`{"message": ..., "data": {"code":
    401, ...}}`, or the error itself), if any."""
    for candidate in (data.get("data"), data) if isinstance(data, dict) else ():
        code = candidate.get("code") if isinstance(candidate, dict) else None
        if isinstance(code, int) and not isinstance(code, bool):
            return code
        if isinstance(code, str) and code.strip().isdigit():
            return int(code.strip())
    return None


#: Words of a `connect_error` without a code that say the key or token was refused.
_REFUSAL_WORDS = ("key", "auth", "token", "credential", "forbidden", "unauthori", "refused", "401", "403")


def _refusal_text(data: Any) -> str:
    """What a `connect_error` says in words: its message (and Feathers' error name)."""
    if isinstance(data, str):
        return data.lower()
    if isinstance(data, dict):
        parts = [data.get("message"), data.get("name"), data.get("className")]
        inner = data.get("data")
        if isinstance(inner, dict):
            parts += [inner.get("message"), inner.get("name"), inner.get("className")]
        return " ".join(p for p in parts if isinstance(p, str)).lower()
    return ""


def classify(message: str, namespace_refused: bool, refusal: Any = None) -> Failure:
    """A failed connect's `ConnectionError` text as a `Failure` (python-socketio says the HTTP
    status only in its message, e.g. "Unexpected status code 404 in server response"). A
    `connect_error` (`refusal`, its data) is the key refused only when it says so: a 401 or 403
    code, or words about a key or authentication; an "Invalid namespace" is a server without our
    live service (polling); a 5xx, 408 or 429 code, or anything else, is a server in trouble,
    retried with backoff."""
    if namespace_refused:
        code = refusal_code(refusal)
        if code in (401, 403):
            return Failure.REFUSED
        if code is not None and (code >= 500 or code in (408, 429)):
            return Failure.SERVER
        words = _refusal_text(refusal)
        if "namespace" in words:
            return Failure.NO_SOCKET
        if any(w in words for w in _REFUSAL_WORDS):
            return Failure.REFUSED
        return Failure.SERVER
    found = _STATUS.search(message)
    if found:
        status = int(found.group(1))
        if status in (401, 403):
            return Failure.REFUSED
        if 400 <= status < 500 and status not in (408, 425, 429):
            return Failure.NO_SOCKET
        return Failure.SERVER
    if "OPEN packet" in message or "Unexpected response" in message:
        return Failure.NO_SOCKET
    return Failure.DOWN


def handshake_auth(profile: ResolvedProfile) -> dict[str, str]:
    """The key again in Socket.IO's `auth` object, for a server that reads it there (browsers
    cannot set headers on a websocket): `x-api-key`, or Feathers' `accessToken` for a bearer."""
    if profile.auth == "bearer":
        return {"accessToken": str(profile.api_key)}
    return {"x-api-key": str(profile.api_key)}


def _client_class() -> Any:
    """python-socketio's AsyncClient, dropping a packet it cannot decode instead of letting the
    error escape into a task nobody awaits (asyncio would print it over the screen)."""
    import socketio

    class _Client(socketio.AsyncClient):
        async def _handle_eio_message(self, data: Any) -> None:
            try:
                await super()._handle_eio_message(data)
            except Exception:  # untrusted bytes: a malformed packet is dropped, the connection kept
                self._binary_packet = None

    return _Client


class SocketConnection:
    """One attempt: `await open()` (None, or the `Failure`), then `await wait_closed()` until it
    drops, and `await close()` in every case (idempotent; leaves no session or task behind)."""

    def __init__(self, profile: ResolvedProfile, on_event: Callable[[str, tuple[Any, ...]], None]) -> None:
        self.profile = profile
        self._on_event = on_event
        self._http: Any = None
        self._sio: Any = None
        self._closed = asyncio.Event()
        self._refusal: Any = None

    async def open(self) -> Failure | None:
        import aiohttp
        import socketio

        timeout = self.profile.timeout_seconds
        # trust_env as httpx has it for REST: the same proxy settings reach the same server
        self._http = aiohttp.ClientSession(
            headers={"User-Agent": f"switchboard/{__version__}"}, trust_env=True
        )
        sio = self._sio = _client_class()(
            reconnection=False,
            handle_sigint=False,
            logger=QUIET,
            engineio_logger=QUIET,
            # past the connect's own deadline, so that a silent server is said as one (TIMEOUT)
            request_timeout=timeout + CLOSE_SECONDS,
            http_session=self._http,
        )
        sio.on("connect_error", self._connect_error)
        sio.on("disconnect", self._disconnect)
        sio.on("*", self._event)
        headers = self.profile.auth_headers()
        auth = handshake_auth(self.profile)
        try:
            async with asyncio.timeout(timeout):
                await sio.connect(self.profile.base_url, headers=headers, auth=auth, wait_timeout=timeout)
        except TimeoutError:
            return Failure.TIMEOUT
        except socketio.exceptions.ConnectionError as exc:
            return classify(str(exc), bool(sio.failed_namespaces), self._refusal)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, UnicodeError):
            return Failure.NO_SOCKET  # a 200 whose body is not Engine.IO's open packet
        except (OSError, aiohttp.ClientError):
            return Failure.DOWN
        except Exception:  # whatever else a library raises: the loop retries, it never dies
            QUIET.debug("live connect failed", exc_info=True)
            return Failure.DOWN
        return None

    async def wait_closed(self) -> None:
        """Until the server or the network ends the connection."""
        reader = getattr(getattr(self._sio, "eio", None), "read_loop_task", None)
        waits = [asyncio.ensure_future(self._closed.wait())]
        if reader is not None:
            waits.append(reader)
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waits[0].cancel()
            with suppress(asyncio.CancelledError):
                await waits[0]

    async def close(self) -> None:
        sio, self._sio = self._sio, None
        if sio is not None:
            with suppress(Exception):
                async with asyncio.timeout(CLOSE_SECONDS):
                    await sio.disconnect()
            eio = sio.eio
            tasks = [t for t in (eio.read_loop_task, eio.write_loop_task) if isinstance(t, asyncio.Task)]
            for task in tasks:
                if not task.done():
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        http, self._http = self._http, None
        if http is not None:
            await http.close()

    # -- python-socketio's handlers: never raise (they run in its tasks) --

    def _connect_error(self, *data: Any) -> None:
        """Said for every failed connect; only a namespace's refusal is read (`open`)."""
        self._refusal = data[0] if data else None

    def _disconnect(self, *reason: Any) -> None:
        self._closed.set()

    def _event(self, name: Any, *args: Any) -> None:
        with suppress(Exception):
            self._on_event(name, args)
