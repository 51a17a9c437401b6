"""The app's live connection and the queue it keeps: the Socket.IO feed (`tui.core.live`),
opened once the inbox's first rows are drawn; its events, in batches (one a frame, however many
arrive), fed into the profile's `ConversationCache` and `QueueState` and handed to every screen;
its state in the title bar, with the request budget when more than half of it is spent; and the
terminal notifications it gives rise to.

The feed and its stack (python-socketio, aiohttp) are imported in a thread: half a second of
imports must never stall a keystroke. The feed runs on its own thread and loop
(`tui.core.live_thread`), so the socket is read and pinged however busy drawing is; its events
arrive here in batches. Events are not replayed by the server, so every connect is followed by
`LiveResynced`, on which each screen re-reads what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import on, work

from tui.app_queue import QueueApp
from tui.messages import ConversationsChanged, LiveEvents, LiveResynced, LiveStatus

if TYPE_CHECKING:
    from tui.backend import Backend
    from tui.core.live import LiveEvent, LiveState
    from tui.core.live_thread import LiveThread
    from tui.core.models import Conversation, Message
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
#: How often the request budget is written to, and read back from, the machine's log.
BUDGET_FLUSH_SECONDS = 5.0


def _import_live_stack() -> Any:
    """The feed's module and what its first connection loads (socketio, aiohttp), off the loop."""
    module = importlib.import_module("tui.core.live_thread")
    for name in ("socketio", "aiohttp"):
        with contextlib.suppress(ImportError):  # the feed says so in its own sentence
            importlib.import_module(name)
    return module


