"""The app's live connection: the Socket.IO feed (`tui.core.live`), opened once the inbox's
first rows are drawn, its events turned into messages every screen hears, its state in the
title bar, and the terminal notifications it gives rise to.

The feed and its stack (python-socketio, aiohttp) are imported in a thread: half a second of
imports must never stall a keystroke. Events are not replayed by the server, so every connect is
followed by `LiveResynced`, on which each screen re-reads what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import on, work

from tui.app_backend import BackendApp
from tui.messages import LiveResynced, LiveStatus, LiveUpdate

if TYPE_CHECKING:
    from tui.backend import Backend
    from tui.core.live import LiveEvent, LiveFeed, LiveState
    from tui.core.models import Conversation, Message
    from tui.core.queue_scan import OpenScan
    from tui.notifier import Notifier

#: A pushed message and the scan's `last_inbound_message_at` for it may differ by this much.
SAME_MESSAGE = timedelta(seconds=2)
#: How long after the first rows the feed is loaded and connected.
LIVE_START_DELAY_SECONDS = 1.0
#: If the first rows never arrive (the server is down), the feed still starts after this long:
#: it is how the app learns the server is back.
LIVE_START_FALLBACK_SECONDS = 3.0
#: How often drafts in closing windows are looked at (the notification comes once per window).
WINDOW_CHECK_SECONDS = 30.0


def _import_live_stack() -> Any:
    """The feed's module and what its first connection loads (socketio, aiohttp), off the loop."""
    module = importlib.import_module("tui.core.live")
    for name in ("socketio", "aiohttp"):
        with contextlib.suppress(ImportError):  # the feed says so in its own sentence
            importlib.import_module(name)
    return module


