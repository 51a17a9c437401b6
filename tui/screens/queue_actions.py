"""Working the queue: read, close, assign, take over from the AI and snooze a conversation, from
the inbox row or from inside it, and the moves "next unread" and "close, then the next that
needs a reply". The inbox and the conversation screen share `QueueActions`; the PATCH bodies and
the confirmations come from `tui.core.actions`, one place for the app and the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import SystemCommand

from tui.context import AppContext, context
from tui.core.errors import SwitchboardError

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.core.actions import Action
    from tui.core.models import Conversation
    from tui.screens.assign import AssignChoice


def snoozed_ids(app: AppContext, now: datetime) -> set[int]:
    """The conversations still snoozed: a snooze whose time came, or whose customer wrote
    since it was set (as far as the cache knows), is dropped from the store here."""
    from tui.core.snoozes import is_awake

    if app.store is None:
        return set()
    snoozes = app.store.snoozes(app.profile_name)
    cache = app.backend.client.cache if app.backend is not None else None
    awake = [
        cid
        for cid, snooze in snoozes.items()
        if snooze.until <= now
        or (cache is not None and (known := cache.get(cid)) is not None and is_awake(snooze, known, now))
    ]
    if awake:
        app.store.wake(app.profile_name, awake)
    return set(snoozes) - set(awake)


async def open_next(app: AppContext, *, after: int | None, unread: bool) -> bool:
    """Open the next conversation after `after` (newest interaction first, wrapping) with
    unread messages (`unread`), or needing a reply, from the queue's first page of that view
    (read first when the queue has not been read yet). Says so when there is none."""
    target = await pick_next(app, after=after, unread=unread)
    if target is not None:
        app.open_conversation(target)
        return True
    if app.queue is not None and app.queue.read_at:
        app.notify_plain(
            "No other conversation is unread." if unread else "Nothing else needs a reply.", timeout=5
        )
    return False


async def pick_next(app: AppContext, *, after: int | None, unread: bool) -> Conversation | None:
    """The conversation `open_next` would open (None: there is none, or it cannot be read)."""
    from tui.core.queue_views import View

    backend, queue = app.backend, app.queue
    if backend is None or queue is None:
        app.notify_plain("The queue is still loading; try again in a moment.", timeout=4)
        return None
    try:
        if not queue.read_at:
            await queue.read(backend.client, me=app.me.id if app.me is not None else None)
        snoozed = snoozed_ids(app, app.clock())
        cid = queue.next_after(View.UNREAD if unread else View.NEEDS_REPLY, after, skip=snoozed.__contains__)
        if cid is None:
            return None
        return backend.client.cache.get(cid) or await backend.client.get_conversation(cid)
    except SwitchboardError as exc:
        app.notify_error(exc)
        return None


class QueueActions:
    """Mixed into a screen that has a conversation at hand (`queue_target`)."""

    def queue_target(self) -> Conversation | None:
        raise NotImplementedError

    @property
    def _screen(self) -> Screen[Any]:
        """The screen this is mixed into."""
        return cast("Screen[Any]", self)

    @property
    def _ctx(self) -> AppContext:
        return context(self._screen)

    # -- the actions ----------------------------------------------------------------------------

    def action_queue_read(self) -> None:
        """Mark read, or unread when it is read already."""
        from tui.core.actions import Action

        target = self.queue_target()
        if target is not None:
            self.queue_act(target, Action.UNREAD if target.unread_count == 0 else Action.READ)

    def action_queue_close(self) -> None:
        """Close, or reopen when it is closed."""
        from tui.core.actions import Action
        from tui.core.queue import is_open

        target = self.queue_target()
        if target is not None:
            self.queue_act(target, Action.CLOSE if is_open(target) else Action.REOPEN)

    def action_queue_close_next(self) -> None:
        from tui.core.actions import Action

        target = self.queue_target()
        if target is not None:
            self.queue_act(target, Action.CLOSE, then_next=True)

    def action_queue_assign_me(self) -> None:
        from tui.core.actions import Action

        target = self.queue_target()
        if target is None:
            return
        if self._ctx.me is None:
            self._ctx.notify_plain(
                "Who you are is not known yet (or the server does not say); use assign to…."
            )
            return
        self.queue_act(target, Action.ASSIGN)

    def action_queue_assign_to(self) -> None:
        from tui.core.actions import Action
        from tui.core.ai import directory
        from tui.core.queue import has_ai
        from tui.screens.assign import AssignScreen

        target = self.queue_target()
        if target is None:
            return
        app = self._ctx
        me = app.me.id if app.me is not None else None

        def chosen(choice: AssignChoice | None) -> None:
            if choice is None:
                return
            if choice.user_id is None:
                self.queue_act(target, Action.UNASSIGN)
            else:
                self.queue_act(target, Action.ASSIGN, to=choice.user_id)

        ai = None
        if has_ai(target):  # the AI holds it: named from the assistants read (no request here)
            held = directory(app.backend.client).assistant_names() if app.backend is not None else {}
            ai = held.get(str(target.assigned_ai_assistant_id)) or "An AI assistant"
        self._screen.app.push_screen(
            AssignScreen(
                app.agents, me=me, current=target.assigned_user_id, contact=target.contact_name, ai=ai
            ),
            chosen,
        )

    def action_queue_takeover(self) -> None:
        from tui.core.actions import Action
        from tui.core.queue import has_ai

        target = self.queue_target()
        if target is None:
            return
        if not has_ai(target):
            self._ctx.notify_plain("No AI assistant holds this conversation; assign it instead.", timeout=5)
            return
        if self._ctx.me is None:
            self._ctx.notify_plain("Taking over needs to know who you are; the server has not said yet.")
            return
        self.queue_act(target, Action.TAKEOVER)

    def action_queue_snooze(self) -> None:
        from tui.screens.snooze import SnoozeScreen

        target = self.queue_target()
        app = self._ctx
        if target is None or app.store is None:
            return
        from tui.core.snooze import local_zone

        now = app.clock()
        zone = local_zone()  # with its daylight-saving rules: "next week 9:00" stays 9:00

        def chosen(until: datetime | None) -> None:
            if until is None or app.store is None:
                return
            from tui.core.snooze import describe_until

            app.store.snooze(app.profile_name, target.id, until, now=app.clock())
            when = describe_until(until, app.clock(), zone)
            app.notify_plain(
                f"Conversation {target.id} snoozed until {when}; it comes back sooner if the customer writes."
            )
            app.publish_queue()

        self._screen.app.push_screen(SnoozeScreen(now, zone, target.contact_name), chosen)

    def action_queue_unsnooze(self) -> None:
        target = self.queue_target()
        app = self._ctx
        if target is None or app.store is None:
            return
        if target.id not in app.store.snoozes(app.profile_name):
            app.notify_plain(f"Conversation {target.id} is not snoozed.", timeout=4)
            return
        app.store.unsnooze(app.profile_name, target.id)
        app.notify_plain(f"Conversation {target.id} is back in the queue.", timeout=4)
        app.publish_queue()

    # -- doing one ------------------------------------------------------------------------------

    def queue_act(
        self,
        conversation: Conversation,
        action: Action,
        *,
        to: int | None = None,
        then_next: bool = False,
        quiet: bool = False,
    ) -> None:
        self._queue_apply(conversation, action, to, then_next, quiet)

    @work(group="queue-action", exit_on_error=False)
    async def _queue_apply(
        self, conversation: Conversation, action: Action, to: int | None, then_next: bool, quiet: bool
    ) -> None:
        from tui.core.actions import apply, done_sentence

        app = self._ctx
        backend = app.backend
        if backend is None:
            app.notify_error(app.backend_error or "Not connected to a backend yet; try again in a moment.")
            return
        # Chosen before the close changes the queue: "next" is next after this one, in order.
        following = await pick_next(app, after=conversation.id, unread=False) if then_next else None
        try:
            updated = await apply(backend.client, conversation.id, action, me=app.me, to=to)
        except SwitchboardError as exc:
            app.notify_error(exc)
            return
        app.publish_queue(updated)
        if not quiet:
            app.notify_plain(done_sentence(action, updated, me=app.me, users=app.agents), timeout=4)
        if then_next:
            if following is not None:
                app.open_conversation(following)
            else:
                app.notify_plain("Nothing else needs a reply.", timeout=5)
                screens = self._screen.app
                while len(screens.screen_stack) > 1:
                    screens.pop_screen()

    def queue_commands(self) -> Iterable[SystemCommand]:
        """The palette's entries for these actions, each naming its key."""
        target = self.queue_target()
        if target is None:
            return
        for title, help_text, action in (
            ("Mark read / unread", "Toggle the unread mark", self.action_queue_read),
            ("Close / reopen", "Close the conversation, or reopen a closed one", self.action_queue_close),
            ("Close and next", "Close it and open the next that needs a reply", self.action_queue_close_next),
            ("Assign to me", "Assign the conversation to yourself", self.action_queue_assign_me),
            ("Assign to…", "Pick an agent, or nobody", self.action_queue_assign_to),
            (
                "Take over from the AI",
                "Stop the AI assistant and assign it to you",
                self.action_queue_takeover,
            ),
            ("Snooze…", "Hide it until a time, or until the customer writes", self.action_queue_snooze),
            ("Unsnooze", "Bring a snoozed conversation back now", self.action_queue_unsnooze),
        ):
            # The conversation's id, not its contact: the palette's highlighter reads titles as markup.
            yield SystemCommand(f"{title} (conversation {target.id})", help_text, action)
