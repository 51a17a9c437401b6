"""The sandbox's Socket.IO server (python-socketio's ASGI server; Engine.IO 4, websocket and
long-polling), loaded on first use by `live` so that its imports never delay the first answer.

The handshake authenticates as REST does: the `x-api-key` header, or `Authorization: Bearer`
(a key, or a login's token: `tokens`); browsers cannot set headers on a websocket, so the
Socket.IO `auth` object may carry the key instead (`{"x-api-key": KEY}`, `{"Authorization":
"Bearer KEY"}`, `{"token": KEY}` or Feathers' `{"accessToken": KEY}`). A missing or unknown
key is refused: the client's `connect_error` carries `{"message": ..., "data": {"name":
"NotAuthenticated", "code": 401, ...}}`. Each connection joins its organization's room and
hears only that organization's events.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import socketio

from tui.sandbox.feathers import feathers_body
from tui.sandbox.tokens import refusal

if TYPE_CHECKING:
    from tui.sandbox.agents import Agent
    from tui.sandbox.live import Bus
    from tui.sandbox.state import Sandbox

#: Engine.IO's heartbeat: a client that stops answering pings is dropped after
#: PING_INTERVAL + PING_TIMEOUT seconds, and learns as soon that a frozen server is gone.
PING_INTERVAL = 10.0
PING_TIMEOUT = 10.0
#: The keys of the `auth` object that may carry the API key (any case), in the order they are read;
#: a value may say `Bearer KEY`.
AUTH_FIELDS = ("x-api-key", "authorization", "token", "accesstoken")


def room_of(organization_id: int) -> str:
    return f"organization:{organization_id}"


def key_of(environ: dict[str, Any], auth: Any) -> str | None:
    """The API key of a handshake: a header as for REST, else the `auth` object."""
    given = environ.get("HTTP_X_API_KEY")
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not given and header.lower().startswith("bearer "):
        given = header[7:].strip()
    if not given and isinstance(auth, dict):
        fields = {str(k).lower(): v for k, v in auth.items()}
        for name in AUTH_FIELDS:
            value = fields.get(name)
            if isinstance(value, str) and value.strip():
                given = value.strip()
                if given.lower().startswith("bearer "):
                    given = given[7:].strip()
                break
    return given or None


def refused(code: int, message: str) -> socketio.exceptions.ConnectionRefusedError:
    """A refusal whose `connect_error` data is a Feathers error, as REST answers it."""
    error = feathers_body(code, message)
    data = {k: error[k] for k in ("name", "code", "className")}
    return socketio.exceptions.ConnectionRefusedError(message, data)


class LiveServer:
    """The Socket.IO server of one sandbox and the task that feeds it the bus's events.

    Options (the sandbox's): `ping_seconds` sets Engine.IO's ping interval and timeout alike (a
    client that does not answer within twice that is dropped); `live_drop_after` (seconds) ends
    every connection that long after it opened, as a flaky proxy would."""

    def __init__(self, bus: Bus, sandbox: Sandbox) -> None:
        self.bus = bus
        self.sandbox = sandbox
        ping = sandbox.options.get("ping_seconds")
        drop = sandbox.options.get("live_drop_after")
        self.drop_after = float(drop) if drop else None
        self._drops: set[asyncio.Task[None]] = set()
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            ping_interval=float(ping) if ping else PING_INTERVAL,
            ping_timeout=float(ping) if ping else PING_TIMEOUT,
            logger=False,
            engineio_logger=False,
        )
        self.asgi = socketio.ASGIApp(self.sio, socketio_path="socket.io")
        self.organizations: dict[str, int] = {}  # sid -> organization
        self.eio_sids: dict[str, str] = {}  # sid -> its Engine.IO session
        self.sio.on("connect", self.connect)
        self.sio.on("disconnect", self.disconnect)
        self.pump = asyncio.create_task(bus.pump(self.emit), name="switchboard-sandbox-live")

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if self.bus.closing:
            raise refused(503, "The sandbox is stopping; connect again in a moment")
        key = key_of(environ, auth)
        if key is None:
            raise refused(401, "No API key: send it in the x-api-key header, as a Bearer token or in auth")
        agent: Agent | None = self.sandbox.agent_by_key(key)
        if agent is None:
            raise refused(401, refusal(self.sandbox, key))
        await self.sio.enter_room(sid, room_of(agent.organization_id))
        self.organizations[sid] = agent.organization_id
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
        if eio_sid is not None:
            self.eio_sids[sid] = eio_sid
        self.bus.joined(agent.organization_id)
        if self.drop_after is not None:
            task = asyncio.create_task(self._drop_later(sid, self.drop_after))
            self._drops.add(task)
            task.add_done_callback(self._drops.discard)

    async def _drop_later(self, sid: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        with contextlib.suppress(Exception):  # gone already
            await self.sio.disconnect(sid)

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        self._end_poll(self.eio_sids.pop(sid, None))
        organization_id = self.organizations.pop(sid, None)
        if organization_id is not None:
            self.bus.left(organization_id)

    def _end_poll(self, eio_sid: str | None) -> None:
        """A polling client that said goodbye gets its waiting long-poll answered now, as Node's
        Engine.IO does; python-engineio would hold it until the next ping (the client's
        `disconnect()` waits for it)."""
        sock = self.sio.eio.sockets.get(eio_sid) if eio_sid is not None else None
        if sock is not None and not sock.upgraded:
            sock.queue.put_nowait(None)

    async def emit(self, event: str, data: dict[str, Any], organization_id: int) -> None:
        await self.sio.emit(event, data, room=room_of(organization_id))

    async def close(self) -> None:
        """Stop feeding events and the server's own background tasks."""
        self.pump.cancel()
        for task in list(self._drops):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.pump
        await self.sio.shutdown()
