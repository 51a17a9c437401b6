"""What the inbox does with news: a conversation that changed is drawn anew from the cache, one
that left the view leaves the list, and one that moved (a new message) or joined goes first,
all without a request. After every (re)connect what is shown is read once again, since events
are not replayed; while the feed is live nothing is polled. While polling, the rows on screen
are read again every `refresh_seconds`, slower as the hour's request budget fills.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tui.core.queue_views import View
from tui.messages import LiveEvents, LiveResynced, LiveStatus

if TYPE_CHECKING:
    from tui.core.models import Conversation
    from tui.screens.inbox_rows import InboxRows
    from tui.widgets.conversation_list import ConversationList


class InboxLive:
    """Mixed into `InboxScreen`, which provides what is declared here."""

    ctx: Any
    view: View
    channel: str | None
    status: str | None
    search: str
    rows: InboxRows
    _last_refresh: float = 0.0

    if TYPE_CHECKING:

        @property
        def list(self) -> ConversationList: ...

        def refresh_held_pages(self) -> None: ...

        def _show_counts(self) -> None: ...

        def _lookup(self, conversation_id: int) -> Conversation | None: ...

        def refresh_bindings(self) -> None: ...

    def refresh_due(self) -> bool:
        """Whether the timed re-read should read the server now: never while live (pushes keep
        the rows current), and while polling every `refresh_seconds`, times the budget's pace."""
        if self.ctx.live:
            return False
        factor = self.ctx.poll_factor()
        if factor is None:
            return False
        if time.monotonic() - self._last_refresh < self.ctx.config.refresh_seconds * factor - 0.5:
            return False
        self._last_refresh = time.monotonic()
        return True

    def live_news(self, news: LiveEvents | LiveStatus | LiveResynced) -> None:
        if isinstance(news, LiveResynced):
            self._last_refresh = time.monotonic()
            self.refresh_held_pages()
        elif isinstance(news, LiveEvents):
            moved = {
                e.conversation_id
                for e in news.events
                if e.kind == "message_created"
                and e.conversation_id is not None
                and e.message is not None
                and not e.message.is_reaction
            }
            self._moved_ids = self._moved_ids | moved

    #: Conversations a pushed message moved (they go first when the cache's change arrives).
    _moved_ids: frozenset[int] | set[int] = frozenset()

    def conversations_changed(self, ids: Iterable[int]) -> None:
        """The cache changed these: each row is drawn anew (the list reads the cache), and one
        that left the view, joined it or just moved is placed (no request)."""
        moved, self._moved_ids = self._moved_ids, set()
        for cid in ids:
            c = self._lookup(cid)
            if c is None:
                continue
            belongs = self._belongs(c)
            if belongs is not None:
                self.list.place(cid, belongs, newest=cid in moved)
        self.list.refresh()
        self._show_counts()
        self.refresh_bindings()  # `x` reads Close or Reopen as the row under the cursor is now

    def _belongs(self, c: Conversation) -> bool | None:
        """Whether `c` is in the view as shown (None: cannot be told; it stays where it is)."""
        from tui.core.queue_state import member

        if self.search or self.view is View.SNOOZED:
            return None  # a search's or Snoozed's rows stay until it is asked again
        if self.view is not View.ALL and c.id in self.rows.snoozed:
            return False  # snoozed on this machine: out of the queue views until it wakes
        if self.channel is not None and c.channel != self.channel:
            return False
        if self.view is View.ALL:
            return self.status is None or (c.status or "open") == self.status
        me = self.ctx.me.id if self.ctx.me is not None else None
        backend = self.ctx.backend
        waiting = backend.client.cache.waiting(c.id) if backend is not None else None
        return member(self.view, c, me=me, waiting=waiting, channel=self.channel)
