"""Live updates: the sandbox's event bus, from the places that write to its Socket.IO clients.

The write sites (sends, notes, reactions, deletions, simulated customers, patches, the delivery
progression) call `message_added`, `message_changed` or `conversation_changed` once the store
holds the change. Each builds the whole document as the REST API reads it back and publishes it
to the organization's room as the contract's "Live updates" names it:
`conversation-messages-{channel} created` / `patched` (the channel of the message's
conversation) and `conversations patched` (as REST serves it: without the [ours] fields when the
sandbox serves documented fields only). Nobody connected in that organization: nothing is read
or built (the whole cost is a dictionary look-up).

The Socket.IO server itself (`live_server`, python-socketio and aiohttp: ~120 ms of imports)
loads on the first request under `/socket.io/` or with the sandbox's warm-up after its first
answer (`lazy`), never before the first list is served. `LiveMiddleware` routes to it.

Writes made by another process on the same SQLite file (the CLI's own sandbox, a second
`switchboard sandbox`) are found by `watch` and published through the same functions, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import threading
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from tui.sandbox.delivery import Progression
from tui.sandbox.feathers import feathers_body

if TYPE_CHECKING:
    from tui.sandbox.state import Sandbox

__all__ = [
    "CONVERSATION_PATCHED",
    "Bus",
    "LazyWebSockets",
    "LiveMiddleware",
    "attach",
    "bus_of",
    "conversation_changed",
    "detach",
    "message_added",
    "message_changed",
    "message_event",
    "publish_conversation",
    "publish_message",
    "stop",
]

CONVERSATION_PATCHED = "conversations patched"
#: Where Socket.IO is served (Engine.IO's path, as clients default to it).
PATH = "/socket.io"
SERVER_MODULE = "tui.sandbox.live_server"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Emit = Callable[[str, dict[str, Any], int], Awaitable[None]]


class Bus:
    """One sandbox's events on their way to its clients, in the order they were written.

    `publish` may be called from any thread (tests and the CLI write from theirs); the events
    reach `pump` on the sandbox's event loop through one queue, so a client sees a message's
    `created` before its conversation's `patched` and before its status moves."""

    def __init__(self) -> None:
        self.listeners: Counter[int] = Counter()  # connected clients per organization
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closing = False
        self.progression: Progression | None = None
        self.server: Any = None  # the `live_server.LiveServer`, once loaded
        self.polls: set[asyncio.Task[Any]] = set()  # Socket.IO requests being answered
        #: Called when the first client connects (`watch` starts from there), on the loop.
        self.on_first_listener: Callable[[], None] | None = None
        self._queue: asyncio.Queue[tuple[str, dict[str, Any], int]] | None = None
        self._loading: asyncio.Lock | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop that serves the sandbox (its lifespan's); a server of an earlier one
        is forgotten with its clients."""
        self.loop = loop
        self.closing = False
        self.server = None
        self.listeners.clear()
        self._queue = asyncio.Queue()
        self._loading = asyncio.Lock()

    def listening(self, organization_id: int) -> bool:
        return self.listeners[organization_id] > 0

    def joined(self, organization_id: int) -> None:
        """A client of `organization_id` connected (from the Socket.IO server)."""
        if not any(n > 0 for n in self.listeners.values()) and self.on_first_listener is not None:
            self.on_first_listener()
        self.listeners[organization_id] += 1

    def left(self, organization_id: int) -> None:
        self.listeners[organization_id] -= 1
        if self.listeners[organization_id] <= 0:
            del self.listeners[organization_id]

    def publish(self, event: str, data: dict[str, Any], organization_id: int) -> None:
        """Queue `event` with `data` for the organization's clients; from any thread."""
        loop, queue = self.loop, self._queue
        if loop is None or queue is None or loop.is_closed():
            return
        item = (event, data, organization_id)
        if _running_loop() is loop:
            queue.put_nowait(item)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody to tell
                loop.call_soon_threadsafe(queue.put_nowait, item)

    async def pump(self, emit: Emit) -> None:
        """Hand every queued event to `emit`, one at a time, until cancelled."""
        assert self._queue is not None
        while True:
            event, data, organization_id = await self._queue.get()
            await emit(event, data, organization_id)

    async def server_for(self, sandbox: Sandbox) -> Any:
        """The Socket.IO server, imported off the event loop the first time (other requests
        are served meanwhile); once, however many clients arrive together."""
        if self.server is None:
            assert self._loading is not None
            async with self._loading:
                if self.server is None:
                    module = await asyncio.to_thread(importlib.import_module, SERVER_MODULE)
                    self.server = module.LiveServer(self, sandbox)
        return self.server

    def stop(self) -> None:
        """The sandbox is stopping (from any thread): refuse new Socket.IO requests and end the
        long-polls under way, so that the server stops at once and their clients reconnect, as
        after a crash, instead of hearing a goodbye that would keep them away."""
        self.closing = True
        loop = self.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._end_polls)

    def _end_polls(self) -> None:
        for task in list(self.polls):
            task.cancel()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_BUSES: weakref.WeakKeyDictionary[Sandbox, Bus] = weakref.WeakKeyDictionary()
_BUSES_LOCK = threading.Lock()


def bus_of(sandbox: Sandbox) -> Bus:
    """The sandbox's bus (made on first use)."""
    with _BUSES_LOCK:
        bus = _BUSES.get(sandbox)
        if bus is None:
            bus = _BUSES[sandbox] = Bus()
        return bus


# -- the app's lifespan -----------------------------------------------------------------------------