class LiveApp(BackendApp):
    """Live updates and notifications, on top of the backend's lifecycle."""

    _live: LiveFeed | None
    _live_for: Backend | None
    #: "live", "polling" or "offline" as the title bar says it; None before the feed reported.
    live_state: str | None
    live_reason: str | None
    notifier: Notifier | None

    def _live_init(self) -> None:
        #: The newest customer message each conversation was rung for (pushes and scans agree).
        self._told_inbound: dict[int, datetime] = {}
        self._live = None
        self._live_for = None
        self.live_state = None
        self.live_reason = None
        self.notifier = None

    @property
    def live(self) -> bool:
        """Pushed news arrives: the screens' polls may rest."""
        return self.live_state == "live"

    @property
    def polls_may_rest(self) -> bool:
        """Live, and every change reaches the feed: not so with the app's own embedded sandbox,
        which pushes only what it wrote itself (a `switchboard send` writes the same file from
        another process), so its polls keep their pace."""
        backend = self.backend
        return self.live and backend is not None and not backend.profile.is_sandbox

    def backend_title(self, backend: Backend) -> str:
        """The title bar's words for a backend: the profile, how fresh, then where (the address
        is the part an 80-column bar cuts, so it goes last)."""
        name, _, where = backend.description.partition(" · ")
        return f"{name}{self.live_label()} · {where}" if where else f"{name}{self.live_label()}"

    def live_label(self) -> str:
        """What the title bar says about freshness: ' · live', ' · polling', ' · offline'."""
        return f" · {self.live_state}" if self.live_state else ""

    def rest_answered(self) -> None:
        """A REST read just worked: a feed waiting out its backoff to reconnect tries now."""
        if self._live is not None and self.live_state == "offline":
            self._live.nudge()

    # -- opening and closing ----------------------------------------------------------------------

    def first_rows_shown(self) -> None:
        """The inbox drew its first rows: the feed loads a moment later, so its imports (in a
        thread, but holding the interpreter much of the time) neither slow the agent's first
        keys nor count in the start-up's memory; the rows just read are fresh meanwhile."""
        self.rows_drawn()
        backend = self.backend
        if backend is not None and self._live_for is not backend:
            self._live_for = backend
            self.set_timer(LIVE_START_DELAY_SECONDS, lambda: self._open_live_for(backend))

    def _open_live_for(self, backend: Backend) -> None:
        if self.backend is backend:
            self._open_live(backend)

    def _live_fallback(self, backend: Backend) -> None:
        if self.backend is backend and self._live_for is not backend:
            self.first_rows_shown()

    def backend_opened(self, backend: Backend) -> None:
        """Until the feed says it is live, what is shown is as fresh as the last poll; with
        `realtime = "off"` it stays so and the feed is never loaded."""
        self.live_state, self.live_reason = "polling", None
        self._ensure_notifier()  # polling notifies too (from the scan), not only pushes
        if backend.profile.realtime == "off":
            self._live_for = backend
            return
        self.set_timer(LIVE_START_FALLBACK_SECONDS, lambda: self._live_fallback(backend))

    @work(exclusive=True, exit_on_error=False, group="live")
    async def _open_live(self, backend: Backend) -> None:
        await self._close_live()
        # python-socketio and aiohttp take ~0.3 s to import: not on the loop that draws.
        module = await asyncio.to_thread(_import_live_stack)
        if self.backend is not backend:
            return
        self._ensure_notifier()
        feed: LiveFeed = module.LiveFeed(
            backend.profile,
            on_event=lambda event: self.post_message(LiveUpdate(event)),
            on_state=lambda state, reason: self.post_message(LiveStatus(state, reason)),
            on_resync=lambda: self.post_message(LiveResynced()),
        )
        self._live = feed
        await feed.start()

    async def _close_live(self) -> None:
        feed, self._live = self._live, None
        if feed is not None:
            await feed.stop()

    async def _close_backend(self) -> None:
        await self._close_live()
        self._live_for = None
        self.live_state = self.live_reason = None
        await super()._close_backend()

    def _ensure_notifier(self) -> None:
        if self.notifier is None:
            from tui.notifier import Notifier

            self.notifier = Notifier(
                self, self.config.notifications, me=lambda: self.me.id if self.me is not None else None
            )
            self.set_interval(WINDOW_CHECK_SECONDS, self._check_windows)

    def restore_terminal_title(self) -> None:
        """Give the terminal back its title (on the way out, while the driver still runs)."""
        if self.notifier is not None:
            self.notifier.restore()

    # -- what the feed says -------------------------------------------------------------------------

    @on(LiveStatus)
    def _live_status(self, message: LiveStatus) -> None:
        state: LiveState = message.state
        before, before_reason = self.live_state, self.live_reason
        self.live_state, self.live_reason = str(state.value), message.reason
        if self.backend is not None:
            self.sub_title = self.backend_title(self.backend)
        said = (before, before_reason)
        if said != (self.live_state, message.reason) and message.reason and self.live_state != "live":
            self.notify(message.reason, timeout=6)  # a refused key, no live updates: said once
        self.backend_signal.publish(message)

    @on(LiveResynced)
    def _live_resynced(self, message: LiveResynced) -> None:
        self.backend_signal.publish(message)

    @on(LiveUpdate)
    def _live_update(self, message: LiveUpdate) -> None:
        event: LiveEvent = message.event
        if event.kind == "conversation_patched" and event.conversation is not None:
            self._scan_replace(event.conversation)
        self.backend_signal.publish(message)
        if event.kind == "message_created" and event.message is not None and event.message.is_inbound:
            self._customer_wrote(event)
        if event.kind == "conversation_patched":
            self._show_unread()

    def _scan_replace(self, conversation: Conversation) -> None:
        """Keep the scan behind the views current: the queue's counts move as events arrive."""
        from tui.core.queue_scan import with_conversation

        if self.queue is not None:
            self.queue = with_conversation(self.queue, conversation)

    def _known(self, conversation_id: int | None) -> Conversation | None:
        if conversation_id is None or self.queue is None:
            return None
        return next((c for c in self.queue.conversations if c.id == conversation_id), None)

    def _customer_wrote(self, event: LiveEvent) -> None:
        conversation = self._known(event.conversation_id)
        if conversation is None:
            self._customer_wrote_unknown(event)
            return
        self._notify_customer(conversation, event)

    @work(exit_on_error=False, group="live-lookup")
    async def _customer_wrote_unknown(self, event: LiveEvent) -> None:
        """A conversation the scan does not hold (just reopened, or past its cap): read it."""
        from tui.core.errors import SwitchboardError

        backend = self.backend
        if backend is None or event.conversation_id is None:
            return
        try:
            conversation = await backend.client.get_conversation(event.conversation_id)
        except SwitchboardError:
            return  # no notification beats a wrong one; the list shows the message anyway
        self._notify_customer(conversation, event)

    def _notify_customer(self, conversation: Conversation, event: LiveEvent) -> None:
        if event.message is not None:
            self._notify_inbound(conversation, event.message)

    def _notify_inbound(self, conversation: Conversation, message: Message) -> None:
        """Ring for a customer's message, once however it was learnt (pushed, or seen in a scan)."""
        if self.notifier is None:
            return
        at = message.created_at
        told = self._told_inbound.get(conversation.id)
        if at is not None and told is not None and at <= told + SAME_MESSAGE:
            return
        if at is not None:
            self._told_inbound[conversation.id] = at
        on_screen = self._on_screen_id() == conversation.id
        self.notifier.customer_wrote(conversation, message, on_screen=on_screen)

    def scan_renewed(self, previous: OpenScan | None) -> None:
        """The scan behind the views was read again: a customer who wrote since the one before is
        told about (polling, or what the feed missed while it was down), and the title's unread
        count follows. The first scan only sets the baseline."""
        from tui.core.models import Message as ApiMessage

        scan = self.queue
        if scan is not None and previous is not None:
            before = {c.id: c.last_inbound_message_at for c in previous.conversations}
            known = [at for at in before.values() if at is not None]
            newest = max(known) if known else None
            for c in scan.conversations:
                at = c.last_inbound_message_at
                if at is None or c.unreadable:
                    continue
                was = before.get(c.id, newest)  # one that joined the open ones: newer than all
                if was is None or at > was:
                    self._notify_inbound(
                        c,
                        ApiMessage(
                            id=f"scan-{c.id}",
                            conversation_id=c.id,
                            direction="inbound",
                            message_text=c.last_message_text,
                            created_at=at,
                        ),
                    )
        self._show_unread()

    def _on_screen_id(self) -> int | None:
        shown = getattr(self.screen, "conversation", None)
        value = getattr(shown, "id", None)
        return value if isinstance(value, int) else None

    def _show_unread(self) -> None:
        """The terminal's title carries how many conversations the rule covers wait unread."""
        from tui.core.notify import should_notify

        if self.notifier is None or self.queue is None:
            return
        me = self.me.id if self.me is not None else None
        rule = self.notifier.settings.rule
        waiting = sum(
            1
            for c in self.queue.conversations
            if c.unread_count > 0 and c.status != "closed" and should_notify(c, me, rule)
        )
        self.notifier.set_unread(waiting)

    def _check_windows(self) -> None:
        """A draft waits in a conversation whose reply window closes soon: said once a window."""
        if self.notifier is None or self.queue is None or self.store is None:
            return
        drafts = self.store.draft_conversations(self.profile_name)
        self.notifier.check_windows(
            self.queue.conversations, drafts, on_screen=self._on_screen_id(), now=self.clock()
        )
