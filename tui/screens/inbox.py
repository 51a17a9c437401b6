"""The inbox: views (Needs reply, Mine, Unassigned, All, Snoozed), filters, incremental search
and the paged conversation list, with the queue's actions on the row under the cursor.

All is paged from the server (a 50,000-row inbox costs a screenful). The other views are built
from a scan of the open conversations (`tui.core.queue_scan`), because the API cannot filter
"the customer wrote last"; their counts come from the same scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from tui.core.channel_names import KNOWN_CHANNELS, label
from tui.core.errors import SwitchboardError
from tui.core.queue_views import View
from tui.messages import (
    AgentKnown,
    BackendFailed,
    BackendNews,
    BackendReady,
    BackendSwitching,
    LiveResynced,
    LiveStatus,
    LiveUpdate,
    QueueChanged,
)
from tui.screens.base import BaseScreen
from tui.screens.inbox_live import InboxLive
from tui.screens.inbox_views import ViewsBar, view_rows
from tui.screens.queue_actions import QueueActions, snoozed_ids
from tui.widgets.conversation_list import PAGE, ConversationList
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from tui.core.models import Conversation

CHANNEL_CYCLE: tuple[str | None, ...] = (None, *KNOWN_CHANNELS)
STATUS_CYCLE: tuple[str | None, ...] = (None, "open", "closed")


class InboxScreen(QueueActions, InboxLive, BaseScreen[None]):
    BINDINGS = [
        Binding("1", "view('needs-reply')", "Needs reply", show=False, id="inbox.view_needs_reply"),
        Binding("2", "view('mine')", "Mine", show=False, id="inbox.view_mine"),
        Binding("3", "view('unassigned')", "Unassigned", show=False, id="inbox.view_unassigned"),
        Binding("4", "view('all')", "All", show=False, id="inbox.view_all"),
        Binding("5", "view('snoozed')", "Snoozed", show=False, id="inbox.view_snoozed"),
        Binding("v", "next_view", "View", id="inbox.next_view"),
        Binding("w", "sort_window", "Sort", show=False, id="inbox.sort_window"),
        Binding("u", "queue_read", "Read/unread", show=False, id="queue.read"),
        Binding("x", "queue_close", "Close", id="queue.close"),
        Binding("X", "queue_close_next", "Close+next", show=False, id="queue.close_next"),
        Binding("a", "queue_assign_me", "Assign me", show=False, id="queue.assign_me"),
        Binding("A", "queue_assign_to", "Assign to…", show=False, id="queue.assign_to"),
        Binding("t", "queue_takeover", "Take over", show=False, id="queue.takeover"),
        Binding("z", "queue_snooze", "Snooze", show=False, id="queue.snooze"),
        Binding("Z", "queue_unsnooze", "Unsnooze", show=False, id="queue.unsnooze"),
        Binding("n", "app.next_unread", "Next unread", show=False, id="inbox.next_unread"),
        Binding("slash", "search", "Search", id="inbox.search"),
        Binding("c", "cycle_channel", "Channel", id="inbox.channel"),
        Binding("s", "cycle_status", "Status", id="inbox.status"),
        Binding("r", "refresh", "Refresh", id="inbox.refresh"),
        Binding("escape", "clear_search", "Clear search", show=False, id="inbox.clear_search"),
        Binding("q", "app.quit", "Quit", show=False, id="inbox.quit"),
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
        self._all_total: int | None = None
        self._rows: list[Conversation] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☎")
        yield ViewsBar(id="views")
        with Horizontal(id="filters"):
            yield Static(id="filter-summary")
            yield Input(placeholder="/ search contacts and messages", id="search")
        yield ConversationList(id="conversations", clock=self.ctx.clock)
        yield Static(id="list-status")
        yield KeyBar()

    @property
    def list(self) -> ConversationList:
        return self.query_one(ConversationList)

    def on_mount(self) -> None:
        self._show_filters()
        self.list.focus()
        self._set_status("Connecting…")
        self.ctx.backend_signal.subscribe(self, self._backend_news)
        if self.ctx.backend is not None:
            self._connected()
        elif self.ctx.backend_error is not None:
            self._set_status(f"Not connected: {self.ctx.backend_error}  (r retries)")

    # -- backend --------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """Back from a conversation: its draft mark, and what was just sent there, show now,
        not at the next interval (a conversation just answered leaves Needs reply)."""
        if self.is_mounted and self.ctx.backend is not None:
            self._rows_context()
            self.refresh_held_pages()

    def queue_target(self) -> Conversation | None:
        return self.list.current

    def _backend_news(self, news: BackendNews) -> None:
        if isinstance(news, QueueChanged):
            self._queue_changed(news.conversation)
        elif isinstance(news, AgentKnown):  # Mine and the rows' assignees need it; the scan stands
            self._rows_context()
            self._show_scan(keep_cursor=True)
        elif isinstance(news, BackendReady):
            self._connected()
        elif isinstance(news, BackendFailed):
            self._set_status(f"Not connected: {news.sentence}  (r retries)")
        elif isinstance(news, LiveUpdate | LiveStatus | LiveResynced):
            self.live_news(news)
        elif isinstance(news, BackendSwitching):
            self.list.reset(keep_shown=False)
            self._set_status("Connecting…")

    def _connected(self) -> None:
        self._set_status("")
        self.reload()
        if self.view is not View.ALL:
            self.scan()  # the view's rows come from it; in All, after All's first rows
        if self._refresh_timer is None:
            interval = self.ctx.config.refresh_seconds
            self._refresh_timer = self.set_interval(interval, self._interval_refresh)

    def _set_status(self, text: str) -> None:
        """Only when it changes: an update restyles and may re-lay out the screen."""
        if text == self._status_text:
            return
        self._status_text = text
        status = self.query_one("#list-status", Static)
        status.update(Text(text))
        status.set_class(not text, "-empty")

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        self.list.reset()
        self.fetch_first_page(self.list.generation)

    @work(exclusive=True, exit_on_error=False, group="first-page")
    async def fetch_first_page(self, generation: int) -> None:
        """A new query (filter, search, reload) cancels the one it replaces, mid-request."""
        await self._load_page(0, generation)

    @on(ConversationList.NeedPage)
    def _need_page(self, message: ConversationList.NeedPage) -> None:
        self.fetch_page(message.skip, self.list.generation)

    @work(exit_on_error=False, group="pages")
    async def fetch_page(self, skip: int, generation: int, refresh: bool = False) -> None:
        await self._load_page(skip, generation, refresh)

    async def _load_page(self, skip: int, generation: int, refresh: bool = False) -> None:
        backend = self.ctx.backend
        if backend is None:
            return
        if self.view is not View.ALL:
            self._serve_from_scan(skip, generation)
            return
        try:
            page = await backend.client.list_conversations(
                channel=self.channel, status=self.status, search=self.search or None, limit=PAGE, skip=skip
            )
        except SwitchboardError as exc:
            # Said where the rows are: what is shown is no longer current.
            shown = "the rows shown are from before" if self.list.showing_rows else "nothing to show yet"
            self._set_status(f"Not refreshed ({shown}): {exc.sentence}  (r retries)")
            if not refresh:
                self.ctx.notify_error(exc)
            return
        self.ctx.rest_answered()
        if generation != self.list.generation:
            return
        self._all_total = page.total
        self.query_one(ViewsBar).show(all_total=page.total)
        if self.ctx.queue is None and skip == 0:
            # The views' counts come from a scan of every open conversation: in a big inbox it
            # is tens of requests, which must not hold back the first rows (bench row 5a).
            self.call_after_refresh(self.scan)
        if refresh:
            self.list.replace_page_keeping_cursor(skip, page.data, page.total)
        else:
            self.list.store_page(skip, page.data, page.total, generation)
            if skip == 0:
                self.call_after_refresh(self.ctx.first_rows_shown)
        if page.total == 0:
            self._set_status(
                "No conversations match."
                if (self.search or self.channel or self.status)
                else "No conversations yet."
            )
        else:
            self._set_status("")
        self._show_filters()

    def _interval_refresh(self) -> None:
        if self.refresh_due():
            self.refresh_held_pages()

    def refresh_held_pages(self) -> None:
        """Re-read the pages on screen (All) and the scan behind the views and their counts;
        the cursor stays on its conversation."""
        if self.ctx.backend is None:
            return
        self.scan()
        self.refresh_pages_on_screen()

    def refresh_pages_on_screen(self) -> None:
        if self.view is not View.ALL or not self.list.loaded or self.ctx.backend is None:
            return
        top = self.list.scroll_offset.y // PAGE * PAGE
        for skip in {top, self.list.cursor // PAGE * PAGE}:
            self.fetch_page(skip, self.list.generation, refresh=True)

    # -- filters and search ---------------------------------------------------------------------

    def _show_filters(self) -> None:
        channel = label(self.channel) if self.channel else "all channels"
        status = (self.status or "any status") if self.view is View.ALL else "open"
        count = self.list.total
        total = f" · {count:,} conversation{'' if count == 1 else 's'}" if self.list.loaded else ""
        order = " · window closing first" if self.by_window and self.view is not View.ALL else ""
        summary = f" {channel} · {status}{total}{order}"
        if summary != self._summary_text:
            self._summary_text = summary
            self.query_one("#filter-summary", Static).update(Text(summary))

    def action_cycle_channel(self) -> None:
        self.channel = CHANNEL_CYCLE[(CHANNEL_CYCLE.index(self.channel) + 1) % len(CHANNEL_CYCLE)]
        self._show_filters()
        self.reload()
        self.scan()

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

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        field = self.query_one("#search", Input)
        if field.value:
            field.value = ""
        self.list.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value.strip()
        self._search_timer = self.set_timer(0.15, lambda: self._apply_search(value))

    def _apply_search(self, value: str) -> None:
        if value != self.search:
            self.search = value
            self.reload()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.list.focus()

    # -- opening --------------------------------------------------------------------------------

    @on(ConversationList.Opened)
    def _open(self, message: ConversationList.Opened) -> None:
        self.ctx.open_conversation(message.conversation)

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

    def _set_channel(self, channel: str | None) -> None:
        self.channel = channel
        self._show_filters()
        self.reload()
        self.scan()

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
                "All is newest first; the window order applies to the queue views (1-3, 5).", timeout=5
            )
        self._show_filters()
        if self.view is not View.ALL:
            self._show_scan(keep_cursor=False)

    @work(exclusive=True, exit_on_error=False, group="scan")
    async def scan(self) -> None:
        """Read every open conversation (up to the scan's cap) for the views and their counts."""
        from tui.core.queue_scan import scan_open

        backend = self.ctx.backend
        if backend is None:
            return
        try:
            result = await scan_open(backend.client, channel=self.channel)
        except SwitchboardError as exc:
            self.query_one(ViewsBar).show(problem=exc.sentence)
            return
        if backend is not self.ctx.backend:
            return
        previous, self.ctx.queue = self.ctx.queue, result
        self.ctx.scan_renewed(previous)
        self._show_scan(keep_cursor=True)

    def _queue_changed(self, conversation: Conversation | None) -> None:
        """An action here changed a conversation (or a snooze changed): rows and counts anew."""
        if conversation is not None:
            self.list.replace_row(conversation)
        self._rows_context()
        self._show_scan(keep_cursor=True)

    def _rows_context(self) -> None:
        from tui.widgets.rows import RowContext

        app = self.ctx
        me = app.me.id if app.me is not None else None
        drafts = self.ctx.store.draft_conversations(self.ctx.profile_name) if self.ctx.store else set()
        names = {u.id: u.display_name for u in app.agents}
        self.list.set_row_context(
            RowContext(me=me, own_last_at=dict(app.own_last_at), drafts=drafts, names=names)
        )

    def _show_scan(self, *, keep_cursor: bool) -> None:
        from tui.core.queue import counts

        app = self.ctx
        scan = app.queue
        if scan is None:
            return
        me = app.me.id if app.me is not None else None
        snoozed = snoozed_ids(app, self.ctx.clock())
        numbers = counts(scan.conversations, me=me, snoozed=snoozed)
        self.query_one(ViewsBar).show(counts=numbers, all_total=self._all_total, truncated=scan.truncated)
        if self.view is View.ALL:
            return
        self._rows = view_rows(
            scan.conversations,
            self.view,
            me=me,
            snoozed=snoozed,
            search=self.search,
            by_window=self.by_window,
            now=self.ctx.clock(),
        )
        current = self.list.current if keep_cursor else None
        self.list.show_all(self._rows, keep=current.id if current is not None else None)
        self.call_after_refresh(self.ctx.first_rows_shown)
        self._set_status(self._empty_words() if not self._rows else "")
        self._show_filters()

    def _serve_from_scan(self, skip: int, generation: int) -> None:
        if self.ctx.backend is not None and self.ctx.queue is None:
            return  # the scan is on its way; it fills the list when it lands
        if skip == 0:
            self._show_scan(keep_cursor=False)
        else:
            self.list.store_page(skip, self._rows[skip : skip + PAGE], len(self._rows), generation)

    def _empty_words(self) -> str:
        if self.search:
            return "No conversations match."
        return {
            View.NEEDS_REPLY: "Nothing needs a reply. 🎉",
            View.MINE: "Nothing is assigned to you.",
            View.UNASSIGNED: "Every open conversation has someone on it.",
            View.SNOOZED: "Nothing is snoozed.",
        }.get(self.view, "No conversations yet.")