class LiveApp(QueueApp):
    """Live updates and notifications, on top of the backend's lifecycle."""

    _live: LiveThread | None
    _live_for: Backend | None
    #: "live", "polling" or "offline" as the title bar says it; None before the feed reported.
    live_state: str | None
    live_reason: str | None
    notifier: Notifier | None

    def start_timers(self) -> None:
        """The app's own timers (once, at mount): the budget's log and the timed queue re-read."""
        self.set_interval(BUDGET_FLUSH_SECONDS, self._flush_budget)
        self.set_interval(WINDOW_CHECK_SECONDS, self._check_windows)

    def _live_init(self) -> None:
        #: The newest customer message each conversation was rung for (pushes and reads agree).
        self._told_inbound: dict[int, datetime] = {}
        self._live = None
        self._live_for = None
        self.live_state = None
        self.live_reason = None
        self.notifier = None
        self._changed_ids: set[int] = set()
        self._changes_due = False
        #: Unread counts as last read while polling: one that grew is a customer who wrote.
        self._unread_seen: dict[int, int] = {}
        self._queue_polled = 0.0
        self._feed_reported = False

    @property
    def live(self) -> bool:
        """Pushed news arrives: nothing is polled. Every change is pushed, the embedded sandbox's
        too (it pushes what other processes write to its file)."""
        return self.live_state == "live"

    def live_label(self) -> str:
        """What the title bar says about freshness: ' · live', ' · polling', ' · offline'."""
        return f" · {self.live_state}" if self.live_state else ""

    def rest_answered(self) -> None:
        """A REST read just worked: a feed waiting out its backoff to reconnect tries now, and
        sends waiting for the server go."""
        if self.live_state == "offline":
            if self._live is not None:
                self._live.nudge()
            self._connection_back()

    def _connection_back(self) -> None:
        if self.outbox is not None:
            self.outbox.connection_back()

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
        self._ensure_notifier()  # polling notifies too (from the reads), not only pushes
        backend.client.cache.listeners.append(self._cache_changed)
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
        feed: LiveThread = module.LiveThread(
            backend.profile,
            on_events=self._events_arrived,
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
        self._feed_reported = self._agent_known = self._queue_pending = False
        await super()._close_backend()

    def _ensure_notifier(self) -> None:
        if self.notifier is None:
            from tui.notifier import Notifier

            self.notifier = Notifier(
                self, self.config.notifications, me=lambda: self.me.id if self.me is not None else None
            )

    def restore_terminal_title(self) -> None:
        """Give the terminal back its title (on the way out, while the driver still runs)."""
        if self.notifier is not None:
            self.notifier.restore()

    # -- what the feed says -------------------------------------------------------------------------

    @on(LiveStatus)
    def _live_status(self, message: LiveStatus) -> None:
        state: LiveState = message.state
        first, self._feed_reported = not self._feed_reported, True
        if first and str(state.value) != "live" and self.queue is not None and not self.queue.read_at:
            self.want_queue()  # no live connection after all: the figures are read now
        before, before_reason = self.live_state, self.live_reason
        self.live_state, self.live_reason = str(state.value), message.reason
        if self.live_state == "live" and before != "live":
            self._connection_back()  # a send waiting for the server goes now, not at its timer
        if self.backend is not None:
            self.sub_title = self.backend_title(self.backend)
        said = (before, before_reason)
        on_screen = {n.message for n in self._notifications}  # an ended login: the list said it
        fresh = said != (self.live_state, message.reason) and message.reason not in on_screen
        if fresh and message.reason and self.live_state != "live":
            self.notify(message.reason, timeout=6)  # a refused key, no live updates: said once
        self.backend_signal.publish(message)

    @on(LiveResynced)
    def _live_resynced(self, message: LiveResynced) -> None:
        self.backend_signal.publish(message)
        self.want_queue()

    def feed_coming(self) -> bool:
        backend = self.backend
        return backend is not None and backend.profile.realtime != "off" and not self._feed_reported

    def _events_arrived(self, events: list[LiveEvent]) -> None:
        """One batch of pushed events (however many arrived since the last): into the cache and
        the queue's figures, then to every screen, then the notifications (the newest customer
        message of each conversation)."""
        batch = tuple(events)
        backend = self.backend
        if not batch or backend is None:
            return
        cache = backend.client.cache
        ids: set[int] = set()
        for event in batch:
            if event.conversation is not None:
                cache.record(event.conversation)
            elif event.message is not None and event.conversation_id and event.kind == "message_created":
                cache.learn_message(event.conversation_id, event.message)
            if event.conversation_id is not None:
                ids.add(event.conversation_id)
        self.queue_changed(ids)
        self.backend_signal.publish(LiveEvents(batch))
        newest: dict[int, LiveEvent] = {}
        for event in batch:
            message = event.message
            if event.kind != "message_created" or message is None or event.conversation_id is None:
                continue
            if message.is_inbound and not message.is_reaction:
                newest[event.conversation_id] = event
        for event in newest.values():
            self._customer_wrote(event)

    def _cache_changed(self, ids: set[int]) -> None:
        """The cache's listener: changes are told to the screens once per turn of the loop."""
        self._changed_ids |= ids
        if not self._changes_due:
            self._changes_due = True
            self.call_later(self._publish_changes)

    def _publish_changes(self) -> None:
        ids, self._changed_ids, self._changes_due = frozenset(self._changed_ids), set(), False
        if ids:
            self.backend_signal.publish(ConversationsChanged(ids))

    # -- notifications ---------------------------------------------------------------------------

    def _customer_wrote(self, event: LiveEvent) -> None:
        backend = self.backend
        conversation = (
            backend.client.cache.get(event.conversation_id) if backend and event.conversation_id else None
        )
        if conversation is None:
            self._customer_wrote_unknown(event)
            return
        if event.message is not None:
            self._notify_inbound(conversation, event.message)

    @work(exit_on_error=False, group="live-lookup")
    async def _customer_wrote_unknown(self, event: LiveEvent) -> None:
        """A conversation the cache does not hold: read it (one request) to name its contact."""
        from tui.core.errors import SwitchboardError

        backend = self.backend
        if backend is None or event.conversation_id is None:
            return
        try:
            conversation = await backend.client.get_conversation(event.conversation_id)
            await backend.client.fill_contacts([conversation])
        except SwitchboardError:
            return  # no notification beats a wrong one; the list shows the message anyway
        conversation = backend.client.cache.get(conversation.id) or conversation
        if event.message is not None:
            self._notify_inbound(conversation, event.message)

    def _notify_inbound(self, conversation: Conversation, message: Message) -> None:
        """Ring for a customer's message, once however it was learnt (pushed, or read)."""
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

    def queue_read_news(self) -> None:
        """The queue's figures were read: what they say to the notifier."""
        queue = self.queue
        if queue is not None:
            self.read_news([*queue.unread, *queue.needs_reply])
        self._show_unread()

    def read_news(self, ids: Iterable[int]) -> None:
        """While polling (no pushes), a conversation read again whose unread count grew is a
        customer who wrote: told once. The first read of a conversation only sets its baseline."""
        from tui.core.models import Message as ApiMessage

        backend = self.backend
        if backend is None:
            return
        cache = backend.client.cache
        for cid in ids:
            c = cache.get(cid)
            if c is None or c.unreadable:
                continue
            before = self._unread_seen.get(cid)
            self._unread_seen[cid] = c.unread_count
            if before is None or self.live or c.unread_count <= before:
                continue
            at = c.last_inbound_message_at or c.last_interaction_at or self.clock()
            message = ApiMessage(
                id=f"read-{cid}",
                conversation_id=cid,
                direction="inbound",
                message_text=c.last_message_text,
                created_at=at,
            )
            self._notify_inbound(c, message)

    def _on_screen_id(self) -> int | None:
        shown = getattr(self.screen, "conversation", None)
        value = getattr(shown, "id", None)
        return value if isinstance(value, int) else None

    def _show_unread(self) -> None:
        """The terminal's title carries how many conversations the rule covers wait unread (of
        the first page of Unread the queue holds)."""
        from tui.core.notify import should_notify

        backend, queue = self.backend, self.queue
        if self.notifier is None or queue is None or backend is None:
            return
        rule = self.notifier.settings.rule
        cache = backend.client.cache
        waiting = sum(
            1
            for cid in queue.unread
            if (c := cache.get(cid)) is not None
            and c.unread_count > 0
            and should_notify(c, self._me_id(), rule)
        )
        self.notifier.set_unread(waiting)

    def _check_windows(self) -> None:
        """A draft waits in a conversation whose reply window closes soon: said once a window."""
        backend = self.backend
        if self.notifier is None or backend is None or self.store is None:
            return
        drafts = self.store.draft_conversations(self.profile_name)
        cache = backend.client.cache
        known = [c for cid in drafts if (c := cache.get(cid)) is not None]
        self.notifier.check_windows(known, drafts, on_screen=self._on_screen_id(), now=self.clock())
