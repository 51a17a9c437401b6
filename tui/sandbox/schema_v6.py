"""Schema version 6: the December reading of the contract (`../shared/spec/backend-contract.md`).

- messages: `uid` (the `_id` ObjectId of the WhatsApp-style channels, unique; `ids`),
  `deleted_at` (soft delete), `reaction_to` (the rowid a reaction reacts to);
- conversations: `last_interaction_at` and `created_at` (the list's sort keys), with a trigger
  that fills them for a row inserted without them (a file built by SQL, as the benchmark does);
- contacts: every field of the Contacts service, and the `companies` they belong to;
- change tracking for the live pushes of writes made by other processes (`watch`): who created
  or last changed a row (`created_by`, `changed_by`: a sandbox instance id) and a change counter
  (`change_seq`), kept by temporary triggers that each sandbox's own connection installs
  (`Store.track_changes`).

The fill runs in the migration's transaction: ObjectIds for the messages of those channels (their
timestamps from `created_at`), `created_at` = the first message (else `last_message_at`),
`last_interaction_at` = the newest non-reaction message (else `last_message_at`, else
`created_at`), a contact's organization from its conversations.
"""

from __future__ import annotations

import sqlite3

from tui.sandbox.ids import OBJECT_ID_CHANNELS, object_id

__all__ = ["CONTACT_COLUMNS", "migrate_v6"]

#: The contact columns version 6 adds, with their SQL types.
CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("phone_country_code", "TEXT"),
    ("phone_country_iso", "TEXT"),
    ("organization_id", "INTEGER"),
    ("company_id", "INTEGER"),
    ("owned_by_user_id", "INTEGER"),
    ("created_by_user_id", "INTEGER"),
    ("channel_whatsapp_wa_id", "TEXT"),
    ("channel_instagram_user_id", "TEXT"),
    ("avatar_url", "TEXT"),
    ("custom_fields", "TEXT"),
    ("created_at", "REAL"),
    ("updated_at", "REAL"),
    ("deleted_at", "REAL"),
)

DDL = [
    "ALTER TABLE messages ADD COLUMN uid TEXT",
    "ALTER TABLE messages ADD COLUMN deleted_at REAL",
    "ALTER TABLE messages ADD COLUMN reaction_to INTEGER",
    "ALTER TABLE messages ADD COLUMN created_by TEXT",
    "ALTER TABLE messages ADD COLUMN changed_by TEXT",
    "ALTER TABLE messages ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0",
    "CREATE UNIQUE INDEX IF NOT EXISTS messages_by_uid ON messages (uid)",
    "CREATE INDEX IF NOT EXISTS messages_by_change ON messages (change_seq)",
    "ALTER TABLE conversations ADD COLUMN last_interaction_at REAL",
    "ALTER TABLE conversations ADD COLUMN created_at REAL",
    "ALTER TABLE conversations ADD COLUMN changed_by TEXT",
    "ALTER TABLE conversations ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX IF NOT EXISTS conversations_by_interaction ON conversations (last_interaction_at DESC)",
    "CREATE INDEX IF NOT EXISTS conversations_by_change ON conversations (change_seq)",
    "CREATE INDEX IF NOT EXISTS conversations_by_contact ON conversations (contact_id)",
    *(f"ALTER TABLE contacts ADD COLUMN {name} {kind}" for name, kind in CONTACT_COLUMNS),
    "CREATE TABLE IF NOT EXISTS companies (id INTEGER PRIMARY KEY, organization_id INTEGER NOT NULL, "
    "name TEXT NOT NULL)",
    # A conversation inserted without its times (by SQL, outside the sandbox) gets them now.
    "CREATE TRIGGER IF NOT EXISTS conversations_times AFTER INSERT ON conversations "
    "WHEN NEW.created_at IS NULL OR NEW.last_interaction_at IS NULL BEGIN "
    "UPDATE conversations SET "
    "created_at = coalesce(NEW.created_at, NEW.last_message_at, (julianday('now') - 2440587.5) * 86400.0), "
    "last_interaction_at = coalesce(NEW.last_interaction_at, NEW.last_message_at, NEW.created_at, "
    "(julianday('now') - 2440587.5) * 86400.0) "
    "WHERE id = NEW.id; END",
]

FILL = [
    "UPDATE conversations SET created_at = coalesce("
    "(SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id), "
    "last_message_at, CAST((SELECT value FROM meta WHERE key = 'anchor') AS REAL), 0) "
    "WHERE created_at IS NULL",
    "UPDATE conversations SET last_interaction_at = coalesce("
    "(SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id "
    "AND m.message_type != 'reaction'), last_message_at, created_at) WHERE last_interaction_at IS NULL",
    "UPDATE contacts SET organization_id = coalesce("
    "(SELECT min(c.organization_id) FROM conversations c WHERE c.contact_id = contacts.id), 1) "
    "WHERE organization_id IS NULL",
    "UPDATE contacts SET created_at = coalesce("
    "(SELECT min(c.created_at) FROM conversations c WHERE c.contact_id = contacts.id), "
    "CAST((SELECT value FROM meta WHERE key = 'anchor') AS REAL), 0) WHERE created_at IS NULL",
    "UPDATE contacts SET updated_at = created_at WHERE updated_at IS NULL",
]


def _add(db: sqlite3.Connection, statement: str) -> None:
    """One statement; a column that exists already is kept (as in `schema._apply`)."""
    try:
        db.execute(statement)
    except sqlite3.OperationalError as exc:
        if "duplicate column name" not in str(exc):
            raise


def migrate_v6(db: sqlite3.Connection) -> None:
    """Add version 6's columns and tables and fill them (inside the caller's transaction)."""
    for statement in DDL:
        _add(db, statement)
    for statement in FILL:
        db.execute(statement)
    marks = ", ".join("?" for _ in OBJECT_ID_CHANNELS)
    rows = db.execute(
        "SELECT m.id, m.created_at FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        f"WHERE m.uid IS NULL AND c.channel IN ({marks}) ORDER BY m.id",
        sorted(OBJECT_ID_CHANNELS),
    ).fetchall()
    db.executemany("UPDATE messages SET uid = ? WHERE id = ?", [(object_id(at), mid) for mid, at in rows])
