"""The conversation's AI and blocking, from inside it: hand it to an AI assistant (alt+i, a
picker; u also clears the agent who holds it), turn the AI's auto-assignment on or off (alt+o),
cut the AI's context (alt+k, after a yes), run an automation (alt+r, a picker; only on a channel
with a message service) and block or unblock it (alt+l). Each is one request (`tui.core.ai`),
or four for a run (`tui.core.automations`); the lists come from `directory`, read at most once
in ten minutes. The head names the AI that holds the conversation from the same list, read once
when such a conversation is opened and the list was never read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding

from tui.core.errors import SwitchboardError
from tui.screens.queue_actions import QueueActions

if TYPE_CHECKING:
    from tui.core.ai import Change
    from tui.core.models import Conversation
    from tui.screens.conversation import ConversationScreen

#: The keys, in the screen's BINDINGS. Priority: the composer would take alt+letter as typed.
#: Not alt+b nor alt+f: Textual reads ESC b and ESC f as ctrl+left and ctrl+right (iTerm's words).
AI_BINDINGS = [
    Binding("alt+i", "hand_to_ai", "Hand to AI…", show=False, id="conversation.hand_to_ai", priority=True),
    Binding("alt+o", "ai_auto", "AI auto on/off", show=False, id="conversation.ai_auto", priority=True),
    Binding("alt+k", "ai_cut", "Cut AI context…", show=False, id="conversation.ai_cut", priority=True),
    Binding("alt+r", "automate", "Run automation…", show=False, id="conversation.automate", priority=True),
    Binding("alt+l", "block", "Block/unblock", show=False, id="conversation.block", priority=True),
]
AI_ACTIONS = frozenset(b.action for b in AI_BINDINGS)
CUT_QUESTION = (
    "Cut the AI's context of this conversation? The AI assistant forgets every message before "
    "now; the messages stay in the history."
)


class ConversationAi(QueueActions):
    """Mixed into `ConversationScreen`: the queue's actions, and these."""

    _ai_names_asked = False

    @property
    def _host(self) -> ConversationScreen:
        return cast("ConversationScreen", self)

    def ai_check(self, action: str) -> bool:
        """Whether an action of this module is offered: a run only where messages can be read."""
        from tui.core.automations import has_message_service

        return has_message_service(self._host.conversation.channel) if action == "automate" else True

    # -- the head's names ---------------------------------------------------------------------

    def ai_names(self) -> dict[str, str]:
        """The assistants' names held (no request); the first time a conversation an AI holds is
        shown, the list is read once (a worker), and the head drawn again."""
        from tui.core.ai import directory
        from tui.core.queue import has_ai

        backend = self._host.ctx.backend
        if backend is None:
            return {}
        lists = directory(backend.client)
        if not lists.read_assistants() and has_ai(self._host.conversation) and not self._ai_names_asked:
            self._ai_names_asked = True
            self._read_ai_names()
        return lists.assistant_names()

    @work(group="ai-names", exit_on_error=False)
    async def _read_ai_names(self) -> None:
        from tui.core.ai import directory

        backend = self._host.ctx.backend
        if backend is None:
            return
        try:
            await directory(backend.client).assistants()
        except SwitchboardError:
            return  # the head says "an AI assistant"; the picker says what went wrong
        self._host._show_head()

    # -- the actions ----------------------------------------------------------------------------

    def action_hand_to_ai(self) -> None:
        self._hand_to_ai()

    def action_ai_auto(self) -> None:
        from tui.core.ai import Change, auto_off_reason

        c = self._host.conversation
        if c.ai_auto_assignment_disabled:
            self._change(c.id, Change.AI_ON)
        else:
            self._change(c.id, Change.AI_OFF, reason=auto_off_reason(self._host.ctx.me))

    def action_ai_cut(self) -> None:
        from tui.core.ai import Change
        from tui.screens.confirm import ConfirmScreen

        host = self._host
        cid = host.conversation.id

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(cid, Change.AI_CUT, now=host.ctx.clock())

        host.app.push_screen(ConfirmScreen(CUT_QUESTION), answered)

    def action_automate(self) -> None:
        self._automate()

    def action_block(self) -> None:
        from tui.core.ai import Change

        c = self._host.conversation
        self._change(c.id, Change.UNBLOCK if c.blocked else Change.BLOCK)

    # -- doing them -----------------------------------------------------------------------------

    @work(group="ai-action", exit_on_error=False)
    async def _change(self, conversation_id: int, change: Change, **options: Any) -> None:
        from tui.core.ai import apply_change, change_sentence, directory

        host = self._host
        ctx = host.ctx
        if ctx.backend is None:
            ctx.notify_error(ctx.backend_error or "Not connected to a backend yet; try again in a moment.")
            return
        client = ctx.backend.client
        try:
            updated = await apply_change(client, conversation_id, change, **options)
        except SwitchboardError as exc:
            ctx.notify_error(exc)
            return
        ctx.publish_queue(updated)
        host._show_head()
        names = directory(client).assistant_names()
        ctx.notify_plain(
            change_sentence(change, updated, names=names, me=ctx.me, users=ctx.agents), timeout=4
        )

    def _holder_words(self, c: Conversation) -> str:
        """Who the u option would unassign: "you", or the agent's name."""
        from tui.core.text import clip, one_line

        me = self._host.ctx.me
        if me is not None and c.assigned_user_id == me.id:
            return "you"
        names = {u.id: u.display_name for u in self._host.ctx.agents}
        return clip(one_line(names.get(c.assigned_user_id or 0)), 30) or f"agent {c.assigned_user_id}"

    @work(group="ai-pick", exclusive=True, exit_on_error=False)
    async def _hand_to_ai(self) -> None:
        from tui.core.ai import Change
        from tui.core.text import one_line
        from tui.screens.choose import ChooseScreen, assistants_to_offer

        host = self._host
        rows = await assistants_to_offer(host.ctx)
        if rows is None:
            return
        c = host.conversation
        held = str(c.assigned_ai_assistant_id) if c.assigned_ai_assistant_id not in (None, "") else None
        option = None if c.assigned_user_id is None else f"Also unassign {self._holder_words(c)}"
        picker = ChooseScreen(
            f"Hand {one_line(c.contact_name, 30)} to an AI assistant",
            rows,
            noun="AI assistant",
            verb="hands it over",
            current=held,
            option=option,
        )
        chosen = await host.app.push_screen_wait(picker)
        if chosen is not None:
            self._change(c.id, Change.HANDOFF, assistant=chosen.id, unassign_human=chosen.option)

    @work(group="ai-pick", exclusive=True, exit_on_error=False)
    async def _automate(self) -> None:
        from tui.core.ai import directory
        from tui.core.automations import (
            automation_named,
            has_message_service,
            no_service,
            run_automation,
            run_sentence,
        )
        from tui.core.text import one_line
        from tui.screens.choose import ChooseScreen

        host = self._host
        ctx = host.ctx
        c = host.conversation
        if not has_message_service(c.channel):
            ctx.notify_error(no_service(c))
            return
        if ctx.backend is None:
            ctx.notify_error(ctx.backend_error or "Not connected to a backend yet; try again in a moment.")
            return
        client = ctx.backend.client
        try:
            rows = await directory(client).automations()
        except SwitchboardError as exc:
            ctx.notify_error(exc)
            return
        if not rows:
            ctx.notify_plain("The organization has no automations to run.", timeout=5)
            return
        picker = ChooseScreen(
            f"Run an automation on {one_line(c.contact_name, 30)}", rows, noun="automation", verb="runs it"
        )
        chosen = await host.app.push_screen_wait(picker)
        if chosen is None:
            return
        try:
            execution = await run_automation(client, c.id, chosen.id)
        except SwitchboardError as exc:
            ctx.notify_error(exc)
            return
        named = automation_named(tuple(rows), chosen.id)
        ctx.notify_plain(run_sentence(c.id, chosen.id, execution, named.name if named else None), timeout=5)

    def ai_commands(self) -> Iterable[SystemCommand]:
        """The palette's entries, each naming its key."""
        c = self._host.conversation
        auto = "on" if c.ai_auto_assignment_disabled else "off"
        yield SystemCommand(
            "Hand to an AI assistant…",
            "Pick an assistant; u also unassigns the agent (alt+i)",
            self.action_hand_to_ai,
        )
        yield SystemCommand(
            f"Turn AI auto-assignment {auto}", "For this conversation (alt+o)", self.action_ai_auto
        )
        yield SystemCommand(
            "Cut the AI's context…", "The AI forgets what came before (alt+k)", self.action_ai_cut
        )
        if self.ai_check("automate"):
            yield SystemCommand(
                "Run an automation…", "Pick one of the organization's (alt+r)", self.action_automate
            )
        block = "Unblock" if c.blocked else "Block"
        yield SystemCommand(f"{block} the conversation", f"{block} it (alt+l)", self.action_block)
