"""A row says its state in words: a closed conversation says "Closed", a marked one starts with
`●`, and in the Snoozed view the window column says when each comes back."""

from __future__ import annotations

from datetime import datetime, timedelta

from tui.core.models import Conversation
from tui.widgets.rows import RowContext, row_text, wake_words

NOW = datetime(2026, 12, 7, 9, 17).astimezone()


def conv(**fields: object) -> Conversation:
    base: dict[str, object] = {"id": 3, "channel": "webchat", "status": "open", "last_message_text": "hi"}
    return Conversation.model_validate({**base, **fields})


def test_a_closed_row_says_closed() -> None:
    assert "Closed · " in row_text(conv(status="closed"), NOW, 100, {}).plain
    assert "Closed" not in row_text(conv(), NOW, 100, {}).plain


def test_a_marked_row_starts_with_a_dot() -> None:
    assert row_text(conv(), NOW, 100, {}, RowContext(marked=(3,))).plain.startswith("●")
    assert row_text(conv(), NOW, 100, {}, RowContext(marked=(4,))).plain.startswith(" ")


def test_the_snoozed_view_says_when_each_comes_back() -> None:
    until = NOW.replace(hour=9, minute=0) + timedelta(days=1)
    ctx = RowContext(snoozed={3: until}, wake_times=True)
    assert "z tmrw 09:00" in row_text(conv(), NOW, 100, {}, ctx).plain
    assert "z tmrw" not in row_text(conv(), NOW, 100, {}, RowContext(snoozed={3: until})).plain
    assert wake_words(NOW.replace(hour=14, minute=0), NOW) == "14:00"
    assert wake_words(NOW + timedelta(days=3), NOW).endswith("09:17")
    assert wake_words(NOW + timedelta(days=10), NOW) == (NOW + timedelta(days=10)).strftime("%d %b")
