"""The contact card in a conversation (alt+c): a side panel from 100 columns, a screen below;
two requests the first time, none the next; Enter opens another of the contact's
conversations; esc gives the composer its focus back; a change pushed to one of the listed
conversations shows without a request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Static

from tests.ui.conftest import wait_for
from tui.app import SwitchboardApp
from tui.screens.contact import ContactScreen
from tui.screens.conversation import ConversationScreen
from tui.screens.inbox import InboxScreen
from tui.widgets.contact_card import ContactCardView


async def _open(app: SwitchboardApp, pilot: Any, cid: int) -> ConversationScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.list.loaded)
    assert app.backend is not None
    app.open_conversation(await app.backend.client.get_conversation(cid))
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.is_mounted)
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    await wait_for(pilot, lambda: bool(screen.history.items))
    await wait_for(pilot, lambda: app.focused is screen.composer.area)
    return screen


def _card_text(view: ContactCardView) -> str:
    return str(view.query_one("#contact-fields", Static).render())


async def test_the_side_panel_reads_twice_then_opens_another_conversation(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, 1)
        sandbox.clear_requests()
        await pilot.press("alt+c")
        panel = screen.query_one("#contact-panel", ContactCardView)
        await wait_for(pilot, lambda: panel.others.option_count == 2)
        reads = [r[:2] for r in sandbox.requests() if r[0] == "GET"]  # a PATCH may mark it read
        assert reads == [("GET", "/contacts"), ("GET", "/conversations")]
        text = _card_text(panel)
        for expected in (
            "Ana Lima",
            "+55 22021890 (BR)",
            "ana.lima@example.com",
            "Tom Becker",
            "Customer tier: Silver",
        ):
            assert expected in text
        assert app.focused is panel.others
        assert "this one" in str(panel.others.get_option_at_index(0).prompt)  # newest interaction first
        await pilot.press("escape")  # the panel's esc: closed, the composer has the focus again
        assert not panel.display and app.focused is screen.composer.area
        assert isinstance(app.screen, ConversationScreen)
        sandbox.clear_requests()
        await pilot.press("alt+c")
        await wait_for(pilot, lambda: panel.display and app.focused is panel.others)
        await pilot.pause(0.2)
        reads = [r for r in sandbox.requests() if r[1] == "/contacts" or "contact_id" in r[2]]
        assert reads == []  # read a moment ago: drawn again from what is held (a mark-read may go)
        await pilot.press("down", "enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.conversation.id == 24
        )


async def test_a_narrow_terminal_gets_a_screen_and_a_pushed_change_shows(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, 1)
        await pilot.press("alt+c")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactScreen))
        card = app.screen
        assert isinstance(card, ContactScreen)
        await wait_for(pilot, lambda: card.view.others.option_count == 2)
        assert "Ana Lima" in _card_text(card.view)
        assert app.backend is not None
        sms = app.backend.client.cache.get(24)
        assert sms is not None
        sandbox.clear_requests()
        app.backend.client.cache.record(sms.model_copy(update={"status": "closed"}))  # as a push would
        app.queue_changed([24])
        await wait_for(
            pilot,
            lambda: any("closed" in str(card.view.others.get_option_at_index(i).prompt) for i in range(2)),
        )
        assert sandbox.requests() == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert not screen.query("#contact-panel")  # no side panel below 100 columns


async def test_a_conversation_without_a_contact_says_so(
    make_app: Callable[..., SwitchboardApp], sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, 1)
        alone = screen.conversation.model_copy(update={"contact_id": None})  # a server's record without one
        monkeypatch.setattr(ConversationScreen, "conversation", property(lambda _: alone))
        sandbox.clear_requests()
        await pilot.press("alt+c")
        panel = screen.query_one("#contact-panel", ContactCardView)
        await wait_for(pilot, lambda: "names no contact" in _card_text(panel))
        assert panel.others.option_count == 0
        card_reads = [r for r in sandbox.requests() if r[1] == "/contacts" or "contact_id" in r[2]]
        assert card_reads == []  # nothing to read (the queue's own reads may come meanwhile)
