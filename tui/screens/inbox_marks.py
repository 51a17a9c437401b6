"""Marked rows in the inbox, and the queue's actions on all of them at once.

`space` marks the row under the cursor (and moves on), `*` marks every row of the view the list
holds, `esc` clears the marks; their count shows in the filters' line and each marked row starts
with `●`. While rows are marked, close or reopen (`x`), assign to me (`a`), assign to… (`A`),
hand to an AI assistant (`alt+i`) and snooze (`z`) act on all of them: one
`POST /conversations-bulk-actions` (`tui.core.bulk`) for the server's actions, the local store
for snoozes. `x` reads "Reopen" on a closed row (or
when every marked row is closed), "Close" otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import SystemCommand

from tui.core.errors import SwitchboardError
from tui.screens.queue_actions import QueueActions

if TYPE_CHECKING:
    from tui.core.actions import Action
    from tui.core.models import Conversation
    from tui.screens.assign import AssignChoice
    from tui.widgets.conversation_list import ConversationList


class Marks:
    """The ids of the marked rows, in the order they were marked."""

    def __init__(self) -> None:
        self._ids: dict[int, None] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, cid: object) -> bool:
        return cid in self._ids

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(self._ids)

    def toggle(self, cid: int) -> None:
        if cid in self._ids:
            del self._ids[cid]
        else:
            self._ids[cid] = None

    def add(self, ids: list[int]) -> None:
        self._ids.update(dict.fromkeys(ids))

    def clear(self) -> None:
        self._ids.clear()

    def keep(self, present: set[int]) -> None:
        """Rows that left the view (closed elsewhere, filtered away) are no longer marked."""
        self._ids = {cid: None for cid in self._ids if cid in present}


class MarkedActions(QueueActions):
    """The inbox's queue actions: on the marked rows when there are any, else on the row under
    the cursor (`QueueActions`)."""

    marks: Marks

    if TYPE_CHECKING:

        @property
        def list(self) -> ConversationList: ...

        def marks_changed(self) -> None: ...

    # -- marking --------------------------------------------------------------------------------

    def action_mark(self) -> None:
        """Mark or unmark the row under the cursor, then go to the next."""
        current = self.list.current
        if current is None:
            return
        self.marks.toggle(current.id)
        self.list.action_cursor(1)
        self.marks_changed()

    def action_mark_all(self) -> None:
        """Mark every row of the view the list holds (all of them once every page is read)."""
        lst = self.list
        ids = [c.id for i in range(lst.total) if (c := lst.row(i)) is not None and not c.unreadable]
        self.marks.add(ids)
        self.marks_changed()
        if len(ids) < lst.total:
            self._ctx.notify_plain(
                f"{len(ids)} rows marked: the others of the {lst.total:,} are not read yet; scroll to "
                "them and press * again.",
                timeout=6,
            )

    def clear_marks(self) -> bool:
        """`esc`: the marks go first (then the search). Whether there were any."""
        if not self.marks:
            return False
        self.marks.clear()
        self.marks_changed()
        return True

    def marked_rows(self) -> tuple[Conversation, ...]:
        backend = self._ctx.backend
        cache = backend.client.cache if backend is not None else None
        return tuple(c for cid in self.marks.ids if cache is not None and (c := cache.get(cid)) is not None)

    # -- what `x` says ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("queue_close", "queue_reopen"):
            reopen = self._all_closed()
            return reopen if action == "queue_reopen" else not reopen
        return True

    def _all_closed(self) -> bool:
        from tui.core.queue import is_open

        current = self.list.current
        rows = self.marked_rows() if self.marks else (current,) if current is not None else ()
        return bool(rows) and not any(is_open(c) for c in rows)

    # -- the actions, on the marks ----------------------------------------------------------------

    def action_queue_close(self) -> None:
        from tui.core.actions import Action

        if self.marks:
            self.bulk(Action.REOPEN if self._all_closed() else Action.CLOSE)
        else:
            super().action_queue_close()

    def action_queue_reopen(self) -> None:
        self.action_queue_close()  # the same key, read as "Reopen": toggles as ever

    def action_queue_assign_me(self) -> None:
        from tui.core.actions import Action

        if not self.marks:
            super().action_queue_assign_me()
        elif self._ctx.me is None:
            self._ctx.notify_plain(
                "Who you are is not known yet (or the server does not say); use assign to…."
            )
        else:
            self.bulk(Action.ASSIGN)

    def action_queue_assign_to(self) -> None:
        from tui.core.actions import Action
        from tui.screens.assign import AssignScreen

        if not self.marks:
            super().action_queue_assign_to()
            return
        app = self._ctx

        def chosen(choice: AssignChoice | None) -> None:
            if choice is not None:
                if choice.user_id is None:
                    self.bulk(Action.UNASSIGN)
                else:
                    self.bulk(Action.ASSIGN, to=choice.user_id)

        me = app.me.id if app.me is not None else None
        contact = f"{len(self.marks)} marked conversations"
        self._screen.app.push_screen(AssignScreen(app.agents, me=me, current=None, contact=contact), chosen)

    def action_queue_snooze(self) -> None:
        if not self.marks:
            super().action_queue_snooze()
            return
        from tui.core.snooze import describe_until, local_zone
        from tui.screens.snooze import SnoozeScreen

        app, zone, ids = self._ctx, local_zone(), self.marks.ids

        def chosen(until: datetime | None) -> None:
            if until is None or app.store is None:
                return
            for cid in ids:
                app.store.snooze(app.profile_name, cid, until, now=app.clock())
            app.notify_plain(
                f"{len(ids)} conversations snoozed until {describe_until(until, app.clock(), zone)}; "
                "each comes back sooner if its customer writes.",
                timeout=5,
            )
            self.clear_marks()
            app.publish_queue()

        self._screen.app.push_screen(SnoozeScreen(app.clock(), zone, f"{len(ids)} conversations"), chosen)

    def action_queue_hand_to_ai(self) -> None:
        self._hand_to_ai()

    @work(group="ai-pick", exclusive=True, exit_on_error=False)
    async def _hand_to_ai(self) -> None:
        """Pick an assistant (the list read at most once in ten minutes), then one PATCH for the
        row under the cursor, or one bulk request for the marked rows (and a second one, asked
        for, that unassigns their agents)."""
        from tui.core.text import one_line
        from tui.screens.choose import ChooseScreen, assistants_to_offer

        rows = self.marked_rows() if self.marks else tuple(c for c in (self.list.current,) if c is not None)
        if not rows:
            return
        assistants = await assistants_to_offer(self._ctx)
        if assistants is None:
            return
        one = rows[0] if len(rows) == 1 and not self.marks else None
        held = {str(c.assigned_ai_assistant_id) for c in rows if c.assigned_ai_assistant_id not in (None, "")}
        humans = [c for c in rows if c.assigned_user_id is not None]
        option = None
        if humans:
            option = (
                "Also unassign its agent"
                if one is not None
                else f"Also unassign their agents ({len(humans)})"
            )
        whom = (
            one_line(one.contact_name, 30) if one is not None else f"{len(self.marks)} marked conversations"
        )
        picker = ChooseScreen(
            f"Hand {whom} to an AI assistant",
            assistants,
            noun="AI assistant",
            verb="hands it over" if one is not None else "hands them over",
            current=next(iter(held)) if len(held) == 1 else None,
            option=option,
        )
        chosen = await self._screen.app.push_screen_wait(picker)
        if chosen is None:
            return
        label = next((a.label for a in assistants if a.key == str(chosen.id).strip()), None)
        if one is not None:
            await self._hand_one(one.id, chosen.id, chosen.option)
        else:
            await self._hand_marked(self.marks.ids, chosen.id, chosen.option, label)

    async def _hand_one(self, cid: int, assistant: int | str, unassign: bool) -> None:
        from tui.core.ai import Change, apply_change, change_sentence, directory

        app = self._ctx
        if app.backend is None:
            return
        client = app.backend.client
        try:
            updated = await apply_change(
                client, cid, Change.HANDOFF, assistant=assistant, unassign_human=unassign
            )
        except SwitchboardError as exc:
            app.notify_error(exc)
            return
        app.publish_queue(updated)
        names = directory(client).assistant_names()
        app.notify_plain(
            change_sentence(Change.HANDOFF, updated, names=names, me=app.me, users=app.agents), timeout=4
        )

    async def _hand_marked(
        self, ids: tuple[int, ...], assistant: int | str, unassign: bool, label: str | None
    ) -> None:
        from tui.core.bulk import HAND_TO_AI, BulkResult, apply_bulk, bulk_sentence

        app = self._ctx
        if app.backend is None:
            return
        client = app.backend.client
        try:
            result: BulkResult = await apply_bulk(
                client, ids, HAND_TO_AI, {"assigned_ai_assistant_id": assistant}
            )
            if unassign:
                await apply_bulk(client, ids, "assign", {"assigned_user_id": None})
        except SwitchboardError as exc:
            app.notify_error(exc)
            return
        self.clear_marks()
        app.queue_changed(ids)
        app.publish_queue()
        app.notify_plain(bulk_sentence(HAND_TO_AI, result, ai=label), timeout=5)

    # -- the palette ----------------------------------------------------------------------------

    def queue_commands(self) -> Iterable[SystemCommand]:
        """With rows marked, the palette's queue entries act on them and say how many."""
        if not self.marks:
            yield from super().queue_commands()
            if self.queue_target() is not None:
                yield SystemCommand(
                    "Hand to an AI assistant…",
                    "Pick an AI assistant to hold the conversation (alt+i)",
                    self.action_queue_hand_to_ai,
                )
        else:
            n = f"{len(self.marks)} marked"
            for title, help_text, action in (
                (
                    "Close / reopen",
                    "Close them all, or reopen them if all are closed (x)",
                    self.action_queue_close,
                ),
                ("Assign to me", "Assign them all to yourself (a)", self.action_queue_assign_me),
                ("Assign to…", "Pick an agent, or nobody, for all of them (A)", self.action_queue_assign_to),
                (
                    "Hand to an AI assistant…",
                    "Pick an AI assistant for all of them (alt+i)",
                    self.action_queue_hand_to_ai,
                ),
                ("Snooze…", "Hide them all until a time (z)", self.action_queue_snooze),
                ("Clear marks", "Unmark every row (esc)", self.clear_marks),
            ):
                yield SystemCommand(f"{title} ({n})", help_text, action)
        yield SystemCommand("Mark / unmark row", "Mark the row under the cursor (space)", self.action_mark)
        yield SystemCommand("Mark every row", "Mark every row of the view (*)", self.action_mark_all)

    def bulk(self, action: Action, *, to: int | None = None) -> None:
        self._bulk_apply(self.marks.ids, action, to)

    @work(group="queue-action", exit_on_error=False)
    async def _bulk_apply(self, ids: tuple[int, ...], action: Action, to: int | None) -> None:
        from tui.core.bulk import apply_bulk, bulk_sentence, fields_for

        app = self._ctx
        backend = app.backend
        if backend is None:
            app.notify_error(app.backend_error or "Not connected to a backend yet; try again in a moment.")
            return
        try:
            api_action, fields = fields_for(action, to=to, me=app.me)
            result = await apply_bulk(backend.client, ids, api_action, fields)
        except SwitchboardError as exc:
            app.notify_error(exc)
            return
        self.clear_marks()
        app.queue_changed(ids)
        app.publish_queue()
        app.notify_plain(bulk_sentence(action, result, to=to, me=app.me, users=app.agents), timeout=5)
