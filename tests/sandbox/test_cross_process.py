"""Live pushes cover writes made by another sandbox on the same SQLite file (the CLI's own sandbox
next to the app's, two `switchboard sandbox` on one folder): each change is pushed once, as the
whole record that REST reads back, by the sandbox the client is connected to."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.live import CONVERSATION_PATCHED, message_event
from tui.sandbox.runner import RunningSandbox, start_in_thread

from .test_live_events import Listener, listening, rest, send

WEBCHAT, WHATSAPP, SMS = 19, 1, 23
QUIET = 0.4  # seconds of silence that show nothing more comes (many watch ticks)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[RunningSandbox, RunningSandbox]]:
    """Two sandboxes on one data folder, watching every 50 ms; the first moves delivery on."""
    first = start_in_thread(tmp_path / "data", watch_seconds=0.05, delivery_seconds=0.1)
    second = start_in_thread(tmp_path / "data", watch_seconds=0.05)
    yield first, second
    second.stop()
    first.stop()


async def nothing_more(heard: Listener) -> None:
    await asyncio.sleep(QUIET)
    assert heard.events.empty(), heard.events.get_nowait()


async def test_a_send_through_one_is_pushed_by_the_other_once(pair: Any) -> None:
    writer, reader = pair
    async with listening(reader) as heard, rest(writer) as there, rest(reader) as here:
        sent = await send(there, "webchat", WEBCHAT, "written next door")
        assert await heard.next() == (message_event("webchat", "created"), sent)
        event, conversation = await heard.next()
        assert event == CONVERSATION_PATCHED
        assert conversation == (await here.get(f"/conversations/{WEBCHAT}")).json()
        assert conversation["last_message_text"] == "written next door"
        delivered = await heard.next()
        read = await heard.next()
        assert [(e, d["_id"], d["status"]) for e, d in (delivered, read)] == [
            (message_event("webchat", "patched"), sent["_id"], "delivered"),
            (message_event("webchat", "patched"), sent["_id"], "read"),
        ]
        assert read[1] == (await here.get(f"/conversation-messages-webchat/{sent['_id']}")).json()
        await nothing_more(heard)
        own = await send(here, "webchat", WEBCHAT, "written here")  # its own: heard once, not twice
        assert await heard.next() == (message_event("webchat", "created"), own)
        assert (await heard.next())[0] == CONVERSATION_PATCHED
        await nothing_more(heard)


async def test_patches_deletes_and_customers_next_door_are_pushed(pair: Any) -> None:
    writer, reader = pair
    async with listening(reader) as heard, rest(writer) as there, rest(reader) as here:
        patched = await there.patch(
            f"/conversations/{SMS}", json={"status": "closed", "assigned_user_id": 11, "unread_count": 0}
        )
        assert await heard.next() == (CONVERSATION_PATCHED, (await here.get(f"/conversations/{SMS}")).json())
        assert patched.json() == (await here.get(f"/conversations/{SMS}")).json()
        note = await send(there, "whatsapp", WHATSAPP, "a note next door", kind="note")
        assert await heard.next() == (message_event("whatsapp", "created"), note)
        assert (await heard.next())[0] == CONVERSATION_PATCHED  # its last interaction moved
        gone = (await there.delete(f"/conversation-messages-whatsapp/{note['_id']}")).json()
        assert await heard.next() == (message_event("whatsapp", "patched"), gone)
        written = await asyncio.to_thread(writer.customer_writes, SMS, "reopen it")
        assert await heard.next() == (message_event("sms", "created"), written)
        event, conversation = await heard.next()
        assert (event, conversation["status"], conversation["unread_count"]) == (
            CONVERSATION_PATCHED,
            "open",
            1,
        )
        await nothing_more(heard)


async def test_the_writer_hears_its_own_writes_once_too(pair: Any) -> None:
    writer, reader = pair
    async with listening(writer) as heard, rest(reader) as here:
        sent = await send(here, "webchat", WEBCHAT, "the other way round")
        assert await heard.next() == (message_event("webchat", "created"), sent)
        assert (await heard.next())[0] == CONVERSATION_PATCHED
        # the writer's own delivery progression does not track another sandbox's message
        await nothing_more(heard)


async def test_nobody_listening_then_connecting_hears_only_what_follows(pair: Any) -> None:
    writer, reader = pair
    async with rest(writer) as there:
        await send(there, "webchat", WEBCHAT, "before anybody listened")
        await asyncio.sleep(QUIET)
        async with listening(reader) as heard:
            await asyncio.sleep(0.15)
            assert heard.events.empty()  # what came before the connect is read over REST
            after = await send(there, "webchat", WEBCHAT, "after")
            assert await heard.next() == (message_event("webchat", "created"), after)


async def test_a_switchboard_sandbox_process_next_door_is_heard(tmp_path: Path, sandbox_command: Any) -> None:
    command = sandbox_command("--data", str(tmp_path), "--port", "0", "--delivery-seconds", "0")
    seen = command.announcement()
    reader = start_in_thread(tmp_path, watch_seconds=0.05)
    try:
        async with listening(reader) as heard:
            async with httpx.AsyncClient(
                base_url=seen["base_url"], headers={"x-api-key": seen["api_key"]}
            ) as api:
                sent = await send(api, "whatsapp", WHATSAPP, "from another process")
            assert await heard.next() == (message_event("whatsapp", "created"), sent)
            assert (await heard.next())[0] == CONVERSATION_PATCHED
    finally:
        reader.stop()
