"""The inbox: views (Needs reply, Mine, Unassigned, All, Snoozed, Unread), filters, search and
the paged conversation list, with the queue's actions on the row under the cursor.

Every view is the server's query (`tui.core.filters.view_filter`), paged 50 rows at a time as
the list scrolls, so a 50,000-row inbox costs what a screenful costs; the views' counts are the
app's `QueueState`. Rows draw at once from the list's answer and the contacts' names fill in
after (one batched read). A search asks the server for contacts (`searchTerm`) and, from three
characters, for message text (`messageSearchTerm`); meanwhile the rows on screen are filtered
as the agent types. Snoozed is local: its conversations are read by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from tui.core.channel_names import KNOWN_CHANNELS, label
from tui.core.queue_views import View
from tui.messages import (
    AgentKnown,
    BackendFailed,
    BackendNews,
    BackendReady,
    BackendSwitching,
    ConversationsChanged,
    FirstRows,
    LiveEvents,
    LiveResynced,
    LiveStatus,
    QueueChanged,
)
from tui.screens.base import BaseScreen
from tui.screens.inbox_keys import QUIT_AGAIN_SECONDS, burst_key, quit_twice
from tui.screens.inbox_live import InboxLive
from tui.screens.inbox_marks import MarkedActions, Marks
from tui.screens.inbox_rows import InboxRows
from tui.screens.inbox_views import ViewsBar, empty_words
from tui.widgets.conversation_list import PAGE, ConversationList
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from tui.core.models import Conversation

CHANNEL_CYCLE: tuple[str | None, ...] = (None, *KNOWN_CHANNELS)
STATUS_CYCLE: tuple[str | None, ...] = (None, "open", "closed")
#: A search is sent once typing rests this long (each request is spent from the team's budget).
SEARCH_DEBOUNCE_SECONDS = 0.3


class InboxScreen(MarkedActions, InboxLive, BaseScreen[None]):
    BINDINGS = [
        Binding("1", "view('needs-reply')", "Needs reply", show=False, id="inbox.view_needs_reply"),
        Binding("2", "view('mine')", "Mine", show=False, id="inbox.view_mine"),
        Binding("3", "view('unassigned')", "Unassigned", show=False, id="inbox.view_unassigned"),
        Binding("4", "view('all')", "All", show=False, id="inbox.view_all"),
        Binding("5", "view('snoozed')", "Snoozed", show=False, id="inbox.view_snoozed"),
        Binding("6", "view('unread')", "Unread", show=False, id="inbox.view_unread"),
        Binding("v", "next_view", "View", id="inbox.next_view"),
        Binding("w", "sort_window", "Sort", show=False, id="inbox.sort_window"),
        Binding("u", "queue_read", "Read/unread", show=False, id="queue.read"),
        Binding("x", "queue_close", "Close", id="queue.close"),
        Binding("x", "queue_reopen", "Reopen", id="queue.reopen"),  # a closed row: `inbox_marks`
        Binding("space", "mark", "Mark", show=False, id="inbox.mark"),
        Binding("asterisk", "mark_all", "Mark all", show=False, id="inbox.mark_all"),
        Binding("X", "queue_close_next", "Close+next", show=False, id="queue.close_next"),
        Binding("a", "queue_assign_me", "Assign me", show=False, id="queue.assign_me"),
        Binding("A", "queue_assign_to", "Assign to…", show=False, id="queue.assign_to"),
        Binding("t", "queue_takeover", "Take over", show=False, id="queue.takeover"),
        Binding("alt+i", "queue_hand_to_ai", "Hand to AI…", show=False, id="queue.hand_to_ai"),
        Binding("z", "queue_snooze", "Snooze", show=False, id="queue.snooze"),
        Binding("Z", "queue_unsnooze", "Unsnooze", show=False, id="queue.unsnooze"),
        Binding("n", "app.next_unread", "Next unread", show=False, id="inbox.next_unread"),
        Binding("slash", "search", "Search", id="inbox.search"),
        Binding("c", "cycle_channel", "Channel", id="inbox.channel"),
        Binding("s", "cycle_status", "Status", id="inbox.status"),
        Binding("r", "refresh", "Refresh", id="inbox.refresh"),
        Binding("escape", "clear_search", "Clear search", show=False, id="inbox.clear_search"),
        Binding("q", "quit_twice", "Quit (press twice)", show=False, id="inbox.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.channel: str | None = None
        self.status: str | None = None
        self.search: str = ""
        self._search_timer: Timer | None = None
        self._status_text: str | None = None
        self._summary_text: str | None = None
        self._refresh_timer: Timer | None = None
        self.view: View = View.ALL
        self.by_window = False
        self.all_total: int | None = None
        self.rows = InboxRows(self)
        self.marks = Marks()
        #: The rows on screen were filtered as the agent typed (not yet the server's answer).
        self._filtered_here = False
        #: When `q` last asked "again?" (monotonic seconds; tui/screens/inbox_keys.py).
        self.quit_asked_at = -QUIT_AGAIN_SECONDS
        #: Enter was pressed in the search while its answer was on its way: open a single row.
        self._open_single = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☎")
        yield ViewsBar(id="views")
        with Horizontal(id="filters"):
            yield Static(id="filter-summary")
            yield Input(placeholder="/ search contacts and messages", id="search")
        yield ConversationList(id="conversations", clock=self.ctx.clock, lookup=self._lookup)
        yield Static(id="list-status")
        yield KeyBar(pinned=("app.help", "app.quit"))

    @property
    def list(self) -> ConversationList:
        return self.query_one(ConversationList)

    def _lookup(self, conversation_id: int) -> Conversation | None:
        backend = self.ctx.backend
        return backend.client.cache.get(conversation_id) if backend is not None else None

    def on_mount(self) -> None:
        self._show_filters()
        self.list.focus()
        self._set_status("Connecting…")
        self.ctx.backend_signal.subscribe(self, self._backend_news)
        self.watch(self.list, "cursor", lambda: self.refresh_bindings(), init=False)  # Close/Reopen
        if self.ctx.backend is not None:
            self._connected()
        elif self.ctx.backend_error is not None:
            self._set_status(f"Not connected: {self.ctx.backend_error}  (r retries)")

    # -- backend --------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """Back from a conversation: its draft mark and what changed there show now (from the
        cache: no request); while polling, the rows are read again when they are due."""
        if self.is_mounted and self.ctx.backend is not None:
            self._rows_context()
            self.list.refresh()
            self._show_counts()
            if self.refresh_due():
                self.refresh_held_pages()

    def queue_target(self) -> Conversation | None:
        return self.list.current

    def _backend_news(self, news: BackendNews) -> None:
        if isinstance(news, ConversationsChanged):
            self.conversations_changed(news.ids)
        elif isinstance(news, QueueChanged):
            self._show_counts()
            if news.snoozes:
                self.rows.snoozes_changed()
        elif isinstance(news, AgentKnown):  # Mine and the rows' assignees need it
            self._rows_context()
            self._show_counts()
            if self.view is View.MINE:
                self.reload()
        elif isinstance(news, FirstRows):
            self._first_rows(news)
        elif isinstance(news, BackendReady):
            self._connected()
        elif isinstance(news, BackendFailed):
            self._set_status(f"Not connected: {news.sentence}  (r retries)")
        elif isinstance(news, LiveEvents | LiveStatus | LiveResynced):
            self.live_news(news)
        elif isinstance(news, BackendSwitching):
            self.list.reset(keep_shown=False)
            self._set_status("Connecting…")

    def _first_rows(self, news: FirstRows) -> None:
        """The first page, read before the backend opened: drawn now (its models follow)."""
        lst = self.list
        if lst.loaded or self.view is not View.ALL or self.search or self.channel or self.status:
            return
        lst.store_page(0, news.rows, news.total, lst.generation)  # type: ignore[arg-type]
        self.all_total = news.total
        self.after_rows(news.total)

    def _connected(self) -> None:
        self._set_status("")
        self.reload()
        if self._refresh_timer is None:
            self._refresh_timer = self.set_interval(self.ctx.config.refresh_seconds, self._interval_refresh)

    def _set_status(self, text: str) -> None:
        """Only when it changes: an update restyles and may re-lay out the screen."""
        if text == self._status_text:
            return
        self._status_text = text
        status = self.query_one("#list-status", Static)
        status.update(Text(text))
        status.set_class(not text, "-empty")

    # -- what is asked ----------------------------------------------------------------------------

    # -- loading (`InboxRows`) --------------------------------------------------------------------

    def reload(self) -> None:
        if self.marks:  # another view or filter: marks on rows no longer shown must not act
            self.clear_marks()
        self.rows.reload()

    def marks_changed(self) -> None:
        self._rows_context()
        self._show_filters()
        self.refresh_bindings()

    @on(ConversationList.NeedPage)
    def _need_page(self, message: ConversationList.NeedPage) -> None:
        self.rows.fetch_page(message.skip, self.list.generation)

    @on(ConversationList.NearEnd)
    def _near_end(self) -> None:
        self.rows.fetch_more_held()

    def after_rows(self, total: int, *, hidden: int = 0) -> None:
        """Rows arrived (`total` match, `hidden` of them snoozed here): the counts, the status
        line and the filters' summary."""
        self._show_counts()
        narrowed = bool(self.search or self.channel or self.status)
        status = "" if total > hidden else empty_words(self.view, searching=narrowed)
        if hidden:
            noun = "conversation" if hidden == 1 else "conversations"
            status = f"{status}  ({hidden} snoozed {noun} not shown; 5 lists them)".strip()
        self._set_status(status)
        self._show_filters()
        self._open_if_single()

    def failed(self, sentence: str) -> None:
        self._open_single = False
        shown = "the rows shown are from before" if self.list.showing_rows else "nothing to show yet"
        self._set_status(f"Not refreshed ({shown}): {sentence}  (r retries)")

    def _interval_refresh(self) -> None:
        if self.is_current and self.refresh_due():
            self.refresh_held_pages()

    def refresh_held_pages(self) -> None:
        """Re-read the rows on screen (the app re-reads the queue's figures on its own pace);
        the cursor stays on its row."""
        if self.ctx.backend is not None:
            self.rows.refresh_shown()

    def _show_counts(self) -> None:
        queue = self.ctx.queue
        bar = self.query_one(ViewsBar)
        if queue is None:
            bar.show(all_total=self.all_total)
            return
        store = self.ctx.store
        snoozed = len(store.snoozes(self.ctx.profile_name)) if store is not None else 0
        bar.show(counts={**queue.counts, View.SNOOZED: snoozed}, all_total=self.all_total)

    # -- filters and search ---------------------------------------------------------------------

    def _show_filters(self) -> None:
        channel = label(self.channel) if self.channel else "all channels"
        status = (self.status or "any status") if self.view is View.ALL else "open"
        count, more = self.list.total, ""
        held = self.rows.held
        if held is not None and held.more and not self._filtered_here:  # more than read so far
            count, more = max(held.total, count), "+"
        total = f" · {count:,}{more} conversation{'' if count == 1 else 's'}" if self.list.loaded else ""
        order = " · window closing first" if self.by_window and self.view is not View.ALL else ""
        marked = f"{len(self.marks)} marked (esc clears) · " if self.marks else ""  # first: it acts
        summary = f" {marked}{channel} · {status}{total}{order}"
        if summary != self._summary_text:
            self._summary_text = summary
            self.query_one("#filter-summary", Static).update(Text(summary))

    def _set_channel(self, channel: str | None) -> None:
        self.channel = channel
        self._show_filters()
        self.reload()
        self.ctx.queue_for_channel(channel)

    def action_cycle_channel(self) -> None:
        self._set_channel(CHANNEL_CYCLE[(CHANNEL_CYCLE.index(self.channel) + 1) % len(CHANNEL_CYCLE)])

    def action_cycle_status(self) -> None:
        if self.view is not View.ALL:
            self.notify(
                "The queue views list open conversations; the status filter is for All (4).", timeout=4
            )
            return
        self.status = STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)]
        self._show_filters()
        self.reload()

    def action_refresh(self) -> None:
        if self.ctx.backend is None:
            self.ctx.reconnect()
        else:
            self.reload()
            self.ctx.refresh_queue()

    def action_search(self) -> None:
        # At once, not after the keys already queued (as `focus()` would; inbox_keys.py).
        self.set_focus(self.query_one("#search", Input))

    def action_clear_search(self) -> None:
        if self.clear_marks():
            return
        field = self.query_one("#search", Input)
        if field.value:
            field.value = ""
        self.list.focus()

    def on_key(self, event: events.Key) -> None:
        burst_key(self, event)  # "/zoe" typed at once goes into the search

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._open_single = False
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value.strip()
        self._filter_shown(value)
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE_SECONDS, lambda: self._apply_search(value))

    def _filter_shown(self, value: str) -> None:
        """While the server is asked, the rows on screen that match are shown (folded)."""
        from tui.core.queue import search_matches

        if not value or not self.list.loaded:
            return
        held = [c for i in range(min(self.list.total, PAGE * 2)) if (c := self.list.row(i)) is not None]
        matching = [c for c in held if search_matches(c, value)]
        if len(matching) != len(held):
            self.list.show_all(matching)
            self._show_filters()
            self._filtered_here = True

    def _apply_search(self, value: str) -> None:
        """The search the server is asked for once typing rests (also the same one again, when the
        rows on screen were filtered meanwhile: they must be the query's own)."""
        self._search_timer = None
        if value != self.search or self._filtered_here:
            self.search = value
            self._filtered_here = False
            self.reload()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        """One hit: Enter opens it, as a single match invites. While the query is still asked
        (the rows on screen are the last answer's), the answer decides when it comes."""
        self.list.focus()
        if self.list.total == 1:
            self.list.action_open()
        elif self._search_timer is not None or not self.list.loaded:
            self._open_single = True

    def _open_if_single(self) -> None:
        """The searched rows arrived after an Enter: one row opens."""
        if self._open_single and self._search_timer is None:
            self._open_single = False
            if self.list.total == 1 and self.is_current:
                self.list.action_open()

    # -- opening --------------------------------------------------------------------------------

    @on(ConversationList.Opened)
    def _open(self, message: ConversationList.Opened) -> None:
        self.ctx.open_conversation(message.conversation)

    async def action_quit_twice(self) -> None:
        await quit_twice(self)

    def palette_commands(self) -> Iterable[SystemCommand]:
        for view in View:
            yield SystemCommand(
                f"View: {view.heading}",
                f"Show the {view.heading} view",
                lambda v=view: self.action_view(v.value),
            )
        yield SystemCommand(
            "Sort: window closing first", "Toggle the queue views' order", self.action_sort_window
        )
        yield SystemCommand(
            "Next unread", "Open the next unread conversation (f3)", self.ctx.action_next_unread
        )
        yield from self.queue_commands()
        for channel in CHANNEL_CYCLE:
            name = label(channel) if channel else "all channels"
            yield SystemCommand(
                f"Filter: {name}", f"Show {name} conversations", lambda c=channel: self._set_channel(c)
            )

    # -- views ----------------------------------------------------------------------------------

    def action_view(self, name: str) -> None:
        view = View(name)
        if view is self.view:
            return
        self.view = view
        self.query_one(ViewsBar).show(view=view)
        self._show_filters()
        self.reload()

    def action_next_view(self) -> None:
        views = list(View)
        self.action_view(views[(views.index(self.view) + 1) % len(views)].value)

    def action_sort_window(self) -> None:
        self.by_window = not self.by_window
        if self.view is View.ALL:
            self.notify(
                "All is newest first; the window order applies to the queue views (1-3, 5, 6).", timeout=5
            )
            self._show_filters()
            return
        self._show_filters()
        self.reload()

    def _rows_context(self) -> None:
        from tui.widgets.rows import RowContext

        app = self.ctx
        me = app.me.id if app.me is not None else None
        drafts = app.store.draft_conversations(app.profile_name) if app.store else set()
        snoozes = app.store.snoozes(app.profile_name) if app.store else {}
        names = {u.id: u.display_name for u in app.agents}
        self.list.set_row_context(
            RowContext(
                me=me,
                own_last_at=dict(app.own_last_at),
                drafts=drafts,
                names=names,
                snoozed={cid: s.until for cid, s in snoozes.items()},
                marked=self.marks.ids,
                wake_times=self.view is View.SNOOZED,
            )
        )
