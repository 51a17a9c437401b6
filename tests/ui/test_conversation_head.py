"""The conversation's head says its state in words (so NO_COLOR keeps it): status, who holds it
(me, a teammate, an AI by name, nobody), blocked, snoozed until when, and the conflict of an AI
holding it while its auto-assignment is off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.models import Contact, Conversation
from tui.widgets.conversation_head import HeadFacts, head_text, holder

NOW = datetime(2026, 12, 7, 9, 17, tzinfo=UTC)
NAMES = {7: "Maria Silva", 11: "Tom Becker"}


def conv(**fields: object) -> Conversation:
    base: dict[str, object] = {"id": 3, "channel": "whatsapp", "status": "open"}
    return Conversation.model_validate({**base, **fields})


def test_the_holder_in_words() -> None:
    assert holder(conv(assigned_user_id=7), 7, NAMES) == "yours"
    assert holder(conv(assigned_user_id=11), 7, NAMES) == "Tom Becker"
    assert holder(conv(assigned_user_id=99), 7, NAMES) == "agent 99"
    assert holder(conv(assigned_ai_assistant_id="ai-1"), 7, NAMES, {"ai-1": "Ava"}) == "Ava"
    assert holder(conv(assigned_ai_assistant_id=5), 7, NAMES) == "an AI assistant"
    assert holder(conv(), 7, NAMES) == "unassigned"


def test_state_comes_first_and_in_words() -> None:
    c = conv(
        status="closed",
        blocked=True,
        assigned_ai_assistant_id="ai-1",
        ai_auto_assignment_disabled=True,
        ai_auto_assignment_disabled_reason="agent asked",
        contact=Contact(id=1, first_name="Zoë", phone="+351900"),
    )
    facts = HeadFacts(
        me=7, names=NAMES, ai_names={"ai-1": "Ava"}, snoozed_until=NOW + timedelta(hours=1), now=NOW
    )
    text = head_text(c, facts).plain
    assert text.index("CLOSED") < text.index("Ava") < text.index("BLOCKED") < text.index("snoozed until")
    assert "⚠ AI auto-assignment off (agent asked) while an AI holds it" in text
    assert text.index("while an AI holds it") < text.index("+351900")


def test_no_conflict_without_an_ai_and_no_snooze_without_a_time() -> None:
    text = head_text(conv(ai_auto_assignment_disabled=True), HeadFacts(now=NOW)).plain
    assert "auto-assignment" not in text and "snoozed" not in text and "BLOCKED" not in text


def test_untrusted_names_are_data() -> None:
    c = conv(
        assigned_user_id=11,
        ai_auto_assignment_disabled=True,
        assigned_ai_assistant_id=1,
        ai_auto_assignment_disabled_reason="\x1b[31mred\u202e",
    )
    text = head_text(c, HeadFacts(names={11: "[bold]Tom\x1b]52;c;x\x07"})).plain
    assert "\x1b" not in text and "\u202e" not in text and "[bold]Tom" in text
