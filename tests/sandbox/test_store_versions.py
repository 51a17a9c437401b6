"""The sandbox's SQLite file carries `PRAGMA user_version` and migrates: a file written by the
schema of before versions (user_version 0) opens with its data, at the current version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from tui.core.errors import SwitchboardError
from tui.sandbox.runner import start_in_thread
from tui.sandbox.schema import VERSION

# The schema as the sandbox wrote it before it recorded versions (user_version 0), verbatim.
SCHEMA_OF_BEFORE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, phone TEXT, email TEXT
);
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY, organization_id INTEGER NOT NULL, contact_id INTEGER NOT NULL,
    channel TEXT NOT NULL, status TEXT NOT NULL, unread_count INTEGER NOT NULL DEFAULT 0,
    assigned_user_id INTEGER, assigned_ai_assistant_id TEXT, pipeline_id INTEGER,
    pipeline_stage_id INTEGER, ai_context_cut INTEGER, ai_auto_assignment_disabled INTEGER,
    ai_auto_assignment_disabled_reason TEXT, blocked INTEGER NOT NULL DEFAULT 0,
    last_message_text TEXT, last_message_at REAL, last_inbound_message_at REAL
);
CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations (last_message_at DESC);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER NOT NULL, direction TEXT NOT NULL,
    message_type TEXT NOT NULL, message_text TEXT, created_at REAL NOT NULL, status TEXT,
    sender_name TEXT, conversation_file_id TEXT, file_name TEXT, file_type TEXT, file_size INTEGER,
    media_url TEXT, template TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, created_at DESC);
CREATE TABLE IF NOT EXISTS templates (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, language TEXT NOT NULL, category TEXT,
    status TEXT NOT NULL, components TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY, conversation_id INTEGER NOT NULL, organization_id INTEGER NOT NULL,
    file_name TEXT NOT NULL, file_type TEXT NOT NULL, file_size INTEGER NOT NULL, s3_key TEXT NOT NULL,
    s3_path TEXT NOT NULL, file_category TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    key TEXT PRIMARY KEY, content_type TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL
);
"""
NOW = 1_800_000_000.0


def write_old_file(folder: Path) -> Path:
    folder.mkdir(parents=True)
    path = folder / "sandbox.db"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_OF_BEFORE)
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("api_key", "sbx_from_before"), ("signing_secret", "ab" * 32), ("anchor", repr(NOW))],
    )
    db.execute("INSERT INTO contacts VALUES (5, 'Old', 'Timer', '+15550100', 'old@example.com')")
    db.execute(
        "INSERT INTO conversations (id, organization_id, contact_id, channel, status, unread_count, "
        "last_message_text, last_message_at, last_inbound_message_at) "
        "VALUES (1, 1, 5, 'webchat', 'open', 1, 'kept across versions', ?, ?)",
        (NOW - 60, NOW - 60),
    )
    db.execute(
        "INSERT INTO messages (conversation_id, direction, message_type, message_text, created_at, "
        "status, sender_name) VALUES (1, 'inbound', 'text', 'kept across versions', ?, 'delivered', "
        "'Old Timer')",
        (NOW - 60,),
    )
    db.commit()
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    db.close()
    return path


def test_a_file_of_before_opens_with_its_data_at_the_current_version(tmp_path: Path) -> None:
    path = write_old_file(tmp_path / "old")
    running = start_in_thread(tmp_path / "old", clock=lambda: NOW)
    try:
        assert running.api_key == "sbx_from_before"
        headers = {"x-api-key": "sbx_from_before"}
        with httpx.Client(base_url=running.base_url, headers=headers) as api:
            conversation = api.get("/conversations/1").json()
            messages = api.get("/conversation-messages-webchat", params={"conversation_id": 1}).json()
            sent = api.post(
                "/conversation-messages-transform-outgoing-webchat",
                json={"conversation_id": 1, "message_text": "after", "message_type": "text"},
            )
    finally:
        running.stop()
    assert conversation["contact"]["first_name"] == "Old"
    assert conversation["last_message_text"] == "kept across versions"
    assert [m["message_text"] for m in messages["data"]] == ["kept across versions"]
    assert sent.status_code == 201
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION >= 2
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "instances" in tables
        assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1  # not seeded again
    finally:
        db.close()


def test_a_new_file_starts_at_the_current_version(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "new")
    running.stop()
    db = sqlite3.connect(tmp_path / "new" / "sandbox.db")
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
    finally:
        db.close()


