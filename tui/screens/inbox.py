"""The inbox: filters, incremental search and the paged conversation list."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from tui.core.channel_names import KNOWN_CHANNELS, label
from tui.core.errors import SwitchboardError
from tui.messages import BackendFailed, BackendNews, BackendReady, BackendSwitching
from tui.screens.base import BaseScreen
from tui.widgets.conversation_list import PAGE, ConversationList

CHANNEL_CYCLE: tuple[str | None, ...] = (None, *KNOWN_CHANNELS)
STATUS_CYCLE: tuple[str | None, ...] = (None, "open", "closed")


class InboxScreen(BaseScreen[None]):
    BINDINGS = [
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

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☎")
        with Horizontal(id="filters"):
            yield Static(id="filter-summary")
            yield Input(placeholder="/ search contacts and messages", id="search")
        yield ConversationList(id="conversations", clock=self.ctx.clock)
        yield Static(id="list-status")
        yield Footer()

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

    def _backend_news(self, news: BackendNews) -> None:
        if isinstance(news, BackendReady):
            self._connected()
        elif isinstance(news, BackendFailed):
            self._set_status(f"Not connected: {news.sentence}  (r retries)")
        elif isinstance(news, BackendSwitching):
            self.list.reset(keep_shown=False)
            self._set_status("Connecting…")

    def _connected(self) -> None:
        self._set_status("")
        self.reload()
        if self._refresh_timer is None:
            interval = self.ctx.config.refresh_seconds
            self._refresh_timer = self.set_interval(interval, self.refresh_held_pages)

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
        if refresh:
            self.list.replace_page_keeping_cursor(skip, page.data, page.total)
        else:
            self.list.store_page(skip, page.data, page.total, generation)
        if page.total == 0:
            self._set_status(
                "No conversations match."
                if (self.search or self.channel or self.status)
                else "No conversations yet."
            )
        else:
            self._set_status("")
        self._show_filters()

    def refresh_held_pages(self) -> None:
        """The interval refresh: re-read the pages on screen; the cursor stays put."""
        if self.ctx.backend is None or not self.list.loaded:
            return
        top = self.list.scroll_offset.y // PAGE * PAGE
        for skip in {top, self.list.cursor // PAGE * PAGE}:
            self.fetch_page(skip, self.list.generation, refresh=True)

    # -- filters and search ---------------------------------------------------------------------

    def _show_filters(self) -> None:
        channel = label(self.channel) if self.channel else "all channels"
        status = self.status or "any status"
        count = self.list.total
        total = f" · {count:,} conversation{'' if count == 1 else 's'}" if self.list.loaded else ""
        summary = f" {channel} · {status}{total}"
        if summary != self._summary_text:
            self._summary_text = summary
            self.query_one("#filter-summary", Static).update(Text(summary))

    def action_cycle_channel(self) -> None:
        self.channel = CHANNEL_CYCLE[(CHANNEL_CYCLE.index(self.channel) + 1) % len(CHANNEL_CYCLE)]
        self._show_filters()
        self.reload()

    def action_cycle_status(self) -> None:
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
        for channel in CHANNEL_CYCLE:
            name = label(channel) if channel else "all channels"
            yield SystemCommand(
                f"Filter: {name}", f"Show {name} conversations", lambda c=channel: self._set_channel(c)
            )

    def _set_channel(self, channel: str | None) -> None:
        self.channel = channel
        self._show_filters()
        self.reload()
