"""Every open conversation, page by page: the API cannot filter "the customer wrote last" or
"assigned to me and open", so the work queue's views (`queue.in_view`) are computed on the
client over this scan, by the app and the CLI alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tui.core.models import Conversation, Page
from tui.core.queue import is_open


class Lister(Protocol):
    """What `scan_open` needs of `ApiClient`."""

    async def list_conversations(
        self,
        *,
        channel: str | None = None,
        status: str | None = None,
        search: str | None = None,
        limit: int = 50,
        skip: int = 0,
    ) -> Page[Conversation]: ...


@dataclass(frozen=True)
class OpenScan:
    """The open conversations, newest message first; `total` is the server's count and
    `truncated` says the scan stopped at its cap with more left unread."""

    conversations: list[Conversation]
    total: int
    truncated: bool
    #: The channel the scan was limited to (None: every channel).
    channel: str | None = None

    @property
    def unreadable_count(self) -> int:
        return sum(1 for c in self.conversations if c.unreadable)


async def scan_open(
    client: Lister, *, channel: str | None = None, cap: int = 2000, page: int = 100
) -> OpenScan:
    """Read `status=open` conversations page by page, newest first, up to `cap` of them. A row
    the client cannot read is kept in its place, marked (`Conversation.unreadable`). A
    conversation that moves up between two pages (a new message) is listed once, where it was
    first seen."""
    if cap < 1 or page < 1:
        raise ValueError("cap and page must be positive")
    rows: list[Conversation] = []
    seen: set[int] = set()
    skip, total, more = 0, 0, False
    while skip < cap:
        got = await client.list_conversations(
            channel=channel, status="open", limit=min(page, cap - skip), skip=skip
        )
        total, more = got.total, got.has_more
        for conversation in got.data:
            if conversation.id not in seen:
                seen.add(conversation.id)
                rows.append(conversation)
        skip += len(got.data)
        if not got.data or not more:
            more = False
            break
    return OpenScan(rows, max(total, len(rows)), truncated=more, channel=channel)


def keep_contact(new: Conversation, old: Conversation | None) -> Conversation:
    """A pushed copy without its embedded contact keeps the one already known (the row and the
    title would otherwise read "Contact N")."""
    if new.contact is None and old is not None and old.id == new.id and old.contact is not None:
        return new.model_copy(update={"contact": old.contact})
    return new


def with_conversation(scan: OpenScan, conversation: Conversation) -> OpenScan:
    """The scan with one conversation as the server now has it (a pushed change): an open one
    is put where its newest message places it, a closed one leaves, one of another channel than
    the scan's is ignored. Nothing is read: the counts move as the events arrive."""
    if scan.channel is not None and conversation.channel != scan.channel:
        return scan
    held = next((c for c in scan.conversations if c.id == conversation.id), None)
    conversation = keep_contact(conversation, held)
    rows = [c for c in scan.conversations if c.id != conversation.id]
    removed = len(rows) != len(scan.conversations)
    if not is_open(conversation):
        return OpenScan(rows, scan.total - removed, scan.truncated, scan.channel) if removed else scan
    at = conversation.last_message_at
    index = 0
    if at is not None:
        index = next(
            (i for i, c in enumerate(rows) if c.last_message_at is None or c.last_message_at <= at),
            len(rows),
        )
    if not removed and scan.truncated and index == len(rows):
        return scan  # older than every row held: it lies past the cap, where the scan never read
    rows.insert(index, conversation)
    return OpenScan(rows, scan.total + (not removed), scan.truncated, scan.channel)


__all__ = ["Lister", "OpenScan", "keep_contact", "scan_open", "with_conversation"]
