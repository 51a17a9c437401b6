"""Who may listen to the sandbox's Socket.IO server and what they hear: the handshake authenticates
as REST does (headers, or the `auth` object), a refused key is a `connect_error` with the reason,
each organization hears only its own changes, and a sandbox stopped and started again on the same
port and data folder is reconnected to and heard again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from tui.sandbox.live import CONVERSATION_PATCHED
from tui.sandbox.runner import RunningSandbox, start_in_thread

from .test_live_events import WAIT, WEBCHAT, Listener, created, listening, rest, send

MESSAGE_CREATED = created("webchat")

EVE = 21  # the agent of the other organization


async def refusal(sandbox: RunningSandbox, **connect: Any) -> Any:
    """Connect with `connect`'s headers/auth, which must be refused: the `connect_error` data."""
    listener = Listener()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await listener.client.connect(
            sandbox.base_url, transports=["websocket"], wait_timeout=WAIT, **connect
        )
    await listener.client.disconnect()
    return listener.refusal


@pytest.mark.parametrize(
    ("connect", "message"),
    [
        ({"headers": {"x-api-key": "sbx_not-a-key"}}, "Invalid API key"),
        ({"headers": {"Authorization": "Bearer sbx_not-a-key"}}, "Invalid API key"),
        ({"auth": {"token": "sbx_not-a-key"}}, "Invalid API key"),
        ({}, "No API key: send it in the x-api-key header, as a Bearer token or in auth"),
        (
            {"auth": {"x-api-key": ""}},
            "No API key: send it in the x-api-key header, as a Bearer token or in auth",
        ),
    ],
)
async def test_a_refused_key_is_a_connect_error_saying_why(
    sandbox: RunningSandbox, connect: dict[str, Any], message: str
) -> None:
    data = await refusal(sandbox, **connect)
    assert data == {
        "message": message,
        "data": {"name": "NotAuthenticated", "code": 401, "className": "not-authenticated"},
    }


@pytest.mark.parametrize(
    "how",
    ["bearer header", "auth x-api-key", "auth token", "auth Authorization", "auth accessToken"],
)
async def test_the_key_may_come_as_a_bearer_header_or_in_auth(sandbox: RunningSandbox, how: str) -> None:
    key = sandbox.agent(12).api_key
    connect: dict[str, Any] = {
        "bearer header": {"headers": {"Authorization": f"Bearer {key}"}},
        "auth x-api-key": {"auth": {"x-api-key": key}},
        "auth token": {"auth": {"token": key}},
        "auth Authorization": {"auth": {"Authorization": f"Bearer {key}"}},
        "auth accessToken": {"auth": {"strategy": "jwt", "accessToken": key}},
    }[how]
    listener = Listener()
    await listener.client.connect(sandbox.base_url, transports=["websocket"], wait_timeout=WAIT, **connect)
    try:
        async with rest(sandbox, 12) as aiko:
            sent = await send(aiko, "webchat", WEBCHAT, f"with the key as {how}")
        assert await listener.next() == (MESSAGE_CREATED, sent)
    finally:
        await listener.client.disconnect()


def other_organizations_conversation(sandbox: RunningSandbox) -> int:
    """A conversation of organization 2 (the seed has none), for Eve's side of the test."""
    store = sandbox._sandbox.store
    contact = store.execute("INSERT INTO contacts (first_name, last_name) VALUES ('Ola', 'Nordmann')")
    return store.execute(
        "INSERT INTO conversations (organization_id, contact_id, channel, status) "
        "VALUES (2, ?, 'webchat', 'open')",
        (contact,),
    )


async def test_each_organization_hears_only_its_own(sandbox: RunningSandbox) -> None:
    theirs = other_organizations_conversation(sandbox)
    eve_key = sandbox.agent(EVE).api_key
    async with listening(sandbox) as maria, listening(sandbox, eve_key, transports=("polling",)) as eve:
        async with rest(sandbox, 11) as tom:
            ours = await send(tom, "webchat", WEBCHAT, "organization 1 only")
            assert await maria.next() == (MESSAGE_CREATED, ours)
            patch = await tom.patch(f"/conversations/{WEBCHAT}", json={"status": "closed"})
            assert patch.status_code == 200
            written = await asyncio.to_thread(sandbox.customer_writes, theirs, "organization 2 only")
            # Eve's first event is her organization's: nothing of organization 1 came before it
            assert await eve.next() == (MESSAGE_CREATED, written)
            event, conversation = await eve.next()
            assert (event, conversation["id"], conversation["organization_id"]) == (
                CONVERSATION_PATCHED,
                theirs,
                2,
            )
            again = await send(tom, "webchat", WEBCHAT, "and again")
        # and Maria heard nothing of organization 2 between her own events
        kinds = [await maria.next() for _ in range(3)]
        assert [(e, d["_id"] if "_id" in d else d["id"]) for e, d in kinds] == [
            (CONVERSATION_PATCHED, WEBCHAT),
            (CONVERSATION_PATCHED, WEBCHAT),
            (MESSAGE_CREATED, again["_id"]),
        ]


class Reconnecting(Listener):
    """A client that reconnects by itself, noting each (re)connect; its HTTP session is the
    test's to close (python-engineio may leave a dropped long-poll's to the garbage collector)."""

    def __init__(self, http: aiohttp.ClientSession) -> None:
        super().__init__(
            socketio.AsyncClient(
                reconnection=True, reconnection_delay=0.05, reconnection_delay_max=0.2, http_session=http
            )
        )
        self.connects: asyncio.Queue[None] = asyncio.Queue()
        self.drops: asyncio.Queue[None] = asyncio.Queue()
        self.client.on("connect", self._connected)
        self.client.on("disconnect", self._dropped)

    async def _connected(self) -> None:
        await self.connects.put(None)

    async def _dropped(self, *reason: Any) -> None:
        await self.drops.put(None)


@pytest.mark.parametrize("transport", ["polling", "websocket"])
async def test_a_sandbox_restarted_on_its_port_and_folder_is_heard_again(
    tmp_path: Path, transport: str
) -> None:
    data = tmp_path / "data"
    first = start_in_thread(data)
    port = int(first.base_url.rsplit(":", 1)[1])
    http = aiohttp.ClientSession()
    listener = Reconnecting(http)
    try:
        await listener.client.connect(
            first.base_url, headers={"x-api-key": first.api_key}, transports=[transport], wait_timeout=WAIT
        )
        await asyncio.wait_for(listener.connects.get(), WAIT)
        await asyncio.to_thread(first.stop)  # a long-poll under way does not hold the stop
        assert not first._thread.is_alive()
        await asyncio.wait_for(listener.drops.get(), WAIT)
        second = start_in_thread(data, port=port)  # at once: SO_REUSEADDR
        try:
            assert second.base_url == first.base_url and second.api_key == first.api_key
            await asyncio.wait_for(listener.connects.get(), WAIT)
            written = await asyncio.to_thread(second.customer_writes, WEBCHAT, "after the restart")
            assert await listener.until(lambda e, d: e == MESSAGE_CREATED) == (MESSAGE_CREATED, written)
        finally:
            await listener.client.disconnect()
            await asyncio.to_thread(second.stop)
    finally:
        await listener.client.shutdown()
        await http.close()
        first.stop()
