"""What the live feed hands the app: its state, and each pushed event read as the client reads a
page (`client_parse`), so a pushed message and a re-read one are the same `Message`.

Event data is untrusted: anything that is not a document of the organization's, or that names no
usable id, is dropped here and never raises. No Socket.IO here: this module is cheap to import.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from tui.core.channel_names import KNOWN_CHANNELS
from tui.core.client_parse import MAX_JSON_DEPTH, parse_items, too_deep
from tui.core.config import Paths
from tui.core.errors import BadResponseError
from tui.core.models import Conversation, Message

EventKind = Literal["message_created", "message_patched", "conversation_patched"]

#: The id given to a pushed document whose own id cannot be read: such an event is dropped.
_NO_ID = "live-no-id"


class LiveState(StrEnum):
    """How fresh the app's data is: pushed (live), re-read on a timer (polling), or neither."""

    LIVE = "live"
    POLLING = "polling"
    OFFLINE = "offline"


@dataclass(frozen=True)
class LiveEvent:
    """One pushed change. `message` is set for the message kinds, `conversation` for
    `conversation_patched`; `conversation_id` is the conversation either belongs to, and
    `channel` the message service it came from ("" when the event does not say)."""

    kind: EventKind
    message: Message | None
    conversation: Conversation | None
    conversation_id: int | None
    channel: str = ""


#: What an event name stands for: its kind and the channel whose message service sent it.
EventNames = dict[str, tuple[EventKind, str]]


def event_names(paths: Paths) -> EventNames:
    """Feathers names its events "<service path> <event>": the profile's paths, not fixed ones,
    and one message service per channel [contract: "Live updates"]."""
    names: EventNames = {f"{paths.conversations.strip('/')} patched": ("conversation_patched", "")}
    channels = ("",) if paths.legacy_messages else KNOWN_CHANNELS
    for channel in channels:
        service = paths.messages_for(channel).strip("/")
        names[f"{service} created"] = ("message_created", channel)
        names[f"{service} patched"] = ("message_patched", channel)
    return names


def _organization_ok(doc: dict[str, Any], organization_id: int) -> bool:
    """A document naming another organization (or naming one unreadably) is not ours; one that
    names none is taken as the server scoped it (messages carry no organization)."""
    if "organization_id" not in doc or doc["organization_id"] is None:
        return True
    value = doc["organization_id"]
    if isinstance(value, bool):
        return False
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return isinstance(value, int) and value == organization_id


def parse_event(
    name: Any, args: tuple[Any, ...], organization_id: int, names: EventNames
) -> LiveEvent | None:
    """The event `name` with data `args` as a `LiveEvent`; None for an event the contract does
    not name, another organization's document, or data that is not a usable document."""
    try:
        return _parse(name, args, organization_id, names)
    except (BadResponseError, ValueError, TypeError, ArithmeticError, RecursionError, AttributeError):
        return None


def _parse(name: Any, args: tuple[Any, ...], organization_id: int, names: EventNames) -> LiveEvent | None:
    named = names.get(name) if isinstance(name, str) else None
    if named is None or not args:
        return None
    kind, channel = named
    doc = args[0]
    if (
        not isinstance(doc, dict)
        or too_deep(doc, MAX_JSON_DEPTH)
        or not _organization_ok(doc, organization_id)
    ):
        return None
    if kind == "conversation_patched":
        page = parse_items(
            Conversation, [doc], "a pushed conversation", noun="conversation", fallback_id=lambda i: -1
        )
        conversation = page.data[0]
        if conversation.id <= 0:
            return None
        return LiveEvent(kind, None, conversation, conversation.id)
    messages = parse_items(Message, [doc], "a pushed message", noun="message", fallback_id=lambda i: _NO_ID)
    message = messages.data[0]
    if message.id == _NO_ID or message.conversation_id is None:
        return None
    return LiveEvent(kind, message, None, message.conversation_id, channel)


class Backoff:
    """Delays between connection attempts: a ceiling from `first` doubling up to `cap`, each delay
    drawn anywhere below it ("full jitter": the clients of one restarted server spread out
    widest, and none waits longer than `cap`), never under `floor`. `reset()` after a connection
    that held."""

    def __init__(
        self,
        *,
        first: float = 0.5,
        cap: float = 30.0,
        floor: float = 0.05,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.first = first
        self.cap = cap
        self.floor = min(floor, cap)
        self.rng = rng
        self.attempts = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.first * 2 ** min(self.attempts, 30))
        self.attempts += 1
        return max(self.floor, self.rng() * ceiling)

    def reset(self) -> None:
        self.attempts = 0
