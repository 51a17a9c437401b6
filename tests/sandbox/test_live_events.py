"""The sandbox's Socket.IO events (contract: Live updates), heard by a real python-socketio client
over loopback: every change, whoever made it, reaches the organization's clients as the whole
document that REST reads back, in the order it was written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from tui.sandbox.delivery import ERRORS
from tui.sandbox.live import CONVERSATION_PATCHED, message_event
from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed import HANDY_IDS

from .rest import CHANNEL_OF, messages_path, mid

WAIT = 15.0  # seconds an expected event may take, generously (never a sleep)
WEBCHAT, WHATSAPP, SMS = HANDY_IDS["webchat"], HANDY_IDS["whatsapp_open"], HANDY_IDS["sms"]
TRANSFORM = "/conversation-messages-transform-outgoing-{}"

Event = tuple[str, dict[str, Any]]


def created(channel: str) -> str:
    return message_event(channel, "created")


def patched(channel: str) -> str:
    return message_event(channel, "patched")


def is_created(event: str) -> bool:
    return event.startswith("conversation-messages-") and event.endswith(" created")


def is_patched(event: str) -> bool:
    return event.startswith("conversation-messages-") and event.endswith(" patched")


class Listener:
    """One connected client's events, in arrival order; `next` waits for the next one."""

    def __init__(self, client: socketio.AsyncClient | None = None) -> None:
        self.client = client or socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.refusal: Any = None
        self.client.on("*", self._event)
        self.client.on("connect_error", self._refused)

    async def _event(self, event: str, data: dict[str, Any]) -> None:
        await self.events.put((event, data))

    async def _refused(self, data: Any) -> None:
        self.refusal = data

    async def next(self) -> Event:
        return await asyncio.wait_for(self.events.get(), WAIT)

    async def until(self, wanted: Callable[[str, dict[str, Any]], bool]) -> Event:
        """The next event `wanted` accepts (those before it are passed over)."""
        while True:
            event, data = await self.next()
            if wanted(event, data):
                return event, data


@asynccontextmanager
async def listening(
    sandbox: RunningSandbox,
    key: str | None = None,
    *,
    transports: tuple[str, ...] = ("websocket",),
    auth: dict[str, str] | None = None,
) -> AsyncIterator[Listener]:
    """A client connected with `key` in the x-api-key header (or only `auth`), disconnected after."""
    listener = Listener()
    headers = {"x-api-key": key or sandbox.api_key} if auth is None else {}
    await listener.client.connect(
        sandbox.base_url, headers=headers, auth=auth, transports=list(transports), wait_timeout=WAIT
    )
    try:
        yield listener
    finally:
        await listener.client.disconnect()


@asynccontextmanager
async def rest(sandbox: RunningSandbox, user_id: int | None = None) -> AsyncIterator[httpx.AsyncClient]:
    key = sandbox.api_key if user_id is None else sandbox.agent(user_id).api_key
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers={"x-api-key": key}, timeout=WAIT) as api:
        yield api


