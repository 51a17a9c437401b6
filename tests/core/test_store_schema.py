"""The store's schema carries a version, and a file written by an older Switchboard opens with
every row intact, migrated to the current schema."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tui.core.store import Store
from tui.core.store_schema import CURRENT_VERSION, StoreVersionError

#: The schema exactly as the store wrote it before it carried a version (user_version 0).
UNVERSIONED_SCHEMA = """
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


def write_unversioned_store(path: Path) -> None:
    """A store file as the schema of before versioning left it, with a draft and three sends."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(UNVERSIONED_SCHEMA)
        db.execute(
            "INSERT INTO drafts VALUES ('acme', 7, 'reply', 'Half-typed answer',"
            " '[\"/tmp/a.png\"]', NULL, 1.0)"
        )
        rows = [
            ("acme", 7, '{"text": "went out"}', "went out", "sent", None, 1, '["m-1"]'),
            ("acme", 7, '{"text": "refused"}', "refused", "failed", "The window closed.", 1, "[]"),
            ("acme", 8, '{"text": "waiting"}', "waiting", "queued", None, 0, "[]"),
        ]
        for profile, conv, draft, preview, state, reason, attempts, sent in rows:
            db.execute(
                "INSERT INTO outbox (profile, conversation_id, draft, preview, state, reason, attempts,"
                " sent_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2.0, 3.0)",
                (profile, conv, draft, preview, state, reason, attempts, sent),
            )
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    finally:
        db.close()


def user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_a_file_from_before_versioning_keeps_its_rows_and_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    write_unversioned_store(path)
    store = Store(path)
    try:
        assert store.version == CURRENT_VERSION == 3
        assert store.drafts("acme", 7)["reply"].text == "Half-typed answer"
        assert store.drafts("acme", 7)["reply"].attachments == ["/tmp/a.png"]
        everything = store.entries("acme", states=("sent", "failed", "queued"))
        assert [(e.preview, e.state, e.sent_ids, e.client_id) for e in everything] == [
            ("went out", "sent", ["m-1"], None),
            ("refused", "failed", [], None),
            ("waiting", "queued", [], None),
        ]
        assert everything[1].reason == "The window closed."
        # What version 2 added works on the migrated file.
        fresh = store.enqueue("acme", 8, {"text": "new"}, "new", client_id="press-1")
        assert fresh.client_id == "press-1" and fresh.id == 4  # ids carry on after the old rows
        assert store.recover("acme").resumable[0].preview == "waiting"
    finally:
        store.close()
    assert user_version(path) == CURRENT_VERSION
    reopened = Store(path)  # a current file opens as it is
    try:
        assert reopened.get(4).client_id == "press-1"  # type: ignore[union-attr]
    finally:
        reopened.close()


def test_a_new_file_starts_at_the_current_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "new.sqlite3")
    store.close()
    assert user_version(tmp_path / "new.sqlite3") == CURRENT_VERSION


def test_instances_opening_an_old_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    write_unversioned_store(path)
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(Store(path))
        except BaseException as exc:  # collected: a failed migration must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == [] and len(opened) == 4
        assert len(opened[0].entries("acme", states=("sent", "failed", "queued"))) == 3
    finally:
        for store in opened:
            store.close()
    assert user_version(path) == CURRENT_VERSION


def test_a_file_from_a_newer_switchboard_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(StoreVersionError) as err:
        Store(path)
    message = str(err.value)
    assert "newer Switchboard" in message and "99" in message and str(path) in message
    assert isinstance(err.value, sqlite3.DatabaseError)  # the app's fallback catches it
    assert user_version(path) == 99  # left as it was


def test_the_same_client_id_never_makes_a_second_entry(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    try:
        first = store.enqueue("p", 1, {"text": "once"}, "once", client_id="c-1")
        again = store.enqueue("p", 1, {"text": "once"}, "once", client_id="c-1")
        other = store.enqueue("p", 1, {"text": "once"}, "once", client_id="c-2")
        plain = [store.enqueue("p", 1, {"text": "x"}, "x") for _ in range(2)]
        assert again.id == first.id and other.id != first.id
        assert plain[0].id != plain[1].id and plain[0].client_id is None
        assert len(store.entries("p")) == 4
    finally:
        store.close()
