"""The history under pushed news: a send whose own message was pushed before its answer shows
once, and a delivery mark (or a failure with its code) changes in place."""

from __future__ import annotations

from datetime import UTC, datetime

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