def attach(sandbox: Sandbox, options: dict[str, Any]) -> None:
    """From the app's lifespan, on its event loop: bind the bus to it and start the delivery
    progression the options ask for (`delivery.OPTIONS`)."""
    bus = bus_of(sandbox)
    loop = asyncio.get_running_loop()
    bus.bind(loop)
    bus.progression = Progression(sandbox, options, loop, lambda mid: message_changed(sandbox, mid))


async def detach(sandbox: Sandbox) -> None:
    """At the end of the lifespan: no more timers, no more pumping."""
    bus = bus_of(sandbox)
    bus.closing = True
    if bus.progression is not None:
        bus.progression.close()
    if bus.server is not None:
        await bus.server.close()


def stop(sandbox: Sandbox) -> None:
    """The sandbox is about to stop (`RunningSandbox.stop`, any thread): see `Bus.stop`."""
    bus_of(sandbox).stop()


# -- what the write sites call ----------------------------------------------------------------------


def message_event(channel: str, kind: str) -> str:
    """The event of a message service: `conversation-messages-whatsapp created` and the like."""
    return f"conversation-messages-{channel} {kind}"


def message_added(sandbox: Sandbox, message_id: int) -> None:
    """A message was stored (and its conversation touched): publish its `created` event, then
    `conversations patched` when the message moved the conversation's `last_interaction_at`
    (any message but a reaction, unless it is older than the newest); an outbound message to the
    customer starts its delivery progression."""
    bus = bus_of(sandbox)
    if bus.listeners:
        _publish_added(sandbox, bus, message_id)
    if bus.progression is not None and bus.progression.enabled:
        bus.progression.track(message_id)


def _publish_added(sandbox: Sandbox, bus: Bus, message_id: int) -> None:
    row = sandbox.store.one(
        "SELECT m.message_type, m.created_at, c.id AS cid, c.channel, c.organization_id, "
        "c.last_interaction_at FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "WHERE m.id = ?",
        (message_id,),
    )
    if row is None or not bus.listening(row["organization_id"]):
        return
    organization_id = row["organization_id"]
    bus.publish(message_event(row["channel"], "created"), sandbox.store.message(message_id), organization_id)
    if row["message_type"] != "reaction" and row["last_interaction_at"] == row["created_at"]:
        conversation = sandbox.store.conversation(row["cid"])
        if conversation is not None:
            bus.publish(CONVERSATION_PATCHED, sandbox.store.conversation_json(conversation), organization_id)


def publish_message(sandbox: Sandbox, message_id: int, kind: str) -> None:
    """Publish the message's `created` or `patched` event alone (nothing else is read when
    nobody of its organization listens)."""
    bus = bus_of(sandbox)
    if not bus.listeners:
        return
    found = sandbox.store.channel_of_message(message_id)
    if found is not None and bus.listening(found[1]):
        bus.publish(message_event(found[0], kind), sandbox.store.message(message_id), found[1])


def message_changed(sandbox: Sandbox, message_id: int) -> None:
    """A message's delivery status moved, or it was deleted: its `patched` event."""
    publish_message(sandbox, message_id, "patched")


def conversation_changed(sandbox: Sandbox, conversation_id: int) -> None:
    """A conversation's status, assignment or unread count changed: `conversations patched`."""
    publish_conversation(sandbox, conversation_id)


def publish_conversation(sandbox: Sandbox, conversation_id: int) -> None:
    """Publish `conversations patched` with the conversation as REST serves it."""
    bus = bus_of(sandbox)
    if not bus.listeners:
        return
    row = sandbox.store.conversation(conversation_id)
    if row is not None and bus.listening(row["organization_id"]):
        bus.publish(CONVERSATION_PATCHED, sandbox.store.conversation_json(row), row["organization_id"])


# -- routing requests to the Socket.IO server -------------------------------------------------------


class LazyWebSockets(asyncio.Protocol):
    """uvicorn's websocket protocol (`websockets-sansio`), imported at the first websocket
    upgrade rather than when the server starts (~15 ms before the first answer otherwise).
    uvicorn makes one per upgrade by calling its `ws` class; this one hands back the real one."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

        return WebSocketsSansIOProtocol(*args, **kwargs)


def is_live(path: str) -> bool:
    return path == PATH or path.startswith(PATH + "/")


class LiveMiddleware:
    """ASGI middleware in front of the sandbox's routes: `/socket.io/` goes to the Socket.IO
    server (loaded on first use), everything else to the app. With the `live_stall` option a
    live request is accepted and never answered (the client's connect deadline and backoff)."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not is_live(scope["path"]):
            await self.app(scope, receive, send)
            return
        bus = bus_of(self.sandbox)
        if bus.closing or bus.loop is None:
            await _unavailable(scope, send)
            return
        if self.sandbox.options.get("live_stall"):  # accepts, then never answers (a stuck proxy)
            await _stall(bus)
            return
        server = await bus.server_for(self.sandbox)
        task = asyncio.current_task()
        if scope["type"] == "websocket" or task is None:  # uvicorn closes websockets itself
            await server.asgi(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        bus.polls.add(task)
        try:
            await server.asgi(scope, receive, tracked)
        except asyncio.CancelledError:  # the sandbox stops: the client reconnects to the next one
            if not started:
                await _unavailable(scope, send)
        finally:
            bus.polls.discard(task)


async def _stall(bus: Bus) -> None:
    """Never answer; ended when the sandbox stops (as a long-poll is)."""
    task = asyncio.current_task()
    assert task is not None
    bus.polls.add(task)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()
    finally:
        bus.polls.discard(task)


async def _unavailable(scope: Scope, send: Send) -> None:
    """503 (or a refused websocket): the sandbox is stopping, try again in a moment."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1012})
        return
    body = feathers_body(503, "The sandbox is stopping; connect again in a moment")
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": data})
