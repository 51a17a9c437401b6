"""The one owner of conversation data: what the list pages, a get, a PATCH's answer, the contacts,
the messages read and the live events say about each conversation, merged.

The API's conversation record names no contact and no last message [docs]; a server may add
them ([ours], optional). Whatever the record leaves out is filled from here:
- the contact from `/contacts` (read in batches by the client, `learn_contacts`);
- the newest message and the customer's newest inbound one from the messages read or pushed
  (`learn_messages`, `learn_message`). That knowledge holds while it is as new as the record's
  `last_interaction_at`; when the conversation moved since, it is set aside (the window is then
  unknown, never "closed") until the messages are read again.

Every reader (the list, the conversation screen, the queue, the outbox's rules, the CLI) asks
`get` and receives the same merged `Conversation`; `listeners` hear which ones changed.
No Textual, no I/O: the client feeds it (`tui.core.client`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tui.core.models import Contact, Conversation, Message

#: Two timestamps this close are the same moment (servers round differently).
SAME = timedelta(seconds=2)
#: How many conversations and contacts are kept (least recently used ones go first).
MAX_CONVERSATIONS = 2000
MAX_CONTACTS = 5000


@dataclass(frozen=True)
class Newest:
    """What the messages say about a conversation: its newest message, and its customer's
    newest one. `inbound_known` is False when the messages read held no inbound one but older
    messages exist (the customer may have written before them)."""

    at: datetime | None
    text: str | None
    inbound: bool
    note: bool
    inbound_at: datetime | None
    inbound_known: bool
    #: Whether the customer waits for a reply: the newest message that is not a note is theirs.
    waiting: bool | None


def _text(message: Message) -> str | None:
    if message.message_text:
        return message.message_text
    return f"[{message.file_name}]" if message.file_name else None


def newest_of(newest_first: Sequence[Message], *, more: bool) -> Newest | None:
    """The knowledge a newest-first page of messages gives (`more`: older ones exist)."""
    shown = [m for m in newest_first if not m.is_reaction and not m.unreadable and m.created_at is not None]
    if not shown:
        return None if more else Newest(None, None, False, False, None, True, False)
    top = shown[0]
    inbound = next((m for m in shown if m.is_inbound), None)
    reply = next((m for m in shown if not m.is_note), None)
    return Newest(
        at=top.created_at,
        text=_text(top),
        inbound=top.is_inbound,
        note=top.is_note,
        inbound_at=inbound.created_at if inbound is not None else None,
        inbound_known=inbound is not None or not more,
        waiting=reply.is_inbound if reply is not None else (None if more else False),
    )


def _after(new: Newest, message: Message) -> Newest:
    """`new` with one more message that arrived (pushed, or sent here)."""
    at = message.created_at
    if at is None or message.is_reaction:
        return new
    if new.at is not None and at < new.at - SAME:
        return new  # older than what is known: it changes nothing about the newest
    inbound_at = at if message.is_inbound else new.inbound_at
    return replace(
        new,
        at=at,
        text=_text(message),
        inbound=message.is_inbound,
        note=message.is_note,
        inbound_at=inbound_at,
        inbound_known=new.inbound_known or message.is_inbound,
        waiting=new.waiting if message.is_note else message.is_inbound,
    )


class ConversationCache:
    """Conversations by id as the server last described them, with what the client learnt."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._records: OrderedDict[int, tuple[float, Conversation]] = OrderedDict()
        self._contacts: OrderedDict[int, Contact] = OrderedDict()
        self._newest: dict[int, Newest] = {}
        #: "Waiting for a response", as a server list said it (`assume_waiting`), and when.
        self._waiting: dict[int, datetime | None] = {}
        self._merged: dict[int, Conversation] = {}
        #: Told the ids of conversations whose merged copy changed (on the caller's loop).
        self.listeners: list[Callable[[set[int]], None]] = []

    # -- reading -------------------------------------------------------------------------------

    def get(self, conversation_id: int) -> Conversation | None:
        """The merged conversation, or None when it was never read."""
        merged = self._merged.get(conversation_id)
        if merged is not None:
            return merged
        held = self._records.get(conversation_id)
        if held is None:
            return None
        merged = self._merged[conversation_id] = self._merge(held[1])
        return merged

    def fresh(self, conversation_id: int, max_age: float) -> Conversation | None:
        """The merged conversation if its record was read (or pushed) at most `max_age` s ago."""
        held = self._records.get(conversation_id)
        if held is None or max_age <= 0 or self.clock() - held[0] > max_age:
            return None
        return self.get(conversation_id)

    def contact(self, contact_id: int | None) -> Contact | None:
        return self._contacts.get(contact_id) if contact_id is not None else None

    def newest(self, conversation_id: int) -> Newest | None:
        """What the messages said, while it still describes the conversation (else None)."""
        known = self._newest.get(conversation_id)
        held = self._records.get(conversation_id)
        if known is None or held is None:
            return known
        interaction = held[1].last_interaction_at
        if interaction is not None and (known.at is None or known.at < interaction - SAME):
            return None  # the conversation moved since the messages were read
        return known

    def waiting(self, conversation_id: int) -> bool | None:
        """Whether the customer waits for a reply, when known: from the messages, else from a
        server list of the waiting ones that is not older than the conversation's last move."""
        known = self.newest(conversation_id)
        if known is not None and known.waiting is not None:
            return known.waiting
        if conversation_id in self._waiting:
            held = self._records.get(conversation_id)
            interaction = held[1].last_interaction_at if held is not None else None
            as_of = self._waiting[conversation_id]
            if interaction is None or (as_of is not None and as_of >= interaction - SAME):
                return True
        return None

    def assume_waiting(self, conversation_id: int) -> None:
        """The server listed it as waiting for a response (`waitingResponseOnly`), as of now."""
        held = self._records.get(conversation_id)
        self._waiting[conversation_id] = held[1].last_interaction_at if held is not None else None

    def items(self) -> list[tuple[int, Conversation]]:
        """Every conversation held, merged."""
        return [(cid, merged) for cid in list(self._records) if (merged := self.get(cid)) is not None]

    def missing_contacts(self, conversations: Iterable[Conversation]) -> list[int]:
        """Contact ids that rows need and nobody has read yet, in row order."""
        out: list[int] = []
        for c in conversations:
            cid = c.contact_id
            if (
                cid is not None
                and cid > 0
                and c.contact is None
                and cid not in self._contacts
                and cid not in out
            ):
                out.append(cid)
        return out

    # -- learning ------------------------------------------------------------------------------

    def record(self, conversation: Conversation) -> Conversation:
        """A record the server sent (a list row, a get, a PATCH's answer, a push); the merged
        copy comes back. A record without its contact keeps the one known."""
        cid = conversation.id
        if conversation.contact is not None and conversation.contact.id is not None:
            self._keep_contact(conversation.contact)
        self._records[cid] = (self.clock(), conversation)
        self._records.move_to_end(cid)
        self._evict()
        return self._changed({cid})[cid]

    def records(self, conversations: Iterable[Conversation]) -> list[Conversation]:
        """Several records at once (a page); one notice for all of them."""
        ids: list[int] = []
        now = self.clock()
        for c in conversations:
            if c.contact is not None and c.contact.id is not None:
                self._keep_contact(c.contact)
            self._records[c.id] = (now, c)
            self._records.move_to_end(c.id)
            ids.append(c.id)
        self._evict()
        merged = self._changed(set(ids))
        return [merged[i] for i in ids]

    def learn_contacts(self, contacts: Iterable[Contact]) -> None:
        """Contacts read from `/contacts`: every conversation of theirs shows the name now."""
        ids: set[int] = set()
        for contact in contacts:
            if contact.id is None:
                continue
            self._keep_contact(contact)
            ids.update(c for c, (_, r) in self._records.items() if r.contact_id == contact.id)
        if ids:
            self._changed(ids)

    def learn_messages(self, conversation_id: int, newest_first: Sequence[Message], *, more: bool) -> None:
        """The conversation's newest page of messages was read (`more`: older ones exist)."""
        known = newest_of(newest_first, more=more)
        if known is None:
            return
        self._newest[conversation_id] = known
        if conversation_id in self._records:
            self._changed({conversation_id})

    def learn_message(self, conversation_id: int, message: Message) -> None:
        """One new message (pushed, or created by a send here). Known only as a change on top of
        what was read: without a read, one message says which is newest but not who waits."""
        known = self._newest.get(conversation_id)
        if known is None:
            if message.created_at is None or message.is_reaction:
                return
            known = Newest(None, None, False, False, None, False, None)
        updated = _after(known, message)
        if updated == known:
            return
        self._newest[conversation_id] = updated
        held = self._records.get(conversation_id)
        if held is not None and message.created_at is not None:
            record = held[1]
            interaction = record.last_interaction_at
            if interaction is None or interaction < message.created_at:
                # The record is behind the push: it moved now, as the server's next copy will say.
                bumped = record.model_copy(update={"last_interaction_at": message.created_at})
                self._records[conversation_id] = (held[0], bumped)
        if conversation_id in self._records:
            self._changed({conversation_id})

    def forget(self) -> None:
        """Everything goes (another profile)."""
        self._records.clear()
        self._contacts.clear()
        self._newest.clear()
        self._waiting.clear()
        self._merged.clear()

    # -- inside ---------------------------------------------------------------------------------

    def _keep_contact(self, contact: Contact) -> None:
        assert contact.id is not None
        self._contacts[contact.id] = contact
        self._contacts.move_to_end(contact.id)
        while len(self._contacts) > MAX_CONTACTS:
            self._contacts.popitem(last=False)

    def _evict(self) -> None:
        while len(self._records) > MAX_CONVERSATIONS:
            gone, _ = self._records.popitem(last=False)
            self._merged.pop(gone, None)
            self._newest.pop(gone, None)
            self._waiting.pop(gone, None)

    def _changed(self, ids: set[int]) -> dict[int, Conversation]:
        merged: dict[int, Conversation] = {}
        for cid in ids:
            self._merged.pop(cid, None)
            found = self.get(cid)
            if found is not None:
                merged[cid] = found
        for listener in list(self.listeners):
            listener(set(ids))
        return merged

    def _merge(self, record: Conversation) -> Conversation:
        update: dict[str, Any] = {}
        if record.contact is None:
            contact = self.contact(record.contact_id)
            if contact is not None:
                update["contact"] = contact
        known = self.newest(record.id)
        if known is not None and known.at is not None:
            sent_at = record.last_message_at if "last_message_at" in record.model_fields_set else None
            if sent_at is None or known.at > sent_at + SAME:
                update["last_message_at"] = known.at
                update["last_message_text"] = known.text
        if known is not None and known.inbound_known:
            said = record.last_inbound_message_at if record.inbound_known else None
            if not record.inbound_known or (
                known.inbound_at is not None and (said is None or known.inbound_at > said)
            ):
                update["last_inbound_message_at"] = known.inbound_at
        return record.model_copy(update=update) if update else record


__all__ = ["SAME", "ConversationCache", "Newest", "newest_of"]
