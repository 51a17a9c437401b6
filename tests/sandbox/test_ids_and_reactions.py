"""Opaque message ids made like MongoDB's ObjectIds, kept apart from the rowid; and reactions:
seeded, hidden by `message_type[$ne]=reaction`, moving nothing of their conversation."""

from __future__ import annotations

import asyncio
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.ids import ObjectIds, is_object_id, object_id
from tui.sandbox.live import CONVERSATION_PATCHED, message_event
from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed_contacts import REACTIONS

from .rest import listed, messages_path
from .test_live_events import listening

NOW = 1_800_000_000.0


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def test_an_object_id_is_time_random_and_counter() -> None:
    ids = ObjectIds()
    first, second = ids.make(NOW), ids.make(NOW + 5)
    for made in (first, second):
        assert is_object_id(made) and len(made) == 24
    raw1, raw2 = bytes.fromhex(first), bytes.fromhex(second)
    assert struct.unpack(">I", raw1[:4])[0] == int(NOW) and struct.unpack(">I", raw2[:4])[0] == int(NOW) + 5
    assert raw1[4:9] == raw2[4:9]  # the process's random value
    counter1, counter2 = int.from_bytes(raw1[9:], "big"), int.from_bytes(raw2[9:], "big")
    assert counter2 == (counter1 + 1) % 2**24
    assert bytes.fromhex(ObjectIds().make(NOW))[4:9] != raw1[4:9]  # another process's value
    assert not is_object_id(first.upper()) and not is_object_id(123) and not is_object_id(first[:-1])
    assert object_id(NOW) != object_id(NOW)


def test_the_rowid_stays_inside_and_the_id_string_is_unique(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "sb", clock=lambda: NOW)
    try:
        with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
            sent = api.post(
                "/conversation-messages-transform-outgoing-webchat",
                json={"conversation_id": 19, "message_text": "stamped", "message_type": "text"},
            ).json()
    finally:
        running.stop()
    assert struct.unpack(">I", bytes.fromhex(sent["_id"])[:4])[0] == int(NOW)  # stamped with its time
    db = sqlite3.connect(tmp_path / "sb" / "sandbox.db")
    try:
        rowid = db.execute("SELECT id FROM messages WHERE uid = ?", (sent["_id"],)).fetchone()[0]
        assert isinstance(rowid, int)
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE messages SET uid = ? WHERE id = ?", (sent["_id"], rowid - 1))
        numbered = db.execute(
            "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE c.channel IN ('sms', 'playground') AND m.uid IS NOT NULL"
        ).fetchone()[0]
        assert numbered == 0
    finally:
        db.close()


def reactions_of(api: httpx.Client, cid: int) -> list[dict[str, Any]]:
    page = api.get(messages_path(cid), params={"conversation_id": cid, "message_type": "reaction"}).json()
    return list(page["data"])


def test_the_seed_has_customers_reacting_to_the_agents_replies(api: httpx.Client) -> None:
    seen = 0
    for cid, channel, emoji in REACTIONS:
        (reaction,) = reactions_of(api, cid)
        target = api.get(f"{messages_path(channel)}/{reaction['reaction_to']}").json()
        assert (reaction["direction"], reaction["message_text"]) == ("inbound", emoji)
        assert (target["conversation_id"], target["direction"]) == (cid, "outbound")
        assert (
            target["message_type"] not in ("note", "reaction")
            and target["created_at"] < reaction["created_at"]
        )
        seen += 1
    assert seen >= 2 and {channel for _, channel, _ in REACTIONS} == {"whatsapp", "instagram"}
    plain = api.get(messages_path(1), params={"conversation_id": 1, "message_type": "text", "$limit": 50})
    assert all("reaction_to" not in m for m in plain.json()["data"])  # only a reaction names one


def test_a_reaction_moves_nothing_of_its_conversation(sandbox: RunningSandbox, api: httpx.Client) -> None:
    cid = 3  # WhatsApp, the window closing soon; the customer wrote last
    before = api.get(f"/conversations/{cid}").json()
    waiting = {
        c["id"] for c in api.get("/conversations", params=listed(waitingResponseOnly="true")).json()["data"]
    }
    reply = api.post(
        "/conversation-messages-transform-outgoing-whatsapp",
        json={"conversation_id": cid, "message_text": "Sorted!", "message_type": "text"},
    ).json()
    answered = api.get(f"/conversations/{cid}").json()
    reaction = sandbox.customer_reacts(cid, reply["_id"], "🎉")
    assert (reaction["message_type"], reaction["reaction_to"], reaction["direction"]) == (
        "reaction",
        reply["_id"],
        "inbound",
    )
    after = api.get(f"/conversations/{cid}").json()
    assert after == answered  # no unread, no window, no last interaction, no preview
    assert after["last_inbound_message_at"] == before["last_inbound_message_at"]
    still = {
        c["id"] for c in api.get("/conversations", params=listed(waitingResponseOnly="true")).json()["data"]
    }
    assert cid in waiting and cid not in still  # the reply answered; the reaction is no new question
    found = api.get("/conversations", params=listed(messageSearchTerm="🎉")).json()
    assert found["total"] == 0  # a reaction's emoji is not message text


async def test_a_reaction_is_pushed_as_created_of_its_channel(sandbox: RunningSandbox) -> None:
    async with listening(sandbox) as heard:
        async with httpx.AsyncClient(
            base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}
        ) as api:
            target = (
                await api.get(
                    messages_path(9), params={"conversation_id": 9, "direction": "outbound", "$limit": 1}
                )
            ).json()["data"][0]
        reaction = await asyncio.to_thread(sandbox.customer_reacts, 9, target["_id"], "❤️")
        assert await heard.next() == (message_event("instagram", "created"), reaction)
        written = await asyncio.to_thread(sandbox.customer_writes, 9, "and a question")
        event, data = await heard.next()  # not a conversation patch of the reaction's
        assert (event, data) == (message_event("instagram", "created"), written)
        assert (await heard.next())[0] == CONVERSATION_PATCHED
