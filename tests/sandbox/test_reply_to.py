"""Quoted replies in the sandbox (contract: "Reply to a message"): a send may carry
`reply_to_message_id`, a message of the same conversation (else 400, nothing stored); the history
reads it back; the seed holds one customer message quoting the agent; a file of schema 4 gains the
column and reads its old messages without it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import sandbox_profile
from tui.core.client import ApiClient
from tui.core.drafts import Draft
from tui.core.sender import send_draft
from tui.sandbox import schema
from tui.sandbox.seed import HANDY_IDS
from tui.sandbox.seed_quotes import QUOTING_CONVERSATION
from tui.sandbox.store import Store

WA = HANDY_IDS["whatsapp_open"]
WA_PATH = "/conversation-messages-transform-outgoing-whatsapp"


@pytest.fixture
async def api(sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as c:
        yield c


async def history(api: httpx.AsyncClient, cid: int) -> list[dict[str, Any]]:
    answer = await api.get("/conversation-messages", params={"conversation_id": cid, "$limit": 200})
    assert answer.status_code == 200
    return list(answer.json()["data"])


async def test_a_reply_is_stored_and_read_back(api: httpx.AsyncClient) -> None:
    original = (await history(api, WA))[-1]  # the oldest
    sent = await api.post(
        WA_PATH,
        json={
            "conversation_id": WA,
            "message_text": "About this one",
            "message_type": "text",
            "reply_to_message_id": original["id"],
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["reply_to_message_id"] == original["id"]
    newest = (await history(api, WA))[0]
    assert newest["message_text"] == "About this one"
    assert newest["reply_to_message_id"] == original["id"]


@pytest.mark.parametrize(
    ("path", "cid", "extra"),
    [
        (WA_PATH, WA, {"message_type": "text"}),
        ("/conversation-messages-sms", HANDY_IDS["sms"], {}),
    ],
)
async def test_a_reply_to_an_unknown_message_is_refused(
    api: httpx.AsyncClient, path: str, cid: int, extra: dict[str, Any]
) -> None:
    elsewhere = (await history(api, HANDY_IDS["webchat"]))[0]["id"]  # another conversation's
    before = len(await history(api, cid))
    for bad in (999_999, elsewhere, "abc", True, {"id": 1}):
        answer = await api.post(
            path, json={**extra, "conversation_id": cid, "message_text": "hi", "reply_to_message_id": bad}
        )
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json()["errors"] == {"reply_to_message_id": "no such message in this conversation"}
    assert len(await history(api, cid)) == before


async def test_a_plain_message_says_nothing_about_replies(api: httpx.AsyncClient) -> None:
    sent = await api.post(
        WA_PATH, json={"conversation_id": WA, "message_text": "Plain", "message_type": "text"}
    )
    assert sent.status_code == 201
    assert "reply_to_message_id" not in sent.json()


async def test_the_seed_holds_a_customer_quoting_the_agent(api: httpx.AsyncClient) -> None:
    messages = await history(api, QUOTING_CONVERSATION)
    by_id = {m["id"]: m for m in messages}
    quoting = [m for m in messages if m.get("reply_to_message_id")]
    assert len(quoting) == 1
    reply = quoting[0]
    original = by_id[reply["reply_to_message_id"]]
    assert reply["direction"] == "inbound" and original["direction"] == "outbound"
    assert original["created_at"] < reply["created_at"]


async def test_the_sender_quotes_and_a_profile_can_turn_it_off(sandbox: Any, api: httpx.AsyncClient) -> None:
    original = (await history(api, WA))[-1]["id"]
    async with ApiClient(sandbox_profile(sandbox)) as client:
        quoted = await send_draft(client, WA, Draft(text="Quoted", reply_to=original))
    assert quoted.messages[0].reply_to_message_id == original
    off = sandbox_profile(sandbox).model_copy(update={"send_reply_to": False})
    async with ApiClient(off) as client:
        plain = await send_draft(client, WA, Draft(text="Quote kept in the app", reply_to=original))
    assert plain.messages[0].reply_to_message_id is None
    assert "reply_to_message_id" not in (await history(api, WA))[0]


def test_a_schema_4_file_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for number, sql in schema.MIGRATIONS:
        if number <= 4:
            for statement in sql.split(";"):
                if statement.strip():
                    db.execute(statement)
    db.execute(
        "INSERT INTO messages (conversation_id, direction, message_type, message_text, created_at) "
        "VALUES (1, 'inbound', 'text', 'from before', 0)"
    )
    db.execute("PRAGMA user_version = 4")
    db.close()
    store = Store(path, clock=lambda: 0.0)
    try:
        assert store.one("PRAGMA user_version")[0] == schema.VERSION >= 5  # type: ignore[index]
        (row,) = store.query("SELECT * FROM messages")
        old = store.message_json(row)
        assert old["message_text"] == "from before" and "reply_to_message_id" not in old
    finally:
        store.close()
