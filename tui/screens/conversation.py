"""One conversation: its history (older on scroll, new inbound live) and the composer.

Sending runs in a worker through `tui.core.sender`; the message appears pending at once and is
confirmed, or marked failed with its reason, when the server answers. A refusal by policy is
shown before anything is sent and the draft goes back into the composer.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import datetime
from itertools import count
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui.core.channels import ChannelSpec, channel_spec, label
from tui.core.errors import PolicyRefusal, SwitchboardError
from tui.core.files import inspect_file
from tui.core.models import Conversation, Message
from tui.core.policy import check_channel, check_note, check_reply, check_template_allowed, window_state
from tui.core.sender import Draft, SendProgress, TemplateChoice, execute, prepare
from tui.core.text import one_line
from tui.widgets.composer import Composer
from tui.widgets.message_item import MessageItem
from tui.widgets.rows import compact

HISTORY_PAGE = 30
POLL_SECONDS = 5.0
_local_ids = count(1)


class HistoryItem(MessageItem, can_focus=True):
    """A focusable message: copy it; retry, edit or discard it when its send failed."""

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
    ) -> None:
        super().__init__(message, pending=pending, now=now)
        self.draft = draft
        self.failed = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry", "edit", "discard"):
            return self.failed
        return True

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.message.message_text or self.message.file_name or "")
        self.app.notify("Message copied to the clipboard.", timeout=2)

    def action_retry(self) -> None:
        if self.failed and self.draft is not None:
            self.screen.retry(self)  # type: ignore[attr-defined]

    def action_edit(self) -> None:
        if self.failed and self.draft is not None:
            self.screen.edit_failed(self)  # type: ignore[attr-defined]

    def action_discard(self) -> None:
        if self.failed:
            self.remove()


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
        self.load_recent()

    # -- head and window -----------------------------------------------------------------------

    def _show_head(self) -> None:
        c = self.conversation
        now = self.app.clock()  # type: ignore[attr-defined]
        state = window_state(c, self.spec, now)
        self.title = one_line(c.contact_name, 40)
        self.sub_title = f"{label(c.channel)} · conversation {c.id}"
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(f" {label(c.channel)} ", style="bold reverse")
        head.append(f" {one_line(c.contact_name, 40)}", style="bold")
        contact = c.contact
        for extra in (contact.phone, contact.email) if contact else ():
            if extra:
                head.append(f" · {one_line(extra, 30)}")
        head.append(f" · {c.status or 'unknown status'}")
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
            closes = state.closes_at.astimezone().strftime("%H:%M") if state.closes_at else "?"
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
        await self.history.remove_children(HistoryItem)
        await self.history.mount_all(items)
        self.history.scroll_end(animate=False)

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
        await self.history.mount_all([self._item(m) for m in fresh])
        if at_bottom:
            self.history.scroll_end(animate=False)

    # -- sending --------------------------------------------------------------------------------

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        draft = Draft(text=event.text, note=event.note, attachments=event.attachments)
        if not self._refuse_early(draft):
            self.composer.set_text("")
            self.composer.clear_attachments()
            self._send(draft)

    def _refuse_early(self, draft: Draft) -> bool:
        """The checks we can make with what we hold, for instant feedback; the sender re-checks."""
        try:
            spec = check_channel(self.conversation, self.spec)
            if draft.template is not None:
                check_template_allowed(spec, has_files=bool(draft.attachments))
                return False
            files = [inspect_file(p) for p in draft.attachments]
            if draft.note:
                check_note(spec, draft.text, files)
            else:
                check_reply(self.conversation, spec, draft.text, files, self.app.clock())  # type: ignore[attr-defined]
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

    def _send(self, draft: Draft, item: HistoryItem | None = None, preview: str | None = None) -> None:
        text = preview if preview is not None else draft.text
        if item is None:
            item = HistoryItem(
                self._local_message(draft, text),
                pending="sending…",
                draft=draft,
                now=self.app.clock(),  # type: ignore[attr-defined]
            )
            self.history.mount(item)
            self.history.scroll_end(animate=False)
        else:
            item.failed = False
            item.update_message(item.message, pending="sending…")
        self._send_worker(draft, item)

    @work(exit_on_error=False, group="send")
    async def _send_worker(self, draft: Draft, item: HistoryItem) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        if backend is None:
            self._mark_failed(item, self.app.backend_error or "Not connected to a backend.")  # type: ignore[attr-defined]
            return

        def progress(p: SendProgress) -> None:
            if p.stage == "uploading":
                pct = 100 * p.done // max(p.total, 1)
                self.composer.set_progress(f"Uploading {one_line(p.detail, 30)}: {pct}%")
                item.update_message(item.message, pending=f"uploading {pct}%…")
            else:
                self.composer.set_progress(f"Sending {p.detail}…")

        try:
            prepared = await prepare(backend.client, self.conversation.id, draft, now=self.app.clock())  # type: ignore[attr-defined]
            self.conversation = prepared.conversation
            result = await execute(backend.client, prepared, progress=progress)
        except PolicyRefusal as exc:
            # Nothing was sent: the draft goes back where it came from.
            item.remove()
            self._restore(draft)
            self.app.notify_error(exc)  # type: ignore[attr-defined]
        except SwitchboardError as exc:
            sent = getattr(exc, "sent", [])
            for message in sent:
                await self._confirm(message)
            self._mark_failed(item, exc.sentence)
            self.app.notify_error(exc)  # type: ignore[attr-defined]
        else:
            first, *rest = result.messages
            self.known_ids.add(str(first.id))
            item.draft = None
            item.update_message(first)
            for message in rest:
                await self._confirm(message)
            self.history.scroll_end(animate=False)
        finally:
            self.composer.set_progress("")
            self._show_head()

    async def _confirm(self, message: Message) -> None:
        if str(message.id) not in self.known_ids:
            await self.history.mount(self._item(message))

    def _mark_failed(self, item: HistoryItem, reason: str) -> None:
        item.failed = True
        item.update_message(
            item.message, pending=f"failed: {reason}  (r retry · e edit · d discard)", failed=True
        )
        self.refresh_bindings()

    def _restore(self, draft: Draft) -> None:
        if draft.template is not None:
            return
        if not self.composer.text.strip():
            self.composer.set_text(draft.text)
        self.composer.mode = "note" if draft.note else "reply"
        self.composer.add_attachments(draft.attachments)

    def retry(self, item: HistoryItem) -> None:
        assert item.draft is not None
        self._send(item.draft, item, preview=item.message.message_text)

    def edit_failed(self, item: HistoryItem) -> None:
        assert item.draft is not None
        self._restore(item.draft)
        item.remove()
        self.composer.area.focus()

    # -- actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
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
                self.composer._update_counter()
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
                self._send(Draft(template=template_choice), preview=body)

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
