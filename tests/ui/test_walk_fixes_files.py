"""What a tmux walk through files, templates and quotes at 80x24 found: the arrows moved nowhere
between messages (only tab did), a preview or a save sent focus back to the composer instead of
the message it was opened from, and the title bar's live state was cut off at 80 columns."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import wait_for
from tui.screens.conversation import ConversationScreen
from tui.screens.image_preview import ImagePreviewScreen
from tui.widgets.composer import ComposerArea
from tui.widgets.history_item import HistoryItem


async def _conversation(app: Any, pilot: Any, conversation_id: int = 1) -> ConversationScreen:
    await wait_for(pilot, lambda: app.backend is not None, timeout=20)
    conversation = await app.backend.client.get_conversation(conversation_id)
    app.call_later(app.open_conversation, conversation)
    await wait_for(
        pilot, lambda: isinstance(app.screen, ConversationScreen) and len(app.screen.history.items) > 3
    )
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


async def test_the_arrows_move_between_messages_and_past_the_newest_to_the_composer(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _conversation(app, pilot)
        items = screen.history.items
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.focused is items[-1])
        await pilot.press("up")
        await wait_for(pilot, lambda: app.focused is items[-2])
        await pilot.press("k")
        await wait_for(pilot, lambda: app.focused is items[-3])
        await pilot.press("down", "j")
        await wait_for(pilot, lambda: app.focused is items[-1])
        await pilot.press("down")
        await wait_for(pilot, lambda: isinstance(app.focused, ComposerArea))


async def test_back_from_a_preview_the_photo_keeps_focus(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _conversation(app, pilot)
        photo = next(i for i in screen.history.items if i.message.file_name == "broken-parcel.png")
        photo.focus()
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ImagePreviewScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert app.focused is photo
        assert isinstance(app.focused, HistoryItem)


async def test_the_title_bar_says_how_fresh_before_the_address(make_app: Any, sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None, timeout=20)
        await pilot.pause()
        assert app.sub_title.startswith("local · polling · ")
        assert app.sub_title.endswith(sandbox.base_url)


async def test_the_focused_messages_keys_are_in_the_palette_too(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _conversation(app, pilot)
        photo = next(i for i in screen.history.items if i.message.file_name == "broken-parcel.png")
        photo.focus()
        await pilot.pause()
        titles = [c.title for c in screen.palette_commands()]
        for title in ("Open the message's file", "Save the message's file…", "Preview the message's image"):
            assert title in titles
        screen.composer.area.focus()
        await pilot.pause()
        assert not any("message's" in c.title for c in screen.palette_commands())
