"""Every flow of the composer app, driven with Pilot against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.helpers import make_png, window_of
from tests.ui.conftest import BOTH_WAYS, notifications, sandbox_both_ways, wait_for
from tui.app import SwitchboardApp
from tui.core.models import Conversation
from tui.screens.conversation import ConversationScreen, HistoryItem
from tui.screens.inbox import InboxScreen
from tui.widgets.conversation_list import ConversationList

#: The main flows run on both kinds of server: with the optional fields, and the documented
#: record alone (names from /contacts, the window from the messages).
sandbox = pytest.fixture(params=BOTH_WAYS)(sandbox_both_ways)


async def inbox_ready(pilot: Pilot) -> ConversationList:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.list.loaded)
    return app.screen.list  # type: ignore[attr-defined]


async def open_conversation(pilot: Pilot, channel: str, window: str | None = None) -> ConversationScreen:
    """Move the cursor to a matching row with the keyboard and press Enter."""
    rows = await inbox_ready(pilot)
    for index in range(rows.total):
        c = rows.row(index)
        if c is None:
            await pilot.press("G")
            await wait_for(pilot, lambda i=index: rows.row(i) is not None)
            c = rows.row(index)
        assert c is not None
        if c.channel == channel and window is not None and window_of(c) == "unknown":
            # A documented-only server's record does not say: the messages do (as opening would).
            await pilot.app.backend.client.list_messages(c.id, channel=c.channel)  # type: ignore[attr-defined]
            c = rows.row(index)
            assert c is not None
        if c.channel == channel and (window is None or window_of(c) == window):
            await pilot.press("g")
            for _ in range(index):
                await pilot.press("j")
            assert rows.cursor == index
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
            opened: ConversationScreen = pilot.app.screen  # type: ignore[assignment]
            await wait_for(pilot, lambda s=opened: len(s.history.children) > 0)
            return opened
    raise LookupError(f"no {channel} conversation with window {window}")


async def type_text(pilot: Pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


def items(screen: ConversationScreen) -> list[HistoryItem]:
    return list(screen.history.query(HistoryItem))


async def sandbox_messages(sandbox: Any, conversation_id: int) -> list[Any]:
    from tests.helpers import sandbox_profile
    from tui.core.client import ApiClient

    async with ApiClient(sandbox_profile(sandbox)) as client:
        return (await client.list_messages(conversation_id)).data


async def test_start_shows_profile_and_rows(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        rows = await inbox_ready(pilot)
        assert rows.total >= 25
        assert app.sub_title.startswith("local · ") and sandbox.base_url in app.sub_title
        await pilot.press("j", "j", "k")
        assert rows.cursor == 1
        await pilot.press("G")
        assert rows.cursor == rows.total - 1
        await pilot.press("g")
        assert rows.cursor == 0


async def test_filter_by_channel_and_search(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        rows = await inbox_ready(pilot)
        await pilot.press("c")  # all -> whatsapp
        await wait_for(
            pilot,
            lambda: (
                rows.loaded
                and all(
                    (rows.row(i) or Conversation(id=0, channel="whatsapp")).channel == "whatsapp"
                    for i in range(rows.total)
                )
            ),
        )
        whatsapp_total = rows.total
        assert 0 < whatsapp_total < 30
        first = rows.row(0)
        assert first is not None and first.contact and first.contact.first_name
        await pilot.press("slash")
        await type_text(pilot, first.contact.first_name)
        await wait_for(
            pilot,
            lambda: (
                rows.loaded and rows.total >= 1 and rows.row(0) is not None and rows.row(0).id == first.id
            ),
        )  # type: ignore[union-attr]
        await pilot.press("escape")
        await wait_for(pilot, lambda: rows.loaded and rows.total == whatsapp_total)


async def test_send_reply_and_note(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        before = len(items(screen))
        await type_text(pilot, "Hello from pilot")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: len(items(screen)) == before + 1 and items(screen)[-1].pending is None)
        sent = items(screen)[-1].message
        assert sent.message_text == "Hello from pilot" and sent.direction == "outbound"
        assert screen.composer.text == ""

        await pilot.press("ctrl+n")
        assert screen.composer.mode == "note" and screen.composer.has_class("-note")
        assert str(screen.query_one("#mode-label").render()) == "NOTE"
        await type_text(pilot, "internal only")
        await pilot.press("alt+enter")
        await wait_for(pilot, lambda: len(items(screen)) == before + 2 and items(screen)[-1].pending is None)
        assert items(screen)[-1].message.is_note and items(screen)[-1].has_class("note")
        on_server = await sandbox_messages(sandbox, screen.conversation.id)
        assert [m.message_type for m in on_server[:2]] == ["note", "text"]


async def test_closed_messenger_refuses_reply_but_takes_a_note(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "messenger", "closed")
        banner = str(screen.query_one("#window-banner").render())
        assert "closed" in banner.lower() and "ctrl+n" in banner
        before = await sandbox_messages(sandbox, screen.conversation.id)
        await type_text(pilot, "Are you there")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: any("reply window closed" in n for n in notifications(app)))
        assert screen.composer.text == "Are you there"  # nothing lost
        assert await sandbox_messages(sandbox, screen.conversation.id) == before
        await pilot.press("ctrl+n")  # the note is a draft of its own; the refused reply stays aside
        assert screen.composer.mode == "note" and screen.composer.text == ""
        await type_text(pilot, "Customer called back")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: items(screen)[-1].message.is_note and items(screen)[-1].pending is None)
        on_server = await sandbox_messages(sandbox, screen.conversation.id)
        assert on_server[0].message_text == "Customer called back" and on_server[0].message_type == "note"
        await pilot.press("ctrl+n")
        assert screen.composer.text == "Are you there"


async def test_attach_through_the_picker(
    make_app: Callable[..., SwitchboardApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.screens.file_picker import FilePickerScreen

    folder = tmp_path / "files"
    folder.mkdir()
    make_png(folder / "a-photo.png")
    (folder / "b-archive.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    app = make_app()
    app.last_folder = folder  # the picker opens where the agent picked from last time
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        before = len(items(screen))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        picker = app.screen
        await wait_for(
            pilot, lambda: picker.picker_tree.root.children and len(picker.picker_tree.root.children) == 2
        )
        await pilot.press("tab")  # from the path box to the tree
        await pilot.press("down")  # the zip: WhatsApp refuses it, and says so
        assert "does not take application/zip" in str(picker.query_one("#picker-info").render())
        await pilot.press("up", "space")
        assert [p.name for p in picker.picker_tree.marked] == ["a-photo.png"]
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        assert [p.name for p in screen.composer.attachments] == ["a-photo.png"]
        assert "(caption)" in str(screen.query_one("#counter").render())
        await type_text(pilot, "Here it is")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: len(items(screen)) == before + 1 and items(screen)[-1].pending is None)
        sent = items(screen)[-1].message
        assert (sent.message_type, sent.file_name, sent.message_text) == (
            "image",
            "a-photo.png",
            "Here it is",
        )
        assert screen.composer.attachments == []


async def test_template_send(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    from tui.screens.templates import TemplateFormScreen, TemplatePickerScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "closed")
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: isinstance(app.screen, TemplatePickerScreen) and bool(app.screen.templates)
        )
        assert all(t.status == "APPROVED" for t in app.screen.templates)
        await pilot.press("tab")  # the search field precedes the list
        await pilot.click("#template-search")
        await type_text(pilot, "order_update")
        await pilot.press("enter")  # one Enter picks the filtered template
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen))
        form = app.screen
        assert form.query_one("#template-send").disabled
        await type_text(pilot, "Ana")
        await pilot.press("tab")
        assert form.query_one("#template-send").disabled  # one field still empty
        await type_text(pilot, "A-1001")
        assert not form.query_one("#template-send").disabled
        assert "Hi Ana, your order A-1001 has shipped." in str(form.query_one("#template-live").render())
        await pilot.press("ctrl+j")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ConversationScreen)
                and items(screen)[-1].pending is None
                and items(screen)[-1].message.message_type == "template"
            ),
        )
        assert items(screen)[-1].message.message_text == "Hi Ana, your order A-1001 has shipped."


async def test_snippet_insert(make_app: Callable[..., SwitchboardApp]) -> None:
    from tui.screens.snippets import SnippetScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetScreen))
        await type_text(pilot, "greet")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        first = (screen.conversation.contact.first_name if screen.conversation.contact else None) or "there"
        assert screen.composer.text.startswith(f"Hi {first}, thanks for reaching out!")


async def test_keymap_override(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app(keymap={"conversation.toggle_note": "ctrl+b"})
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        await pilot.press("ctrl+n")
        assert screen.composer.mode == "reply"  # the old key no longer toggles
        await pilot.press("ctrl+b")
        assert screen.composer.mode == "note"


async def test_unreachable_backend_is_one_notification(sandbox: Any) -> None:
    import socket

    from tui.core.config import Config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = Config.model_validate(
        {
            "default_profile": "dead",
            "profiles": {
                "dead": {"base_url": f"http://127.0.0.1:{port}", "organization_id": 1, "api_key": "k-123456"}
            },
        }
    )
    app = SwitchboardApp(config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: any("connection refused" in n for n in notifications(app)))
        sentence = next(n for n in notifications(app) if "connection refused" in n)
        assert sentence.startswith(f"Nothing is answering at 127.0.0.1:{port}") and "\n" not in sentence
        assert isinstance(app.screen, InboxScreen)


async def test_theme_choice_is_saved(make_app: Callable[..., SwitchboardApp], isolated_home: Path) -> None:
    import tomllib

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "switchboard-night"
        app.theme = "switchboard-16"
        path = isolated_home / ".config" / "switchboard" / "config.toml"
        await wait_for(pilot, lambda: path.exists())
        await app.workers.wait_for_complete()
    assert tomllib.loads(path.read_text())["theme"] == "switchboard-16"


async def test_bad_theme_file_named_once(
    make_app: Callable[..., SwitchboardApp], isolated_home: Path
) -> None:
    folder = isolated_home / ".config" / "switchboard" / "themes"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    (folder / "mine.toml").write_text('name = "mine"\nprimary = "#ff8800"\n')
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        problems = [n for n in notifications(app) if "broken.toml" in n]
        assert len(problems) == 1 and "primary" in problems[0]
        assert "mine" in app.available_themes and "broken" not in app.available_themes


async def test_help_lists_keys_with_ids(make_app: Callable[..., SwitchboardApp]) -> None:
    from tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_conversation(pilot, "webchat")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one("#help-table", Static).content
        from rich.console import Console

        console = Console(width=120, record=True)
        console.print(table)
        text = console.export_text()
        for binding_id in ("composer.send", "conversation.toggle_note", "conversation.attach", "app.help"):
            assert binding_id in text
        await pilot.press("escape")
        assert isinstance(app.screen, ConversationScreen)


async def test_hostile_text_renders_as_typed(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        screen.composer.set_text("[bold]x[/] [@click=app.quit]y[/] \x1b[31mz")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: items(screen)[-1].pending is None)
        rendered = str(items(screen)[-1].render())
        assert "[bold]x[/] [@click=app.quit]y[/] ␛[31mz" in rendered
        assert app.is_running


async def test_typing_on_the_template_list_searches(make_app: Callable[..., SwitchboardApp]) -> None:
    from textual.widgets import Input, OptionList

    from tui.screens.templates import TemplateFormScreen, TemplatePickerScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_conversation(pilot, "whatsapp", "open")
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: isinstance(app.screen, TemplatePickerScreen) and bool(app.screen.templates)
        )
        picker = app.screen
        assert isinstance(app.focused, OptionList)
        await type_text(pilot, "shipping")
        assert picker.query_one("#template-search", Input).value == "shipping"
        assert picker.query_one("#template-list", OptionList).option_count == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen))
        assert app.screen.template.name == "shipping_notice"  # type: ignore[attr-defined]
