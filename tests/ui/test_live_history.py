"""The history under pushed news: a send whose own message was pushed before its answer shows
once, and a delivery mark (or a failure with its code) changes in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult

from tui.core.models import Message
from tui.widgets.history import History
from tui.widgets.history_item import HistoryItem

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield History(clock=lambda: NOW)


def _sent(mid: int, text: str, status: str = "sent", **extra: object) -> Message:
    return Message(
        id=mid,
        conversation_id=1,
        direction="outbound",
        message_text=text,
        created_at=NOW,
        status=status,
        sender_name="Maria Silva",
        **extra,  # type: ignore[arg-type]
    )


def _shown(history: History) -> list[str]:
    return [str(item.render()) for item in history.items]


async def test_a_send_pushed_before_its_answer_shows_once() -> None:
    app = One()
    async with app.run_test(size=(80, 30)) as pilot:
        history = app.query_one(History)
        await history.show_recent([_sent(1, "earlier")], total=1)
        local = HistoryItem(
            Message(id="c1", direction="outbound", message_text="on its way", created_at=NOW),
            now=NOW,
            client_id="c1",
            state="sending",
        )
        await history.add_local(local)
        # The push (or a poll) brings the server's copy before the send's own answer does.
        await history.add_new([_sent(2, "on its way")], total=2)
        await pilot.pause()
        assert sum("on its way" in text for text in _shown(history)) == 2  # the local one and the push
        history.confirm(local, [_sent(2, "on its way")])
        await history.settle(local, keep=True)
        await pilot.pause()
        shown = _shown(history)
        assert sum("on its way" in text for text in shown) == 1, shown
        assert [str(i.message.id) for i in history.items] == ["1", "2"]


async def test_a_delivery_mark_moves_in_place_and_a_failure_says_why() -> None:
    app = One()
    async with app.run_test(size=(80, 30)) as pilot:
        history = app.query_one(History)
        await history.show_recent([_sent(7, "parcel shipped")], total=1)
        await pilot.pause()
        assert "✓ sent" in _shown(history)[0]
        assert history.update_message(_sent(7, "parcel shipped", status="delivered"))
        await pilot.pause()
        assert "✓✓ delivered" in _shown(history)[0]
        failed = _sent(
            7,
            "parcel shipped",
            status="failed",
            error_code=131049,
            error_text="This message was not delivered to maintain healthy ecosystem engagement.",
        )
        assert history.update_message(failed)
        await pilot.pause()
        text = _shown(history)[0]
        assert "✗ failed" in text and "error 131049" in text and "healthy ecosystem" in text
        assert len(history.items) == 1
        assert not history.update_message(_sent(99, "never shown"))


def test_a_message_a_moment_after_the_items_now_shows_its_time_only() -> None:
    """Found in tmux: a send confirmed by the server showed '01 Dec 19:29' in place of '19:29',
    because the item's `now` was taken when the agent pressed send, before the server's time."""
    from datetime import timedelta

    from tui.core.timefmt import clock

    later = NOW + timedelta(seconds=2)
    assert clock(later, NOW) == clock(later, later)
    assert ":" in clock(later, NOW) and len(clock(later, NOW)) == 5
    assert len(clock(NOW + timedelta(hours=2), NOW)) > 5  # far ahead: the date is said


def _inbound(mid: int, minute: int) -> Message:
    return Message(
        id=mid,
        conversation_id=1,
        direction="inbound",
        message_text=f"m{mid}",
        created_at=NOW.replace(hour=9) + timedelta(minutes=minute),
    )


def _ids(history: History) -> list[str]:
    return [str(item.message.id) for item in history.items]


async def test_a_message_pushed_out_of_order_takes_its_place_by_time() -> None:
    app = One()
    async with app.run_test(size=(80, 30)) as pilot:
        history = app.query_one(History)
        await history.show_recent([_inbound(3, 30), _inbound(1, 10)], total=2)
        await history.add_new([_inbound(4, 40), _inbound(2, 20)], total=4)
        await pilot.pause()
        assert _ids(history) == ["1", "2", "3", "4"]


async def test_pushes_older_than_a_reread_page_are_left_to_paging() -> None:
    """A re-read showed the newest page while older pushes were still queued: they do not land
    below the newest (they come back when the agent scrolls up)."""
    app = One()
    async with app.run_test(size=(80, 30)) as pilot:
        history = app.query_one(History)
        page = [_inbound(mid, mid) for mid in range(100, 80, -1)]  # the newest 20 of 100
        await history.show_recent(page, total=100)
        added = await history.add_new([_inbound(50, 50), _inbound(101, 101)], total=102)
        await pilot.pause()
        assert added == 1
        assert _ids(history)[-1] == "101" and "50" not in _ids(history)
        assert _ids(history) == sorted(_ids(history), key=int)


async def test_a_burst_at_the_bottom_keeps_at_most_max_items() -> None:
    from tui.widgets.history import MAX_ITEMS, DaySeparator

    app = One()
    async with app.run_test(size=(80, 30)) as pilot:
        history = app.query_one(History)
        await history.show_recent([_inbound(mid, mid) for mid in range(20, 0, -1)], total=20)
        await pilot.pause()
        burst = [_inbound(mid, mid) for mid in range(21, 321)]
        await history.add_new(burst, total=320)
        await pilot.pause()
        ids = _ids(history)
        assert len(ids) == MAX_ITEMS and ids[-1] == "320"
        assert ids == [str(n) for n in range(321 - MAX_ITEMS, 321)]
        assert history.loaded_count == MAX_ITEMS and history.total == 320
        assert isinstance(history.children[0], DaySeparator)  # the day is still said at the top