def test_a_file_from_a_newer_sandbox_is_refused_untouched(tmp_path: Path) -> None:
    path = write_old_file(tmp_path / "newer")
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.close()
    with pytest.raises(SwitchboardError) as refused:
        start_in_thread(tmp_path / "newer")
    assert "newer" in refused.value.sentence and str(path) in refused.value.sentence
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION + 1
    finally:
        db.close()


def write_version_5_file(folder: Path) -> Path:
    """A file as the sandbox of schema 5 wrote it: a WhatsApp conversation with a quoted reply and
    a note, an SMS one, their contacts (no details yet)."""
    from tui.sandbox.schema import MIGRATIONS

    folder.mkdir(parents=True)
    path = folder / "sandbox.db"
    db = sqlite3.connect(path, isolation_level=None)
    for number, sql in MIGRATIONS:
        if number <= 5:
            assert isinstance(sql, str)
            for statement in sql.split(";"):
                if statement.strip():
                    db.execute(statement)
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("api_key", "sbx_v5"), ("signing_secret", "cd" * 32), ("anchor", repr(NOW))],
    )
    db.execute("INSERT INTO contacts VALUES (1, 'Wanda', 'Five', '+4930111', 'wanda@example.com')")
    db.execute("INSERT INTO contacts VALUES (2, 'Sid', 'Five', '+4930222', NULL)")
    db.execute(
        "INSERT INTO conversations (id, organization_id, contact_id, channel, status, unread_count, "
        "last_message_text, last_message_at, last_inbound_message_at) "
        "VALUES (1, 1, 1, 'whatsapp', 'open', 1, 'question', ?, ?), "
        "(2, 1, 2, 'sms', 'open', 0, 'answer', ?, ?)",
        (NOW - 300, NOW - 300, NOW - 100, NOW - 200),
    )
    rows = [
        (1, "outbound", "text", "hello", NOW - 600, None),
        (1, "inbound", "text", "question", NOW - 300, 1),  # quotes message 1
        (1, "outbound", "note", "internal", NOW - 60, None),
        (2, "inbound", "text", "hi", NOW - 200, None),
        (2, "outbound", "text", "answer", NOW - 100, 4),
    ]
    db.executemany(
        "INSERT INTO messages (conversation_id, direction, message_type, message_text, created_at, "
        "status, sender_name, reply_to_message_id) VALUES (?, ?, ?, ?, ?, 'sent', 'x', ?)",
        rows,
    )
    db.execute("PRAGMA user_version = 5")
    db.close()
    return path


def test_a_version_5_file_is_brought_forward(tmp_path: Path) -> None:
    import struct

    path = write_version_5_file(tmp_path / "v5")
    running = start_in_thread(tmp_path / "v5", clock=lambda: NOW)
    try:
        with httpx.Client(base_url=running.base_url, headers={"x-api-key": "sbx_v5"}) as api:
            wa = api.get(
                "/conversation-messages-whatsapp", params={"conversation_id": 1, "$sort[created_at]": 1}
            )
            sms = api.get("/conversation-messages-sms", params={"conversation_id": 2, "$sort[created_at]": 1})
            conversations = api.get("/conversations", params={"organization_id": 1}).json()["data"]
            people = api.get("/contacts", params={"organization_id": 1}).json()["data"]
            sent = api.post(
                "/conversation-messages-transform-outgoing-whatsapp",
                json={
                    "conversation_id": 1,
                    "message_text": "after the migration",
                    "message_type": "text",
                    "reply_to_message_id": wa.json()["data"][1]["_id"],
                },
            )
    finally:
        running.stop()
    hello, question, note = wa.json()["data"]
    for message in (hello, question, note):
        assert "id" not in message and len(message["_id"]) == 24
        stamped = struct.unpack(">I", bytes.fromhex(message["_id"])[:4])[0]
        assert stamped == int(datetime_of(message["created_at"]))
    assert question["reply_to_message_id"] == hello["_id"]  # the rowid, spelled as the service does
    hi, answer = sms.json()["data"]
    assert isinstance(hi["id"], int) and "_id" not in hi and answer["reply_to_message_id"] == hi["id"]
    by_id = {c["id"]: c for c in conversations}
    assert [c["id"] for c in conversations] == [1, 2]  # last interaction: the note, 60 s ago
    assert (
        by_id[1]["last_interaction_at"] == note["created_at"]
        and by_id[1]["created_at"] == hello["created_at"]
    )
    assert (
        by_id[2]["last_interaction_at"] == answer["created_at"] and by_id[2]["created_at"] == hi["created_at"]
    )
    assert [(p["id"], p["organization_id"], p["created_at"] is not None) for p in people] == [
        (1, 1, True),
        (2, 1, True),
    ]
    assert people[0]["custom_fields_by_name"] == {} and people[0]["owner"] is None
    assert sent.status_code == 201, sent.text
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION >= 7
    finally:
        db.close()


