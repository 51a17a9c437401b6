"""What may be quoted: what the customer wrote or received (found in review: an internal note
and an undelivered reply could be quoted, so the customer would see a quote of nothing)."""

from __future__ import annotations

from tui.core.models import Message
from tui.widgets.quote import quotable


def _m(**fields: object) -> Message:
    return Message.model_validate({"id": 9, "message_text": "x", **fields})


def test_customer_messages_and_delivered_replies_may_be_quoted() -> None:
    assert quotable(_m(direction="inbound"))
    assert quotable(_m(direction="outbound", status="read"))


def test_notes_failed_sends_pending_sends_and_unreadable_ones_may_not() -> None:
    assert not quotable(_m(direction="outbound", message_type="note"))
    assert not quotable(_m(direction="outbound", status="failed"))
    assert not quotable(_m(id="c-1", direction="outbound"), client_id="c-1")
    assert not quotable(_m(direction="inbound", unreadable="This message could not be read."))
