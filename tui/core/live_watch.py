"""What `switchboard watch` has already reported, so that a change pushed live and the same change
found again by a REST re-read (after a reconnect, or while polling) is printed once.

The re-read is what the app does after every connect: the first page of conversations, and the
newest messages of the watched conversation, or of each conversation whose last message moved
(the first page alone names no messages). Nothing here prints or talks to a server but
`read_changes`, which only reads.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tui.core.live_events import LiveEvent
from tui.core.models import Conversation, Message

if TYPE_CHECKING:
    from tui.core.client import ApiClient

#: How many conversations' messages one re-read may fetch (the rest are read at the next one).
MAX_MESSAGE_READS = 10


def _moved(c: Conversation) -> datetime | None:
    """When the server says the conversation last moved: `last_interaction_at` [docs], else an
    [ours] `last_message_at`."""
    return c.last_interaction_at or c.last_message_at


def _signature(c: Conversation) -> tuple[Any, ...]:
    """What a `conversations patched` event is news for: the server's own fields only (a pushed
    document and a re-read one may differ in what else they carry: the embedded contact, or
    what the client learnt from the messages)."""
    return (c.status, c.assigned_user_id, c.assigned_ai_assistant_id, c.unread_count, c.blocked, _moved(c))


#: The place of the time the conversation moved in a signature.
_TIMES = (5,)
#: Two moves of a conversation's last message this close are one move of the server's clock.
_SAME_SHIFT = timedelta(milliseconds=5)


def clock_shift(page: list[Conversation], known: dict[int, tuple[Any, ...]]) -> timedelta:
    """How far the server moved every time it holds, if it did: when two thirds or more (and
    at least three) of the conversations known and on the page moved their last message by the
    same amount, that is the server's clock (the sandbox, restarted after a pause, moves its
    whole history forward so that its reply windows stay as seeded), not news."""
    deltas = sorted(
        moved - known[c.id][5]
        for c in page
        if c.id in known and (moved := _moved(c)) is not None and known[c.id][5] is not None
    )
    if len(deltas) < 3:
        return timedelta(0)
    middle = deltas[len(deltas) // 2]
    alike = sum(abs(d - middle) <= _SAME_SHIFT for d in deltas)
    return middle if middle > timedelta(0) and alike * 3 >= len(deltas) * 2 else timedelta(0)


def _close(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= _SAME_SHIFT


def _usable(message: Message) -> bool:
    """A message whose id is the client's placeholder has no identity to remember."""
    return not (message.unreadable and str(message.id).startswith("unreadable-"))


