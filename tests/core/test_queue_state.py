"""The queue's figures between reads: a change the client can tell moves a count by itself, one
it cannot tell leaves the view stale (read again later), and the short lists follow."""

from __future__ import annotations

from tui.core.conversation_cache import ConversationCache
from tui.core.models import Conversation
from tui.core.queue_state import QueueState, member
from tui.core.queue_views import View


def conv(cid: int, **fields: object) -> Conversation:
    return Conversation.model_validate({"id": cid, "channel": "sms", "status": "open", **fields})


def test_membership_from_the_record() -> None:
    c = conv(1, assigned_user_id=7, unread_count=2)
    assert member(View.MINE, c, me=7, waiting=None, channel=None) is True
    assert member(View.MINE, c, me=None, waiting=None, channel=None) is None
    assert member(View.UNASSIGNED, c, me=7, waiting=None, channel=None) is False
    assert member(View.UNREAD, c, me=7, waiting=None, channel=None) is True
    assert member(View.NEEDS_REPLY, c, me=7, waiting=None, channel=None) is None
    assert member(View.UNREAD, c, me=7, waiting=None, channel="whatsapp") is False
    assert (
        member(View.UNREAD, conv(1, status="closed", unread_count=2), me=7, waiting=None, channel=None)
        is False
    )
    ai = conv(1, assigned_ai_assistant_id="bot-3")
    assert member(View.UNASSIGNED, ai, me=7, waiting=None, channel=None) is False


def test_a_close_moves_the_counts_and_leaves_the_lists() -> None:
    cache = ConversationCache()
    queue = QueueState(
        counts={View.NEEDS_REPLY: 3, View.MINE: 2, View.UNASSIGNED: 5, View.UNREAD: 4}, unread=[1, 2]
    )
    cache.record(conv(1, assigned_user_id=7, unread_count=1))
    queue.seen(cache, [1], me=7)
    cache.record(conv(1, assigned_user_id=7, unread_count=1, status="closed"))
    assert queue.changed(cache, [1], me=7)
    assert queue.counts[View.MINE] == 1 and queue.counts[View.UNREAD] == 3
    assert queue.unread == [2]
    assert View.NEEDS_REPLY in queue.stale  # whether it was waiting is not known


def test_a_read_unread_and_an_assignment_move_exactly_what_they_change() -> None:
    cache = ConversationCache()
    queue = QueueState(counts={View.NEEDS_REPLY: 0, View.MINE: 0, View.UNASSIGNED: 1, View.UNREAD: 0})
    cache.record(conv(5))
    cache.assume_waiting(5)
    queue.seen(cache, [5], me=7)
    cache.record(conv(5, assigned_user_id=7, unread_count=3))
    queue.changed(cache, [5], me=7)
    assert queue.counts == {View.NEEDS_REPLY: 0, View.MINE: 1, View.UNASSIGNED: 0, View.UNREAD: 1}
    assert queue.unread == [5] and not queue.stale


def test_a_conversation_never_seen_that_joins_a_view_makes_it_stale() -> None:
    cache = ConversationCache()
    queue = QueueState(counts={View.NEEDS_REPLY: 0, View.MINE: 0, View.UNASSIGNED: 0, View.UNREAD: 0})
    cache.record(conv(9, unread_count=1))
    queue.changed(cache, [9], me=7)
    assert {View.UNREAD, View.UNASSIGNED} <= queue.stale
    assert queue.counts[View.UNREAD] == 0  # not moved: it may have been counted already


def test_next_after_wraps_and_skips() -> None:
    queue = QueueState(unread=[3, 1, 4])
    assert queue.next_after(View.UNREAD, 1) == 4
    assert queue.next_after(View.UNREAD, 4) == 3
    assert queue.next_after(View.UNREAD, None, skip=lambda cid: cid == 3) == 1
    assert queue.next_after(View.NEEDS_REPLY, None) is None
