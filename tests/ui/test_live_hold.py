"""The hold means what the agent saw, in live mode: a teammate's reply, a reassignment or a close
pushed (and drawn) while Maria types still holds her reply, because the snapshot is what the
screen showed when she started writing, not what arrived since. Two agents, one sandbox, live."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ui.conftest import sandbox_config, wait_for
from tui.app import SwitchboardApp
from tui.core.filters import ConversationFilter
from tui.screens.conversation import ConversationScreen

TOM = 11
WEBCHAT = "webchat"


def _as_tom(sandbox: Any, method: str, path: str, body: dict[str, Any]) -> None:
    key = sandbox.agent(TOM).api_key
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": key}, timeout=10) as http:
        http.request(method, path, json=body, params={"organization_id": 1}).raise_for_status()


def _texts(screen: ConversationScreen) -> list[str]:
    return [item.message.message_text or "" for item in screen.history.items]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("reply", "Tom Becker replied since you looked"),
        ("assign", "Tom Becker"),
        ("close", "Closed since you looked"),
    ],
)
async def test_a_change_pushed_while_typing_holds_the_reply(sandbox: Any, change: str, words: str) -> None:
    app = SwitchboardApp(config=sandbox_config(sandbox, realtime="auto"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None and app.live, timeout=20)
        assert app.backend is not None
        wanted = ConversationFilter(channel=WEBCHAT, status="open")
        page = await app.backend.client.list_conversations(wanted)
        target = page.data[0]
        app.call_later(app.open_conversation, target)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query("HistoryItem")),
        )
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await pilot.press(*"I can help with that")
        if change == "reply":
            _as_tom(
                sandbox,
                "POST",
                f"/conversation-messages-transform-outgoing-{WEBCHAT}",
                {"conversation_id": target.id, "message_text": "Tom here, on it!", "message_type": "text"},
            )
            await wait_for(pilot, lambda: "Tom here, on it!" in _texts(screen))  # drawn: on screen
        elif change == "assign":
            _as_tom(sandbox, "PATCH", f"/conversations/{target.id}", {"assigned_user_id": TOM})
            await wait_for(pilot, lambda: screen.conversation.assigned_user_id == TOM)
            head = screen.query_one("#conversation-head")
            await wait_for(pilot, lambda: "Tom Becker" in str(head.render()))  # the holder, shown
        else:
            _as_tom(sandbox, "PATCH", f"/conversations/{target.id}", {"status": "closed"})
            await wait_for(pilot, lambda: screen.conversation.status == "closed")
        assert app.store is not None
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: any(e.state == "held" for e in app.store.entries("local")), timeout=15)
        held = next(e for e in app.store.entries("local") if e.state == "held")
        assert words in (held.reason or ""), held.reason
        assert sandbox.count_messages("I can help with that") == {}


async def test_what_arrived_before_the_agent_started_writing_holds_nothing(sandbox: Any) -> None:
    """A teammate's reply already on the screen when Maria starts writing is what she saw."""
    app = SwitchboardApp(config=sandbox_config(sandbox, realtime="auto"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None and app.live, timeout=20)
        assert app.backend is not None
        wanted = ConversationFilter(channel=WEBCHAT, status="open")
        page = await app.backend.client.list_conversations(wanted)
        target = page.data[0]
        app.call_later(app.open_conversation, target)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query("HistoryItem")),
        )
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        _as_tom(
            sandbox,
            "POST",
            f"/conversation-messages-transform-outgoing-{WEBCHAT}",
            {"conversation_id": target.id, "message_text": "Tom: parcel found", "message_type": "text"},
        )
        await wait_for(pilot, lambda: "Tom: parcel found" in _texts(screen))
        await pilot.press(*"Great news", "ctrl+j")
        await wait_for(pilot, lambda: sandbox.count_messages("Great news") == {target.id: 1}, timeout=15)
        assert app.store is not None
        assert not any(e.state == "held" for e in app.store.entries("local"))
