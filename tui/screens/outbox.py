"""Every send of this profile that is not confirmed yet: queued, uploading, sending, failed or
unconfirmed, across conversations. Retry (after a delivery check when unconfirmed), discard,
or open the conversation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui.core.errors import SwitchboardError
from tui.core.outbox import Outbox
from tui.core.store import OutboxEntry
from tui.core.text import one_line
from tui.core.timefmt import compact, formatted

STATE_LABELS = {
    "queued": "queued",
    "uploading": "uploading",
    "sending": "sending",
    "failed": "FAILED",
    "unconfirmed": "UNCONFIRMED",
}


async def retry_entry(app: App[int], outbox: Outbox, entry_id: int) -> None:
    """Send an unresolved entry again. An unconfirmed one is first looked for in the
    conversation: if it looks delivered, the agent must say yes before it goes again."""
    from tui.screens.confirm import ConfirmScreen

    entry = await asyncio.to_thread(outbox.store.get, entry_id)
    if entry is None or entry.state not in ("failed", "unconfirmed"):
        return
    if entry.state == "unconfirmed":
        try:
            seen = await outbox.looks_delivered(entry)
        except SwitchboardError as exc:
            app.notify(f"Could not check whether it arrived: {exc.sentence}", severity="error", timeout=8)
            return
        if seen is not None:
            stamp = formatted(seen.created_at, "%H:%M", none="recently")
            question = (
                f"A message with this text is already in the conversation (sent {stamp}); it looks "
                "delivered. Send it again anyway?"
            )
            if not await app.push_screen_wait(ConfirmScreen(question)):
                app.notify("Not sent again. Press d to discard it from the outbox.", timeout=5)
                return
    await outbox.retry_now(entry_id)


class OutboxScreen(Screen[None]):
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
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.title = "Outbox"
        self.table.add_columns("#", "conversation", "state", "age", "message", "reason")
        self.reload()

    @work(exclusive=True, exit_on_error=False, group="outbox-list")
    async def reload(self) -> None:
        outbox = self.app.outbox  # type: ignore[attr-defined]
        self.entries = await outbox.unresolved() if outbox is not None else []
        now = datetime.now(UTC).timestamp()
        table = self.table
        keep = table.cursor_row
        table.clear()
        for e in self.entries:
            table.add_row(
                Text(str(e.id)),
                Text(str(e.conversation_id)),
                Text(STATE_LABELS.get(e.state, e.state), style="bold red" if e.state == "failed" else ""),
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

    def outbox_news(self, news: object) -> None:
        from tui.app import OutboxChanged

        if isinstance(news, OutboxChanged):
            self.reload()

    def _current(self) -> OutboxEntry | None:
        row = self.table.cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(exit_on_error=False, group="outbox-act")
    async def action_retry(self) -> None:
        entry, outbox = self._current(), self.app.outbox  # type: ignore[attr-defined]
        if entry is None or outbox is None:
            return
        if entry.state not in ("failed", "unconfirmed"):
            self.app.notify("It is still being worked on; only failed or unconfirmed ones can be retried.")
            return
        await retry_entry(self.app, outbox, entry.id)  # type: ignore[arg-type]
        self.reload()

    @work(exit_on_error=False, group="outbox-act")
    async def action_discard(self) -> None:
        entry, outbox = self._current(), self.app.outbox  # type: ignore[attr-defined]
        if entry is None or outbox is None:
            return
        if not await outbox.discard(entry.id):
            self.app.notify("That message is being sent right now; wait for the answer.", timeout=4)
        self.reload()

    @work(exit_on_error=False, group="outbox-act")
    async def action_open(self) -> None:
        entry, backend = self._current(), self.app.backend  # type: ignore[attr-defined]
        if entry is None or backend is None:
            return
        try:
            conversation = await backend.client.get_conversation(entry.conversation_id)
        except SwitchboardError as exc:
            self.app.notify_error(exc)  # type: ignore[attr-defined]
            return
        self.app.open_conversation(conversation)  # type: ignore[attr-defined]

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()
