"""Snoozes live in the local store, per profile, and wake at their time or when the customer
writes after they were set; a file of the previous schema opens and migrates with its rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tui.core.models import Conversation
from tui.core.snoozes import Snooze, is_awake
from tui.core.store import Store
from tui.core.store_schema import CURRENT_VERSION, SCHEMA_V1, SCHEMA_V2, statements

NOW = datetime(2026, 12, 1, 17, 40, 12, 345678, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def test_a_snooze_is_stored_read_back_exactly_and_replaced(store: Store) -> None:
    until = NOW + timedelta(hours=1)
    store.snooze("acme", 7, until, now=NOW)
    assert store.snoozes("acme") == {7: Snooze(7, until, NOW)}
    got = store.snoozes("acme")[7]
    assert got.until.tzinfo is not None and got.until.utcoffset() == timedelta(0)

    later = NOW + timedelta(minutes=5)
    store.snooze("acme", 7, NOW + timedelta(days=1), now=later)  # snoozed again: replaced
    assert store.snoozes("acme") == {7: Snooze(7, NOW + timedelta(days=1), later)}


def test_a_time_in_another_zone_is_kept_as_utc_and_a_naive_one_is_refused(store: Store) -> None:
    lisbon_winter = timezone(timedelta(hours=-3))
    store.snooze("acme", 7, datetime(2026, 12, 2, 9, 0, tzinfo=lisbon_winter), now=NOW)
    assert store.snoozes("acme")[7].until == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert store.snoozes("acme")[7].until.tzinfo == UTC
    with pytest.raises(ValueError):
        store.snooze("acme", 8, datetime(2026, 12, 2, 9, 0), now=NOW)
    assert 8 not in store.snoozes("acme")


def test_snoozes_are_per_profile_and_unsnooze_and_wake_drop_them(store: Store) -> None:
    for cid in (1, 2, 3):
        store.snooze("acme", cid, NOW + timedelta(hours=cid), now=NOW)
    store.snooze("other", 1, NOW + timedelta(hours=9), now=NOW)
    assert set(store.snoozes("acme")) == {1, 2, 3}
    assert store.snoozes("other")[1].until == NOW + timedelta(hours=9)

    store.unsnooze("acme", 2)
    store.unsnooze("acme", 99)  # not snoozed: nothing happens
    assert set(store.snoozes("acme")) == {1, 3}

    store.wake("acme", [1, 3])
    store.wake("acme", [])
    assert store.snoozes("acme") == {}
    assert set(store.snoozes("other")) == {1}  # another profile's snooze is untouched


def test_reading_never_drops_a_woken_snooze(store: Store) -> None:
    store.snooze("acme", 4, NOW - timedelta(hours=1), now=NOW - timedelta(hours=2))
    assert 4 in store.snoozes("acme")
    assert 4 in store.snoozes("acme")


def test_snoozes_survive_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    first = Store(path)
    first.snooze("acme", 5, NOW + timedelta(days=7), now=NOW)
    first.close()
    again = Store(path)
    try:
        assert again.snoozes("acme") == {5: Snooze(5, NOW + timedelta(days=7), NOW)}
    finally:
        again.close()


def conversation(inbound: datetime | None) -> Conversation:
    return Conversation(id=7, channel="whatsapp", last_inbound_message_at=inbound)


def test_a_snooze_wakes_at_its_time() -> None:
    snooze = Snooze(7, NOW + timedelta(hours=1), NOW)
    quiet = conversation(NOW - timedelta(hours=3))
    assert not is_awake(snooze, quiet, NOW)
    assert not is_awake(snooze, quiet, NOW + timedelta(minutes=59))
    assert is_awake(snooze, quiet, NOW + timedelta(hours=1))
    assert is_awake(snooze, conversation(None), NOW + timedelta(hours=2))


def test_a_snooze_wakes_when_the_customer_writes_after_it_was_set() -> None:
    snooze = Snooze(7, NOW + timedelta(days=1), NOW)
    assert not is_awake(snooze, conversation(None), NOW + timedelta(hours=1))
    assert not is_awake(snooze, conversation(NOW), NOW + timedelta(hours=1))  # the message it was set on
    assert is_awake(snooze, conversation(NOW + timedelta(seconds=1)), NOW + timedelta(hours=1))


def write_v2_store(path: Path) -> None:
    """A store file exactly at the previous version (2): a draft, a sent entry, a queued one."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for script in (SCHEMA_V1, SCHEMA_V2):
            for statement in statements(script):
                db.execute(statement)
        db.execute("PRAGMA user_version=2")
        db.execute("INSERT INTO drafts VALUES ('acme', 7, 'reply', 'Half typed', '[]', NULL, 1.0)")
        for state, sent in (("sent", '["41"]'), ("queued", "[]")):
            db.execute(
                "INSERT INTO outbox (profile, conversation_id, draft, preview, state, sent_ids,"
                " created_at, updated_at, client_id) VALUES ('acme', 7, '{\"text\": \"hi\"}', 'hi', ?, ?,"
                " 2.0, 3.0, ?)",
                (state, sent, f"press-{state}"),
            )
    finally:
        db.close()


def test_a_file_at_the_previous_version_opens_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    write_v2_store(path)
    store = Store(path)
    try:
        assert store.version == CURRENT_VERSION == 3
        assert store.drafts("acme", 7)["reply"].text == "Half typed"
        entries = store.entries("acme", states=("sent", "queued"))
        assert [(e.state, e.client_id, e.seen) for e in entries] == [
            ("sent", "press-sent", None),
            ("queued", "press-queued", None),
        ]
        assert store.own_message_ids("acme", 7) == {"41"}
        store.snooze("acme", 7, NOW + timedelta(hours=1), now=NOW)
        assert set(store.snoozes("acme")) == {7}
    finally:
        store.close()
