"""The scan behind the queue views, kept current by a changed conversation (a push, or an action
here): where it goes, when it leaves, and what it keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.models import Conversation
from tui.core.queue_scan import OpenScan, with_conversation

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _c(cid: int, minutes: int, **extra: object) -> Conversation:
    data = {
        "id": cid,
        "channel": "whatsapp",
        "status": "open",
        "last_message_at": T0 + timedelta(minutes=minutes),
    }
    return Conversation.model_validate({**data, **extra})


def _scan(*rows: Conversation, truncated: bool = False, channel: str | None = None) -> OpenScan:
    return OpenScan(list(rows), len(rows), truncated, channel)


def test_a_new_message_moves_it_to_where_its_time_places_it() -> None:
    scan = _scan(_c(1, 30), _c(2, 20), _c(3, 10))
    moved = with_conversation(scan, _c(3, 40))
    assert [c.id for c in moved.conversations] == [3, 1, 2] and moved.total == 3


def test_a_reopened_one_joins_and_a_closed_one_leaves() -> None:
    scan = _scan(_c(1, 30), _c(2, 20))
    joined = with_conversation(scan, _c(9, 25))
    assert [c.id for c in joined.conversations] == [1, 9, 2] and joined.total == 3
    left = with_conversation(joined, _c(1, 30, status="closed"))
    assert [c.id for c in left.conversations] == [9, 2] and left.total == 2


def test_another_channel_and_one_past_a_truncated_scan_are_left_out() -> None:
    scan = _scan(_c(1, 30), _c(2, 20), truncated=True, channel="whatsapp")
    assert with_conversation(scan, _c(5, 40, channel="sms")) is scan
    assert with_conversation(scan, _c(6, 5)) is scan  # older than every row held: past the cap


def test_a_copy_without_its_contact_keeps_the_known_one() -> None:
    scan = _scan(_c(1, 30, contact={"id": 4, "first_name": "Ana", "last_name": "Lima"}))
    updated = with_conversation(scan, _c(1, 35, unread_count=2))
    (row,) = updated.conversations
    assert row.unread_count == 2 and row.contact is not None and row.contact.first_name == "Ana"
