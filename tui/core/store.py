"""The local store: drafts and the outbox, in one SQLite file under `$XDG_STATE_HOME/switchboard/`.

Write-ahead logging, a busy timeout and one short transaction per call let several app instances
share the file without corrupting it; every write is committed before the call returns, so what
was stored survives `kill -9` or a dropped SSH session. Drafts are keyed by profile, conversation
and mode (reply and note are separate drafts). Outbox rows hold everything needed to redo a send
from scratch (text, mode, file paths, template), its state and reason, and a lease so that only
one instance works on a row at a time.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core.paths import state_dir

SCHEMA = """
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

#: States. queued -> uploading -> sending -> sent, or failed / unconfirmed; discarded by the agent.
ACTIVE = ("queued", "uploading", "sending")
UNRESOLVED = ("queued", "uploading", "sending", "failed", "unconfirmed")
LEASE_SECONDS = 60.0
STOPPED_MID_POST = "The app stopped while this was being sent; it may or may not have arrived."


def default_store_path() -> Path:
    return state_dir() / "store.sqlite3"


@dataclass
class StoredDraft:
    conversation_id: int
    mode: str  # "reply" | "note"
    text: str
    attachments: list[str]
    outbox_id: int | None
    updated_at: float

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.attachments


@dataclass
class OutboxEntry:
    id: int
    profile: str
    conversation_id: int
    draft: dict[str, Any]
    preview: str
    state: str
    reason: str | None
    attempts: int
    next_attempt_at: float
    sent_ids: list[str] = field(default_factory=list)
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def kind(self) -> str:
        if self.draft.get("template"):
            return "template"
        return "note" if self.draft.get("note") else "reply"


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        profile=row["profile"],
        conversation_id=row["conversation_id"],
        draft=json.loads(row["draft"]),
        preview=row["preview"],
        state=row["state"],
        reason=row["reason"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        sent_ids=json.loads(row["sent_ids"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class Store:
    """One connection, guarded by a lock so worker threads and the event loop can share it."""

    def __init__(self, path: Path | None = None, *, memory: bool = False) -> None:
        """`memory`: a store that lives only as long as the process, for when the state folder
        cannot be written (sending still works; nothing survives a restart)."""
        self.path = path or default_store_path()
        self._lock = threading.Lock()
        if not memory:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = ":memory:" if memory else self.path
        self._db = sqlite3.connect(target, timeout=10.0, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process crash
        self._db.execute("PRAGMA busy_timeout=10000")
        with self._tx() as db:
            for statement in filter(str.strip, SCHEMA.split(";")):
                db.execute(statement)
        if not memory:
            with suppress(OSError):
                self.path.chmod(0o600)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: a writer waits for another instance instead of failing."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # also when COMMIT itself failed: never leave it open
                    self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- drafts ---------------------------------------------------------------------------------

    def save_draft(
        self, profile: str, conversation_id: int, mode: str, text: str, attachments: list[str]
    ) -> None:
        """Store the composer's content; an empty draft is deleted. Typing detaches it from a send."""
        with self._tx() as db:
            if not text.strip() and not attachments:
                db.execute(
                    "DELETE FROM drafts WHERE profile=? AND conversation_id=? AND mode=?"
                    " AND outbox_id IS NULL",
                    (profile, conversation_id, mode),
                )
                return
            db.execute(
                "INSERT INTO drafts (profile, conversation_id, mode, text, attachments, outbox_id,"
                " updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?)"
                " ON CONFLICT (profile, conversation_id, mode) DO UPDATE"
                " SET text=excluded.text, attachments=excluded.attachments, outbox_id=NULL,"
                " updated_at=excluded.updated_at",
                (profile, conversation_id, mode, text, json.dumps(attachments), time.time()),
            )

    def drafts(self, profile: str, conversation_id: int) -> dict[str, StoredDraft]:
        """The drafts still in the composer (not those handed to a send), by mode."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM drafts WHERE profile=? AND conversation_id=? AND outbox_id IS NULL",
                (profile, conversation_id),
            ).fetchall()
        return {
            r["mode"]: StoredDraft(
                r["conversation_id"],
                r["mode"],
                r["text"],
                json.loads(r["attachments"]),
                r["outbox_id"],
                r["updated_at"],
            )
            for r in rows
        }

    def draft_conversations(self, profile: str) -> set[int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT conversation_id FROM drafts WHERE profile=? AND outbox_id IS NULL",
                (profile,),
            ).fetchall()
        return {r[0] for r in rows}

    # -- outbox ---------------------------------------------------------------------------------

    def enqueue(
        self,
        profile: str,
        conversation_id: int,
        draft: dict[str, Any],
        preview: str,
        *,
        draft_mode: str | None = None,
    ) -> OutboxEntry:
        """Write the send before its first request. The composer's draft (if `draft_mode`) stays
        stored, tied to this entry, until the server confirms; typing anew detaches it."""
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO outbox (profile, conversation_id, draft, preview, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                (profile, conversation_id, json.dumps(draft), preview, now, now),
            )
            entry_id = int(cur.lastrowid or 0)
            if draft_mode is not None:
                db.execute(
                    "INSERT INTO drafts (profile, conversation_id, mode, text, attachments, outbox_id,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (profile, conversation_id, mode)"
                    " DO UPDATE SET text=excluded.text, attachments=excluded.attachments,"
                    " outbox_id=excluded.outbox_id, updated_at=excluded.updated_at",
                    (
                        profile,
                        conversation_id,
                        draft_mode,
                        draft.get("text", ""),
                        json.dumps(
                            [a["path"] if isinstance(a, dict) else a for a in draft.get("attachments", [])]
                        ),
                        entry_id,
                        now,
                    ),
                )
            row = db.execute("SELECT * FROM outbox WHERE id=?", (entry_id,)).fetchone()
        return _entry(row)

    def get(self, entry_id: int) -> OutboxEntry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM outbox WHERE id=?", (entry_id,)).fetchone()
        return _entry(row) if row else None

    def entries(
        self, profile: str, *, states: tuple[str, ...] = UNRESOLVED, conversation_id: int | None = None
    ) -> list[OutboxEntry]:
        marks = ",".join("?" * len(states))
        sql = f"SELECT * FROM outbox WHERE profile=? AND state IN ({marks})"
        args: list[Any] = [profile, *states]
        if conversation_id is not None:
            sql += " AND conversation_id=?"
            args.append(conversation_id)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        return [_entry(r) for r in rows]

    def claim(self, entry_id: int, owner: str, *, now: float | None = None) -> OutboxEntry | None:
        """Take the lease on an active entry, unless another live instance holds it."""
        now = time.time() if now is None else now
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET owner=?, lease_until=? WHERE id=? AND state IN ('queued','uploading')"
                " AND (owner IS NULL OR owner=? OR lease_until < ?)",
                (owner, now + LEASE_SECONDS, entry_id, owner, now),
            )
            if cur.rowcount != 1:
                return None
            row = db.execute("SELECT * FROM outbox WHERE id=?", (entry_id,)).fetchone()
        return _entry(row)

    def renew(self, entry_id: int, owner: str) -> bool:
        """Extend the lease; False when it is no longer this owner's."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET lease_until=? WHERE id=? AND owner=?",
                (time.time() + LEASE_SECONDS, entry_id, owner),
            )
        return cur.rowcount == 1

    def begin_post(self, entry_id: int, owner: str) -> bool:
        """Right before a message is posted: still this owner's, still wanted (not discarded
        meanwhile, not taken over after a lapsed lease)? Marks it sending. False: do not post."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET state='sending', lease_until=?, updated_at=? WHERE id=? AND owner=?"
                " AND state IN ('queued','uploading','sending')",
                (time.time() + LEASE_SECONDS, time.time(), entry_id, owner),
            )
        return cur.rowcount == 1

    def release(self, entry_id: int, owner: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET owner=NULL, lease_until=0 WHERE id=? AND owner=?", (entry_id, owner)
            )

    def update(self, entry_id: int, *, owner: str | None = None, **fields: Any) -> OutboxEntry | None:
        """Set state, reason, attempts, next_attempt_at or sent_ids; committed before it returns.
        With `owner`, only while that owner holds the entry (None when it does not)."""
        allowed = {"state", "reason", "attempts", "next_attempt_at", "sent_ids", "lease_until"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown outbox fields: {sorted(unknown)}")
        if "sent_ids" in fields:
            fields["sent_ids"] = json.dumps(fields["sent_ids"])
        fields["updated_at"] = time.time()
        sets = ", ".join(f"{k}=?" for k in fields)
        where, args = "id=?", [entry_id]
        if owner is not None:
            where, args = "id=? AND owner=?", [entry_id, owner]
        with self._tx() as db:
            cur = db.execute(f"UPDATE outbox SET {sets} WHERE {where}", [*fields.values(), *args])
            if cur.rowcount != 1:
                return None
            if fields.get("state") == "sent":
                db.execute("DELETE FROM drafts WHERE outbox_id=?", (entry_id,))
            row = db.execute("SELECT * FROM outbox WHERE id=?", (entry_id,)).fetchone()
        return _entry(row)

    def resolve(self, entry_id: int, state: str = "discarded") -> OutboxEntry | None:
        """The agent discarded the entry, or took it back into the composer: its draft goes too.
        Refused (None) while it is being posted, by this instance or another, or once sent."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET state=?, owner=NULL, lease_until=0, updated_at=? WHERE id=?"
                " AND state NOT IN ('sending','sent')",
                (state, time.time(), entry_id),
            )
            if cur.rowcount != 1:
                return None
            db.execute("DELETE FROM drafts WHERE outbox_id=?", (entry_id,))
            row = db.execute("SELECT * FROM outbox WHERE id=?", (entry_id,)).fetchone()
        return _entry(row)

    def recover(self, profile: str, *, now: float | None = None) -> list[OutboxEntry]:
        """After a crash: an entry left mid-POST by a dead instance is unconfirmed (the request may
        have reached the server); queued and uploading ones are safe to resume. Returns the
        resumable entries."""
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET state='unconfirmed', reason=?, owner=NULL, updated_at=? WHERE profile=?"
                " AND state='sending' AND (owner IS NULL OR lease_until < ?)",
                (STOPPED_MID_POST, now, profile, now),
            )
        return self.entries(profile, states=("queued", "uploading"))
