"""A row of the list as a work queue: who wrote last, who holds it, a draft mark, the window's
urgency. Pure `row_text` over built conversations, no app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.channels import channel_spec
from tui.core.models import Contact, Conversation
from tui.core.policy import window_state
from tui.widgets.rows import RowContext, row_text, window_words

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def conv(**kw: object) -> Conversation:
    base: dict[str, object] = {
        "id": 5,
        "channel": "whatsapp",
        "status": "open",
        "contact": Contact(first_name="Ana", last_name="Lima"),
        "last_message_text": "Is it shipped?",
        "last_message_at": NOW - timedelta(minutes=5),
        "last_inbound_message_at": NOW - timedelta(minutes=5),
    }
    base.update(kw)
    return Conversation.model_validate(base)


def plain(c: Conversation, ctx: RowContext | None = None, width: int = 80) -> str:
    return row_text(c, NOW, width, {}, ctx).plain


def test_the_customer_writing_last_has_no_prefix() -> None:
    assert "  Is it shipped?" in plain(conv())
    assert "You:" not in plain(conv()) and "Agent:" not in plain(conv())


def test_an_outbound_last_is_you_when_this_app_sent_it_else_an_agent_or_the_ai() -> None:
    outbound = conv(last_inbound_message_at=NOW - timedelta(hours=2), last_message_text="On its way")
    sent_at = outbound.last_message_at
    assert "You: On its way" in plain(outbound, RowContext(own_last_at={5: sent_at}))
    assert "Agent: On its way" in plain(outbound)
    held_by_ai = outbound.model_copy(update={"assigned_ai_assistant_id": "asst_1"})
    assert "AI: On its way" in plain(held_by_ai)


def test_the_assignee_column_and_the_draft_mark() -> None:
    names = {11: "Tom Becker", 12: "\x1b[31mAiko Tanaka"}
    assert " me " in plain(conv(assigned_user_id=7), RowContext(me=7))
    assert " Tom " in plain(conv(assigned_user_id=11), RowContext(me=7, names=names))
    hostile = plain(conv(assigned_user_id=12), RowContext(me=7, names=names))
    assert "\x1b" not in hostile
    assert " #13 " in plain(conv(assigned_user_id=13), RowContext(me=7, names=names), width=120)
    assert " AI " in plain(conv(assigned_ai_assistant_id="asst_1"))
    assert "✎" in plain(conv(), RowContext(drafts={5}))
    assert "✎" not in plain(conv(), RowContext(drafts={6}))


def test_the_window_turns_soon_under_an_hour_and_urgent_under_15_minutes() -> None:
    def kind(left: timedelta) -> str:
        c = conv(last_inbound_message_at=NOW - (timedelta(hours=24) - left))
        return window_words(window_state(c, channel_spec(c.channel), NOW))[1]

    assert kind(timedelta(hours=2)) == "open"
    assert kind(timedelta(minutes=59)) == "soon"
    assert kind(timedelta(minutes=14)) == "urgent"
    styles = {"window-urgent": "bold red", "window-soon": "yellow", "window-open": "green"}
    c = conv(last_inbound_message_at=NOW - timedelta(hours=23, minutes=50))
    spans = row_text(c, NOW, 80, styles, None).spans
    assert any(str(span.style) == "bold red" for span in spans)
