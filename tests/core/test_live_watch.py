"""What `watch` remembers: a change pushed live and found again by a re-read is reported once;
the baseline reports nothing; a conversation first read after it reports only what is new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tui.core.live_events import LiveEvent
from tui.core.live_watch import Tracker
from tui.core.models import Conversation, Message

T0 = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def conversation(cid: int, minutes: int, **extra: Any) -> Conversation:
    return Conversation.model_validate(
        {
            "id": cid,
            "organization_id": 1,
            "status": "open",
            "last_message_at": T0 + timedelta(minutes=minutes),
            **extra,
        }
    )


def message(mid: int, cid: int, minutes: int, status: str = "sent", **extra: Any) -> Message:
    return Message.model_validate(
        {
            "id": mid,
            "conversation_id": cid,
            "created_at": T0 + timedelta(minutes=minutes),
            "status": status,
            **extra,
        }
    )


def created(m: Message) -> LiveEvent:
    return LiveEvent("message_created", m, None, m.conversation_id)


def kinds(events: list[LiveEvent]) -> list[tuple[str, Any]]:
    return [(e.kind, e.message.id if e.message else e.conversation_id) for e in events]


def test_the_baseline_reports_nothing_and_asks_for_no_messages() -> None:
    tracker = Tracker()
    events, to_read = tracker.conversations([conversation(1, 0), conversation(2, 5)])
    assert events == [] and to_read == []


def test_a_conversation_that_moved_reports_only_messages_after_what_was_known() -> None:
    tracker = Tracker()
    tracker.conversations([conversation(1, 0), conversation(2, 5)])
    tracker.baselined = True
    events, to_read = tracker.conversations([conversation(1, 10), conversation(2, 5)])
    assert kinds(events) == [("conversation_patched", 1)] and to_read == [1]
    page = [message(3, 1, 10), message(2, 1, 0), message(1, 1, -5)]  # newest first, as the API sorts
    assert kinds(tracker.messages(1, page)) == [("message_created", 3)]
    assert tracker.messages(1, page) == []  # read again: nothing new
    _, to_read = tracker.conversations([conversation(1, 10), conversation(2, 5)])
    assert to_read == []


def test_a_pushed_message_is_not_reported_again_by_the_re_read() -> None:
    tracker = Tracker()
    tracker.conversations([conversation(1, 0)])
    tracker.baselined = True
    pushed = message(7, 1, 3)
    assert tracker.live(created(pushed)) is not None
    assert tracker.live(created(pushed)) is None  # the same push twice
    _, to_read = tracker.conversations([conversation(1, 4)])
    assert to_read == [1]
    assert kinds(tracker.messages(1, [message(8, 1, 4), pushed])) == [("message_created", 8)]


def test_a_status_is_reported_when_it_moves_whichever_way_it_is_learnt() -> None:
    tracker = Tracker(conversation_id=1)
    tracker.conversations([conversation(1, 0)])
    tracker.messages(1, [message(5, 1, 0)])
    tracker.baselined = True
    patched = LiveEvent("message_patched", message(5, 1, 0, "delivered"), None, 1)
    assert tracker.live(patched) is patched
    assert tracker.live(patched) is None
    assert tracker.messages(1, [message(5, 1, 0, "delivered")]) == []
    assert kinds(tracker.messages(1, [message(5, 1, 0, "read")])) == [("message_patched", 5)]


def test_a_watched_conversation_is_read_every_time_and_others_are_not_reported() -> None:
    tracker = Tracker(conversation_id=1)
    _, to_read = tracker.conversations([conversation(1, 0), conversation(2, 0)])
    assert to_read == [1]
    tracker.messages(1, [message(1, 1, 0)])
    tracker.baselined = True
    events, to_read = tracker.conversations([conversation(1, 0), conversation(2, 9)])
    assert events == [] and to_read == [1]
    assert kinds(tracker.messages(1, [message(2, 1, 1), message(1, 1, 0)])) == [("message_created", 2)]
    assert tracker.live(created(message(9, 2, 9))) is None


def test_a_pushed_conversation_is_reported_when_what_it_shows_changes() -> None:
    tracker = Tracker()
    tracker.conversations([conversation(1, 0, contact={"first_name": "Ana"})])
    tracker.baselined = True
    same = LiveEvent("conversation_patched", None, conversation(1, 0), 1)
    assert tracker.live(same) is None  # only the embedded contact differs
    read = LiveEvent("conversation_patched", None, conversation(1, 0, unread_count=0, status="closed"), 1)
    assert tracker.live(read) is read
    assert tracker.names[1] == "Ana"  # a pushed document without its contact keeps the name


def test_a_conversation_new_to_the_page_reports_what_came_after_the_newest_known() -> None:
    tracker = Tracker()
    tracker.conversations([conversation(1, 10)])
    tracker.baselined = True
    _, to_read = tracker.conversations([conversation(4, 12), conversation(1, 10)])
    assert to_read == [4]
    assert kinds(tracker.messages(4, [message(40, 4, 12), message(39, 4, 2)])) == [("message_created", 40)]


def test_unreadable_placeholders_are_never_reported() -> None:
    tracker = Tracker(conversation_id=1)
    tracker.conversations([conversation(1, 0)])
    tracker.messages(1, [])
    tracker.baselined = True
    placeholder = Message.model_validate(
        {"id": "unreadable-0-0", "unreadable": "This message could not be read."}
    )
    assert tracker.messages(1, [placeholder]) == []
    assert tracker.conversations([Conversation.model_validate({"id": -1})])[0] == []


def test_conversations_not_read_yet_stay_due_until_they_are() -> None:
    tracker = Tracker()
    tracker.conversations([conversation(i, 0) for i in range(1, 13)])
    tracker.baselined = True
    moved = [conversation(i, i) for i in range(1, 13)]  # each by its own amount: news, not a clock
    _, to_read = tracker.conversations(moved)
    assert to_read == list(range(1, 13))
    for cid in to_read[:10]:
        tracker.messages(cid, [message(100 + cid, cid, cid)])
    _, to_read = tracker.conversations(moved)
    assert to_read == [11, 12]  # they did not move again, and still have news
    assert kinds(tracker.messages(11, [message(111, 11, 11), message(1, 11, -1)])) == [
        ("message_created", 111)
    ]


def test_a_server_moving_its_whole_clock_is_not_news() -> None:
    """The sandbox, restarted after a pause, moves every time it holds forward by the pause."""
    tracker = Tracker()
    tracker.conversations([conversation(i, i, last_inbound_message_at=T0) for i in range(1, 8)])
    tracker.baselined = True
    pause = timedelta(seconds=42, milliseconds=1)

    def shifted(c: Conversation, jitter_ms: int = 0) -> Conversation:
        extra = timedelta(milliseconds=jitter_ms)
        assert c.last_message_at is not None
        return c.model_copy(
            update={
                "last_message_at": c.last_message_at + pause + extra,
                "last_inbound_message_at": T0 + pause,
            }
        )

    page = [shifted(conversation(i, i), jitter_ms=i % 2) for i in range(1, 7)]
    news = conversation(7, 30)  # conversation 7 really has a new message, written after the pause
    events, to_read = tracker.conversations([*page, news])
    assert kinds(events) == [("conversation_patched", 7)] and to_read == [7]
    history = [message(71, 7, 30), message(70, 7, 7)]
    history[1] = history[1].model_copy(update={"created_at": T0 + timedelta(minutes=7) + pause})
    assert kinds(tracker.messages(7, history)) == [("message_created", 71)]


def test_a_clock_moving_back_or_few_conversations_are_no_shift() -> None:
    from tui.core.live_watch import clock_shift

    known = {i: (None,) * 5 + (T0, T0) for i in range(1, 4)}
    back = [conversation(i, -5) for i in range(1, 4)]
    assert clock_shift(back, known) == timedelta(0)
    assert clock_shift([conversation(1, 5), conversation(2, 5)], known) == timedelta(0)
    assert clock_shift([conversation(1, 5), conversation(2, 6), conversation(3, 9)], known) == timedelta(0)
    assert clock_shift([conversation(i, 5) for i in range(1, 4)], known) == timedelta(minutes=5)
