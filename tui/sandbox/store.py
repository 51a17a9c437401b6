"""SQLite persistence for the sandbox: queries, and the clock anchor.

Timestamps are stored as epoch seconds. The sandbox's clock stands still while no sandbox runs on
the file: when one starts and no other is alive (`instances`), every stored time moves forward by
the time since a sandbox was last alive (its last write, heartbeat or stop: the `anchor`), so the
seeded mix of open, closed and never-opened reply windows stays as seeded however long the file
sat unused. A sandbox starting next to a live one moves nothing.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.core.fold import fold
from tui.sandbox import instances
from tui.sandbox.instances import HOST, LIVE_FOR
from tui.sandbox.schema import migrate

__all__ = ["HOST", "LIVE_FOR", "Store", "message_counts"]

CONVERSATION_TIMES = ("last_message_at", "last_inbound_message_at")
MESSAGE_COLUMNS = (
    "id",
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
)


def _fold(value: object) -> str | None:
    """SQL `fold(text)`: search folding (case, accents) the way the app folds."""
    return None if value is None else fold(str(value))


def _ts(value: float | None) -> str | None:
    """The API's timestamp form, as `tui.core.models.iso` writes it (UTC, milliseconds, `Z`);
    spelled out here so that serving a page needs no pydantic (a test keeps the two equal)."""
    if value is None:
        return None
    dt = datetime.fromtimestamp(value, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


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
        """Seed a new file; or, when no other sandbox is alive on it, move its clock forward to
        now. Either way, join the live instances."""
        now = self.clock()
        if self.meta("api_key") is None:
            self.set_meta("api_key", "sbx_" + secrets.token_urlsafe(24))
            self.set_meta("signing_secret", secrets.token_hex(32))
            seed(self, now)
        with self._immediate() as db:
            alive = instances.forget_dead(db, self.wall())
            anchor = db.execute("SELECT value FROM meta WHERE key = 'anchor'").fetchone()
            shift = now - float(anchor[0]) if anchor and not alive else 0.0
            if shift > 0:
                db.execute(
                    "UPDATE conversations SET last_message_at = last_message_at + ?, "
                    "last_inbound_message_at = last_inbound_message_at + ?",
                    (shift, shift),
                )
                db.execute("UPDATE messages SET created_at = created_at + ?", (shift,))
                db.execute("UPDATE files SET created_at = created_at + ?", (shift,))
            instances.beat(db, self.instance, self.wall())
            self._stamp(db)

    @property
    def api_key(self) -> str:
        return self.meta("api_key") or ""

    @property
    def signing_secret(self) -> str:
        return self.meta("signing_secret") or ""

    # -- conversations --------------------------------------------------------------------------

    def conversations_json(self, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        """Several conversations, their contacts read in one query."""
        ids = sorted({r["contact_id"] for r in rows})
        marks = ", ".join("?" for _ in ids)
        found = self.query(f"SELECT * FROM contacts WHERE id IN ({marks})", ids) if ids else []
        contacts = {c["id"]: c for c in found}
        return [self.conversation_json(r, contacts.get(r["contact_id"])) for r in rows]

    def conversation_json(self, row: sqlite3.Row, contact: sqlite3.Row | None = None) -> dict[str, Any]:
        """The API's conversation document; `contact` when the caller has read it already."""
        if contact is None:
            contact = self.one("SELECT * FROM contacts WHERE id = ?", (row["contact_id"],))
        data = {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row is not a mapping
        for key in CONVERSATION_TIMES:
            data[key] = _ts(data[key])
        for key in ("ai_auto_assignment_disabled", "blocked"):
            data[key] = None if data[key] is None else bool(data[key])
        data["contact"] = dict(contact) if contact else None
        return data

    def conversation(self, conversation_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM conversations WHERE id = ?", (conversation_id,))

    def touch_conversation(self, conversation_id: int, text: str, at: float, *, inbound: bool) -> None:
        if inbound:
            self.execute(
                "UPDATE conversations SET last_message_text = ?, last_message_at = ?, "
                "last_inbound_message_at = ?, unread_count = unread_count + 1, status = 'open' WHERE id = ?",
                (text, at, at, conversation_id),
            )
        else:
            self.execute(
                "UPDATE conversations SET last_message_text = ?, last_message_at = ?, unread_count = 0 "
                "WHERE id = ?",
                (text, at, conversation_id),
            )

    # -- messages -------------------------------------------------------------------------------

    def add_message(self, **fields: Any) -> int:
        if isinstance(fields.get("template"), dict):
            fields["template"] = json.dumps(fields["template"], ensure_ascii=False)
        columns = [c for c in MESSAGE_COLUMNS if c in fields]
        placeholders = ", ".join("?" for _ in columns)
        message_id = self.execute(
            f"INSERT INTO messages ({', '.join(columns)}) VALUES ({placeholders})",
            [fields[c] for c in columns],
        )
        self.stamp()
        return message_id

    def message_json(self, row: sqlite3.Row) -> dict[str, Any]:
        data = {k: row[k] for k in row.keys()}  # noqa: SIM118
        data["created_at"] = _ts(data["created_at"])
        if data.get("template"):
            data["template"] = json.loads(data["template"])
            if isinstance(data["template"], dict) and "_components" in data["template"]:
                data["template_components"] = data["template"].pop("_components")  # template_checks
        else:
            data.pop("template", None)
        if data.get("conversation_file_id") and not data.get("s3_key"):  # Inbound attachments
            found = self.file(data["conversation_file_id"])
            data["s3_key"] = found["s3_key"] if found is not None else None
        if data.get("reply_to_message_id") is None:  # only a reply says what it answers
            data.pop("reply_to_message_id", None)
        if data.get("error_code") is None:  # only a failed delivery says why (schema 4)
            data.pop("error_code", None), data.pop("error_text", None)
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
        row = self.one("SELECT * FROM messages WHERE id = ?", (message_id,))
        assert row is not None
        return self.message_json(row)

    # -- templates, files, objects --------------------------------------------------------------

    def template_json(self, row: sqlite3.Row) -> dict[str, Any]:
        data = {k: row[k] for k in row.keys()}  # noqa: SIM118
        data["components"] = json.loads(data["components"])
        return data

    def file(self, file_id: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM files WHERE id = ?", (file_id,))

    def object(self, key: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM objects WHERE key = ?", (key,))


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