def datetime_of(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_a_file_of_before_gets_the_new_fields(tmp_path: Path) -> None:
    write_old_file(tmp_path / "old")
    running = start_in_thread(tmp_path / "old", clock=lambda: NOW)
    try:
        with httpx.Client(base_url=running.base_url, headers={"x-api-key": "sbx_from_before"}) as api:
            conversation = api.get("/conversations/1").json()
            message = api.get("/conversation-messages-webchat", params={"conversation_id": 1}).json()["data"][
                0
            ]
            contact = api.get("/contacts/5").json()
    finally:
        running.stop()
    assert conversation["last_interaction_at"] == conversation["created_at"] == message["created_at"]
    assert len(message["_id"]) == 24 and "id" not in message
    assert (contact["first_name"], contact["organization_id"], contact["email"]) == (
        "Old",
        1,
        "old@example.com",
    )


def test_a_seeded_file_of_version_5_gets_the_seeds_new_parts(tmp_path: Path) -> None:
    """The seed's contact details, companies and reactions come to a seeded file of before, once;
    its messages get their ids and its conversations their times."""
    first = start_in_thread(tmp_path / "seeded", clock=lambda: NOW)
    first.stop()
    db = sqlite3.connect(tmp_path / "seeded" / "sandbox.db", isolation_level=None)
    db.execute("DELETE FROM messages WHERE message_type = 'reaction'")
    db.execute("DELETE FROM meta WHERE key IN ('seeded_contact_details', 'seeded_reactions')")
    db.execute("DELETE FROM companies")
    db.execute(
        "UPDATE contacts SET phone_country_code = NULL, company_id = NULL, owned_by_user_id = NULL, "
        "custom_fields = NULL, channel_whatsapp_wa_id = NULL, organization_id = NULL, created_at = NULL"
    )
    db.execute("UPDATE messages SET uid = NULL")
    db.execute("UPDATE conversations SET created_at = NULL, last_interaction_at = NULL")
    db.execute("PRAGMA user_version = 5")
    db.close()
    for _ in range(2):  # and a second start adds nothing twice
        again = start_in_thread(tmp_path / "seeded", clock=lambda: NOW)
        try:
            with httpx.Client(base_url=again.base_url, headers={"x-api-key": again.api_key}) as api:
                contact = api.get("/contacts", params={"organization_id": 1, "id": 3}).json()["data"][0]
                reactions = api.get(
                    "/conversation-messages-whatsapp",
                    params={"conversation_id": 1, "message_type": "reaction"},
                ).json()
                listed = api.get("/conversations", params={"organization_id": 1, "$limit": 50}).json()["data"]
        finally:
            again.stop()
        assert (contact["phone_country_iso"], contact["company"]) == (
            "DE",
            {"id": 1, "name": "Northwind Traders"},
        )
        assert contact["custom_fields_by_name"] and contact["owner"] is not None
        assert reactions["total"] == 1 and len(reactions["data"][0]["reaction_to"]) == 24
        assert all(c["created_at"] and c["last_interaction_at"] for c in listed)


def test_the_clock_shift_moves_the_new_times(tmp_path: Path) -> None:
    now = [NOW]
    first = start_in_thread(tmp_path / "shift", clock=lambda: now[0])
    with httpx.Client(base_url=first.base_url, headers={"x-api-key": first.api_key}) as api:
        sent = api.post(
            "/conversation-messages-sms", json={"conversation_id": 23, "message_text": "x"}
        ).json()
        api.delete(f"/conversation-messages-sms/{sent['id']}")
        before = api.get("/conversations/23").json()
        contact_before = api.get("/contacts/23").json()
    first.stop()
    now[0] += 86400
    second = start_in_thread(tmp_path / "shift", clock=lambda: now[0])
    try:
        with httpx.Client(base_url=second.base_url, headers={"x-api-key": second.api_key}) as api:
            after = api.get("/conversations/23").json()
            message = api.get(f"/conversation-messages-sms/{sent['id']}").json()
            contact_after = api.get("/contacts/23").json()
    finally:
        second.stop()
    for old, new in (
        (before["last_interaction_at"], after["last_interaction_at"]),
        (before["created_at"], after["created_at"]),
        (sent["created_at"], message["created_at"]),
        (contact_before["created_at"], contact_after["created_at"]),
    ):
        assert datetime_of(new) - datetime_of(old) == pytest.approx(86400, abs=0.01)
    assert datetime_of(message["deleted_at"]) == pytest.approx(NOW + 86400, abs=0.01)
