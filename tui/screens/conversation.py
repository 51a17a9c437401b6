"""One conversation: its history (older on scroll, new inbound live) and the composer.

Sending runs in a worker through `tui.core.sender`; the message appears pending at once and is
confirmed, or marked failed with its reason, when the server answers. A refusal by policy is
shown before anything is sent and the draft goes back into the composer.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime
from itertools import count
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static

from tui.core.channels import ChannelSpec, channel_spec, label
from tui.core.drafts import Draft, TemplateChoice, attachment_paths, draft_from_dict
from tui.core.errors import SwitchboardError
from tui.core.models import Conversation, Message
from tui.core.policy import check_channel, check_draft, check_template_allowed, window_state
from tui.core.store import OutboxEntry
from tui.core.text import one_line
from tui.core.timefmt import compact, formatted
from tui.widgets.composer import Composer
from tui.widgets.message_item import MessageItem

HISTORY_PAGE = 30
POLL_SECONDS = 5.0
DRAFT_SAVE_DELAY = 0.3  # + the write itself: on disk well within 0.5 s of the keystroke
_local_ids = count(1)


class HistoryItem(MessageItem, can_focus=True):
    """A focusable message: copy it; retry, edit or discard it while its send is unresolved.

    `entry_id` ties a local item to its outbox entry; `state` is that entry's state (None once
    the server confirmed, and for messages that came from the server)."""

    BINDINGS = [
        Binding("y", "copy", "Copy", id="message.copy"),
        Binding("r", "retry", "Retry", id="message.retry"),
        Binding("e", "edit", "Edit", id="message.edit"),
        Binding("d,delete", "discard", "Discard", id="message.discard"),
    ]

    def __init__(
        self,
        message: Message,
        *,
        pending: str | None = None,
        draft: Draft | None = None,
        now: datetime | None = None,
        entry_id: int | None = None,
    ) -> None:
        super().__init__(message, pending=pending, now=now)
        self.draft = draft
        self.entry_id = entry_id
        self.state: str | None = "queued" if entry_id is not None or pending else None

    @property
    def local(self) -> bool:
        """Shown from this device's outbox, not yet confirmed by the server."""
        return self.state is not None

    @property
    def resolvable(self) -> bool:
        return self.state in ("failed", "unconfirmed")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry", "edit", "discard"):
            return self.resolvable
        return True

    def show_state(self, state: str | None, reason: str | None = None) -> None:
        self.state = state
        if state is None:
            self.update_message(self.message)
        else:
            self.update_message(self.message, pending=state_label(state, reason), failed=self.resolvable)
        if self.screen is not None and self.is_mounted:
            self.screen.refresh_bindings()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.message.message_text or self.message.file_name or "")
        self.app.notify("Message copied to the clipboard.", timeout=2)

    def action_retry(self) -> None:
        if self.resolvable:
            self.screen.retry(self)  # type: ignore[attr-defined]

    def action_edit(self) -> None:
        if self.resolvable:
            self.screen.edit_unsent(self)  # type: ignore[attr-defined]

    def action_discard(self) -> None:
        if self.resolvable:
            self.screen.discard(self)  # type: ignore[attr-defined]


def state_label(state: str, reason: str | None = None) -> str:
    """What a local item says about its send, in the words the agent needs to act."""
    why = one_line(reason, 160) if reason else ""
    if state == "failed":
        return f"failed: {why or 'not sent'}  (r retry · e edit · d discard)"
    if state == "unconfirmed":
        why = why or "it may or may not have arrived"
        return f"unconfirmed: {why}  (r check and retry · e edit · d discard)"
    if state == "queued" and why:
        return f"waiting: {why}"
    return {"queued": "queued…", "uploading": "uploading…", "sending": "sending…"}.get(state, state)


class ConversationScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="conversation.back"),
        Binding("ctrl+n", "toggle_note", "Reply/Note", id="conversation.toggle_note"),
        Binding("ctrl+o", "attach", "Attach", id="conversation.attach"),
        Binding("ctrl+t", "template", "Template", id="conversation.template"),
        Binding("ctrl+g", "editor", "$EDITOR", id="conversation.editor"),
        Binding("ctrl+l", "focus_history", "History", show=False, id="conversation.history"),
    ]

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.conversation = conversation
        self.spec: ChannelSpec | None = channel_spec(conversation.channel)
        self.known_ids: set[str] = set()
        self.loaded_count = 0
        self.total = 0
        self.loading_older = False
        self.by_entry: dict[int, HistoryItem] = {}
        self._opened_at = time.time()
        self._drafts_loaded = False
        self._save_timer: Timer | None = None
        self._draft_seq = 0
        self._draft_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield Static(id="conversation-head")
        yield VerticalScroll(id="history")
        yield Composer(self.spec, id="composer")
        yield Footer()

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def history(self) -> VerticalScroll:
        return self.query_one("#history", VerticalScroll)

    def on_mount(self) -> None:
        self._profile_limits()
        self._show_head()
        self.composer.area.focus()
        if self.app.backend is not None:  # type: ignore[attr-defined]
            self.backend_ready()
        self.set_interval(30, self._show_head)
        self.set_interval(POLL_SECONDS, self.poll)
        self.watch(self.history, "scroll_y", self._scrolled)

    def _profile_limits(self) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        if backend is not None:
            self.spec = channel_spec(self.conversation.channel, backend.profile.limits)
            self.composer.spec = self.spec

    def backend_ready(self) -> None:
        self._profile_limits()
        self._load_drafts()
        self.load_recent()

    # -- head and window -----------------------------------------------------------------------

    def _show_head(self) -> None:
        c = self.conversation
        now = self.app.clock()  # type: ignore[attr-defined]
        state = window_state(c, self.spec, now)
        self.title = one_line(c.contact_name, 40)
        channel = one_line(label(c.channel), 20)
        self.sub_title = f"{channel} · conversation {c.id}"
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(f" {channel} ", style="bold reverse")
        head.append(f" {one_line(c.contact_name, 40)}", style="bold")
        contact = c.contact
        for extra in (contact.phone, contact.email) if contact else ():
            if extra:
                head.append(f" · {one_line(extra, 30)}")
        head.append(f" · {one_line(c.status, 20) or 'unknown status'}")
        self.query_one("#conversation-head", Static).update(head)
        self.composer.set_banner(*self._banner(state, now))

    def _banner(self, state, now) -> tuple[Text, str]:  # type: ignore[no-untyped-def]
        if self.spec is None:
            return Text(
                f"Switchboard cannot send on {one_line(self.conversation.channel)!r} conversations."
            ), "closed"
        if not state.applies:
            return Text(f"{self.spec.label}: no reply window"), "none"
        if state.open:
            closes = formatted(state.closes_at, "%H:%M", none="?")
            return Text(f"Window open · {compact(state.remaining, 2)} left (closes {closes})"), "open"
        offer = "ctrl+n note · ctrl+t template" if self.spec.templates else "ctrl+n for a note"
        if state.never_opened:
            return Text(f"No reply window: the customer never wrote · {offer}"), "closed"
        return Text(f"Window closed {compact(state.closed_for, 2)} ago · replies refused · {offer}"), "closed"

    # -- history --------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="history")
    async def load_recent(self) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            self.conversation = await backend.client.get_conversation(self.conversation.id)
            page = await backend.client.list_messages(self.conversation.id, limit=HISTORY_PAGE)
        except SwitchboardError as exc:
            self.app.notify_error(exc)  # type: ignore[attr-defined]
            return
        self._show_head()
        self.total = page.total
        self.loaded_count = len(page.data)
        items = [self._item(m) for m in reversed(page.data)]
        await self.history.remove_children([i for i in self.history.query(HistoryItem) if not i.local])
        await self.history.mount_all(items, before=self._first_local())
        self._show_unresolved()
        self._to_newest()

    def _to_newest(self) -> None:
        """Scroll to the newest message once the new items have their heights."""
        self.call_after_refresh(self.history.scroll_end, animate=False, immediate=True)

    def _first_local(self) -> HistoryItem | None:
        """Sends not yet confirmed stay below the server's history."""
        return next((i for i in self.history.query(HistoryItem) if i.local), None)

    def _item(self, message: Message) -> HistoryItem:
        self.known_ids.add(str(message.id))
        return HistoryItem(message, now=self.app.clock())  # type: ignore[attr-defined]

    def _scrolled(self, y: float) -> None:
        if y <= 0 and not self.loading_older and self.loaded_count < self.total:
            self.load_older()

    @work(exit_on_error=False, group="older")
    async def load_older(self) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        if backend is None:
            return
        self.loading_older = True
        try:
            page = await backend.client.list_messages(
                self.conversation.id, limit=HISTORY_PAGE, skip=self.loaded_count
            )
        except SwitchboardError as exc:
            self.app.notify_error(exc)  # type: ignore[attr-defined]
            self.loading_older = False
            return
        fresh = [m for m in reversed(page.data) if str(m.id) not in self.known_ids]
        self.loaded_count += len(page.data)
        self.total = page.total
        if fresh:
            items = [self._item(m) for m in fresh]
            first = self.history.children[0] if self.history.children else None
            await self.history.mount_all(items, before=first)
            self.call_after_refresh(self._keep_position, items)
        else:
            self.loading_older = False

    def _keep_position(self, items: list[HistoryItem]) -> None:
        added = sum(item.outer_size.height for item in items)
        self.history.scroll_to(y=self.history.scroll_y + added, animate=False)
        self.loading_older = False

    @work(exclusive=True, exit_on_error=False, group="poll")
    async def poll(self) -> None:
        """New inbound (and outbound from elsewhere) messages appear while the view is open."""
        backend = self.app.backend  # type: ignore[attr-defined]
        if backend is None:
            return
        try:
            self.conversation = await backend.client.get_conversation(self.conversation.id)
            page = await backend.client.list_messages(self.conversation.id, limit=20)
        except SwitchboardError:
            return  # the next poll tries again; a send shows its own errors
        self._show_head()
        fresh = [m for m in reversed(page.data) if str(m.id) not in self.known_ids]
        if not fresh:
            return
        at_bottom = self.history.scroll_y >= self.history.max_scroll_y - 1
        self.total = page.total
        self.loaded_count += len(fresh)
        await self.history.mount_all([self._item(m) for m in fresh], before=self._first_local())
        if at_bottom:
            self.history.scroll_end(animate=False)

    # -- drafts -------------------------------------------------------------------------------

    def _load_drafts(self) -> None:
        """Put the stored drafts back (reply shown, note aside). A mode the agent already typed
        into before the store was ready keeps what was typed; only empty modes are filled."""
        store = self.app.store  # type: ignore[attr-defined]
        if store is None or self._drafts_loaded:
            return
        self._drafts_loaded = True
        drafts = store.drafts(self.app.profile_name, self.conversation.id)  # type: ignore[attr-defined]
        untouched = not self.composer.text and not self.composer.attachments
        if untouched and "reply" not in drafts and "note" in drafts:
            self.composer.mode = "note"
        for mode, stored in drafts.items():
            text, files = self.composer.draft_of(mode)
            if text or files:
                continue
            paths = [Path(p) for p in stored.attachments]
            if mode == self.composer.mode:
                self.composer.load_draft(stored.text, paths)
            else:
                self.composer.stashed[mode] = (stored.text, paths)

    def _draft_snapshot(self) -> list[tuple[str, str, list[str]]]:
        if not self.composer.is_mounted:
            return []
        return [
            (mode, text, [str(p) for p in files])
            for mode in ("reply", "note")
            for text, files in [self.composer.draft_of(mode)]
        ]

    @on(Composer.DraftChanged)
    def _draft_changed(self) -> None:
        """Saved within 0.5 s of a keystroke, even while typing goes on (not a debounce)."""
        if self._drafts_loaded and self._save_timer is None:
            self._save_timer = self.set_timer(DRAFT_SAVE_DELAY, self._save_drafts_soon)

    def _save_drafts_soon(self) -> None:
        self._save_timer = None
        self._draft_seq += 1
        self._write_drafts(self._draft_seq, self._draft_snapshot())

    @work(thread=True, exit_on_error=False, group="drafts")
    def _write_drafts(self, seq: int, snapshot: list[tuple[str, str, list[str]]]) -> None:
        with self._draft_lock:
            if seq != self._draft_seq:
                return  # a newer snapshot is on its way
            problem = self._store_drafts(snapshot)
        if problem is not None:  # told outside the lock: the UI thread may be waiting for it
            self.app.call_from_thread(self.app.notify_error, problem)  # type: ignore[attr-defined]

    def _store_drafts(self, snapshot: list[tuple[str, str, list[str]]]) -> str | None:
        """Write the drafts; the sentence to show when that failed."""
        store = self.app.store  # type: ignore[attr-defined]
        if store is None:
            return None
        try:
            for mode, text, files in snapshot:
                store.save_draft(self.app.profile_name, self.conversation.id, mode, text, files)  # type: ignore[attr-defined]
        except (OSError, sqlite3.Error) as exc:
            return f"The draft could not be saved ({exc}); it is still in the composer."
        return None

    def save_drafts_now(self) -> None:
        """On leaving the screen, quitting or hanging up: write at once, on this thread."""
        if not self._drafts_loaded or not self.query(Composer):
            return
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        self._draft_seq += 1
        with self._draft_lock:
            store = self.app.store  # type: ignore[attr-defined]
            if store is not None:
                with suppress(OSError, sqlite3.Error):
                    for mode, text, files in self._draft_snapshot():
                        store.save_draft(self.app.profile_name, self.conversation.id, mode, text, files)  # type: ignore[attr-defined]

    def on_screen_suspend(self) -> None:
        self.save_drafts_now()

    # -- sending --------------------------------------------------------------------------------

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        draft = Draft(text=event.text, note=event.note, attachments=event.attachments)
        if not self._refuse_early(draft):
            self.composer.set_text("")
            self.composer.clear_attachments()
            self._enqueue(draft, draft.text, "note" if draft.note else "reply")

    def _refuse_early(self, draft: Draft) -> bool:
        """The checks we can make with what we hold, for instant feedback; the sender re-checks."""
        try:
            check_draft(self.conversation, self.spec, draft, self.app.clock())  # type: ignore[attr-defined]
        except SwitchboardError as exc:
            self.app.notify_error(exc)  # type: ignore[attr-defined]
            return True
        return False

    def _local_message(self, draft: Draft, text: str) -> Message:
        kind = "template" if draft.template else "note" if draft.note else "text"
        first = draft.attachments[0] if draft.attachments else None
        return Message(
            id=f"local-{next(_local_ids)}",
            conversation_id=self.conversation.id,
            direction="outbound",
            message_type=kind,
            message_text=text,
            created_at=self.app.clock(),  # type: ignore[attr-defined]
            sender_name="You",
            file_name=first.name if first else None,
        )

    def _enqueue(self, draft: Draft, preview: str, draft_mode: str | None) -> None:
        """Show the message at once, pending, and hand it to the outbox (stored before sending)."""
        item = HistoryItem(
            self._local_message(draft, preview),
            pending="queued…",
            draft=draft,
            now=self.app.clock(),  # type: ignore[attr-defined]
        )
        self.history.mount(item)
        self.history.scroll_end(animate=False)
        self._submit_worker(draft, preview, draft_mode, item)

    @work(exit_on_error=False, group="send")
    async def _submit_worker(
        self, draft: Draft, preview: str, draft_mode: str | None, item: HistoryItem
    ) -> None:
        outbox = self.app.outbox  # type: ignore[attr-defined]
        try:
            if outbox is None:
                raise SwitchboardError(
                    self.app.backend_error or "Not connected to a backend yet; try again in a moment."  # type: ignore[attr-defined]
                )
            entry = await outbox.submit(self.conversation.id, draft, preview, draft_mode=draft_mode)
        except (OSError, sqlite3.Error, SwitchboardError) as exc:
            # Nothing was stored or sent: the draft goes back into the composer.
            item.remove()
            self._restore(draft)
            sentence = exc.sentence if isinstance(exc, SwitchboardError) else f"The outbox failed ({exc})."
            self.app.notify_error(f"{sentence} Nothing was sent.")  # type: ignore[attr-defined]
            return
        item.entry_id = entry.id
        self.by_entry[entry.id] = item

    def outbox_news(self, news: object) -> None:
        """An outbox entry of this conversation moved on: update (or show) its item."""
        from tui.app import OutboxChanged, OutboxProgress

        if isinstance(news, OutboxProgress):
            item = self.by_entry.get(news.entry_id)
            p = news.progress
            if item is None:
                return
            if p.stage == "uploading":
                pct = 100 * p.done // max(p.total, 1)
                self.composer.set_progress(f"Uploading {one_line(p.detail, 30)}: {pct}%")
                item.state = "uploading"
                item.update_message(item.message, pending=f"uploading {pct}%…")
            else:
                self.composer.set_progress("")
            return
        if not isinstance(news, OutboxChanged) or news.entry.conversation_id != self.conversation.id:
            return
        entry = news.entry
        item = self.by_entry.get(entry.id)
        for message in news.created:
            if str(message.id) in self.known_ids:
                continue
            self.known_ids.add(str(message.id))
            if item is not None and str(item.message.id).startswith("local-"):
                item.message = message
                item.update_message(message, pending=item.pending)
            else:
                self.history.mount(self._item(message))
        if entry.state in ("sent", "discarded", "edited"):
            self.composer.set_progress("")
            self.by_entry.pop(entry.id, None)
            if item is not None:
                if entry.state == "sent" and not str(item.message.id).startswith("local-"):
                    item.entry_id = None
                    item.show_state(None)
                else:
                    item.remove()
            self.history.scroll_end(animate=False)
            self._show_head()
            return
        if item is None:
            item = self._outbox_item(entry)
            self._mount_live(item)
        item.show_state(entry.state, entry.reason)
        if entry.state in ("failed", "unconfirmed"):
            self.composer.set_progress("")
            self.app.notify_error(entry.reason or "The message was not sent.")  # type: ignore[attr-defined]

    def _outbox_item(self, entry: OutboxEntry) -> HistoryItem:
        draft = draft_from_dict(entry.draft)
        item = HistoryItem(
            self._local_message(draft, entry.preview),
            pending=state_label(entry.state, entry.reason),
            draft=draft,
            now=self.app.clock(),  # type: ignore[attr-defined]
            entry_id=entry.id,
        )
        self.by_entry[entry.id] = item
        return item

    @work(exit_on_error=False, group="outbox-items")
    async def _show_unresolved(self) -> None:
        """Sends of this conversation still in the outbox (a restart, another instance) show at once."""
        outbox = self.app.outbox  # type: ignore[attr-defined]
        if outbox is None:
            return
        for entry in await outbox.unresolved(self.conversation.id):
            # Entries stored after this screen opened are its own sends: they have their item.
            if entry.id not in self.by_entry and entry.created_at < self._opened_at:
                item = self._outbox_item(entry)
                await self.history.mount(item)
                item.show_state(entry.state, entry.reason)
        self._to_newest()

    def _mount_live(self, item: HistoryItem) -> None:
        self.history.mount(item)
        self.history.scroll_end(animate=False)

    def _entry_id(self, item: HistoryItem) -> int | None:
        if item.entry_id is None:
            self.app.notify("This message is still being stored; try again in a moment.", timeout=3)
        return item.entry_id

    def retry(self, item: HistoryItem) -> None:
        if (entry_id := self._entry_id(item)) is not None:
            self._retry_worker(entry_id)

    @work(exit_on_error=False, group="retry")
    async def _retry_worker(self, entry_id: int) -> None:
        from tui.screens.outbox import retry_entry

        outbox = self.app.outbox  # type: ignore[attr-defined]
        if outbox is None:
            self.app.notify_error(self.app.backend_error or "Not connected to a backend.")  # type: ignore[attr-defined]
            return
        await retry_entry(self.app, outbox, entry_id)  # type: ignore[arg-type]

    def edit_unsent(self, item: HistoryItem) -> None:
        """Take an unsent message back into the composer to change it."""
        if item.draft is None or (entry_id := self._entry_id(item)) is None:
            return
        self._discard_worker(entry_id, item, "edited")

    def discard(self, item: HistoryItem) -> None:
        if (entry_id := self._entry_id(item)) is not None:
            self._discard_worker(entry_id, item, "discarded")

    @work(exit_on_error=False, group="discard")
    async def _discard_worker(self, entry_id: int, item: HistoryItem, state: str) -> None:
        outbox = self.app.outbox  # type: ignore[attr-defined]
        if outbox is None or not await outbox.discard(entry_id, state=state):
            self.app.notify("That message is being sent right now; wait for the answer.", timeout=4)
            return
        self.by_entry.pop(entry_id, None)
        item.remove()
        if state == "edited" and item.draft is not None:  # only once it cannot go out any more
            self._restore(item.draft)
            self.composer.area.focus()

    def _restore(self, draft: Draft) -> None:
        if draft.template is not None:
            return
        mode = "note" if draft.note else "reply"
        if self.composer.mode != mode:
            self.composer.toggle_mode()
        if not self.composer.text.strip():
            self.composer.set_text(draft.text)
        self.composer.add_attachments([Path(p) for p in attachment_paths(draft.attachments)])

    # -- actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.save_drafts_now()
        self.app.pop_screen()

    def action_toggle_note(self) -> None:
        self.composer.toggle_mode()

    def action_focus_history(self) -> None:
        items = list(self.history.query(HistoryItem))
        if items:
            items[-1].focus()

    def action_attach(self) -> None:
        from tui.screens.file_picker import FilePickerScreen

        def picked(paths: list[Path] | None) -> None:
            if paths:
                self.composer.add_attachments(paths)
            self.composer.area.focus()

        self.app.push_screen(FilePickerScreen(self.spec), picked)

    def action_template(self) -> None:
        from tui.screens.templates import TemplatePickerScreen

        try:
            spec = check_channel(self.conversation, self.spec)
            check_template_allowed(spec, has_files=False)
        except SwitchboardError as exc:
            self.app.notify_error(exc)  # type: ignore[attr-defined]
            return

        def chosen(choice: tuple[TemplateChoice, str] | None) -> None:
            if choice is not None:
                template_choice, body = choice
                self._enqueue(Draft(template=template_choice), body, None)

        self.app.push_screen(TemplatePickerScreen(self.conversation), chosen)

    @on(Composer.SnippetRequested)
    def _snippets(self) -> None:
        from tui.screens.snippets import SnippetScreen

        def chosen(text: str | None) -> None:
            if text:
                self.composer.set_text(text)
            self.composer.area.focus()

        self.app.push_screen(SnippetScreen(self.conversation), chosen)

    def action_editor(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.NamedTemporaryFile("w+", suffix=".md", prefix="switchboard-", delete=False) as fh:
            fh.write(self.composer.text)
            path = Path(fh.name)
        try:
            try:
                with self.app.suspend():
                    code = subprocess.call([*shlex.split(editor), str(path)])
            except Exception as exc:  # SuspendNotSupported, a missing editor binary
                self.app.notify_error(f"The editor {editor!r} could not be opened ({type(exc).__name__}).")  # type: ignore[attr-defined]
                return
            if code != 0:
                self.app.notify_error(f"The editor {editor!r} exited with {code}; the composer is unchanged.")  # type: ignore[attr-defined]
                return
            self.composer.set_text(path.read_text(encoding="utf-8").rstrip("\n"))
        finally:
            path.unlink(missing_ok=True)
            self.composer.area.focus()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Toggle reply / note", "Switch the composer's mode", self.action_toggle_note)
        yield SystemCommand("Attach files", "Pick files to send", self.action_attach)
        if self.spec is not None and self.spec.templates:
            yield SystemCommand("Send a WhatsApp template", "Pick an approved template", self.action_template)
