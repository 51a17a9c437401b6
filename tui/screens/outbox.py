"""Every send of this profile that is not confirmed yet: queued, uploading, sending, failed or
unconfirmed, across conversations. Retry (after a delivery check when unconfirmed), discard,
or open the conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tui.core.errors import SwitchboardError
from tui.core.send_states import RESOLVABLE, word
from tui.core.store import OutboxEntry
from tui.core.text import one_line
from tui.core.timefmt import compact
from tui.messages import OutboxChanged, OutboxNews, OutboxOpened
from tui.screens.base import BaseScreen
from tui.screens.retry import retry_entry
from tui.widgets.key_bar import KeyBar


class OutboxScreen(BaseScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="outbox.back"),
        Binding("r", "retry", "Retry", id="outbox.retry"),
        Binding("d,delete", "discard", "Discard", id="outbox.discard"),
        Binding("enter", "open", "Open conversation", id="outbox.open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[OutboxEntry] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield Static(id="outbox-summary")
        yield DataTable(id="outbox-table", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.title = "Outbox"
        self.table.add_columns("#", "conversation", "state", "age", "message", "reason")
        self.ctx.outbox_signal.subscribe(self, self._outbox_news)
        self.reload()

    @work(exclusive=True, exit_on_error=False, group="outbox-list")
    async def reload(self) -> None:
        outbox = self.ctx.outbox
        self.entries = await outbox.unresolved() if outbox is not None else []
        now = datetime.now(UTC).timestamp()
        table = self.table
        keep = table.cursor_row
        table.clear()
        for e in self.entries:
            table.add_row(
                Text(str(e.id)),
                Text(str(e.conversation_id)),
                Text(word(e.state), style="bold red" if e.state in RESOLVABLE else ""),
                Text(compact(timedelta(seconds=now - e.created_at))),
                Text(one_line(e.preview or e.draft.get("text"), 40) or f"({e.kind})"),
                Text(one_line(e.reason, 90)),
                key=str(e.id),
            )
        if self.entries:
            table.move_cursor(row=min(keep, len(self.entries) - 1))
        summary = (
            "Nothing waiting: every message you sent was confirmed by the server."
            if outbox is not None and not self.entries
            else f"{len(self.entries)} not confirmed · r retries · d discards · enter opens the conversation"
            if outbox is not None
            else "The outbox is not open: not connected to a backend yet."
        )
        self.query_one("#outbox-summary", Static).update(Text(summary))

    def _outbox_news(self, news: OutboxNews) -> None:
        if isinstance(news, OutboxChanged | OutboxOpened):
            self.reload()

    def _current(self) -> OutboxEntry | None:
        row = self.table.cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(exit_on_error=False, group="outbox-act")
    async def action_retry(self) -> None:
        entry, outbox = self._current(), self.ctx.outbox
        if entry is None or outbox is None:
            return
        if entry.state not in RESOLVABLE:
            self.app.notify("It is still being worked on; only failed or unconfirmed ones can be retried.")
            return
        await retry_entry(self.app, outbox, entry.id)
        self.reload()

    @work(exit_on_error=False, group="outbox-act")
    async def action_discard(self) -> None:
        entry, outbox = self._current(), self.ctx.outbox
        if entry is None or outbox is None:
            return
        if not await outbox.discard(entry.id):
            self.app.notify("That message is being sent right now; wait for the answer.", timeout=4)
        self.reload()

    @work(exit_on_error=False, group="outbox-act")
    async def action_open(self) -> None:
        entry, backend = self._current(), self.ctx.backend
        if entry is None or backend is None:
            return
        try:
            conversation = await backend.client.get_conversation(entry.conversation_id)
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
            return
        self.ctx.open_conversation(conversation)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()
