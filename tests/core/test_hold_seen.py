"""What the screen showed when the agent pressed send (`Seen`): taken from server messages only,
stored with the outbox entry as JSON and read back exactly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.hold import Seen
from tui.core.models import Conversation, Message
from tui.core.store import Store

AT = datetime(2026, 12, 1, 17, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def test_the_snapshot_names_the_server_messages_shown_newest_first_and_ignores_local_ones() -> None:
    conversation = Conversation(id=5, channel="whatsapp", assigned_user_id=7, status="open")
    messages = [
        Message(id="6650c1f2a9e4b3d2c1a0f9e8", created_at=AT - timedelta(minutes=2)),
        Message(id=42, created_at=AT),
        Message(id="client-abc", created_at=AT + timedelta(minutes=5)),  # a bubble not yet sent
        Message(id="unreadable-0-0", created_at=AT + timedelta(minutes=6), unreadable="bad"),
    ]
    seen = Seen.of(conversation, messages, local={"client-abc"})
    assert seen == Seen(5, ("42", "6650c1f2a9e4b3d2c1a0f9e8"), AT, 7, "open")
    assert Seen.of(conversation, []) == Seen(5, (), None, 7, "open")


@pytest.mark.parametrize(
    "seen",
    [
        Seen(5, ("42", "6650c1f2a9e4b3d2c1a0f9e8"), AT, 7, "open"),
        Seen(6, (), None, None, None),
        Seen(7, ("1",), None, None, "closed"),
    ],
)
def test_the_snapshot_round_trips_through_json(seen: Seen) -> None:
    assert Seen.from_json(seen.to_json()) == seen


def test_a_snapshot_stored_before_ids_were_opaque_reads_its_newest_id_as_shown() -> None:
    old = (
        '{"conversation_id": 5, "newest_message_id": 42, "newest_at": null, '
        '"assigned_user_id": 7, "status": "open"}'
    )
    assert Seen.from_json(old) == Seen(5, ("42",), None, 7, "open")


@pytest.mark.parametrize("text", ["[]", '{"conversation_id": "5"}', '"x"', "{}"])
def test_text_that_is_not_a_snapshot_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Seen.from_json(text)


def test_the_outbox_entry_keeps_its_snapshot_and_a_damaged_one_reads_as_none(store: Store) -> None:
    seen = Seen(5, ("42",), AT, 7, "open")
    checked = store.enqueue("acme", 5, {"text": "hi"}, "hi", seen=seen)
    plain = store.enqueue("acme", 5, {"text": "note", "note": True}, "note")
    assert store.get(checked.id).seen == seen  # type: ignore[union-attr]
    assert store.get(plain.id).seen is None  # type: ignore[union-attr]
    with store._tx() as db:
        db.execute("UPDATE outbox SET seen='{not json' WHERE id=?", (checked.id,))
    assert store.get(checked.id).seen is None  # type: ignore[union-attr]
