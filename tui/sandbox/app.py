"""The sandbox's HTTP API: every endpoint of the backend contract, Feathers pages and errors.

It enforces the channel rules itself (409 outside the reply window, 413 too large, 422 bad
fields) from the same channel table the client uses, and serves uploaded objects at the public
media URL. `x-api-key` or `Authorization: Bearer` authenticate every API route; the storage PUT
refuses any request that carries them. This module holds the app factory, its routes and the
simulated customers; the handlers live in `reads`, `patches`, `users`, `uploads` and `sends`.
Each key is one agent of an organization (`agents`); every route sees only that organization.
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
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from tui.sandbox.activity import customer_writes
from tui.sandbox.feathers import Fail, authenticate, feathers, feathers_body
from tui.sandbox.instances import HEARTBEAT_SECONDS
from tui.sandbox.patches import patch_conversation
from tui.sandbox.reads import get_conversation, list_conversations, list_messages, list_templates
from tui.sandbox.seed import INBOUND
from tui.sandbox.sends import TRANSFORM_CHANNELS, send_playground, send_sms, transform_sender
from tui.sandbox.state import Sandbox
from tui.sandbox.uploads import create_file, get_media, put_object, sign_upload
from tui.sandbox.users import get_me, list_users

__all__ = ["create_app", "feathers_body"]


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


def api(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """Authenticate, then run; a `Fail` becomes a Feathers error."""

    async def wrapped(request: Request) -> Response:
        try:
            authenticate(request)
            return await handler(request)
        except Fail as fail:
            return feathers(fail.code, fail.message, fail.errors, fail.data)

    return wrapped


async def not_found(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 404)
    return feathers(code, f"Page not found: {request.method} {request.url.path}" if code == 404 else str(exc))


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before its request was read: nobody is left to answer, nothing to log."""
    return Response(status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    return feathers(500, f"Internal error: {type(exc).__name__}")


def create_app(
    data_dir: Path,
    *,
    clock: Callable[[], float] | None = None,
    simulate_inbound_every: tuple[float, float] | None = None,
    **options: Any,
) -> Starlette:
    """The ASGI app. `simulate_inbound_every=(low, high)` seconds makes customers write;
    `heartbeat_seconds` (option) is how often it tells other sandboxes on the file it is alive."""
    sb = Sandbox(data_dir, clock or time.time, options)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        every = float(options.get("heartbeat_seconds", HEARTBEAT_SECONDS))
        tasks = [asyncio.create_task(heartbeat(sb, every))]
        if simulate_inbound_every:
            tasks.append(asyncio.create_task(simulate_inbound(sb, simulate_inbound_every)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    routes = [
        Route("/conversations", api(list_conversations), methods=["GET"]),
        Route("/conversations/{conversation_id}", api(get_conversation), methods=["GET"]),
        Route("/conversations/{conversation_id}", api(patch_conversation), methods=["PATCH"]),
        Route("/users/me", api(get_me), methods=["GET"]),
        Route("/users", api(list_users), methods=["GET"]),
        Route("/conversation-messages", api(list_messages), methods=["GET"]),
        Route("/message-templates", api(list_templates), methods=["GET"]),
        Route("/s3-url-signing", api(sign_upload), methods=["POST"]),
        Route("/conversation-files", api(create_file), methods=["POST"]),
        *[
            Route(
                f"/conversation-messages-transform-outgoing-{ch}", api(transform_sender(ch)), methods=["POST"]
            )
            for ch in TRANSFORM_CHANNELS
        ],
        Route("/conversation-messages-sms", api(send_sms), methods=["POST"]),
        Route("/conversation-messages-playground", api(send_playground), methods=["POST"]),
        Route("/_storage/{key:path}", put_object, methods=["PUT"]),
        Route("/media/{key:path}", get_media, methods=["GET", "HEAD"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: not_found, ClientDisconnect: client_gone, Exception: server_error},
    )
    app.state.sandbox = sb
    return app