async def send(
    api: httpx.AsyncClient, channel: str, cid: int, text: str, kind: str = "text"
) -> dict[str, Any]:
    answer = await api.post(
        TRANSFORM.format(channel), json={"conversation_id": cid, "message_text": text, "message_type": kind}
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def message_as_read(api: httpx.AsyncClient, cid: int, message_id: str | int) -> dict[str, Any]:
    """The message as its service's get reads it back (`cid`: a seeded conversation)."""
    answer = await api.get(f"{messages_path(cid)}/{message_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def conversation_as_read(api: httpx.AsyncClient, cid: int) -> dict[str, Any]:
    found: dict[str, Any] = (await api.get(f"/conversations/{cid}")).json()
    return found


@pytest.fixture
def fast(tmp_path: Path) -> Any:
    """`fast(**options)`: a sandbox with those options (e.g. a fast delivery), stopped after."""
    started: list[RunningSandbox] = []

    def start(**options: Any) -> RunningSandbox:
        running = start_in_thread(tmp_path / f"sb{len(started)}", **options)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


# -- messages: sends from any key, notes, customers ------------------------------------------------


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_sends_from_two_agents_are_created_then_patch_their_conversation(
    sandbox: RunningSandbox, transport: str
) -> None:
    async with listening(sandbox, transports=(transport,)) as heard, rest(sandbox) as maria:
        assert heard.client.transport() == transport
        async with rest(sandbox, 11) as tom:
            for api, name, text in ((maria, "Maria Silva", "from Maria"), (tom, "Tom Becker", "from Tom")):
                sent = await send(api, "webchat", WEBCHAT, text)
                event, message = await heard.next()
                assert (event, message["sender_name"], message["message_text"]) == (
                    created("webchat"),
                    name,
                    text,
                )
                assert message == sent == await message_as_read(maria, WEBCHAT, sent["_id"])
                event, conversation = await heard.next()
                assert event == CONVERSATION_PATCHED
                assert conversation == await conversation_as_read(maria, WEBCHAT)
                assert (conversation["last_message_text"], conversation["unread_count"]) == (text, 0)


async def test_a_note_is_created_and_moves_only_the_last_interaction(sandbox: RunningSandbox) -> None:
    async with listening(sandbox) as heard, rest(sandbox, 12) as aiko:
        before = await conversation_as_read(aiko, WHATSAPP)
        note = await send(aiko, "whatsapp", WHATSAPP, "only for colleagues", kind="note")
        event, message = await heard.next()
        assert (event, message) == (created("whatsapp"), note)
        assert (message["message_type"], message["status"], message["sender_name"]) == (
            "note",
            None,
            "Aiko Tanaka",
        )
        event, conversation = await heard.next()  # a note is an interaction, not a last message
        assert event == CONVERSATION_PATCHED and conversation == await conversation_as_read(aiko, WHATSAPP)
        assert conversation["last_interaction_at"] == note["created_at"]
        for unchanged in ("last_message_text", "last_message_at", "last_inbound_message_at", "unread_count"):
            assert conversation[unchanged] == before[unchanged]
        closed = await aiko.patch(f"/conversations/{WHATSAPP}", json={"status": "closed"})
        event, conversation = await heard.next()
        assert (event, conversation) == (CONVERSATION_PATCHED, closed.json())
        assert conversation["last_interaction_at"] == note["created_at"]  # a patch is not one


async def test_a_customer_message_is_created_and_reopens_its_conversation(sandbox: RunningSandbox) -> None:
    async with listening(sandbox) as heard, rest(sandbox) as api:
        await api.patch(f"/conversations/{WEBCHAT}", json={"status": "closed", "unread_count": 0})
        event, closed = await heard.next()
        assert (event, closed["status"]) == (CONVERSATION_PATCHED, "closed")
        written = await asyncio.to_thread(sandbox.customer_writes, WEBCHAT, "hello again")
        event, message = await heard.next()
        assert (event, message) == (created("webchat"), written)
        assert message["direction"] == "inbound"
        event, conversation = await heard.next()
        assert event == CONVERSATION_PATCHED and conversation == await conversation_as_read(api, WEBCHAT)
        assert (conversation["status"], conversation["unread_count"]) == ("open", 1)
        assert conversation["last_inbound_message_at"] == message["created_at"]


async def test_simulated_customers_are_heard(fast: Any) -> None:
    sandbox = fast(simulate_inbound=True, inbound_every=(0.01, 0.05))
    async with listening(sandbox) as heard, rest(sandbox) as api:
        event, message = await heard.until(lambda e, d: is_created(e))
        assert event == created(CHANNEL_OF[message["conversation_id"]])
        assert message["direction"] == "inbound"
        assert message == await message_as_read(api, message["conversation_id"], mid(message))
        event, conversation = await heard.next()
        assert (event, conversation["id"]) == (CONVERSATION_PATCHED, message["conversation_id"])


async def test_another_agents_writes_from_the_sandbox_side_are_heard(sandbox: RunningSandbox) -> None:
    async with listening(sandbox) as heard:
        written = await asyncio.to_thread(sandbox.agent_writes, WEBCHAT, "by Jonas", user_id=13)
        assert await heard.next() == (created("webchat"), written)
        event, conversation = await heard.next()
        assert (event, conversation["last_message_text"]) == (CONVERSATION_PATCHED, "by Jonas")


# -- conversations: PATCH ---------------------------------------------------------------------------


async def test_a_patch_by_another_agent_is_the_whole_conversation(sandbox: RunningSandbox) -> None:
    async with listening(sandbox) as heard, rest(sandbox, 11) as tom:
        for body in ({"assigned_user_id": 11}, {"unread_count": 1}, {"status": "closed"}):
            answer = await tom.patch(f"/conversations/{WEBCHAT}", json=body)
            assert answer.status_code == 200
            assert await heard.next() == (CONVERSATION_PATCHED, answer.json())
        refused = await tom.patch(f"/conversations/{WEBCHAT}", json={"status": "archived"})
        assert refused.status_code == 400  # nothing changed: nothing said
        answer = await tom.patch(f"/conversations/{WEBCHAT}", json={"assigned_user_id": None})
        assert await heard.next() == (CONVERSATION_PATCHED, answer.json())


# -- delivery status that moves on by itself --------------------------------------------------------


async def test_delivery_moves_sent_delivered_read_and_is_stored(fast: Any) -> None:
    sandbox = fast(delivery_seconds=0.05)
    async with listening(sandbox) as heard, rest(sandbox) as api:
        sent = await send(api, "whatsapp", WHATSAPP, "on its way")
        assert sent["status"] == "sent"
        seen = []
        for _ in range(4):
            event, data = await heard.next()
            seen.append((event, mid(data), data.get("status")))
        assert seen == [
            (created("whatsapp"), sent["_id"], "sent"),
            (CONVERSATION_PATCHED, WHATSAPP, "open"),
            (patched("whatsapp"), sent["_id"], "delivered"),
            (patched("whatsapp"), sent["_id"], "read"),
        ]
        stored = await message_as_read(api, WHATSAPP, sent["_id"])
        assert stored["status"] == "read" and "error_code" not in stored


async def test_a_failed_delivery_carries_whatsapps_code_and_text(fast: Any) -> None:
    sandbox = fast(delivery_seconds=0.05, delivery_failure_rate=1.0, delivery_seed=3)
    async with listening(sandbox) as heard, rest(sandbox, 11) as tom:
        sent = await send(tom, "whatsapp", WHATSAPP, "will not arrive")
        _, failed = await heard.until(lambda e, d: e == patched("whatsapp"))
        assert (failed["_id"], failed["status"]) == (sent["_id"], "failed")
        assert (failed["error_code"], failed["error_text"]) in ERRORS
        assert await message_as_read(tom, WHATSAPP, sent["_id"]) == failed
        note = await send(tom, "whatsapp", WHATSAPP, "notes are never delivered", kind="note")
        other = await send(tom, "whatsapp", WHATSAPP, "fails too")
        _, data = await heard.until(lambda e, d: e == patched("whatsapp"))
        assert (data["_id"], data["status"]) == (other["_id"], "failed")  # the note never moved
        assert (await message_as_read(tom, WHATSAPP, note["_id"]))["status"] is None


async def test_sms_is_delivered_but_never_read(fast: Any) -> None:
    sandbox = fast(delivery_seconds=0.05)
    async with listening(sandbox) as heard, rest(sandbox) as api:
        answer = await api.post(
            "/conversation-messages-sms", json={"conversation_id": SMS, "message_text": "hi"}
        )
        sms = answer.json()
        _, data = await heard.until(lambda e, d: e == patched("sms"))
        assert (data["id"], data["status"]) == (sms["id"], "delivered")
        chat = await send(api, "webchat", WEBCHAT, "read receipts here")
        statuses = []
        while len(statuses) < 2:
            event, data = await heard.until(lambda e, d: is_patched(e))
            statuses.append((event, mid(data), data["status"]))
        # the webchat message went through both steps while the SMS took none
        assert statuses == [
            (patched("webchat"), chat["_id"], "delivered"),
            (patched("webchat"), chat["_id"], "read"),
        ]
        assert (await message_as_read(api, SMS, sms["id"]))["status"] == "delivered"


async def test_a_customers_file_is_created_moving_only_the_last_interaction(sandbox: RunningSandbox) -> None:
    async with listening(sandbox) as heard, rest(sandbox) as api:
        read = await api.patch(f"/conversations/{WEBCHAT}", json={"unread_count": 0})
        assert await heard.next() == (CONVERSATION_PATCHED, read.json())
        written = await asyncio.to_thread(
            sandbox.customer_sends_file, WEBCHAT, "scan.pdf", "application/pdf", data=b"%PDF-1.4"
        )
        event, message = await heard.next()
        assert (event, message) == (created("webchat"), written)
        assert message == await message_as_read(api, WEBCHAT, written["_id"])
        event, conversation = await heard.next()  # the newest message: the last interaction moved
        assert event == CONVERSATION_PATCHED and conversation["last_interaction_at"] == written["created_at"]
        assert (conversation["last_message_text"], conversation["unread_count"]) == (
            read.json()["last_message_text"],
            0,
        )
        again = await api.patch(f"/conversations/{WEBCHAT}", json={"unread_count": 1})
        assert await heard.next() == (CONVERSATION_PATCHED, again.json())  # the file said no more


async def test_faults_spare_the_live_transport(fast: Any) -> None:
    sandbox = fast(fail_rate=1.0)
    async with rest(sandbox) as api:
        assert (await api.get("/conversations")).status_code in (429, 500, 503)  # every API request fails
    async with listening(sandbox, transports=("polling",)) as heard:
        written = await asyncio.to_thread(sandbox.customer_writes, WEBCHAT, "heard anyway")
        assert await heard.next() == (created("webchat"), written)


async def test_nobody_listening_costs_no_reads(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = sandbox._sandbox.store
    read: list[str] = []
    for name in ("conversation", "conversation_json", "message"):
        original = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *a, _f=original, _n=name, **k: read.append(_n) or _f(*a, **k))
    await asyncio.to_thread(sandbox.agent_writes, WEBCHAT, "nobody hears this")
    assert read == ["message"]  # only agent_writes' own answer: nothing looked up for nobody
    read.clear()
    async with listening(sandbox) as heard:
        await asyncio.to_thread(sandbox.agent_writes, WEBCHAT, "somebody hears this")
        await heard.until(lambda e, d: e == CONVERSATION_PATCHED)
    assert sorted(read) == ["conversation", "conversation_json", "message", "message"]


async def test_a_deletion_is_patched_on_its_channel(sandbox: RunningSandbox) -> None:
    async with listening(sandbox) as heard, rest(sandbox) as api:
        sent = (
            await api.post("/conversation-messages-sms", json={"conversation_id": SMS, "message_text": "x"})
        ).json()
        assert (await heard.next())[0] == created("sms")
        assert (await heard.next())[0] == CONVERSATION_PATCHED
        gone = await api.delete(f"/conversation-messages-sms/{sent['id']}")
        assert await heard.next() == (patched("sms"), gone.json())
        assert gone.json()["deleted_at"] and gone.json() == await message_as_read(api, SMS, sent["id"])
