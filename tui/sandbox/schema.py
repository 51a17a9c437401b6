"""The sandbox's SQLite schema and its migrations, recorded in `PRAGMA user_version`.

Version 1 is the schema the sandbox wrote before it recorded versions (those files say 0); each
later version is one migration (SQL, or a function for one that must compute what it fills). A
file is brought up to `VERSION` when opened, one migration per transaction, so two processes
opening one old file migrate it once. A file from a newer sandbox is refused, untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import SwitchboardError
from tui.sandbox.schema_v6 import migrate_v6

# Version 1: the schema of before versions. Every statement tolerates tables that exist already,
# so it also brings a file of before (user_version 0) to version 1 unchanged.
SCHEMA_V1 = """
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

# Version 2: the live instances on this file and their heartbeats (wall-clock seconds), so that a
# sandbox starting next to a running one does not take the other's running time for downtime.
INSTANCES_V2 = """
CREATE TABLE IF NOT EXISTS instances (
    id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, beat REAL NOT NULL
);
"""

# Version 3: the organization's agents, each with its own API key (`agents` fills it), so that
# two app instances on one sandbox can be two agents.
USERS_V3 = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, organization_id INTEGER NOT NULL, first_name TEXT NOT NULL,
    last_name TEXT NOT NULL, email TEXT NOT NULL, api_key TEXT NOT NULL UNIQUE
);
"""

# Version 4: why a message failed to deliver (WhatsApp's error code and text), set when the
# delivery status moves to `failed` (`delivery`).
MESSAGE_ERRORS_V4 = """
ALTER TABLE messages ADD COLUMN error_code INTEGER;
ALTER TABLE messages ADD COLUMN error_text TEXT;
"""

# Version 5: the message a message answers (contract: "Reply to a message").
REPLY_TO_V5 = """
ALTER TABLE messages ADD COLUMN reply_to_message_id INTEGER;
"""

# Version 6: the December reading of the contract (opaque message ids, reactions, soft deletes,
# the list's sort keys, contacts and companies, change tracking): `schema_v6`, in Python, because
# its fill makes ObjectIds.

# Version 7: the organization's shared replies (contract: "Canned replies of the organization"),
# served at `/conversation-predefined-messages` (`predefined`) and seeded by `seed_team_replies`
# (a file of before gets them when it next opens: `ensure_team_replies`).
PREDEFINED_V7 = """
CREATE TABLE IF NOT EXISTS predefined_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, organization_id INTEGER NOT NULL, title TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '', message_type TEXT NOT NULL DEFAULT 'text', media_url TEXT,
    filename TEXT, mime_type TEXT, created_by_user_id INTEGER, created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS predefined_by_organization ON predefined_messages (organization_id, title);
"""

# Version 8: the automations run on conversations (contract: "Run an automation"), each with the
# `initial_payload` it was given (JSON), served by `automations`.
EXECUTIONS_V8 = """
CREATE TABLE IF NOT EXISTS automation_executions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, organization_id INTEGER NOT NULL, automation_id TEXT NOT NULL,
    conversation_id INTEGER NOT NULL, created_by_user_id INTEGER, status TEXT NOT NULL,
    initial_payload TEXT NOT NULL, created_at REAL NOT NULL
);
"""
MIGRATIONS: tuple[tuple[int, str | Callable[[sqlite3.Connection], None]], ...] = (
    (1, SCHEMA_V1),
    (2, INSTANCES_V2),
    (3, USERS_V3),
    (4, MESSAGE_ERRORS_V4),
    (5, REPLY_TO_V5),
    (6, migrate_v6),
    (7, PREDEFINED_V7),
    (8, EXECUTIONS_V8),
)
VERSION = MIGRATIONS[-1][0]


def version_of(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _apply(db: sqlite3.Connection, statement: str) -> None:
    """One statement of a migration; a column it adds that exists already is kept (as tables are)."""
    try:
        db.execute(statement)
    except sqlite3.OperationalError as exc:
        if "duplicate column name" not in str(exc):
            raise


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the file (a connection in autocommit mode) up to `VERSION`."""
    if version_of(db) > VERSION:
        raise SwitchboardError(
            f"{path} was written by a newer Switchboard (sandbox schema {version_of(db)}, this one "
            f"knows {VERSION}); use that version, or give this one another data folder."
        )
    for number, sql in MIGRATIONS:
        if version_of(db) >= number:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            if version_of(db) < number:  # another process may have migrated while we waited
                if callable(sql):
                    sql(db)
                else:
                    for statement in sql.split(";"):
                        if statement.strip():
                            _apply(db, statement)
                db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
