"""The conversation's AI, automations, blocking and deleting, driven by keys on a real sandbox:
hand to an AI (the head then names it), AI auto-assignment off and on, cut the AI's context
(after a yes), run an automation, delete a message (after a question that quotes it; a
customer's message is refused in one sentence), block and unblock; the assign picker marks the
AI that holds a conversation; each action is in the palette and in help."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.cli.conftest import store
from tests.ui.conftest import notifications, wait_for
from tests.ui.test_quotes import open_id
from tui.app import SwitchboardApp
from tui.sandbox.seed import HANDY_IDS
from tui.screens.assign import AssignScreen
from tui.screens.choose import ChooseScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.conversation import ConversationScreen, HistoryItem
from tui.screens.help import bindings_table
from tui.screens.message_delete import DeleteQuestion

MINE = HANDY_IDS["whatsapp_open_ending"]  # Maria Silva's (the default key)
AVAS = HANDY_IDS["webchat"]  # the AI "asst_support" (Ava) holds it


def head(screen: ConversationScreen) -> str:
    return str(screen.query_one("#conversation-head").render())


def row(sandbox: Any, cid: int) -> Any:
    return store(sandbox).conversation(cid)


async def said(pilot: Pilot, words: str) -> str:
    app = pilot.app
    await wait_for(pilot, lambda: any(words in n for n in notifications(app)))  # type: ignore[arg-type]
    return next(n for n in notifications(app) if words in n)  # type: ignore[arg-type]


async def test_hand_to_an_ai_then_the_head_names_it(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, MINE)
        assert "yours" in head(screen)
        await pilot.press("alt+i")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseScreen))
        picker = app.screen
        assert isinstance(picker, ChooseScreen)
        assert [r.label for r in picker.rows] == ["Ava (returns)", "Orbit (billing)"]
        assert "Also unassign you (u)" in str(picker.query_one("#choose-option").render())
        await pilot.press("j", "u")
        assert "[x] Also unassign you" in str(picker.query_one("#choose-option").render())
        await pilot.press("enter")
        sentence = await said(pilot, "handed to the AI assistant")
        assert (
            sentence
            == f"Conversation {MINE} handed to the AI assistant Orbit (billing); no agent holds it now."
        )
        await wait_for(pilot, lambda: "Orbit (billing)" in head(screen))
        assert "yours" not in head(screen)
        held = row(sandbox, MINE)
        assert held["assigned_ai_assistant_id"] == "42" and held["assigned_user_id"] is None
        await pilot.press("alt+i")  # again: the list is held, the current holder marked
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseScreen))
        again = app.screen
        assert isinstance(again, ChooseScreen) and again.current == "42"
        assert "· current" in str(again.query_one("#choose-list").get_option_at_index(1).prompt)
        assert again.option_words is None  # no agent holds it now: nothing to unassign
        await pilot.press("escape")


async def test_an_ai_held_conversation_names_its_ai_and_the_assign_picker_marks_it(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, AVAS)
        await wait_for(pilot, lambda: "Ava (returns)" in head(screen))
        await pilot.press("alt+a")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignScreen))
        picker = app.screen
        assert isinstance(picker, AssignScreen)
        prompts = [str(r.prompt) for r in picker.rows]
        assert prompts[0] == "Ava (returns) (AI assistant)  · current"
        assert [p for p in prompts if "current" in p] == [prompts[0]]  # not "Nobody · current"
        await pilot.press("enter")  # the AI row keeps it: nothing is sent
        await wait_for(pilot, lambda: app.screen is screen)
        assert not any("assigned" in n for n in notifications(app))


async def test_ai_auto_assignment_off_and_on(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, AVAS)
        await pilot.press("alt+o")
        assert await said(pilot, "turned off") == (
            f"AI auto-assignment turned off for conversation {AVAS} (Turned off by Maria Silva)."
        )
        await wait_for(pilot, lambda: "⚠ AI auto-assignment off (Turned off by Maria Silva)" in head(screen))
        assert row(sandbox, AVAS)["ai_auto_assignment_disabled"] == 1
        await pilot.press("alt+o")
        await said(pilot, f"AI auto-assignment turned on for conversation {AVAS}.")
        await wait_for(pilot, lambda: "auto-assignment off" not in head(screen))
        held = row(sandbox, AVAS)
        assert held["ai_auto_assignment_disabled"] == 0 and held["ai_auto_assignment_disabled_reason"] is None


async def test_cut_the_ai_context_after_a_yes(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, AVAS)
        await pilot.press("alt+k")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause(0.2)
        assert row(sandbox, AVAS)["ai_context_cut"] is None
        await pilot.press("alt+k")
        await wait_for(pilot, lambda: app.screen is not screen)
        assert "forgets every message before now" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        sentence = await said(pilot, "AI context cut at")
        assert sentence.startswith(f"Conversation {AVAS}: AI context cut at ")
        assert row(sandbox, AVAS)["ai_context_cut"] is not None


async def test_run_an_automation(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, MINE)
        await pilot.press("alt+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseScreen))
        picker = app.screen
        assert isinstance(picker, ChooseScreen) and len(picker.rows) == 3 and picker.option_words is None
        await pilot.press("down", "enter")
        assert await said(pilot, "started") == (
            f"Automation “Tag as VIP and tell the team lead” started on conversation {MINE} (execution 1)."
        )
        (run,) = store(sandbox).query("SELECT * FROM automation_executions")
        assert run["automation_id"] == "2" and run["conversation_id"] == MINE
        assert screen.check_action("automate", ()) is True


async def test_no_automation_where_messages_cannot_be_read(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    store(sandbox).execute("UPDATE conversations SET channel = 'fax' WHERE id = ?", (MINE,))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None and app.queue is not None)
        fax = await app.backend.client.get_conversation(MINE)  # type: ignore[union-attr]
        app.open_conversation(fax)
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await wait_for(pilot, lambda: bool(screen.query("Composer")))
        assert screen.check_action("automate", ()) is False
        assert "Run an automation…" not in [c.title for c in screen.palette_commands()]
        screen.action_automate()
        assert await said(pilot, "no automation can run") == (
            f"Conversation {MINE} is on the 'fax' channel, which has no message service to read, so no "
            "automation can run on it."
        )


async def test_delete_a_message_after_a_question_that_quotes_it(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, MINE)
        items = list(screen.history.query(HistoryItem))
        mine = next(i for i in reversed(items) if not i.message.is_inbound and i.message.message_text)
        theirs = next(i for i in reversed(items) if i.message.is_inbound)
        mine.focus()
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteQuestion))
        asked = str(app.screen.query_one("#confirm-question").render())
        assert f"“{mine.message.message_text[:40]}" in asked and asked.startswith("Delete this message?")
        await pilot.press("y")
        await said(pilot, f"of conversation {MINE} deleted.")
        await wait_for(pilot, lambda: "(deleted)" in str(mine.render()))
        assert app.focused is mine and mine.check_action("delete", ()) is False
        served = store(sandbox).one("SELECT deleted_at FROM messages WHERE uid = ?", (mine.message.id,))
        assert served is not None and served["deleted_at"] is not None
        theirs.focus()
        await pilot.press("shift+delete")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteQuestion))
        await pilot.press("y")
        refusal = await said(pilot, "was not deleted")
        assert refusal.endswith(
            "your role or the WhatsApp channel does not allow deleting it "
            "(403: Customer messages cannot be deleted)."
        )
        assert "(deleted)" not in str(theirs.render())


async def test_block_and_unblock(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, MINE)
        assert "BLOCKED" not in head(screen)
        await pilot.press("alt+l")
        await said(pilot, f"Conversation {MINE} blocked.")
        await wait_for(pilot, lambda: "BLOCKED" in head(screen))
        assert row(sandbox, MINE)["blocked"] == 1
        await pilot.press("alt+l")
        await said(pilot, f"Conversation {MINE} unblocked.")
        await wait_for(pilot, lambda: "BLOCKED" not in head(screen))


async def test_each_action_is_in_the_palette_and_in_help(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, MINE)
        titles = [c.title for c in screen.palette_commands()]
        for title in (
            "Hand to an AI assistant…",
            "Turn AI auto-assignment off",
            "Cut the AI's context…",
            "Run an automation…",
            "Block the conversation",
        ):
            assert title in titles
        table = bindings_table(screen)
        ids = [str(cell) for cell in table.columns[2]._cells]
        for binding_id in (
            "conversation.hand_to_ai",
            "conversation.ai_auto",
            "conversation.ai_cut",
            "conversation.automate",
            "conversation.block",
        ):
            assert binding_id in ids
        items = list(screen.history.query(HistoryItem))
        items[-1].focus()
        await pilot.pause()
        assert "Delete the message…" in [c.title for c in screen.palette_commands()]
        assert "message.delete" in [str(cell) for cell in bindings_table(screen).columns[2]._cells]
