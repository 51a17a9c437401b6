"""Quoted replies in the sandbox (contract: "Reply to a message"): a send may carry
`reply_to_message_id`, a message of the same conversation named as its service gives ids (an `_id`
string on WhatsApp-style channels, a number or a string of digits on SMS and the playground; else
400, nothing stored); the history reads it back; the seed holds one customer message quoting the
agent; a file of schema 4 gains the column and reads its old messages without it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox import schema
from tui.sandbox.seed import HANDY_IDS
from tui.sandbox.seed_quotes import QUOTING_CONVERSATION
from tui.sandbox.store import Store

from .rest import messages_path, mid

WA = HANDY_IDS["whatsapp_open"]
WA_PATH = "/conversation-messages-transform-outgoing-whatsapp"


@pytest.fixture
async def api(sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as c:
        yield c


async def history(api: httpx.AsyncClient, cid: int) -> list[dict[str, Any]]:
    """Every message of a seeded conversation, newest first (pages of 50)."""
    found: list[dict[str, Any]] = []
    while True:
        answer = await api.get(messages_path(cid), params={"conversation_id": cid, "$skip": len(found)})
        assert answer.status_code == 200
        found.extend(answer.json()["data"])
        if len(found) >= answer.json()["total"]:
            return found


async def test_a_reply_is_stored_and_read_back(api: httpx.AsyncClient) -> None:
    original = (await history(api, WA))[-1]  # the oldest
    sent = await api.post(
        WA_PATH,
        json={
            "conversation_id": WA,
            "message_text": "About this one",
            "message_type": "text",
            "reply_to_message_id": original["_id"],
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["reply_to_message_id"] == original["_id"]
    newest = (await history(api, WA))[0]
    assert newest["message_text"] == "About this one"
    assert newest["reply_to_message_id"] == original["_id"]


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
    elsewhere = mid((await history(api, HANDY_IDS["webchat"]))[0])  # another conversation's
    other_sms = mid((await history(api, 24))[0])  # another SMS conversation's
    own = mid((await history(api, cid))[0])
    before = len(await history(api, cid))
    # an id spelled as the other kind of service spells them is not found either: WhatsApp
    # conversation 1's first message is rowid 1, but its service names it by its `_id`
    wrong_kind = 1 if isinstance(own, str) else "0123456789abcdef01234567"
    for bad in (999_999, elsewhere, other_sms, "abc", True, {"id": 1}, wrong_kind, "1" * 40):
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


async def test_sms_and_playground_take_numbers_and_strings_of_digits(api: httpx.AsyncClient) -> None:
    sms = HANDY_IDS["sms"]
    target = (await history(api, sms))[-1]["id"]
    assert isinstance(target, int)
    for given in (target, str(target)):
        sent = await api.post(
            "/conversation-messages-sms",
            json={"conversation_id": sms, "message_text": f"re {given!r}", "reply_to_message_id": given},
        )
        assert sent.status_code == 201, sent.text
        assert sent.json()["reply_to_message_id"] == target  # read back as the service spells it
    pg = (await api.get(f"/conversations/{HANDY_IDS['playground']}")).json()
    quoted = (await history(api, pg["id"]))[0]["id"]
    played = await api.post(
        "/conversation-messages-playground",
        json={
            "conversation_id": pg["id"],
            "organization_id": 1,
            "contact_id": pg["contact_id"],
            "message_text": "quoting",
            "message_type": "text",
            "reply_to_message_id": str(quoted),
        },
    )
    assert played.status_code == 201 and played.json()["reply_to_message_id"] == quoted


async def test_a_whatsapp_style_reply_takes_the_id_string_only(api: httpx.AsyncClient) -> None:
    original = (await history(api, WA))[-1]
    assert "id" not in original
    fine = await api.post(
        WA_PATH,
        json={
            "conversation_id": WA,
            "message_text": "quoted",
            "message_type": "text",
            "reply_to_message_id": original["_id"],
        },
    )
    assert fine.status_code == 201 and "id" not in fine.json()
    upper = await api.post(
        WA_PATH,
        json={
            "conversation_id": WA,
            "message_text": "shouted",
            "message_type": "text",
            "reply_to_message_id": original["_id"].upper(),
        },
    )
    assert upper.status_code == 400


async def test_the_seed_holds_a_customer_quoting_the_agent(api: httpx.AsyncClient) -> None:
    messages = await history(api, QUOTING_CONVERSATION)
    by_id = {mid(m): m for m in messages}
    quoting = [m for m in messages if m.get("reply_to_message_id")]
    assert len(quoting) == 1
    reply = quoting[0]
    original = by_id[reply["reply_to_message_id"]]
    assert reply["direction"] == "inbound" and original["direction"] == "outbound"
    assert original["created_at"] < reply["created_at"]


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
