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
            messages = api.get("/conversation-messages", params={"conversation_id": 1}).json()
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
