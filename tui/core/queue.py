"""The inbox as a work queue: who wrote last, how urgent a reply window is, and the order
"window closing soonest". Pure functions over a conversation (a `Conversation`, or a first-page
`RowView` drawn before the models load), shared by the app and the CLI
(which views a conversation is in is the server's query, `tui.core.filters`).

Who wrote last is read off the newest message and the customer's newest one, as the server's
optional fields or the messages read say them (`ConversationCache`). Who sent an outbound last
(you, a teammate, the AI) is only known from what this app itself sent (`own_last_at`) and from
the conversation's AI assignment; the rest is "an agent".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from tui.core.fold import matches
from tui.core.window import reply_window, window_at

if TYPE_CHECKING:  # the rows of the first page are drawn before the models load: no pydantic here
    from tui.core.row_view import RowLike

Row = TypeVar("Row", bound="RowLike")

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


def is_open(conversation: RowLike) -> bool:
    """Open unless the server says closed (a missing status is an open conversation)."""
    return (conversation.status or "open") != "closed"


def has_ai(conversation: RowLike) -> bool:
    return conversation.assigned_ai_assistant_id not in (None, "", 0, "0")


def last_writer(conversation: RowLike, own_last_at: datetime | None = None) -> Writer:
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


def window_left(conversation: RowLike, now: datetime | None = None) -> timedelta | None:
    """Time left in the reply window; None when the channel has none or it is closed."""
    state = window_at(conversation, applies=reply_window(conversation.channel), now=now)
    if not state.applies or not state.open:
        return None
    return state.remaining


def urgency(conversation: RowLike, now: datetime | None = None) -> Urgency:
    left = window_left(conversation, now)
    if left is None:
        return Urgency.NONE
    if left < URGENT:
        return Urgency.URGENT
    if left < SOON:
        return Urgency.SOON
    return Urgency.OK


def by_window(conversations: Iterable[Row], now: datetime | None = None) -> list[Row]:
    """Open windows first, closing soonest first; then the rest, newest message first."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    floor = datetime.min.replace(tzinfo=UTC)

    def key(conversation: RowLike) -> tuple[int, float]:
        left = window_left(conversation, now)
        if left is not None:
            return (0, left.total_seconds())
        newest = conversation.active_at or floor
        return (1, -(newest - floor).total_seconds())

    return sorted(conversations, key=key)


def search_matches(conversation: RowLike, needle: str) -> bool:
    """Case- and accent-folded search over the contact's name, phone, email and the last text."""
    contact = conversation.contact
    names = (
        (contact.first_name, contact.last_name, contact.display_name, contact.phone, contact.email)
        if contact
        else ()
    )
    return matches(needle, *names, conversation.last_message_text)
