"""The store's schema, by version, and the path from any older file to the current one.

`PRAGMA user_version` records which version a file has. A file written before versioning (0)
holds version 1's tables, created with IF NOT EXISTS, so version 1 applies to it and to an empty
file alike; each later version is a list of statements applied once, in one transaction with the
version bump, so a crash mid-migration leaves the file as it was. A file from a newer Switchboard
is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: Version 1: drafts and the outbox, as the store was before it carried a version.
SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS drafts (
    profile TEXT NOT NULL,
    conversation_id INTEGER NOT NULL,
    mode TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',
    outbox_id INTEGER,
    updated_at REAL NOT NULL,
    PRIMARY KEY (profile, conversation_id, mode)
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile TEXT NOT NULL,
    conversation_id INTEGER NOT NULL,
    draft TEXT NOT NULL,
    preview TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    sent_ids TEXT NOT NULL DEFAULT '[]',
    owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (profile, state);
"""

#: Version 2: the client id the screen keys a send's bubble by (one entry per id), and the
#: running instances with their heartbeat, so a crashed one is known at once.
SCHEMA_V2 = """
ALTER TABLE outbox ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX outbox_by_client_id ON outbox (client_id) WHERE client_id IS NOT NULL;
CREATE TABLE instances (
    owner TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    process_token TEXT,
    started_at REAL NOT NULL,
    beat_at REAL NOT NULL
);
"""

#: Version 3: what the screen showed when the agent pressed send (JSON, `tui.core.hold.Seen`;
#: NULL for a send that is not checked for collisions), and snoozes, which the API does not have.
SCHEMA_V3 = """
ALTER TABLE outbox ADD COLUMN seen TEXT;
CREATE TABLE snoozes (
    profile TEXT NOT NULL,
    conversation_id INTEGER NOT NULL,
    until TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (profile, conversation_id)
);
"""

MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, SCHEMA_V2, SCHEMA_V3)
CURRENT_VERSION = len(MIGRATIONS)


class StoreVersionError(sqlite3.DatabaseError):
    """The file was written by a newer Switchboard; its message is one sentence."""


def statements(script: str) -> list[str]:
    return [s for s in script.split(";") if s.strip()]


def migrate(db: sqlite3.Connection, path: Path | str) -> int:
    """Bring the file to `CURRENT_VERSION`; call inside a write transaction. Returns the version
    the file had."""
    found = int(db.execute("PRAGMA user_version").fetchone()[0])
    if found > CURRENT_VERSION:
        raise StoreVersionError(
            f"The store {path} was written by a newer Switchboard (schema version {found}; this one "
            f"knows up to {CURRENT_VERSION}); update Switchboard, or move the file aside to start afresh."
        )
    for version in range(max(found, 0) + 1, CURRENT_VERSION + 1):
        for statement in statements(MIGRATIONS[version - 1]):
            db.execute(statement)
    if found != CURRENT_VERSION:
        db.execute(f"PRAGMA user_version={CURRENT_VERSION:d}")
    return found
