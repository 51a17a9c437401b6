"""The work queue's figures between reads: each view's count, and the first page of Unread and
of Needs reply (the title's unread count, "next unread" and "close, then the next that needs a
reply" read them, so those keys cost no request).

The server counts (`$limit=0`) and filters; reading all of it again after every change would
spend the team's request budget, so a change seen here (a push, an action's answer) moves the
counts by itself when the client can tell how: `member` says whether a conversation belongs to a
view, or None when it cannot be told (Needs reply needs to know who wrote last). A view whose
count a change may have moved in a way nobody can tell is `stale`, and only those are read
again, at most every `STALE_READ_SECONDS`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.core.conversation_cache import ConversationCache
from tui.core.filters import view_filter
from tui.core.models import Conversation
from tui.core.queue import has_ai, is_open
from tui.core.queue_views import View

if TYPE_CHECKING:
    from tui.core.client import ApiClient

#: The views the queue counts (All's count is its list's `total`; Snoozed is local).
COUNTED = (View.NEEDS_REPLY, View.MINE, View.UNASSIGNED, View.UNREAD)
#: Stale counts are read again at most this often (a burst of changes is one read).
STALE_READ_SECONDS = 60.0


def member(
    view: View, c: Conversation, *, me: int | None, waiting: bool | None, channel: str | None
) -> bool | None:
    """Whether `c` is counted in `view` (None: it cannot be told from what is known)."""
    if c.unreadable:
        return None
    if channel is not None and c.channel != channel:
        return False
    if not is_open(c):
        return False
    if view is View.MINE:
        return None if me is None else c.assigned_user_id == me
    if view is View.UNASSIGNED:
        return c.assigned_user_id is None and not has_ai(c)
    if view is View.UNREAD:
        return c.unread_count > 0
    if view is View.NEEDS_REPLY:
        return waiting
    return None


@dataclass
class QueueState:
    """One profile's view counts and short lists, for one channel filter (None: every channel)."""

    channel: str | None = None
    counts: dict[View, int | None] = field(default_factory=lambda: dict.fromkeys(COUNTED, None))
    #: The first page of Unread and of Needs reply, by id, newest interaction first.
    unread: list[int] = field(default_factory=list)
    needs_reply: list[int] = field(default_factory=list)
    stale: set[View] = field(default_factory=set)
    read_at: float = 0.0
    #: Which counted views each known conversation was in when last looked at.
    _members: dict[int, dict[View, bool | None]] = field(default_factory=dict)

    async def read(self, client: ApiClient, *, me: int | None, views: tuple[View, ...] = COUNTED) -> None:
        """Read the counts of `views` (every one by default; one request each, at once): Unread's
        and Needs reply's as their first page (which they are needed for anyway), the others as
        `$limit=0`."""
        cache = client.cache
        channel = self.channel

        async def one(view: View) -> tuple[View, int | None, list[int] | None]:
            if view is View.MINE and me is None:
                return view, None, None
            filters = view_filter(view, me=me, channel=channel)
            if view in (View.NEEDS_REPLY, View.UNREAD):
                page = await client.list_conversations(filters)
                return view, page.total, [c.id for c in page.data if not c.unreadable]
            return view, await client.count_conversations(filters), None

        for view, count, rows in await asyncio.gather(*(one(v) for v in views)):
            self.counts[view] = count
            if view is View.NEEDS_REPLY and rows is not None:
                self.needs_reply = rows
                for cid in rows:
                    cache.assume_waiting(cid)
            elif view is View.UNREAD and rows is not None:
                self.unread = rows
            self.stale.discard(view)
        self.read_at = time.monotonic()
        self._members = {}
        self.seen(cache, [cid for cid, _ in cache.items()], me=me)

    async def read_stale(self, client: ApiClient, *, me: int | None) -> bool:
        """Read again the counts a change left unknown (only those), if the last read is old
        enough."""
        if not self.stale or time.monotonic() - self.read_at < STALE_READ_SECONDS:
            return False
        await self.read(client, me=me, views=tuple(v for v in COUNTED if v in self.stale))
        return True

    def seen(self, cache: ConversationCache, ids: Iterable[int], *, me: int | None) -> None:
        """Conversations read (a page, a get): their membership is what the counts already hold."""
        for cid in ids:
            c = cache.get(cid)
            if c is not None:
                self._members[cid] = self._membership(c, cache, me)

    def changed(self, cache: ConversationCache, ids: Iterable[int], *, me: int | None) -> bool:
        """Conversations that changed (a push, an action's answer): move the counts and lists by
        what moved; a view whose change cannot be told is stale. True when a figure moved."""
        moved = False
        for cid in ids:
            c = cache.get(cid)
            if c is None:
                continue
            after = self._membership(c, cache, me)
            before = self._members.get(cid)
            self._members[cid] = after
            for view in COUNTED:
                was = before.get(view) if before is not None else None
                now = after[view]
                if was is None or now is None:
                    if now is not False or was is not False:
                        self.stale.add(view)
                    continue
                if was != now and self.counts.get(view) is not None:
                    self.counts[view] = max((self.counts[view] or 0) + (1 if now else -1), 0)
                    moved = True
            moved = self._place(cid, after) or moved
        return moved

    def _membership(
        self, c: Conversation, cache: ConversationCache, me: int | None
    ) -> dict[View, bool | None]:
        waiting = cache.waiting(c.id)
        return {v: member(v, c, me=me, waiting=waiting, channel=self.channel) for v in COUNTED}

    def _place(self, cid: int, membership: dict[View, bool | None]) -> bool:
        """Keep the short lists: a conversation that left a view leaves its list; one that joined
        goes first (it just moved, so it is the newest interaction)."""
        moved = False
        for view, rows in ((View.UNREAD, self.unread), (View.NEEDS_REPLY, self.needs_reply)):
            there = cid in rows
            wanted = membership[view]
            if wanted is False and there:
                rows.remove(cid)
                moved = True
            elif wanted is True:
                if there:
                    rows.remove(cid)
                rows.insert(0, cid)
                moved = True
        return moved

    def next_after(
        self, view: View, after: int | None, *, skip: Callable[[int], bool] = lambda cid: False
    ) -> int | None:
        """The next conversation of Unread or Needs reply after `after`, wrapping, not `after`
        itself and not one `skip` rules out (a snoozed one)."""
        rows = self.unread if view is View.UNREAD else self.needs_reply
        start = rows.index(after) + 1 if after in rows else 0
        for cid in [*rows[start:], *rows[:start]]:
            if cid != after and not skip(cid):
                return cid
        return None


__all__ = ["COUNTED", "STALE_READ_SECONDS", "QueueState", "member"]
