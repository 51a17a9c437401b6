"""SMS and the playground keep no internal notes: the composer does not offer note mode there
(no key in the bar, no palette command, ctrl+n does nothing), instead of refusing at send."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import wait_for
from tui.core.filters import ConversationFilter
from tui.screens.conversation import ConversationScreen


async def _open(app: Any, pilot: Any, channel: str) -> ConversationScreen:
    await wait_for(pilot, lambda: app.backend is not None and app.queue is not None)
    page = await app.backend.client.list_conversations(ConversationFilter(channel=channel))
    app.open_conversation(page.data[0])
    await wait_for(
        pilot, lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query("HistoryItem"))
    )
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


@pytest.mark.parametrize("channel", ["sms", "playground"])
async def test_no_note_mode_where_the_api_keeps_no_notes(make_app: Any, channel: str) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, channel)
        assert screen.check_action("toggle_note", ()) is False
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.composer.mode == "reply"
        titles = [c.title for c in screen.palette_commands()]
        assert "Toggle reply / note" not in titles


async def test_note_mode_where_the_api_keeps_notes(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, "webchat")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.composer.mode == "note")
        assert "Toggle reply / note" in [c.title for c in screen.palette_commands()]
