"""The inbox as a work queue: which view a conversation belongs to, who wrote last, how urgent
its reply window is, and the order "window closing soonest". Pure functions over `Conversation`,
shared by the app's views and the CLI's `conversations --mine --unassigned --needs-reply`.

The API has no "who wrote last" field; it is read off the two timestamps the contract gives:
the customer wrote last when `last_inbound_message_at` is `last_message_at`. Who sent an
outbound last (you, a teammate, the AI) is only known from what this app itself sent
(`own_last_at`) and from the conversation's AI assignment; the rest is "an agent".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tui.core.channels import channel_spec
from tui.core.fold import matches
from tui.core.models import Conversation
from tui.core.policy import window_state
from tui.core.queue_views import View as View

#: Under this much time left, the window is shown in the warning colour; under URGENT, in the error colour.
SOON = timedelta(hours=1)
URGENT = timedelta(minutes=15)
#: Two timestamps this close are the same message (servers round differently).
_SAME = timedelta(seconds=1)


class Writer(StrEnum):
    """Who wrote a conversation's last message, as far as the client can tell."""

    CUSTOMER = "customer"
    YOU = "you"
    AGENT = "agent"
    AI = "ai"
    NOBODY = "nobody"


class Urgency(StrEnum):
    NONE = "none"  # no window on this channel, or it is closed
    OK = "ok"
    SOON = "soon"  # under an hour left
    URGENT = "urgent"  # under 15 minutes left


def is_open(conversation: Conversation) -> bool:
    """Open unless the server says closed (a missing status is an open conversation)."""
    return (conversation.status or "open") != "closed"


def has_ai(conversation: Conversation) -> bool:
    return conversation.assigned_ai_assistant_id not in (None, "", 0, "0")


def last_writer(conversation: Conversation, own_last_at: datetime | None = None) -> Writer:
    """Who wrote last: the customer when the newest message is their inbound one; "you" when it
    is the newest message this app sent; the AI when an AI assistant holds the conversation and
    no person does; any other outbound is "an agent"."""
    last = conversation.last_message_at
    inbound = conversation.last_inbound_message_at
    if last is None:
        return Writer.CUSTOMER if inbound is not None else Writer.NOBODY
    if inbound is not None and inbound >= last - _SAME:
        return Writer.CUSTOMER
    if own_last_at is not None and abs(own_last_at - last) <= _SAME:
        return Writer.YOU
    if has_ai(conversation) and conversation.assigned_user_id is None:
        return Writer.AI
    return Writer.AGENT


def needs_reply(conversation: Conversation, snoozed: Collection[int] = ()) -> bool:
    """Open, the customer wrote last, and not snoozed."""
    return (
        is_open(conversation)
        and conversation.id not in snoozed
        and last_writer(conversation) is Writer.CUSTOMER
        and not conversation.unreadable
    )


def in_view(conversation: Conversation, view: View, *, me: int | None, snoozed: Collection[int] = ()) -> bool:
    """Whether `conversation` is listed in `view`. Every view but All and Snoozed lists open,
    unsnoozed conversations only; a snoozed one is in Snoozed (and All) until it comes back."""
    if view is View.ALL:
        return True
    if view is View.SNOOZED:
        return conversation.id in snoozed
    if not is_open(conversation) or conversation.id in snoozed:
        return False
    if view is View.NEEDS_REPLY:
        return needs_reply(conversation)
    if view is View.MINE:
        return me is not None and conversation.assigned_user_id == me
    return conversation.assigned_user_id is None and not has_ai(conversation)


def counts(
    conversations: Iterable[Conversation], *, me: int | None, snoozed: Collection[int] = ()
) -> dict[View, int]:
    """How many of `conversations` each view lists (All: all of them)."""
    result = dict.fromkeys(View, 0)
    for conversation in conversations:
        for view in View:
            if in_view(conversation, view, me=me, snoozed=snoozed):
                result[view] += 1
    return result


def window_left(conversation: Conversation, now: datetime | None = None) -> timedelta | None:
    """Time left in the reply window; None when the channel has none or it is closed."""
    state = window_state(conversation, channel_spec(conversation.channel), now)
    if not state.applies or not state.open:
        return None
    return state.remaining


def urgency(conversation: Conversation, now: datetime | None = None) -> Urgency:
    left = window_left(conversation, now)
    if left is None:
        return Urgency.NONE
    if left < URGENT:
        return Urgency.URGENT
    if left < SOON:
        return Urgency.SOON
    return Urgency.OK


def by_window(conversations: Iterable[Conversation], now: datetime | None = None) -> list[Conversation]:
    """Open windows first, closing soonest first; then the rest, newest message first."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    floor = datetime.min.replace(tzinfo=UTC)

    def key(conversation: Conversation) -> tuple[int, float]:
        left = window_left(conversation, now)
        if left is not None:
            return (0, left.total_seconds())
        newest = conversation.last_message_at or floor
        return (1, -(newest - floor).total_seconds())

    return sorted(conversations, key=key)


def search_matches(conversation: Conversation, needle: str) -> bool:
    """Case- and accent-folded search over the contact's name, phone, email and the last text."""
    contact = conversation.contact
    names = (
        (contact.first_name, contact.last_name, contact.display_name, contact.phone, contact.email)
        if contact
        else ()
    )
    return matches(needle, *names, conversation.last_message_text)
