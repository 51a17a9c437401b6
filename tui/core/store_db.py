"""The store's SQLite file: opening (and migrating) it, and the one write transaction shape.

Write-ahead logging, a busy timeout and one short `BEGIN IMMEDIATE` transaction per call let
several app instances share the file without corrupting it; every write is committed before the
call returns, so what was stored survives `kill -9` or a dropped SSH session. The tables
themselves are used by `tui.core.store` (drafts, outbox, instances) and
`tui.core.store_snoozes` (snoozes).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tui.core.paths import state_dir
from tui.core.store_schema import migrate


def default_store_path() -> Path:
    return state_dir() / "store.sqlite3"


class Database:
    """One connection, guarded by a lock so worker threads and the event loop can share it."""

    def __init__(self, path: Path | None = None, *, memory: bool = False) -> None:
        """`memory`: a store that lives only as long as the process, for when the state folder
        cannot be written (sending still works; nothing survives a restart).

        An older file is migrated to the current schema; a newer one raises `StoreVersionError`
        (an `sqlite3.DatabaseError`) with one sentence."""
        self.path = path or default_store_path()
        self._lock = threading.Lock()
        if not memory:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = ":memory:" if memory else self.path
        self._db = sqlite3.connect(target, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process crash
            self._db.execute("PRAGMA busy_timeout=10000")
            with self._tx() as db:
                migrate(db, self.path)
        except BaseException:
            self._db.close()
            raise
        if not memory:
            with suppress(OSError):
                self.path.chmod(0o600)

    @property
    def version(self) -> int:
        """The schema version of the file (`PRAGMA user_version`)."""
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

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
