"""The inbox as a work queue, driven by keys on a real sandbox: views and their counts, folded
search, read/close/assign/take over/snooze from the row, close and next, next unread, mark read
on open, and the hold when another agent (a second Switchboard, the CLI with their key) replies
while this one is typing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import BOTH_WAYS, notifications, sandbox_both_ways, wait_for
from tui.core.queue import has_ai, is_open
from tui.core.queue_views import View
from tui.screens.conversation import ConversationScreen
from tui.screens.inbox import InboxScreen

#: The main flows run on both kinds of server: with the optional fields, and the documented
#: record alone (names from /contacts, the window from the messages).
sandbox = pytest.fixture(params=BOTH_WAYS)(sandbox_both_ways)


async def _ready(pilot: Any) -> InboxScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.queue is not None and app.queue.read_at > 0 and app.me is not None)
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def _views_text(screen: InboxScreen) -> str:
    return str(screen.query_one("#views").render())


async def test_views_list_what_they_say_with_counts(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("1")
        await wait_for(pilot, lambda: inbox.view is View.NEEDS_REPLY and inbox.list.loaded)
        rows = [inbox.list.row(i) for i in range(inbox.list.total)]
        assert rows and all(r is not None and is_open(r) for r in rows)
        assert [r.id for r in rows if r is not None] == app.queue.needs_reply  # the server's order
        assert f"1 Needs reply {len(rows)}" in _views_text(inbox)
        await pilot.press("6")
        await wait_for(pilot, lambda: inbox.view is View.UNREAD and inbox.list.loaded)
        unread = [inbox.list.row(i) for i in range(inbox.list.total)]
        assert unread and all(r is not None and r.unread_count > 0 for r in unread)
        assert f"6 Unread {len(unread)}" in _views_text(inbox)
        await pilot.press("2")
        await wait_for(pilot, lambda: inbox.view is View.MINE)
        mine = [inbox.list.row(i) for i in range(inbox.list.total)]
        assert mine and all(r is not None and r.assigned_user_id == app.me.id for r in mine)
        await pilot.press("3")
        await wait_for(pilot, lambda: inbox.view is View.UNASSIGNED)
        free = [inbox.list.row(i) for i in range(inbox.list.total)]
        assert all(r is not None and r.assigned_user_id is None and not has_ai(r) for r in free)


async def test_search_folds_accents_in_a_view_and_in_all(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        for view_key in ("4", "1"):
            await pilot.press(view_key, "slash", *"soren")
            await wait_for(
                pilot,
                lambda: (
                    inbox.list.loaded
                    and inbox.list.total >= 1
                    and all("ø" in (inbox.list.row(i).contact_name or "") for i in range(inbox.list.total))
                ),
            )
            await pilot.press("escape", "escape")
            await wait_for(pilot, lambda: inbox.search == "")


async def test_close_reopen_read_and_assign_from_the_row(make_app: Any, sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: inbox.list.current is not None)
        target = inbox.list.current
        assert target is not None and is_open(target)
        await pilot.press("x")
        await wait_for(pilot, lambda: f"Conversation {target.id} closed." in notifications(app))
        assert inbox.list.current.status == "closed"
        await pilot.press("x")
        await wait_for(pilot, lambda: f"Conversation {target.id} reopened." in notifications(app))
        was_unread = inbox.list.current.unread_count > 0
        await pilot.press("u")
        await wait_for(pilot, lambda: (inbox.list.current.unread_count > 0) != was_unread)
        await pilot.press("a")
        await wait_for(pilot, lambda: inbox.list.current.assigned_user_id == app.me.id)
        assert f"Conversation {target.id} assigned to you." in notifications(app)


async def test_take_over_from_the_ai(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: inbox.list.loaded)
        index = next(i for i in range(inbox.list.total) if has_ai(inbox.list.row(i)))
        inbox.list.cursor = index
        target = inbox.list.current
        await pilot.press("t")
        await wait_for(pilot, lambda: not has_ai(inbox.list.current))
        done = inbox.list.current
        assert done.id == target.id and done.assigned_user_id == app.me.id
        assert done.ai_auto_assignment_disabled is True
        assert done.ai_auto_assignment_disabled_reason == "Taken over by Maria Silva"


async def test_snooze_hides_it_until_the_customer_writes(make_app: Any, sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("1")
        await wait_for(pilot, lambda: inbox.view is View.NEEDS_REPLY and inbox.list.current is not None)
        target = inbox.list.current
        await pilot.press("z")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SnoozeScreen")
        await pilot.press("enter")  # the first preset
        await wait_for(pilot, lambda: all(inbox.list.row(i).id != target.id for i in range(inbox.list.total)))
        assert "1 snoozed conversation not shown" in (inbox._status_text or "")
        await pilot.press("5")
        await wait_for(pilot, lambda: inbox.view is View.SNOOZED and inbox.list.total == 1)
        assert inbox.list.current.id == target.id
        sandbox.customer_writes(target.id, "Hello? Anyone there?")
        inbox.refresh_held_pages()
        await wait_for(pilot, lambda: inbox.list.loaded and inbox.list.total == 0)
        assert app.store.snoozes(app.profile_name) == {}  # woken: the customer wrote
        await pilot.press("1")
        await wait_for(pilot, lambda: any(inbox.list.row(i).id == target.id for i in range(inbox.list.total)))


async def test_open_marks_read_then_close_and_next(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("1")
        await wait_for(pilot, lambda: inbox.view is View.NEEDS_REPLY and inbox.list.total >= 3)
        index = next(i for i in range(inbox.list.total) if inbox.list.row(i).unread_count > 0)
        inbox.list.cursor = index
        first, second = inbox.list.row(index), inbox.list.row(index + 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        await wait_for(pilot, lambda: app.screen.conversation.unread_count == 0)
        await pilot.press("f4")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and app.screen.conversation.id == second.id,
        )
        closed = await app.backend.client.get_conversation(first.id)
        assert closed.status == "closed"


async def test_next_unread_from_the_inbox(make_app: Any) -> None:
    app = make_app(mark_read="reply")
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        first = app.screen.conversation
        assert first.unread_count > 0
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.conversation.id != first.id)
        assert app.screen.conversation.unread_count > 0


async def test_a_reply_is_held_when_another_agent_wrote_meanwhile(
    make_app: Any, sandbox: Any, tmp_path: Path
) -> None:
    """Tom replies from his own Switchboard (the CLI, his key) while Maria types: her send is
    held before its first request, with one line saying what came in; r sends it anyway."""
    tom = sandbox.agent(11)
    config = tmp_path / "tom.toml"
    config.write_text(
        f'default_profile = "tom"\n[profiles.tom]\nbase_url = "{sandbox.base_url}"\n'
        f'organization_id = {sandbox.organization_id}\napi_key_env = "TOM_KEY"\n'
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: inbox.list.current is not None)
        target = next(
            inbox.list.row(i) for i in range(inbox.list.total) if inbox.list.row(i).channel == "webchat"
        )
        app.open_conversation(target)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query("HistoryItem")),
        )
        await pilot.press(*"I can help with that")
        env = {**os.environ, "SWITCHBOARD_CONFIG": str(config), "TOM_KEY": tom.api_key}
        sent = subprocess.run(
            [sys.executable, "-m", "tui", "send", str(target.id), "--text", "Tom here, on it!"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stderr
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: any(e.state == "held" for e in app.store.entries("local")), timeout=15)
        held = next(e for e in app.store.entries("local") if e.state == "held")
        assert "Tom Becker replied since you looked" in (held.reason or "")
        assert sandbox.count_messages("I can help with that") == {}
        app.screen.history.for_entry(held.id).focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: sandbox.count_messages("I can help with that") == {target.id: 1})


async def test_alt_keys_act_from_inside_the_composer(make_app: Any) -> None:
    """The composer has focus: alt+x closes the conversation instead of typing an "x"."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: inbox.list.current is not None)
        target = inbox.list.current
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        await wait_for(pilot, lambda: app.screen.composer.area.has_focus)
        await pilot.press("alt+x")
        await wait_for(pilot, lambda: app.screen.conversation.status == "closed")
        assert app.screen.composer.text == ""
        assert (await app.backend.client.get_conversation(target.id)).status == "closed"


async def test_back_from_a_conversation_shows_its_draft_and_what_was_answered(make_app: Any) -> None:
    """Esc back to Needs reply: a draft left there is marked at once, and a conversation just
    answered leaves the view without waiting for the interval refresh."""
    app = make_app(refresh_seconds=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await _ready(pilot)
        await pilot.press("1")
        await wait_for(pilot, lambda: inbox.view is View.NEEDS_REPLY and inbox.list.total >= 2)
        drafted, answered = inbox.list.row(0), inbox.list.row(1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        await pilot.press(*"half a thought")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is inbox)
        await wait_for(pilot, lambda: "✎" in inbox.list._draw(inbox.list.row(0), 0, 100).text)
        assert inbox.list.row(0).id == drafted.id
        app.open_conversation(answered)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query("HistoryItem")),
        )
        await pilot.press(*"Done, thanks!", "ctrl+j")
        await wait_for(pilot, lambda: app.store.entries("local", states=("sent",)))
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: all(inbox.list.row(i).id != answered.id for i in range(inbox.list.total))
        )
