"""SQLite persistence for the sandbox: queries, the clock anchor, and change tracking.

Timestamps are stored as epoch seconds. A restart within a working day moves nothing: the times
an agent saw stay as they were, as on a real server. A file that sat unused longer than
`REAGE_AFTER` is re-aged when a sandbox starts and no other is alive (`instances`): every stored
time moves forward by the time since a sandbox was last alive (its last write, heartbeat or stop:
the `anchor`), so the seeded mix of open, closed and never-opened reply windows is as seeded,
not all closed. A sandbox starting next to a live one moves nothing.

Change tracking (`track_changes`): the sandbox's own connection installs temporary triggers that
stamp every message it inserts with its instance (`created_by`) and every message or conversation
it changes with its instance and the next change number (`changed_by`, `change_seq`). Another
sandbox on the same file reads those to push what this one wrote (`watch`). Other connections
(tests, tools) write unstamped: their new messages are still pushed, their updates are not.

The documents served are built in `records`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tui.core.fold import fold
from tui.sandbox import instances
from tui.sandbox.ids import OBJECT_ID_CHANNELS, object_id
from tui.sandbox.instances import HOST, LIVE_FOR
from tui.sandbox.records import conversation_doc, message_doc, ts
from tui.sandbox.schema import migrate

__all__ = ["HOST", "LIVE_FOR", "Store", "message_counts"]

#: A file unused longer than this (seconds) has its times moved to now when a sandbox starts.
REAGE_AFTER = 8 * 3600.0
#: Every stored time that the clock shift moves, by table.
SHIFTED = {
    "conversations": (
        "last_message_at",
        "last_inbound_message_at",
        "last_interaction_at",
        "created_at",
        "ai_context_cut",
    ),
    "messages": ("created_at", "deleted_at"),
    "files": ("created_at",),
    "contacts": ("created_at", "updated_at", "deleted_at"),
    "predefined_messages": ("created_at", "updated_at"),
}
MESSAGE_COLUMNS = (
    "uid",
    "conversation_id",
    "direction",
    "message_type",
    "message_text",
    "created_at",
    "status",
    "sender_name",
    "conversation_file_id",
    "file_name",
    "file_type",
    "file_size",
    "media_url",
    "template",
    "reply_to_message_id",
    "reaction_to",
)
_NEXT = "(SELECT coalesce(max(change_seq), 0) + 1 FROM {table})"
# The temporary triggers of `track_changes` ({me}: this instance, a hex token).
TRACKING = (
    "CREATE TEMP TRIGGER IF NOT EXISTS track_message_insert AFTER INSERT ON main.messages BEGIN "
    "UPDATE messages SET created_by = '{me}', changed_by = '{me}', change_seq = "
    + _NEXT.format(table="messages")
    + " WHERE id = NEW.id; END",
    "CREATE TEMP TRIGGER IF NOT EXISTS track_message_update AFTER UPDATE ON main.messages "
    "WHEN NEW.change_seq IS OLD.change_seq BEGIN "
    "UPDATE messages SET changed_by = '{me}', change_seq = "
    + _NEXT.format(table="messages")
    + " WHERE id = NEW.id; END",
    "CREATE TEMP TRIGGER IF NOT EXISTS track_conversation_insert AFTER INSERT ON main.conversations BEGIN "
    "UPDATE conversations SET changed_by = '{me}', change_seq = "
    + _NEXT.format(table="conversations")
    + " WHERE id = NEW.id; END",
    "CREATE TEMP TRIGGER IF NOT EXISTS track_conversation_update AFTER UPDATE ON main.conversations "
    "WHEN NEW.change_seq IS OLD.change_seq BEGIN "
    "UPDATE conversations SET changed_by = '{me}', change_seq = "
    + _NEXT.format(table="conversations")
    + " WHERE id = NEW.id; END",
)


def _fold(value: object) -> str | None:
    """SQL `fold(text)`: search folding (case, accents) the way the app folds."""
    return None if value is None else fold(str(value))


_ts = ts  # the name tests and older callers know


class Store:
    """One SQLite file; calls are short and serialised by a lock (the app runs on one loop)."""

    def __init__(
        self, path: Path, clock: Callable[[], float], *, wall: Callable[[], float] = time.time
    ) -> None:
        """`clock` is the sandbox's time (injectable for tests); `wall` the real time that
        heartbeats are measured in."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.clock = clock
        self.wall = wall
        self.instance = secrets.token_hex(8)
        self.host = HOST
        self._lock = threading.Lock()
        self._closed = False
        #: Serve conversations without the [ours] fields (`documented_fields_only`).
        self.documented_only = False
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.row_factory = sqlite3.Row
        self._db.create_function("fold", 1, _fold, deterministic=True)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            migrate(self._db, path)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Leave the live instances, stamp and close; safe twice."""
        if self._closed:
            return
        with self._immediate() as db:
            instances.leave(db, self.instance)
            self._stamp(db)
        with self._lock:
            self._closed = True
            self._db.close()

    def stamp(self) -> None:
        """Remember the last moment the sandbox was alive; the next start shifts time from here."""
        self.set_meta("anchor", repr(self.clock()))

    def _stamp(self, db: sqlite3.Connection) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('anchor', ?)", (repr(self.clock()),))

    def beat(self) -> None:
        """The heartbeat: this instance is alive, and so is the sandbox's clock."""
        with self._immediate() as db:
            instances.beat(db, self.instance, self.wall())
            self._stamp(db)

    # -- plumbing -------------------------------------------------------------------------------

    def query(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def one(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Row | None:
        rows = self.query(sql, args)
        return rows[0] if rows else None

    def execute(self, sql: str, args: Iterable[Any] = ()) -> int:
        """Run one statement; the new row's id."""
        with self._lock:
            return int(self._db.execute(sql, tuple(args)).lastrowid or 0)

    def snapshot(self, queries: list[tuple[str, tuple[Any, ...]]]) -> list[list[sqlite3.Row]]:
        """Several reads in one read transaction: one consistent view of the file."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                return [self._db.execute(sql, args).fetchall() for sql, args in queries]
            finally:
                self._db.execute("COMMIT")

    def script(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Several statements in one transaction."""
        with self._immediate() as db:
            for sql, args in statements:
                db.execute(sql, args)

    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one write transaction (other processes wait for it)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- start-up -------------------------------------------------------------------------------

    def open(self, seed: Callable[[Store, float], None]) -> None:
        """Seed a new file; or, when no other sandbox is alive on it and it sat unused longer than
        `REAGE_AFTER`, move its clock forward to now. Either way, join the live instances."""
        now = self.clock()
        if self.meta("api_key") is None:
            self.set_meta("api_key", "sbx_" + secrets.token_urlsafe(24))
            self.set_meta("signing_secret", secrets.token_hex(32))
            seed(self, now)
        with self._immediate() as db:
            alive = instances.forget_dead(db, self.wall())
            anchor = db.execute("SELECT value FROM meta WHERE key = 'anchor'").fetchone()
            shift = now - float(anchor[0]) if anchor and not alive else 0.0
            if shift > REAGE_AFTER:
                for table, columns in SHIFTED.items():
                    moves = ", ".join(f"{c} = {c} + ?" for c in columns)
                    db.execute(f"UPDATE {table} SET {moves}", [shift] * len(columns))
            instances.beat(db, self.instance, self.wall())
            self._stamp(db)

    def track_changes(self) -> None:
        """Stamp this connection's writes from now on (see the module's docstring)."""
        with self._lock:
            for sql in TRACKING:
                self._db.execute(sql.replace("{me}", self.instance))

    def data_version(self) -> int:
        """SQLite's `PRAGMA data_version`: it moves when another connection commits."""
        return int(self.query("PRAGMA data_version")[0][0])

    @property
    def api_key(self) -> str:
        return self.meta("api_key") or ""

    @property
    def signing_secret(self) -> str:
        return self.meta("signing_secret") or ""

    # -- conversations --------------------------------------------------------------------------

    def conversations_json(self, rows: list[sqlite3.Row], *, full: bool = False) -> list[dict[str, Any]]:
        """Several conversations, their contacts read in one query (none when not served)."""
        contacts: dict[int, sqlite3.Row] = {}
        if full or not self.documented_only:
            ids = sorted({r["contact_id"] for r in rows})
            marks = ", ".join("?" for _ in ids)
            found = self.query(f"SELECT * FROM contacts WHERE id IN ({marks})", ids) if ids else []
            contacts = {c["id"]: c for c in found}
        return [self._conversation_doc(r, contacts.get(r["contact_id"]), full) for r in rows]

    def conversation_json(
        self, row: sqlite3.Row, contact: sqlite3.Row | None = None, *, full: bool = False
    ) -> dict[str, Any]:
        """The API's conversation document; `contact` when the caller has read it already.
        `full`: with the [ours] fields whatever the sandbox serves (its own checks use them)."""
        if contact is None and (full or not self.documented_only):
            contact = self.one("SELECT * FROM contacts WHERE id = ?", (row["contact_id"],))
        return self._conversation_doc(row, contact, full)

    def _conversation_doc(self, row: sqlite3.Row, contact: sqlite3.Row | None, full: bool) -> dict[str, Any]:
        return conversation_doc(row, contact, documented_only=self.documented_only and not full)

    def conversation(self, conversation_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM conversations WHERE id = ?", (conversation_id,))

    def touch_conversation(self, conversation_id: int, text: str, at: float, *, inbound: bool) -> None:
        """A message to or from the customer moved the conversation's summary (an inbound one
        also raises its unread count and reopens it); notes and reactions never call this.
        (`add_message(..., touch=...)` does it in the message's own transaction.)"""
        with self._immediate() as db:
            _touch(db, conversation_id, text, at, inbound=inbound)

    # -- messages -------------------------------------------------------------------------------

    def add_message(self, *, touch: tuple[str, bool] | None = None, **fields: Any) -> int:
        """Store a message; its rowid. A message of a WhatsApp-style channel gets its `uid`
        (the `_id` it is served with); any message but a reaction moves its conversation's
        `last_interaction_at` forward. `touch=(preview, inbound)`: it also moves the
        conversation's summary (`touch_conversation`), in the same transaction, so that another
        sandbox watching the file sees the conversation change once."""
        if isinstance(fields.get("template"), dict):
            fields["template"] = json.dumps(fields["template"], ensure_ascii=False)
        cid, at = fields["conversation_id"], fields["created_at"]
        if "uid" not in fields:
            row = self.one("SELECT channel FROM conversations WHERE id = ?", (cid,))
            if row is not None and row["channel"] in OBJECT_ID_CHANNELS:
                fields["uid"] = object_id(at)
        columns = [c for c in MESSAGE_COLUMNS if c in fields]
        placeholders = ", ".join("?" for _ in columns)
        with self._immediate() as db:
            cursor = db.execute(
                f"INSERT INTO messages ({', '.join(columns)}) VALUES ({placeholders})",
                [fields[c] for c in columns],
            )
            message_id = int(cursor.lastrowid or 0)
            if fields.get("message_type") != "reaction":
                db.execute(
                    "UPDATE conversations SET last_interaction_at = ? WHERE id = ? "
                    "AND (last_interaction_at IS NULL OR last_interaction_at < ?)",
                    (at, cid, at),
                )
            if touch is not None:
                _touch(db, cid, touch[0], at, inbound=touch[1])
            self._stamp(db)
        return message_id

    def served_id(self, message_id: int) -> str | int:
        """A message's id as its service gives it: its `_id`, else its number."""
        row = self.one("SELECT uid FROM messages WHERE id = ?", (message_id,))
        return row["uid"] if row is not None and row["uid"] else message_id

    def message_json(self, row: sqlite3.Row) -> dict[str, Any]:
        """The message document; a file's message also says its `s3_key` (Inbound attachments)."""
        data = message_doc(row, self.served_id)
        if data.get("conversation_file_id") and not data.get("s3_key"):
            found = self.file(data["conversation_file_id"])
            data["s3_key"] = found["s3_key"] if found is not None else None
        return data

    def message_counts(
        self,
        text: str | None = None,
        *,
        conversation_id: int | None = None,
        direction: str | None = "outbound",
    ) -> dict[tuple[int, str], int]:
        """How many messages exist per `(conversation_id, message_text)`; see `message_counts`."""
        sql, args = _counts_query(text, conversation_id, direction)
        return {(r[0], r[1]): r[2] for r in self.query(sql, args)}

    def count_messages(
        self, text: str, *, conversation_id: int | None = None, direction: str | None = "outbound"
    ) -> dict[int, int]:
        """How many messages with exactly `text` each conversation holds (only those with any)."""
        counts = self.message_counts(text, conversation_id=conversation_id, direction=direction)
        return {cid: n for (cid, _), n in counts.items()}

    def message(self, message_id: int) -> dict[str, Any]:
        """The message with this rowid, as its service serves it."""
        row = self.one("SELECT * FROM messages WHERE id = ?", (message_id,))
        assert row is not None
        return self.message_json(row)

    def channel_of_message(self, message_id: int) -> tuple[str, int] | None:
        """(channel, organization) of a message's conversation."""
        row = self.one(
            "SELECT c.channel, c.organization_id FROM messages m JOIN conversations c "
            "ON c.id = m.conversation_id WHERE m.id = ?",
            (message_id,),
        )
        return (row["channel"], row["organization_id"]) if row is not None else None

    # -- templates, files, objects --------------------------------------------------------------

    def template_json(self, row: sqlite3.Row) -> dict[str, Any]:
        data = {k: row[k] for k in row.keys()}  # noqa: SIM118
        data["components"] = json.loads(data["components"])
        return data

    def file(self, file_id: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM files WHERE id = ?", (file_id,))

    def object(self, key: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM objects WHERE key = ?", (key,))


def _touch(db: sqlite3.Connection, conversation_id: int, text: str, at: float, *, inbound: bool) -> None:
    if inbound:
        db.execute(
            "UPDATE conversations SET last_message_text = ?, last_message_at = ?, "
            "last_inbound_message_at = ?, unread_count = unread_count + 1, status = 'open' WHERE id = ?",
            (text, at, at, conversation_id),
        )
    else:
        db.execute(
            "UPDATE conversations SET last_message_text = ?, last_message_at = ?, unread_count = 0 "
            "WHERE id = ?",
            (text, at, conversation_id),
        )


# -- reading the records, for tests that check delivery ----------------------------------------------


def _counts_query(
    text: str | None, conversation_id: int | None, direction: str | None
) -> tuple[str, list[Any]]:
    where, args = ["1 = 1"], []
    for column, value in (
        ("message_text", text),
        ("conversation_id", conversation_id),
        ("direction", direction),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    sql = (
        "SELECT conversation_id, coalesce(message_text, ''), count(*) FROM messages "
        f"WHERE {' AND '.join(where)} GROUP BY conversation_id, coalesce(message_text, '')"
    )
    return sql, args


def message_counts(
    db_path: Path,
    text: str | None = None,
    *,
    conversation_id: int | None = None,
    direction: str | None = "outbound",
) -> dict[tuple[int, str], int]:
    """From a sandbox's SQLite file (running or not, e.g. `data_dir / "sandbox.db"`): how many
    messages exist per `(conversation_id, message_text)`, optionally only those with `text`, in
    one conversation, or in one direction (`None` = both; by default the agents' outbound ones).
    A media message counts under its caption."""
    sql, args = _counts_query(text, conversation_id, direction)
    db = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return {(r[0], r[1]): r[2] for r in db.execute(sql, args).fetchall()}
    finally:
        db.close()
