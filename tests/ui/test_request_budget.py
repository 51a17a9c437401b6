"""What the app spends from the organization's request budget (1,000 an hour, shared by the
team), counted by the sandbox itself: a start, an opened conversation, a reply; and the budget
shown where it matters (the title bar past half of it; a 429's wait)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.ui.conftest import notifications, sandbox_config, wait_for
from tui.app import SwitchboardApp
from tui.screens.conversation import ConversationScreen
from tui.screens.inbox import InboxScreen


def kinds(requests: list[tuple[str, str, str]]) -> list[str]:
    return [
        f"{method} {'/conversations/:id' if path.startswith('/conversations/') else path}"
        for method, path, _ in requests
    ]


async def settled(pilot: Any, app: SwitchboardApp) -> InboxScreen:
    await wait_for(pilot, lambda: app.queue is not None and app.queue.read_at > 0 and app.me is not None)
    await pilot.pause(0.3)
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


@pytest.mark.parametrize("documented", [False, True])
async def test_a_start_reads_rows_who_you_are_and_four_figures(tmp_path: Any, documented: bool) -> None:
    from tui.sandbox.runner import start_in_thread

    sandbox = start_in_thread(data_dir=tmp_path / "sb", documented_fields_only=documented)
    try:
        app = SwitchboardApp(config=sandbox_config(sandbox))
        async with app.run_test(size=(100, 30)) as pilot:
            await settled(pilot, app)
            spent = kinds(sandbox.requests())
        assert spent.count("GET /conversations") == 5  # the rows, then the four figures at once
        assert spent.count("GET /users/me") == spent.count("GET /users") == 1
        # Names: one batch of at most 20 contacts a request, only where the records do not carry them.
        assert spent.count("GET /contacts") == (2 if documented else 0)
        assert len(spent) == (9 if documented else 7)
    finally:
        sandbox.stop()


async def test_opening_a_conversation_is_one_request_and_marking_it_read_one_more(sandbox: Any) -> None:
    app = SwitchboardApp(config=sandbox_config(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        inbox = await settled(pilot, app)
        # one without an AI: the head of one an AI holds reads the assistants' names (once in ten minutes)
        index = next(
            i
            for i in range(inbox.list.total)
            if (c := inbox.list.row(i)) and c.unread_count and not c.assigned_ai_assistant_id
        )
        inbox.list.cursor = index
        target = inbox.list.current
        assert target is not None
        sandbox.clear_requests()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.history.items)
        await wait_for(pilot, lambda: app.screen.conversation.unread_count == 0)  # type: ignore[attr-defined]
        await pilot.pause(0.3)
        assert kinds(sandbox.requests()) == [
            f"GET /conversation-messages-{target.channel}",
            "PATCH /conversations/:id",
        ]


async def test_the_title_bar_shows_the_budget_past_half_and_a_429s_wait(sandbox: Any) -> None:
    app = SwitchboardApp(config=sandbox_config(sandbox))
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        assert app.backend is not None
        assert "req/h" not in app.sub_title
        budget = app.backend.budget
        for _ in range(600):
            budget.spend()
        await app._flush_budget()
        assert re.search(r" · 6\d\d/1,000 req/h · ", app.sub_title)  # the start too
        budget.block(300, "Rate limit exceeded")
        await app._flush_budget()
        assert "rate limited" in app.sub_title
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        sandbox.clear_requests()
        inbox.action_refresh()
        await wait_for(pilot, lambda: any("requests resume in" in n for n in notifications(app)))
        assert sandbox.requests() == []  # nothing left the machine while the server said wait


async def test_an_old_single_messages_path_is_told_once_in_the_app(sandbox: Any) -> None:
    config = sandbox_config(sandbox)
    config.profiles["local"].paths.messages = "/conversation-messages"
    app = SwitchboardApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("one service per channel" in n for n in notifications(app)))


async def test_the_first_page_read_before_the_models_is_not_read_again(
    sandbox: Any, isolated_home: Any
) -> None:
    """The app reads the config file itself (as a user starts it): its first page is asked for
    once, before the backend opens, and the client adopts that answer instead of asking again."""
    config = isolated_home / ".config" / "switchboard" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        'default_profile = "local"\n[profiles.local]\n'
        f'base_url = "{sandbox.base_url}"\norganization_id = {sandbox.organization_id}\n'
        'api_key_env = "LOCAL_KEY"\nrealtime = "off"\n'
    )
    import os

    os.environ["LOCAL_KEY"] = sandbox.api_key
    try:
        app = SwitchboardApp()
        async with app.run_test(size=(100, 30)) as pilot:
            await settled(pilot, app)
            first_pages = [q for m, p, q in sandbox.requests() if p == "/conversations" and q.count("=") == 4]
            assert len(first_pages) == 1, sandbox.requests()
            assert app.backend is not None and app.backend.budget.used() >= 7  # that read counted too
    finally:
        del os.environ["LOCAL_KEY"]
