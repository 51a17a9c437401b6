"""A snoozed conversation, and when it wakes up.

The API has no snooze: the local store keeps them (`Store.snooze`). A snooze ends at its time,
or as soon as the customer writes after it was set, so a conversation put away until tomorrow
still comes back the moment it needs a reply. Deciding that is pure, so the work queue, the
"Snoozed" view and the time picker agree on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tui.core.models import Conversation


def utc(moment: datetime, what: str = "a time") -> datetime:
    """`moment` in UTC; a naive time is refused, since its zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must carry its time zone")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Snooze:
    """A conversation put away until `until`; `set_at` is when the agent did it (both aware UTC)."""

    conversation_id: int
    until: datetime
    set_at: datetime


def is_awake(snooze: Snooze, conversation: Conversation, now: datetime) -> bool:
    """True when the snooze is over: its time has come, or the customer wrote after it was set."""
    if snooze.until <= now:
        return True
    inbound = conversation.last_inbound_message_at
    return inbound is not None and inbound > snooze.set_at
