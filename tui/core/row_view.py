"""What a row of the conversation list is drawn from, and the first page read without the models.

The inbox draws its first rows before pydantic and httpx have loaded (they cost more than the
rest of the start together): the first page of All is fetched with the standard library
(`tui.core.first_page`) and each record read here, tolerantly, into a `RowView` that answers what
a row needs with the same names a `Conversation` has. Once the backend is open, the same answer
is read into models (no second request) and the rows are drawn from those. Anything odd in the
answer (`row_views` returns None) and the inbox simply waits for the models, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tui.core.times import parse_time


class ContactLike(Protocol):
    @property
    def first_name(self) -> str | None: ...

    @property
    def last_name(self) -> str | None: ...

    @property
    def phone(self) -> str | None: ...

    @property
    def email(self) -> str | None: ...

    @property
    def display_name(self) -> str: ...


class RowLike(Protocol):
    """What a list row reads of a conversation (a `Conversation`, or a `RowView`)."""

    @property
    def id(self) -> int: ...

    @property
    def channel(self) -> str: ...

    @property
    def status(self) -> str | None: ...

    @property
    def unread_count(self) -> int: ...

    @property
    def assigned_user_id(self) -> int | None: ...

    @property
    def assigned_ai_assistant_id(self) -> int | str | None: ...

    @property
    def contact(self) -> Any: ...

    @property
    def contact_name(self) -> str: ...

    @property
    def last_message_text(self) -> str | None: ...

    @property
    def last_message_at(self) -> datetime | None: ...

    @property
    def last_inbound_message_at(self) -> datetime | None: ...

    @property
    def inbound_known(self) -> bool: ...

    @property
    def active_at(self) -> datetime | None: ...

    @property
    def unreadable(self) -> str | None: ...


@dataclass(frozen=True)
class ContactView:
    id: int | None
    first_name: str | None
    last_name: str | None
    phone: str | None
    email: str | None

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.phone or self.email or (f"Contact {self.id}" if self.id else "Unknown")


@dataclass(frozen=True)
class RowView:
    """One record of the first page, read before the models load (`provisional`: acted on only
    once the models have replaced it)."""

    id: int
    channel: str
    status: str | None
    unread_count: int
    assigned_user_id: int | None
    assigned_ai_assistant_id: int | str | None
    contact_id: int | None
    contact: ContactView | None
    last_message_text: str | None
    last_message_at: datetime | None
    last_inbound_message_at: datetime | None
    inbound_known: bool
    last_interaction_at: datetime | None
    # The head's state (`conversation_head`): a conversation opened before the models load
    # shows it as the full record would.
    blocked: bool | None = None
    ai_auto_assignment_disabled: bool | None = None
    ai_auto_assignment_disabled_reason: str | None = None
    ai_context_cut: Any = None
    unreadable: str | None = None
    provisional: bool = True

    @property
    def contact_name(self) -> str:
        if self.contact is not None:
            return self.contact.display_name
        return f"Contact {self.contact_id}" if self.contact_id is not None else "Unknown"

    @property
    def active_at(self) -> datetime | None:
        return self.last_message_at or self.last_interaction_at


class _Odd(ValueError):
    """A value the quick read will not guess at: the models will read the page instead."""


def _int(value: Any, *, none: bool = True) -> int | None:
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Odd
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Odd
    return value


def _flag(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise _Odd
    return value


def _time(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except ValueError:
        raise _Odd from None


def _contact(value: Any) -> ContactView | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Odd
    return ContactView(
        _int(value.get("id")),
        _text(value.get("first_name")),
        _text(value.get("last_name")),
        _text(value.get("phone")),
        _text(value.get("email")),
    )


def row_view(record: Any) -> RowView:
    """One record as a `RowView` (`_Odd` for anything a strict reader would question)."""
    if not isinstance(record, dict):
        raise _Odd
    ai = record.get("assigned_ai_assistant_id")
    if ai is not None and (isinstance(ai, bool) or not isinstance(ai, int | str)):
        raise _Odd
    row_id = _int(record.get("id"), none=False)
    assert row_id is not None
    return RowView(
        id=row_id,
        channel=str(_text(record.get("channel")) or "").strip().lower(),
        status=_text(record.get("status")),
        unread_count=_int(record.get("unread_count")) or 0,
        assigned_user_id=_int(record.get("assigned_user_id")),
        assigned_ai_assistant_id=ai,
        contact_id=_int(record.get("contact_id")),
        contact=_contact(record.get("contact")),
        last_message_text=_text(record.get("last_message_text")),
        last_message_at=_time(record.get("last_message_at")),
        last_inbound_message_at=_time(record.get("last_inbound_message_at")),
        inbound_known="last_inbound_message_at" in record,
        last_interaction_at=_time(record.get("last_interaction_at")),
        blocked=_flag(record.get("blocked")),
        ai_auto_assignment_disabled=_flag(record.get("ai_auto_assignment_disabled")),
        ai_auto_assignment_disabled_reason=_text(record.get("ai_auto_assignment_disabled_reason")),
        ai_context_cut=record.get("ai_context_cut"),
    )


def row_views(page: Any) -> tuple[list[RowView], int] | None:
    """A first page's rows and total, or None when anything in it is not plainly readable (the
    models then read it, item by item, and say what is wrong)."""
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        return None
    total = page.get("total", len(page["data"]))
    if isinstance(total, bool) or not isinstance(total, int):
        return None
    try:
        return [row_view(r) for r in page["data"]], total
    except _Odd:
        return None


__all__ = ["ContactLike", "ContactView", "RowLike", "RowView", "row_view", "row_views"]
