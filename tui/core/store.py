"""The local store: drafts, the outbox and snoozes, in one SQLite file under
`$XDG_STATE_HOME/switchboard/` (opened, migrated and written as `tui.core.store_db` says).

Drafts are keyed by profile, conversation and mode (reply and note are separate drafts). Outbox
rows hold everything needed to redo a send from scratch (text, mode, file paths, template), its
state and reason, and a lease so that only one instance works on a row at a time. A reply sent
with what the screen showed (`Seen`) may be held before its first request (`tui.core.hold`);
the hold persists with it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import liveness
from tui.core.hold import Seen
from tui.core.models import message_key
from tui.core.store_db import default_store_path as default_store_path
from tui.core.store_snoozes import SnoozeStore

#: States. queued -> uploading -> sending -> sent, or failed / unconfirmed; held (before any
#: request, when the conversation moved on); discarded or edited by the agent.
ACTIVE = ("queued", "uploading", "sending")
UNRESOLVED = ("queued", "uploading", "sending", "held", "failed", "unconfirmed")
LEASE_SECONDS = 60.0
STOPPED_MID_POST = "The app stopped while this was being sent; it may or may not have arrived."
QUIT_MID_POST = "Switchboard quit while this was being sent; it may or may not have arrived."


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
    #: Made by the screen when the agent pressed send; it keys the send's bubble.
    client_id: str | None = None
    #: What the screen showed when the agent pressed send: checked for a collision before the
    #: first request. None: never checked (notes, templates, CLI sends, or sent anyway).
    seen: Seen | None = None

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
        client_id=row["client_id"],
        seen=_seen(row["seen"]),
    )


def _seen(text: str | None) -> Seen | None:
    if text is None:
        return None
    try:
        return Seen.from_json(text)
    except ValueError:  # a damaged snapshot: the check is best-effort, the send is not lost
        return None


def _instance(row: sqlite3.Row) -> liveness.Instance:
    return liveness.Instance(row["owner"], row["pid"], row["host"], row["process_token"], row["beat_at"])


@dataclass
class Recovery:
    """What `Store.recover` did: entries whose state it changed, and the ones safe to resume."""

    changed: list[OutboxEntry]
    resumable: list[OutboxEntry]


class Store(SnoozeStore):
    """Drafts, the outbox, the running instances and (`SnoozeStore`) snoozes, in one file."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        memory: bool = False,
        clock: Callable[[], float] = time.time,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        """`memory`: nothing survives the process (see `Database`). `clock` and `lease_seconds`
        are for tests; instances sharing a file must agree on both."""
        super().__init__(path, memory=memory)
        self.clock = clock
        self.lease_seconds = lease_seconds

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
                (profile, conversation_id, mode, text, json.dumps(attachments), self.clock()),
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
        client_id: str | None = None,
        seen: Seen | None = None,
    ) -> OutboxEntry:
        """Write the send before its first request. The composer's draft (if `draft_mode`) stays
        stored, tied to this entry, until the server confirms; typing anew detaches it. `seen` is
        stored with it (see `OutboxEntry.seen`).

        `client_id` (made when the agent pressed send) is unique: enqueueing it again returns the
        entry already stored, so one press can never become two sends."""
        now = self.clock()
        with self._tx() as db:
            if client_id is not None:
                known = db.execute("SELECT * FROM outbox WHERE client_id=?", (client_id,)).fetchone()
                if known is not None:
                    return _entry(known)
            cur = db.execute(
                "INSERT INTO outbox (profile, conversation_id, draft, preview, state, created_at,"
                " updated_at, client_id, seen) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                (
                    profile,
                    conversation_id,
                    json.dumps(draft),
                    preview,
                    now,
                    now,
                    client_id,
                    seen.to_json() if seen is not None else None,
                ),
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
        now = self.clock() if now is None else now
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET owner=?, lease_until=? WHERE id=? AND state IN ('queued','uploading')"
                " AND (owner IS NULL OR owner=? OR lease_until < ?)",
                (owner, now + self.lease_seconds, entry_id, owner, now),
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
                (self.clock() + self.lease_seconds, entry_id, owner),
            )
        return cur.rowcount == 1

    def begin_post(self, entry_id: int, owner: str) -> bool:
        """Right before a message is posted: still this owner's, still wanted (not discarded
        meanwhile, not taken over after a lapsed lease)? Marks it sending. False: do not post."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET state='sending', lease_until=?, updated_at=? WHERE id=? AND owner=?"
                " AND state IN ('queued','uploading','sending')",
                (self.clock() + self.lease_seconds, self.clock(), entry_id, owner),
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
        fields["updated_at"] = self.clock()
        sets = ", ".join(f"{k}=?" for k in fields)
        args: list[Any]
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

    def send_anyway(self, entry_id: int) -> OutboxEntry | None:
        """The agent read the hold and sends regardless: a held entry is queued again with its
        snapshot dropped, an ordinary send from now on. None when it is not held (any more)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET state='queued', reason=NULL, seen=NULL, attempts=0, next_attempt_at=0,"
                " updated_at=? WHERE id=? AND state='held'",
                (self.clock(), entry_id),
            )
            if cur.rowcount != 1:
                return None
            row = db.execute("SELECT * FROM outbox WHERE id=?", (entry_id,)).fetchone()
        return _entry(row)

    def own_message_ids(self, profile: str, conversation_id: int) -> set[str]:
        """The server ids (as compared: `message_key`) of every message this store's sends
        created in the conversation."""
        with self._lock:
            rows = self._db.execute(
                "SELECT sent_ids FROM outbox WHERE profile=? AND conversation_id=? AND sent_ids != '[]'",
                (profile, conversation_id),
            ).fetchall()
        return {message_key(i) for r in rows for i in json.loads(r["sent_ids"]) if isinstance(i, int | str)}

    def resolve(self, entry_id: int, state: str = "discarded") -> OutboxEntry | None:
        """The agent discarded the entry, or took it back into the composer: its draft goes too.
        Refused (None) while it is being posted, by this instance or another, or once sent."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET state=?, owner=NULL, lease_until=0, updated_at=? WHERE id=?"
                " AND state NOT IN ('sending','sent')",
                (state, self.clock(), entry_id),
            )
            if cur.rowcount != 1:
                return None
            db.execute("DELETE FROM drafts WHERE outbox_id=?", (entry_id,))
            row = db.execute("SELECT * FROM outbox WHERE id=?", (entry_id,)).fetchone()
        return _entry(row)

    # -- instances and recovery -----------------------------------------------------------------

    def heartbeat(self, owner: str, profile: str, *, now: float | None = None) -> None:
        """Record that this instance (an open outbox) is alive; the first beat registers it."""
        now = self.clock() if now is None else now
        pid, host, token = liveness.me()
        with self._tx() as db:
            db.execute(
                "INSERT INTO instances (owner, profile, pid, host, process_token, started_at, beat_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET beat_at=excluded.beat_at",
                (owner, profile, pid, host, token, now, now),
            )

    def instances(self, profile: str) -> list[liveness.Instance]:
        """The instances registered on this profile, alive or not yet judged."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM instances WHERE profile=?", (profile,)).fetchall()
        return [_instance(r) for r in rows]

    def close_instance(
        self, owner: str, cut: Iterable[int] = (), reason: str = QUIT_MID_POST
    ) -> list[OutboxEntry]:
        """A clean quit: what this owner left mid-POST, and the entries in `cut` (whose POST it
        cut short), are unconfirmed now (never resent); its other leases are free, and it is no
        longer registered. Returns the entries it marked."""
        now = self.clock()
        with self._tx() as db:
            ids = {r[0] for r in db.execute("SELECT id FROM outbox WHERE owner=?", (owner,))}
            ids.update(cut)
            marked = []
            for entry_id in sorted(ids):
                cur = db.execute(
                    "UPDATE outbox SET state='unconfirmed', reason=?, updated_at=? WHERE id=?"
                    " AND state='sending' AND (owner IS NULL OR owner=?)",
                    (reason, now, entry_id, owner),
                )
                if cur.rowcount == 1:
                    marked.append(entry_id)
            db.execute("UPDATE outbox SET owner=NULL, lease_until=0 WHERE owner=?", (owner,))
            db.execute("DELETE FROM instances WHERE owner=?", (owner,))
            rows = [db.execute("SELECT * FROM outbox WHERE id=?", (i,)).fetchone() for i in marked]
        return [_entry(r) for r in rows]

    def recover(self, profile: str, owner: str | None = None, *, now: float | None = None) -> Recovery:
        """What crashed instances left, found now rather than when their leases lapse.

        An instance is dead when its heartbeat is stale, or at once when it ran on this machine and
        its process is gone (`liveness`). Its entries left mid-POST become unconfirmed (the request
        may have reached the server, so they are never resent); its queued and uploading ones are
        released for this instance to resume. An entry with no registered owner keeps the lease
        rule: mid-POST and lapsed (or released) is unconfirmed. `owner`, the caller, is never
        judged. Returns the entries whose state changed, and every resumable entry."""
        now = self.clock() if now is None else now
        with self._tx() as db:
            registered = {r["owner"]: _instance(r) for r in db.execute("SELECT * FROM instances")}
            dead = [o for o, i in registered.items() if o != owner and not i.alive(now)]

            def orphaned(holder: str | None, lease_until: float) -> bool:
                if holder is None or holder in dead:
                    return True
                return holder != owner and holder not in registered and lease_until < now

            rows = db.execute(
                "SELECT id, owner, lease_until FROM outbox WHERE profile=? AND state='sending'", (profile,)
            ).fetchall()
            ids = [r["id"] for r in rows if orphaned(r["owner"], r["lease_until"])]
            for entry_id in ids:
                db.execute(
                    "UPDATE outbox SET state='unconfirmed', reason=?, owner=NULL, lease_until=0,"
                    " updated_at=? WHERE id=?",
                    (STOPPED_MID_POST, now, entry_id),
                )
            for holder in dead:
                db.execute("UPDATE outbox SET owner=NULL, lease_until=0 WHERE owner=?", (holder,))
                db.execute("DELETE FROM instances WHERE owner=?", (holder,))
            changed = [_entry(db.execute("SELECT * FROM outbox WHERE id=?", (i,)).fetchone()) for i in ids]
        return Recovery(changed, self.entries(profile, states=("queued", "uploading")))
