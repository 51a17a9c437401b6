"""The sandbox's HTTP API: every endpoint of the backend contract, Feathers pages and errors.

It serves the contract's December reading: messages from one service per channel
(`/conversation-messages-{channel}`: find, get, remove; `messages`), opaque message ids (`ids`),
pages of at most 50 rows, conversations sorted by `last_interaction_at` and filtered on the server
(`conversations`), the Contacts service (`contacts`), and a strict query schema on every find
(`query`). It enforces the channel rules itself (409 outside the reply window, 413 too large,
422 bad fields) from the same channel table the client uses, and serves uploaded objects at the
public media URL. `x-api-key` or `Authorization: Bearer` (a key, or the token of a JWT login:
`login`) authenticate every API route; the storage PUT refuses any request that carries them.
This module holds the app factory, its routes and the simulated customers; the other handlers
live in `reads` (templates), `patches`, `users`, `uploads` and `sends` (the last two load on
first use or right after the first answer: `lazy`).
Each key is one agent of an organization (`agents`); every route sees only that organization.
Live updates: `live`, and `watch` for writes made by other processes on the same file.

Options (keywords of `create_app` / `start_in_thread`): `documented_fields_only` (conversations
without the [ours] fields), `heartbeat_seconds`, `watch_seconds`, `signed_url_seconds`, the
delivery options (`delivery`), a burst of customer messages (`burst`, `burst_after`: `burst`) and
the live connection's `ping_seconds` and `live_drop_after` (`live_server`), and how long a
login's token lasts, `jwt_seconds` (`tokens`).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from tui.sandbox import live
from tui.sandbox.activity import customer_writes
from tui.sandbox.automations import create_execution, list_ai_assistants, list_automations
from tui.sandbox.bulk import bulk_action
from tui.sandbox.burst import BURST_AFTER, burst_of, run_burst
from tui.sandbox.contacts import get_contact, list_contacts
from tui.sandbox.conversations import get_conversation, list_conversations
from tui.sandbox.feathers import Fail, authenticate, feathers, feathers_body
from tui.sandbox.instances import HEARTBEAT_SECONDS
from tui.sandbox.lazy import WarmUp, lazy
from tui.sandbox.login import create_authentication, remove_authentication
from tui.sandbox.messages import MESSAGE_CHANNELS, delete_message, get_message, list_messages
from tui.sandbox.patches import patch_conversation
from tui.sandbox.predefined import create_reply, get_reply, list_replies, patch_reply, remove_reply
from tui.sandbox.reads import list_templates
from tui.sandbox.seed import INBOUND
from tui.sandbox.state import Sandbox
from tui.sandbox.users import get_me, list_users
from tui.sandbox.watch import WATCH_SECONDS, watch

__all__ = ["TRANSFORM_CHANNELS", "create_app", "feathers_body"]

#: The channels sent through `/conversation-messages-transform-outgoing-<channel>`.
TRANSFORM_CHANNELS = ("whatsapp", "instagram", "messenger", "webchat")


async def simulate_inbound(sb: Sandbox, interval: tuple[float, float]) -> None:
    """Customers write now and then (reopening a closed conversation, raising its unread count)."""
    rnd = random.Random()
    while True:
        await asyncio.sleep(rnd.uniform(*interval))
        row = sb.store.one("SELECT id FROM conversations ORDER BY random() LIMIT 1")
        if row is not None:
            customer_writes(sb, row["id"], rnd.choice(INBOUND))


async def heartbeat(sb: Sandbox, every: float) -> None:
    """Tell other sandboxes on this file that this one is alive (see `instances`)."""
    while True:
        await asyncio.sleep(every)
        with contextlib.suppress(sqlite3.OperationalError):  # busy for long: the next beat will do
            sb.store.beat()


def api(handler: Callable[[Request], Any], warm: WarmUp | None = None) -> Callable[[Request], Any]:
    """Authenticate, then run; a `Fail` becomes a Feathers error. The first answer, once sent,
    starts `warm` (the lazily loaded handlers' modules)."""

    async def wrapped(request: Request) -> Response:
        try:
            authenticate(request)
            response: Response = await handler(request)
        except Fail as fail:
            response = feathers(fail.code, fail.message, fail.errors, fail.data)
        if warm is not None and not warm.started and response.background is None:
            response.background = BackgroundTask(warm.start)
        return response

    return wrapped


async def not_found(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 404)
    return feathers(code, f"Page not found: {request.method} {request.url.path}" if code == 404 else str(exc))


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before its request was read: nobody is left to answer, nothing to log."""
    return Response(status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    return feathers(500, f"Internal error: {type(exc).__name__}")


def _message_routes(warm: WarmUp) -> list[Route]:
    """Each channel's message service: find, get and remove (its send routes are apart)."""
    routes = []
    for channel in MESSAGE_CHANNELS:
        path = f"/conversation-messages-{channel}"
        routes.append(Route(path, api(list_messages(channel), warm), methods=["GET"]))
        routes.append(Route(path + "/{message_id}", api(get_message(channel), warm), methods=["GET"]))
        routes.append(Route(path + "/{message_id}", api(delete_message(channel), warm), methods=["DELETE"]))
    return routes


def _predefined_routes(warm: WarmUp) -> list[Route]:
    """The team's shared replies (`predefined`): find, get, create, patch, remove."""
    path, one = "/conversation-predefined-messages", "/conversation-predefined-messages/{reply_id}"
    return [
        Route(path, api(list_replies, warm), methods=["GET"]),
        Route(path, api(create_reply, warm), methods=["POST"]),
        Route(one, api(get_reply, warm), methods=["GET"]),
        Route(one, api(patch_reply, warm), methods=["PATCH"]),
        Route(one, api(remove_reply, warm), methods=["DELETE"]),
    ]


def create_app(
    data_dir: Path,
    *,
    sandbox: Sandbox | None = None,
    clock: Callable[[], float] | None = None,
    simulate_inbound_every: tuple[float, float] | None = None,
    **options: Any,
) -> Starlette:
    """The ASGI app. `simulate_inbound_every=(low, high)` seconds makes customers write;
    `heartbeat_seconds` (option) is how often it tells other sandboxes on the file it is alive.
    `sandbox`: its state made beforehand (the child opens the file before it loads the web
    stack), else it is made here."""
    sb = sandbox or Sandbox(data_dir, clock or time.time, options)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        every = float(options.get("heartbeat_seconds", HEARTBEAT_SECONDS))
        live.attach(sb, options)  # Socket.IO's bus and the delivery progression, on this loop
        tasks = [
            asyncio.create_task(heartbeat(sb, every)),
            asyncio.create_task(watch(sb, float(options.get("watch_seconds", WATCH_SECONDS)))),
        ]
        if simulate_inbound_every:
            tasks.append(asyncio.create_task(simulate_inbound(sb, simulate_inbound_every)))
        wanted = burst_of(options)
        if wanted is not None:
            after = float(options.get("burst_after", BURST_AFTER))
            tasks.append(asyncio.create_task(run_burst(sb, *wanted, after)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await live.detach(sb)

    warm = WarmUp()
    sends, uploads = "tui.sandbox.sends", "tui.sandbox.uploads"
    routes = [
        Route("/conversations", api(list_conversations, warm), methods=["GET"]),
        Route("/conversations/{conversation_id}", api(get_conversation, warm), methods=["GET"]),
        Route("/conversations/{conversation_id}", api(patch_conversation, warm), methods=["PATCH"]),
        Route("/conversations-bulk-actions", api(bulk_action, warm), methods=["POST"]),
        Route("/authentication", create_authentication, methods=["POST"]),
        Route("/authentication", remove_authentication, methods=["DELETE"]),
        Route("/authentication/{token}", remove_authentication, methods=["DELETE"]),
        Route("/users/me", api(get_me, warm), methods=["GET"]),
        Route("/users", api(list_users, warm), methods=["GET"]),
        Route("/contacts", api(list_contacts, warm), methods=["GET"]),
        Route("/contacts/{contact_id}", api(get_contact, warm), methods=["GET"]),
        Route("/ai-assistants", api(list_ai_assistants, warm), methods=["GET"]),
        Route("/automations", api(list_automations, warm), methods=["GET"]),
        Route("/automations-executions", api(create_execution, warm), methods=["POST"]),
        *_predefined_routes(warm),
        *_message_routes(warm),
        Route("/message-templates", api(list_templates, warm), methods=["GET"]),
        Route("/s3-url-signing", api(lazy(uploads, "sign_upload")), methods=["POST"]),
        Route("/conversation-files", api(lazy(uploads, "create_file")), methods=["POST"]),
        *[
            Route(
                f"/conversation-messages-transform-outgoing-{ch}",
                api(lazy(sends, "transform_sender", ch)),
                methods=["POST"],
            )
            for ch in TRANSFORM_CHANNELS
        ],
        Route("/conversation-messages-sms", api(lazy(sends, "send_sms")), methods=["POST"]),
        Route("/conversation-messages-playground", api(lazy(sends, "send_playground")), methods=["POST"]),
        Route("/_storage/{key:path}", lazy(uploads, "put_object"), methods=["PUT"]),
        Route("/media/{key:path}", lazy(uploads, "get_media"), methods=["GET", "HEAD"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(live.LiveMiddleware, sandbox=sb)],  # /socket.io/: live updates
        exception_handlers={HTTPException: not_found, ClientDisconnect: client_gone, Exception: server_error},
    )
    app.state.sandbox = sb
    app.state.warm_up = warm
    return app