class Tracker:
    """Every message and conversation state already reported. The first successful re-read is
    the baseline: it is remembered, not reported (what was there before the watch began)."""

    def __init__(self, conversation_id: int | None = None) -> None:
        self.conversation_id = conversation_id
        self.baselined = False
        #: Contact names by conversation id, to name a customer in a message line.
        self.names: dict[int, str] = {}
        self._seen: set[str] = set()
        self._status: dict[str, str | None] = {}
        self._conversations: dict[int, tuple[Any, ...]] = {}
        self._fetched: set[int] = set()
        self._since: dict[int, datetime | None] = {}
        self._pending: dict[int, None] = {}
        self._newest: datetime | None = None

    def wanted(self, conversation_id: int | None) -> bool:
        return self.conversation_id is None or conversation_id == self.conversation_id

    # -- pushed ---------------------------------------------------------------------------------

    def live(self, event: LiveEvent) -> LiveEvent | None:
        """The pushed `event` if it is news, remembered; None if it was reported already."""
        if not self.wanted(event.conversation_id):
            return None
        if event.conversation is not None:
            return event if self._conversation_changed(event.conversation) else None
        message = event.message
        if message is None:
            return None
        key = str(message.id)
        if event.kind == "message_created":
            if key in self._seen:
                return None
            self._seen.add(key)
            self._status[key] = message.status
            return event
        if key in self._status and self._status[key] == message.status:
            return None
        self._status[key] = message.status
        return event

    # -- re-read --------------------------------------------------------------------------------

    def conversations(self, page: list[Conversation]) -> tuple[list[LiveEvent], list[int]]:
        """The conversations of a re-read first page: the changes to report, and the ids whose
        newest messages to read (the watched one always; else those whose last message moved,
        kept until read: one re-read reads at most MAX_MESSAGE_READS)."""
        events: list[LiveEvent] = []
        shift = clock_shift(page, self._conversations) if self.baselined else timedelta(0)
        self._follow_clock(page, shift)
        slack = _SAME_SHIFT if shift else timedelta(0)  # the old last message, rounded anew
        newest = self._newest
        for c in page:
            if c.id <= 0:
                continue  # a row the client could not read: no identity
            before = self._conversations.get(c.id)
            if self.baselined and self.conversation_id is None and (before is None or before[5] != _moved(c)):
                # what was known of it before: its last message, or for one new to the page
                # the newest message the watch knew of anywhere
                known = before[5] if before is not None else self._newest
                self._since.setdefault(c.id, known + slack if known is not None else None)
                self._pending[c.id] = None
            if self._conversation_changed(c) and self.baselined and self.wanted(c.id):
                events.append(LiveEvent("conversation_patched", None, c, c.id))
            moved = _moved(c)
            if moved is not None and (newest is None or moved > newest):
                newest = moved
        self._newest = newest
        if self.conversation_id is not None:
            return events, [self.conversation_id]
        return events, list(self._pending)

    def messages(self, conversation_id: int, page: list[Message]) -> list[LiveEvent]:
        """A conversation's re-read newest messages (newest first, as the API sorts them): the
        ones not reported yet, oldest first, and the status changes of those reported."""
        events: list[LiveEvent] = []
        first_read = conversation_id not in self._fetched
        since = self._since.pop(conversation_id, None)
        self._pending.pop(conversation_id, None)
        for message in reversed(page):
            if not _usable(message):
                continue
            key = str(message.id)
            if key in self._seen:
                if self._status.get(key) != message.status:
                    self._status[key] = message.status
                    events.append(LiveEvent("message_patched", message, None, conversation_id))
                continue
            self._seen.add(key)
            self._status[key] = message.status
            if self._is_new(message, first_read, since):
                events.append(LiveEvent("message_created", message, None, conversation_id))
        self._fetched.add(conversation_id)
        return events

    def _is_new(self, message: Message, first_read: bool, since: datetime | None) -> bool:
        """On a conversation's first read, only what came after its last message known before
        (else everything on the page would be "new"); after that, whatever was not seen."""
        if not self.baselined:
            return False
        if not first_read:
            return True
        if message.created_at is None:
            return False
        return since is None or message.created_at > since

    def _follow_clock(self, page: list[Conversation], shift: timedelta) -> None:
        """Every time the watch remembers, moved by `shift` (see `clock_shift`); a conversation
        on the page that moved by it (to the millisecond the server rounds to) takes its new
        times as they are, so that only real news differs from what is remembered."""
        if not shift:
            return
        on_page = {c.id: c for c in page}
        for cid, signature in self._conversations.items():
            c = on_page.get(cid)
            times = [
                signature[i] + shift if isinstance(signature[i], datetime) else signature[i] for i in _TIMES
            ]
            if c is not None:
                now = (_moved(c),)
                times = [n if _close(n, t) else t for n, t in zip(now, times, strict=True)]
            self._conversations[cid] = signature[: _TIMES[0]] + tuple(times) + signature[_TIMES[-1] + 1 :]
        self._since = {
            cid: t + shift + _SAME_SHIFT if t is not None else None for cid, t in self._since.items()
        }
        if self._newest is not None:
            self._newest += shift + _SAME_SHIFT

    def _conversation_changed(self, c: Conversation) -> bool:
        self.names[c.id] = c.contact_name if c.contact is not None else self.names.get(c.id, c.contact_name)
        signature = _signature(c)
        if self._conversations.get(c.id) == signature:
            return False
        self._conversations[c.id] = signature
        return True


async def read_changes(client: ApiClient, tracker: Tracker) -> list[LiveEvent]:
    """One re-read: the first page of conversations and the newest messages of those that moved
    (or of the watched one); what it found that was not reported, in order. The first that
    succeeds is the baseline and reports nothing."""
    page = await client.list_conversations()
    events, to_read = tracker.conversations(page.data)
    found: list[LiveEvent] = []
    for conversation_id in to_read[:MAX_MESSAGE_READS]:
        messages = await client.list_messages(conversation_id)
        found.extend(tracker.messages(conversation_id, messages.data))
    tracker.baselined = True
    return found + events
