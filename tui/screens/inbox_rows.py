"""Where the inbox's rows come from, kept apart from the screen's keys and drawing: All's query
read 50 rows at a time wherever the list scrolls (a 50,000-row inbox costs a screenful), and
every other view held whole (`MergedRows`): read 50 rows at a time as the agent scrolls near its
end, without the conversations snoozed on this machine, merged with the message-text search
from three characters, in "window closing first" order when asked; Snoozed reads its
conversations by id. The contacts' names are read after the rows, in one batch per 20. Every
read runs in a worker of the screen's; an answer to a query that was replaced meanwhile is
dropped (the list's generation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.errors import SwitchboardError
from tui.core.filters import MESSAGE_SEARCH_FROM, ConversationFilter
from tui.core.queue_views import View
from tui.screens.queue_actions import snoozed_ids
from tui.widgets.conversation_list import PAGE

if TYPE_CHECKING:
    from tui.core.merged_rows import MergedRows
    from tui.core.models import Conversation
    from tui.screens.inbox import InboxScreen

    Rows = list[Conversation]
    Ordering = Callable[[Rows], Rows]


class InboxRows:
    """The inbox screen's reads (composition: the screen owns one and asks it)."""

    def __init__(self, screen: InboxScreen) -> None:
        self.screen = screen
        #: The rows of a merged search, a window-ordered view or Snoozed (None: paged rows).
        self.held: MergedRows | None = None
        #: The conversations snoozed on this machine, as last looked up (left out of held views).
        self.snoozed: set[int] = set()

    # -- the query ----------------------------------------------------------------------------

    def filters(self, *, messages: bool = False) -> ConversationFilter | None:
        """The current view's query (with the search), or None when it cannot be asked (Mine
        before the agent is known)."""
        from tui.core.filters import NeedsMe, searching, view_filter

        s = self.screen
        me = s.ctx.me.id if s.ctx.me is not None else None
        try:
            base = view_filter(s.view, me=me, channel=s.channel, status=s.status)
        except NeedsMe:
            return None
        return searching(base, s.search, messages=messages) if s.search else base

    def _held_mode(self) -> bool:
        s = self.screen
        return s.view is not View.ALL or len(s.search) >= MESSAGE_SEARCH_FROM

    def _order(self) -> Ordering:
        from tui.core.merged_rows import newest_first
        from tui.core.queue import by_window

        s = self.screen
        if not s.by_window or s.view is View.ALL:
            return newest_first
        now = s.ctx.clock()
        return lambda rows: by_window(rows, now)

    # -- reads ------------------------------------------------------------------------------------

    def reload(self) -> None:
        """A new query: the list resets (its last rows stay until the first page arrives)."""
        self.screen.list.reset()
        self.held = None
        generation = self.screen.list.generation
        work = (
            self._load_held(generation, first=True) if self._held_mode() else self._load_page(0, generation)
        )
        self.screen.run_worker(work, group="first-page", exclusive=True, exit_on_error=False)

    def fetch_page(self, skip: int, generation: int, refresh: bool = False) -> None:
        self.screen.run_worker(self._load_page(skip, generation, refresh), group="pages", exit_on_error=False)

    def fetch_more_held(self) -> None:
        if self.held is not None and self.held.more:
            work = self._load_held(self.screen.list.generation, first=False)
            self.screen.run_worker(work, group="held", exclusive=True, exit_on_error=False)

    def refresh_shown(self) -> None:
        """Read the pages on screen again (the cursor stays on its row), or the held rows."""
        lst = self.screen.list
        if self.held is not None or self.screen.view is View.SNOOZED or not lst.loaded:
            self.reload()
            return
        top = lst.scroll_offset.y // PAGE * PAGE
        for skip in {top, lst.cursor // PAGE * PAGE}:
            self.fetch_page(skip, lst.generation, refresh=True)

    def _failed(self, exc: SwitchboardError, *, quiet: bool) -> None:
        self.screen.failed(exc.sentence)
        if not quiet:
            self.screen.ctx.notify_error(exc)

    async def _load_page(self, skip: int, generation: int, refresh: bool = False) -> None:
        s = self.screen
        backend = s.ctx.backend
        if backend is None:
            return
        filters = self.filters()
        if filters is None:
            s.list.show_all([])
            s.failed("who you are is not known yet; Mine shows once the server says")
            return
        early = s.ctx.take_first_page() if skip == 0 and filters == ConversationFilter() else None
        try:
            if early is not None:  # read before the backend opened: the same query, not asked twice
                page = backend.client.adopt_first_page(early)
            else:
                page = await backend.client.list_conversations(filters, skip=skip)
        except SwitchboardError as exc:
            self._failed(exc, quiet=refresh)
            return
        s.ctx.rest_answered()
        if generation != s.list.generation:
            return
        if s.view is View.ALL and not s.search:
            s.all_total = page.total
        s.ctx.queue_seen(c.id for c in page.data)
        if refresh:
            s.list.replace_page_keeping_cursor(skip, page.data, page.total)
        else:
            s.list.store_page(skip, page.data, page.total, generation)
            if skip == 0:
                s.call_after_refresh(s.ctx.first_rows_shown)
        s.after_rows(page.total)
        self.fill_names(page.data)

    async def _load_held(self, generation: int, *, first: bool) -> None:
        from tui.core.merged_rows import MergedRows, Source

        s = self.screen
        backend = s.ctx.backend
        if backend is None:
            return
        if s.view is View.SNOOZED:
            await self._load_snoozed(generation)
            return
        if first or self.held is None:
            filters = self.filters()
            if filters is None:
                s.list.show_all([])
                return
            sources = [Source(filters)]
            messages = self.filters(messages=True) if len(s.search) >= MESSAGE_SEARCH_FROM else None
            if messages is not None:
                sources.append(Source(messages))
            self.snoozed = snoozed_ids(s.ctx, s.ctx.clock())
            keep = (lambda c: c.id not in self.snoozed) if s.view is not View.ALL else (lambda c: True)
            self.held = MergedRows(sources, order=self._order(), keep=keep)
        held = self.held
        try:
            await held.read_more(backend.client)
        except SwitchboardError as exc:
            self._failed(exc, quiet=not first)
            return
        s.ctx.rest_answered()
        if generation != s.list.generation or held is not self.held:
            return
        rows = held.ordered(s._lookup)
        current = s.list.current
        s.list.show_all(rows, keep=current.id if current is not None and not first else None)
        s.ctx.queue_seen(c.id for c in rows)
        if first:
            s.call_after_refresh(s.ctx.first_rows_shown)
        s.after_rows(len(rows) if not held.more else held.total, hidden=held.left_out(s._lookup))
        self.fill_names(rows)

    async def _load_snoozed(self, generation: int) -> None:
        """The snoozed conversations, read by id (20 a request), soonest back first; one whose
        customer wrote since it was snoozed wakes and leaves the view (when the record does not
        say who wrote, the newest messages of the ones that moved since are read)."""
        s = self.screen
        backend, store = s.ctx.backend, s.ctx.store
        if backend is None or store is None:
            return
        snoozes = store.snoozes(s.ctx.profile_name)
        try:
            rows = await backend.client.conversations_by_id(sorted(snoozes))
            for c in rows:  # moved since it was snoozed, and the record does not say who wrote
                snooze = snoozes.get(c.id)
                moved = snooze is not None and c.last_interaction_at is not None
                if moved and not c.inbound_known and c.last_interaction_at > snooze.set_at:
                    await backend.client.list_messages(c.id, channel=c.channel)
        except SwitchboardError as exc:
            self._failed(exc, quiet=False)
            return
        if generation != s.list.generation:
            return
        still = snoozed_ids(s.ctx, s.ctx.clock())  # after the read: the cache knows who wrote
        wakes = store.snoozes(s.ctx.profile_name)
        rows = [c for c in rows if c.id in still and (s.channel is None or c.channel == s.channel)]
        rows.sort(key=lambda c: wakes[c.id].until if c.id in wakes else s.ctx.clock())
        s.list.show_all(rows)
        s.call_after_refresh(s.ctx.first_rows_shown)
        s.after_rows(len(rows))
        self.fill_names(rows)

    def snoozes_changed(self) -> None:
        """A snooze was set or ended here: held rows are shown again without it (no request)."""
        s = self.screen
        if s.view is View.SNOOZED:
            self.reload()
            return
        self.snoozed = snoozed_ids(s.ctx, s.ctx.clock())
        held = self.held
        if held is None:
            return
        rows = held.ordered(s._lookup)
        current = s.list.current
        s.list.show_all(rows, keep=current.id if current is not None else None)
        s.after_rows(len(rows) if not held.more else held.total, hidden=held.left_out(s._lookup))

    def fill_names(self, rows: Rows) -> None:
        """The contacts' names, after the rows (one request per 20 contacts nobody read yet)."""
        backend = self.screen.ctx.backend
        if backend is None or not backend.client.cache.missing_contacts(rows):
            return

        async def fill() -> None:
            try:
                await backend.client.fill_contacts(rows)
            except SwitchboardError:
                return  # rows stand as "Contact 4"; the list itself said how the server is

        self.screen.run_worker(fill(), group="names", exit_on_error=False)


__all__ = ["InboxRows"]
