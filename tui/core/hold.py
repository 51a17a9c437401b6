"""A hold on colliding replies: a reply is held before its first request when the conversation
moved on since the agent looked (Help Scout's "traffic cop").

When the agent presses send on a reply, the screen records what it showed (`Seen`); the outbox
stores that with the entry and, before the entry's first request, asks `check` whether a
customer message, another agent's message or note arrived since, or the conversation was
reassigned or closed. If so the entry is held with one line saying what came in, and the agent
sends anyway or goes back to read it. Notes, templates and CLI sends carry no `Seen` and are
never held.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from tui.core.errors import AuthError, ConfigError, SwitchboardError
from tui.core.models import Conversation, Message, Page, message_key, parse_time
from tui.core.text import clip, one_line

NAME_CELLS = 30
QUOTE_CELLS = 60
#: How many of the newest shown messages a snapshot names (ids are opaque: what is new is what
#: is not among them and not older than them).
SHOWN_KEYS = 50
#: Two timestamps this close are the same moment (servers round differently).
SAME = timedelta(seconds=2)


class Reader(Protocol):
    """The two reads `check` needs (`tui.core.client.ApiClient` has them)."""

    async def get_conversation(self, conversation_id: int, *, max_age: float = 0.0) -> Conversation: ...

    async def list_messages(
        self, conversation_id: int, *, channel: str | None = None, skip: int = 0
    ) -> Page[Message]: ...


@dataclass(frozen=True)
class Seen:
    """What the screen showed when the agent pressed send: the newest messages (their ids as
    compared, `message_key`, and the newest one's time), who the conversation was assigned to,
    and its status."""

    conversation_id: int
    shown: tuple[str, ...]
    newest_at: datetime | None
    assigned_user_id: int | None
    status: str | None

    def to_json(self) -> str:
        return json.dumps(
            {
                "conversation_id": self.conversation_id,
                "shown": list(self.shown),
                "newest_at": self.newest_at.isoformat() if self.newest_at is not None else None,
                "assigned_user_id": self.assigned_user_id,
                "status": self.status,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Seen:
        """The snapshot back from `to_json` (or from an older store's, which named the newest
        message by a numeric `newest_message_id`); ValueError when the text is not one."""
        data: Any = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("conversation_id"), int):
            raise ValueError("not a seen snapshot")
        shown = data.get("shown")
        if not isinstance(shown, list):
            old = data.get("newest_message_id")
            shown = [old] if isinstance(old, int | str) and not isinstance(old, bool) else []
        return cls(
            conversation_id=data["conversation_id"],
            shown=tuple(
                message_key(k) for k in shown if isinstance(k, int | str) and not isinstance(k, bool)
            ),
            newest_at=parse_time(data.get("newest_at")),
            assigned_user_id=_int_or_none(data.get("assigned_user_id")),
            status=data["status"] if isinstance(data.get("status"), str) else None,
        )

    @classmethod
    def of(cls, conversation: Conversation, messages: Iterable[Message], local: Collection[str] = ()) -> Seen:
        """The snapshot of a conversation and the server messages shown for it. A local bubble
        (its key in `local`) or an unreadable placeholder says nothing about what the server had."""
        shown = [m for m in messages if m.created_at is not None and not m.unreadable and m.key not in local]
        shown.sort(key=lambda m: m.created_at or datetime.min, reverse=True)
        return cls(
            conversation_id=conversation.id,
            shown=tuple(m.key for m in shown[:SHOWN_KEYS]),
            newest_at=shown[0].created_at if shown else None,
            assigned_user_id=conversation.assigned_user_id,
            status=conversation.status,
        )


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class People:
    """Who is who, to name a new assignee: the agent's own user id, and the organization's
    agents by id (untrusted names, made safe when used)."""

    me: int | None = None
    names: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hold:
    """Why a reply was held (one line, untrusted parts made safe) and how many messages arrived."""

    sentence: str
    arrived: int


async def check(
    client: Reader,
    seen: Seen,
    own_message_ids: Collection[str],
    *,
    people: People | None = None,
    record_age: float = 0.0,
) -> Hold | None:
    """Whether the conversation moved on since `seen`: messages it did not show, no older than
    the newest it showed, that this store did not send (`own_message_ids`, keys), a new
    assignee, or a close. `record_age`: a copy of the conversation that old will do (while live,
    pushes keep the cache's current, so only the messages are read: one request).

    Best-effort: a read that fails is not a hold, and the send goes on (what could be read still
    counts). A refused or missing credential is raised instead, as the send itself would fail on
    it and reports it as it does today. `people` names a new assignee ("you", "Maria Silva");
    without it, or for an id it does not know, it is "user 9"."""
    conversation = await _read(client.get_conversation(seen.conversation_id, max_age=record_age))
    channel = conversation.channel if conversation is not None else None
    page = await _read(client.list_messages(seen.conversation_id, channel=channel))
    arrived: list[Message] = []
    if page is not None:
        arrived = [m for m in page.data if _newer(m, seen) and m.key not in own_message_ids]
        arrived.sort(key=_newest_first)
    if page is not None and len(arrived) == len(page.data) and page.has_more:
        many = f"{len(arrived)} or more"  # everything read is new: there may be more before it
    else:
        many = str(len(arrived))
    parts = _parts(arrived, many, conversation, seen, people or People())
    if not parts:
        return None
    sentence = parts[0][0]
    if len(parts) > 1:
        sentence += "; also " + ", ".join(label for _, label in parts[1:])
    return Hold(sentence, len(arrived))


async def _read(call: Any) -> Any:
    try:
        return await call
    except (AuthError, ConfigError):
        raise
    except SwitchboardError:
        return None


def _newest_first(m: Message) -> float:
    return -m.created_at.timestamp() if m.created_at is not None else 0.0


def _newer(m: Message, seen: Seen) -> bool:
    """Not shown, and not older than what was: ids are opaque, so time and the shown keys say it."""
    if m.unreadable or m.is_reaction or m.key in seen.shown:
        return False
    if seen.newest_at is None:
        return True  # the agent saw no message at all: anything the server has arrived since
    return m.created_at is not None and m.created_at >= seen.newest_at - SAME


def _parts(
    arrived: list[Message],
    many: str,
    conversation: Conversation | None,
    seen: Seen,
    people: People,
) -> list[tuple[str, str]]:
    """Each change as (its sentence, its short label after "also"), most pressing first."""
    customer = [m for m in arrived if m.is_inbound]
    notes = [m for m in arrived if not m.is_inbound and m.is_note]
    agents = [m for m in arrived if not m.is_inbound and not m.is_note]

    def count(group: list[Message]) -> str:
        return many if len(group) == len(arrived) else str(len(group))

    parts: list[tuple[str, str]] = []
    if customer:
        n = count(customer)
        name = _name(customer, conversation.contact_name if conversation is not None else "The customer")
        what = "a message" if n == "1" else f"{n} messages"
        parts.append(
            (f"{name} wrote {what} since you looked{_quote(customer[0])}", _count(n, "customer message"))
        )
    if agents:
        n = count(agents)
        said = "replied" if n == "1" else f"sent {n} messages"
        sentence = f"{_name(agents, 'Another agent')} {said} since you looked{_quote(agents[0])}"
        parts.append((sentence, _count(n, "agent message")))
    if notes:
        n = count(notes)
        added = "a note" if n == "1" else f"{n} notes"
        parts.append((f"{_name(notes, 'Another agent')} added {added} since you looked", added))
    if conversation is not None and conversation.assigned_user_id != seen.assigned_user_id:
        who = conversation.assigned_user_id
        if who is None:
            parts.append(("Unassigned since you looked", "unassigned"))
        else:
            named = "you" if who == people.me else clip(one_line(people.names.get(who)), NAME_CELLS)
            named = named or f"user {who}"
            parts.append((f"Reassigned to {named} since you looked", f"reassigned to {named}"))
    if conversation is not None and conversation.status == "closed" and seen.status != "closed":
        parts.append(("Closed since you looked", "closed"))
    return parts


def _name(messages: list[Message], fallback: str) -> str:
    """The newest message's sender, "and others" when several wrote."""
    names = {one_line(m.sender_name) for m in messages}
    name = clip(one_line(messages[0].sender_name) or one_line(fallback), NAME_CELLS) or "Someone"
    return f"{name} and others" if len(names) > 1 else name


def _quote(m: Message) -> str:
    text = one_line(m.message_text) or one_line(m.file_name)
    return f": “{clip(text, QUOTE_CELLS)}”" if text else ""


def _count(n: str, noun: str) -> str:
    return f"a {noun}" if n == "1" else f"{n} {noun}s"
