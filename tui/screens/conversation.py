"""One conversation: its head and window, the history, and the composer.

The screen is the glue: workers read through the client and hand pages to `History`; a send is
checked at once (`policy.check_draft`), shown pending under a client id made on the spot, and
handed to the outbox, whose news arrives on the app's `outbox_signal`. Drafts are the
`DraftKeeper`'s, `$EDITOR` is `tui.editor`'s.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Header, Static

from tui.core.channels import ChannelSpec, channel_spec, label
from tui.core.drafts import Draft
from tui.core.errors import SwitchboardError
from tui.core.hold import Seen
from tui.core.models import Conversation
from tui.core.policy import check_draft
from tui.core.send_states import FINAL, RESOLVABLE
from tui.core.store import OutboxEntry
from tui.core.text import one_line
from tui.messages import (
    BackendNews,
    BackendReady,
    ConversationsChanged,
    LiveEvents,
    LiveResynced,
    LiveStatus,
    OutboxChanged,
    OutboxNews,
    OutboxOpened,
    OutboxProgress,
)
from tui.screens.base import BaseScreen
from tui.screens.composer_actions import ComposerActions
from tui.screens.contact import ContactPanel
from tui.screens.conversation_ai import AI_ACTIONS, AI_BINDINGS, ConversationAi
from tui.screens.conversation_live import ConversationLive
from tui.screens.draft_keeper import DraftKeeper
from tui.screens.local_sends import local_message, outbox_item
from tui.screens.looked import LookedAt
from tui.screens.message_commands import message_commands
from tui.screens.preview_actions import PreviewActions
from tui.screens.send_fixes import SendFixes
from tui.widgets.composer import Composer
from tui.widgets.contact_card import ContactCardView
from tui.widgets.conversation_head import HeadFacts, banner, head_text
from tui.widgets.history import History
from tui.widgets.history_item import HistoryItem
from tui.widgets.key_bar import KeyBar

#: A conversation read this recently (the list's row, a push) is not read again on opening.
FRESH_SECONDS = 60.0

__all__ = ["ConversationScreen", "HistoryItem"]


class ConversationScreen(
    PreviewActions, ConversationAi, ComposerActions, ConversationLive, SendFixes, BaseScreen[None]
):
    BINDINGS = [
        Binding("escape", "back", "Back", id="conversation.back"),
        Binding("ctrl+n", "toggle_note", "Note", id="conversation.toggle_note"),
        Binding("ctrl+o", "attach", "Attach", id="conversation.attach"),
        Binding("ctrl+t", "template", "Template", id="conversation.template"),
        Binding("ctrl+g", "editor", "Editor", show=False, id="conversation.editor"),  # help, palette
        Binding("ctrl+l", "focus_history", "History", show=False, id="conversation.history"),
        # The queue's actions: the inbox's letters with alt (the composer has the plain ones).
        # Priority: the composer would otherwise take alt+x as a typed "x".
        Binding("alt+u", "queue_read", "Read/unread", show=False, id="conversation.read", priority=True),
        Binding("alt+x", "queue_close", "Close/reopen", show=False, id="conversation.close", priority=True),
        Binding("f4", "queue_close_next", "Close+next", id="conversation.close_next"),
        Binding("alt+a", "queue_assign_to", "Assign…", show=False, id="conversation.assign", priority=True),
        Binding(
            "alt+t", "queue_takeover", "Take over", show=False, id="conversation.takeover", priority=True
        ),
        Binding("alt+z", "queue_snooze", "Snooze", show=False, id="conversation.snooze", priority=True),
        *AI_BINDINGS,  # hand to AI, AI auto-assignment, cut context, automation, block: conversation_ai.py
        Binding("alt+c,f6", "contact", "Contact", show=False, id="conversation.contact", priority=True),
    ]

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self._conversation = conversation
        self.spec: ChannelSpec | None = channel_spec(conversation.channel)
        self._left_for_screen = False
        self._keep_message_focus = False
        self._to_draw = []  # pushed messages not drawn yet (`ConversationLive`)
        self.looked = LookedAt(self._seen)
        self.contact = ContactPanel(self)  # the contact card: side panel or screen (contact.py)

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield Static(id="conversation-head")
        with Horizontal(id="conversation-body"), Vertical(id="conversation-main"):
            yield History(id="history", clock=self.ctx.clock)
            yield Composer(self.spec, id="composer")
        # Compact, and ctrl+p left to the help: every key fits 80 columns whole.
        yield KeyBar(compact=True, show_command_palette=False)

    @property
    def conversation(self) -> Conversation:
        """The conversation as the profile's cache has it now (the one owner of its data)."""
        backend = self.ctx.backend if self.is_attached else None
        held = backend.client.cache.get(self._conversation.id) if backend is not None else None
        return held or self._conversation

    @conversation.setter
    def conversation(self, value: Conversation) -> None:
        self._conversation = value

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def history(self) -> History:
        return self.query_one(History)

    def on_mount(self) -> None:
        self.drafts = DraftKeeper(self, self.composer, self.conversation.id)
        keys = self.ctx.config.keymap.get("composer.send")
        if keys:  # the placeholder names the keys that send, as the keymap has them
            self.composer.set_send_keys(" or ".join(k.strip() for k in keys.split(",") if k.strip()))
        self._profile_limits()
        self._show_head()
        self.composer.area.focus()
        self.ctx.backend_signal.subscribe(self, self._backend_news)
        self.ctx.outbox_signal.subscribe(self, self._outbox_news)
        if self.ctx.backend is not None:
            self._connected()
        self.set_interval(30, self._show_head)
        self.set_interval(self.ctx.config.refresh_seconds if self.ctx.backend else 20.0, self.poll)

    def _profile_limits(self) -> None:
        backend = self.ctx.backend
        if backend is not None:
            self.spec = channel_spec(self.conversation.channel, backend.profile.limits)
            self.composer.spec = self.spec
            self.refresh_bindings()

    def queue_target(self) -> Conversation | None:
        return self.conversation

    def _backend_news(self, news: BackendNews) -> None:
        if isinstance(news, BackendReady):
            self._connected()
        elif isinstance(news, ConversationsChanged):
            if self.conversation.id in news.ids:
                self._show_head()
            self.contact.changed(news.ids)
        elif isinstance(news, LiveEvents | LiveStatus | LiveResynced):
            self.live_news(news)

    def _connected(self) -> None:
        self._profile_limits()
        self.drafts.load()
        self.load_recent()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "template":  # hidden where the channel has no templates
            return self.spec is not None and self.spec.templates
        if action == "toggle_note":  # nor a note mode where the API keeps no notes (SMS, playground)
            return self.spec is None or self.spec.notes or self.composer.mode == "note"
        return self.ai_check(action) if action in AI_ACTIONS else True

    # -- head and window ----------------------------------------------------------------------

    def _show_head(self) -> None:
        c = self.conversation
        self.title = one_line(c.contact_name, 40)
        self.sub_title = f"{one_line(label(c.channel), 20)} · conversation {c.id}{self.ctx.live_label()}"
        self.query_one("#conversation-head", Static).update(head_text(c, self._head_facts()))
        self.composer.set_banner(*banner(c, self.spec, self.ctx.clock()))

    def _head_facts(self) -> HeadFacts:
        me, store, now = self.ctx.me, self.ctx.store, self.ctx.clock()
        snooze = store.snoozes(self.ctx.profile_name).get(self.conversation.id) if store else None
        return HeadFacts(
            me=me.id if me else None,
            names={u.id: u.display_name for u in self.ctx.agents},
            ai_names=self.ai_names(),
            snoozed_until=snooze.until if snooze is not None and snooze.until > now else None,
            now=now,
        )

    # -- history --------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="history")
    async def load_recent(self) -> None:
        """The conversation (from the cache when the list or a push brought it lately: while live
        any copy is current) and its newest page of messages: one request, usually."""
        backend = self.ctx.backend
        if backend is None:
            return
        client = backend.client
        fresh = 24 * 3600.0 if self.ctx.live else FRESH_SECONDS
        try:
            conversation = await client.get_conversation(self.conversation.id, max_age=fresh)
            page = await client.list_messages(conversation.id, channel=conversation.channel)
            if self.conversation.contact is None:
                await client.fill_contacts([self.conversation])
        except SwitchboardError as exc:
            self.composer.set_progress(f"Not refreshed: {exc.sentence}")
            self.ctx.notify_error(exc)
            return
        self.ctx.rest_answered()
        self.composer.set_progress("")
        self._show_head()
        if self.ctx.config.mark_read == "open":
            self.mark_read_soon()
        await self.history.show_recent(page.data, page.total)
        self.looked.shown(bool(self.composer.text.strip()))
        await self._show_unresolved()

    @on(History.NeedOlder)
    def _need_older(self, message: History.NeedOlder) -> None:
        self.load_older(message.skip)

    @work(exit_on_error=False, group="older")
    async def load_older(self, skip: int) -> None:
        backend = self.ctx.backend
        if backend is None:
            self.history.older_failed()
            return
        try:
            page = await backend.client.list_messages(
                self.conversation.id, channel=self.conversation.channel, skip=skip
            )
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
            self.history.older_failed()
            return
        except BaseException:
            self.history.older_failed()  # never stuck "loading": the app reports the error
            raise
        await self.history.add_older(page.data, page.total)

    @work(exclusive=True, exit_on_error=False, group="poll")
    async def poll(self) -> None:
        """While polling (never while live): new messages appear while the view is open."""
        if self.ctx.backend is not None and self.poll_due():
            await self.read_newest()

    # -- sending --------------------------------------------------------------------------------

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        draft = Draft(
            text=event.text, note=event.note, attachments=event.attachments, reply_to=event.reply_to
        )
        try:  # the checks that need no server, for instant feedback; the outbox checks again
            check_draft(self.conversation, self.spec, draft, self.ctx.clock())
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
            return
        seen = None if draft.note else self.looked.at_send()  # before the composer empties
        self.composer.set_text("")
        self.composer.clear_quote()
        self.composer.clear_attachments()
        self._enqueue(draft, draft.text, "note" if draft.note else "reply", seen)

    def _enqueue(self, draft: Draft, preview: str, draft_mode: str | None, seen: Seen | None = None) -> None:
        """Show the message at once, pending, and hand it to the outbox (stored before sending)."""
        client_id = uuid.uuid4().hex
        item = HistoryItem(
            local_message(self.conversation.id, client_id, draft, preview, self.ctx.clock()),
            now=self.ctx.clock(),
            client_id=client_id,
            draft=draft,
            state="queued",
        )
        self.run_worker(self.history.add_local(item), group="history-local")
        self._submit(draft, preview, draft_mode, item, seen)

    @work(exit_on_error=False, group="send")
    async def _submit(
        self, draft: Draft, preview: str, draft_mode: str | None, item: HistoryItem, seen: Seen | None
    ) -> None:
        """Into the outbox; a reply with `seen` (what the agent saw) is checked for a hold."""
        outbox = self.ctx.outbox
        try:
            if outbox is None:
                raise SwitchboardError(
                    self.ctx.backend_error or "Not connected to a backend yet; try again in a moment."
                )
            entry = await outbox.submit(
                self.conversation.id,
                draft,
                preview,
                draft_mode=draft_mode,
                client_id=item.client_id,
                seen=seen if not (draft.note or draft.template) else None,
            )
        except (OSError, sqlite3.Error, SwitchboardError) as exc:
            # Nothing was stored or sent: the draft goes back into the composer.
            await self.history.settle(item, keep=False)
            self._restore(draft)
            sentence = exc.sentence if isinstance(exc, SwitchboardError) else f"The outbox failed ({exc})."
            self.ctx.notify_error(f"{sentence} Nothing was sent.")
            return
        if item.entry_id is None:
            item.entry_id = entry.id

    def _seen(self) -> Seen | None:
        """What the screen shows now, for the hold; None before the history was first read."""
        if not self.history.read_once:
            return None
        local = {item.client_id for item in self.history.local_items if item.client_id}
        return Seen.of(self.conversation, [item.message for item in self.history.items], local)

    def _item_for(self, entry: OutboxEntry) -> HistoryItem | None:
        by_client = self.history.local(entry.client_id) if entry.client_id else None
        return by_client or self.history.for_entry(entry.id)

    async def _outbox_news(self, news: OutboxNews) -> None:
        """An outbox entry of this conversation moved on: update (or show) its item."""
        if isinstance(news, OutboxOpened):  # opened after this screen: its unresolved sends
            await self._show_unresolved()
            return
        if isinstance(news, OutboxProgress):
            item = self.history.for_entry(news.entry_id)
            p = news.progress
            if item is None:
                return
            if p.stage == "uploading":
                pct = 100 * p.done // max(p.total, 1)
                self.composer.set_progress(f"Uploading {one_line(p.detail, 30)}: {pct}%")
                item.show_state("uploading", detail=f"uploading {pct}%…")
            else:
                self.composer.set_progress("")
            return
        assert isinstance(news, OutboxChanged)
        entry = news.entry
        if entry.conversation_id != self.conversation.id:
            return
        item = self._item_for(entry)
        if item is None:
            if entry.state in FINAL:
                await self.history.add_new(news.created, self.history.total + len(news.created))
                return
            item = outbox_item(entry, self.ctx.clock())
            await self.history.add_local(item)
        item.entry_id = entry.id
        self.history.confirm(item, news.created)
        if entry.state in FINAL:
            self.composer.set_progress("")
            await self.history.settle(item, keep=entry.state == "sent")
            self.history.scroll_to_newest()
            self._show_head()
            return
        item.show_state(entry.state, entry.reason)
        if entry.state in RESOLVABLE:
            self.composer.set_progress("")
            self.ctx.notify_error(entry.reason or "The message was not sent.")

    async def _show_unresolved(self) -> None:
        """Sends of this conversation still in the outbox (a restart, another instance) show at once."""
        outbox = self.ctx.outbox
        if outbox is None:
            return
        for entry in await outbox.unresolved(self.conversation.id):
            if self._item_for(entry) is None:
                await self.history.add_local(outbox_item(entry, self.ctx.clock()))

    # -- drafts and leaving ---------------------------------------------------------------------

    @on(Composer.DraftChanged)
    def _draft_changed(self) -> None:
        self.drafts.changed()
        self.looked.draft_changed(bool(self.composer.text.strip()))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, HistoryItem):
            self.looked.looked()

    def save_state(self) -> None:
        self.drafts.save_now()

    def on_screen_suspend(self) -> None:
        self.drafts.save_now()
        self._left_for_screen = not isinstance(self.app.screen, ModalScreen)
        self._keep_message_focus = bool(getattr(self.app.screen, "KEEPS_MESSAGE_FOCUS", False))

    def on_screen_resume(self) -> None:
        """Back from the outbox (another full screen), typing goes to the composer, never to
        r/e/d on a message; back from a question about a message, the message keeps focus."""
        focused = self.app.focused
        idle_item = isinstance(focused, HistoryItem) and not focused.resolvable
        if idle_item and self._keep_message_focus:  # back from its preview or save: p, s again
            idle_item = False
        if self._left_for_screen or idle_item or focused is None:
            self.composer.area.focus()
        self._left_for_screen = self._keep_message_focus = False

    def on_unmount(self) -> None:
        # This conversation's toasts must not follow the agent into the next one.
        self.app.clear_notifications()

    # -- actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.drafts.save_now()
        self.app.pop_screen()

    def action_toggle_note(self) -> None:
        self.composer.toggle_mode()
        self.refresh_bindings()  # on SMS, back in reply mode, the key is no longer offered

    def action_contact(self) -> None:
        self.contact.toggle()

    @on(ContactCardView.Open)
    def _contact_open(self, message: ContactCardView.Open) -> None:
        self.contact.opened(message.conversation)

    @on(ContactCardView.Closed)
    def _contact_closed(self) -> None:
        self.contact.close()

    def action_focus_history(self) -> None:
        items = self.history.items
        if items:
            items[-1].focus()

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.check_action("toggle_note", ()):
            yield SystemCommand("Toggle reply / note", "Switch the composer's mode", self.action_toggle_note)
        yield SystemCommand("Attach files", "Pick files to send", self.action_attach)
        yield SystemCommand("Write in $EDITOR", "Edit the draft in your own editor", self.action_editor)
        yield SystemCommand(
            "Insert a snippet", "A canned reply at the cursor (ctrl+r)", self.composer.area.action_snippet
        )
        if self.spec is not None and self.spec.templates:
            yield SystemCommand("Send a WhatsApp template", "Pick an approved template", self.action_template)
        yield self.contact.command()
        yield from self.ai_commands()
        focused = self.focused
        if isinstance(focused, HistoryItem):
            yield from message_commands(focused)
