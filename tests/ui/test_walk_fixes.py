"""What a keyboard walk through every screen found, each pinned by a Pilot test: plain-text
quit hint, the placeholder's send key, template key only where templates exist, focus after the
outbox, toasts that stay with their conversation, chips removed with Delete, the picker's start
folder and focus, marks shown at once, refused files never attached, day separators, and worker
errors said in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.widgets import Input, TextArea

from tests.helpers import make_png
from tests.ui.conftest import notifications, wait_for
from tests.ui.test_flows import open_conversation
from tui.app import SwitchboardApp
from tui.core.models import Message
from tui.screens.conversation import ConversationScreen
from tui.screens.file_picker import FilePickerScreen
from tui.screens.outbox import OutboxScreen
from tui.widgets.composer import Chip
from tui.widgets.history import DaySeparator, History
from tui.widgets.history_item import HistoryItem


async def test_ctrl_c_says_how_to_quit_in_plain_text(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: bool(notifications(app)))
        said = notifications(app)[-1]
        assert "[" not in said and "ctrl+q" in said, said


async def test_placeholder_names_the_keymap_send_key(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app(keymap={"composer.send": "ctrl+s"})
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        assert "ctrl+s sends" in str(screen.composer.area.placeholder)
        assert "ctrl+j" not in str(screen.composer.area.placeholder)
        await pilot.press("ctrl+n")
        assert "ctrl+s saves" in str(screen.composer.area.placeholder)


async def test_template_key_only_where_there_are_templates(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        assert screen.check_action("template", ()) is False
        shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "template" not in shown
        await pilot.press("escape")
        screen = await open_conversation(pilot, "whatsapp", "open")
        assert screen.check_action("template", ()) is True


async def test_after_the_outbox_typing_goes_to_the_composer(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        await pilot.press("ctrl+l")
        assert isinstance(app.focused, HistoryItem)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, OutboxScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert app.focused is screen.composer.area
        await pilot.press("r", "d")
        assert screen.composer.text == "rd"


async def test_a_conversations_toasts_do_not_follow_into_the_next(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "messenger", "closed")
        screen.composer.set_text("too late")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: any("window" in n for n in notifications(app)))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConversationScreen))
        await pilot.pause()
        assert not any("window" in n for n in notifications(app))


async def test_delete_on_a_chip_removes_it_and_the_footer_says_so(
    make_app: Callable[..., SwitchboardApp], tmp_path: Path
) -> None:
    photo = make_png(tmp_path / "photo.png")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        screen.composer.add_attachments([photo])
        await pilot.pause()
        chip = screen.query_one(Chip)
        chip.focus()
        await pilot.pause()
        described = {b.binding.description for b in screen.active_bindings.values()}
        assert "Remove file" in described
        await pilot.press("delete")
        await pilot.pause()
        assert screen.composer.attachments == [] and not list(screen.query(Chip))
        assert app.focused is screen.composer.area


async def test_a_refused_file_shows_as_refused_and_cannot_be_marked(
    make_app: Callable[..., SwitchboardApp], tmp_path: Path
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    big = make_png(folder / "big.png", size=6 * 1024 * 1024)  # WhatsApp images: 5 MB at most
    app = make_app()
    app.last_folder = folder
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        picker = app.screen
        assert isinstance(picker, FilePickerScreen)
        await wait_for(pilot, lambda: len(picker.picker_tree.root.children) == 1)
        await pilot.press("tab", "space")
        assert picker.picker_tree.marked == []
        await wait_for(pilot, lambda: any("5" in n and "MB" in n for n in notifications(app)))
        await pilot.press("escape")
        # A refused file that reaches the composer another way (a restored draft) looks refused.
        screen.composer.add_attachments([big])
        await pilot.pause()
        assert screen.query_one(Chip).has_class("-refused")


async def test_the_picker_opens_at_home_on_the_path_box_and_remembers(
    make_app: Callable[..., SwitchboardApp], tmp_path: Path, isolated_home: Path
) -> None:
    folder = isolated_home / "photos"
    folder.mkdir()
    make_png(folder / "cat.png")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        picker = app.screen
        assert isinstance(picker, FilePickerScreen)
        assert Path(picker.picker_tree.path) == isolated_home.resolve()
        assert isinstance(app.focused, Input) and app.focused.id == "picker-path"
        app.focused.value = "~/photos/"
        await pilot.press("enter")
        await wait_for(pilot, lambda: Path(picker.picker_tree.path) == folder.resolve())
        await wait_for(pilot, lambda: len(picker.picker_tree.root.children) == 1)
        await pilot.press("space")  # focus is on the tree after a folder was typed
        # The mark is drawn at once, on the line under the cursor.
        line = picker.picker_tree.render_line(0).text
        assert "✓" in line, line
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is screen)
        assert [p.name for p in screen.composer.attachments] == ["cat.png"]
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        assert Path(app.screen.picker_tree.path) == folder.resolve()  # type: ignore[attr-defined]


def _message(mid: int, when: datetime) -> Message:
    return Message(id=mid, direction="inbound", message_text=f"m{mid}", created_at=when)


async def test_the_history_separates_days() -> None:
    from textual.app import App, ComposeResult

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield History(clock=lambda: now)

    app = One()
    async with app.run_test(size=(80, 40)) as pilot:
        history = app.query_one(History)
        day = timedelta(days=1)
        newest_first = [_message(4, now), _message(3, now - day), _message(2, now - day - timedelta(hours=1))]
        await history.show_recent(newest_first, total=5)
        await pilot.pause()
        kinds = [type(c).__name__ for c in history.children]
        assert kinds == ["DaySeparator", "HistoryItem", "HistoryItem", "DaySeparator", "HistoryItem"]
        labels = [str(c.render()) for c in history.query(DaySeparator)]
        assert "Yesterday" in labels[0] and "Today" in labels[1]
        # An older page from the same day as the top: that day's separator moves above it.
        await history.add_older([_message(1, now - day - timedelta(hours=2))], total=5)
        await pilot.pause()
        kinds = [type(c).__name__ for c in history.children]
        assert kinds == [
            "DaySeparator",
            "HistoryItem",
            "HistoryItem",
            "HistoryItem",
            "DaySeparator",
            "HistoryItem",
        ]
        # New messages of today join today's group without a second separator.
        await history.add_new([_message(5, now + timedelta(minutes=1))], total=6)
        await pilot.pause()
        assert len(list(history.query(DaySeparator))) == 2
        assert [i.message.id for i in history.items] == [1, 2, 3, 4, 5]


async def test_a_worker_error_is_one_sentence_and_paging_is_not_stuck(
    make_app: Callable[..., SwitchboardApp], monkeypatch: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        assert app.backend is not None

        async def broken(*args: Any, **kw: Any) -> Any:
            raise ZeroDivisionError("boom")

        monkeypatch.setattr(app.backend.client, "list_messages", broken)
        screen.history.loading_older = True
        screen.load_older(0)
        await wait_for(pilot, lambda: any("Something went wrong" in n for n in notifications(app)))
        said = next(n for n in notifications(app) if "Something went wrong" in n)
        assert "ZeroDivisionError" in said and "\n" not in said
        await wait_for(pilot, lambda: screen.history.loading_older is False)
        assert isinstance(app.screen, ConversationScreen)
        editor = screen.composer.query_one(TextArea)
        await pilot.press("o", "k")
        assert editor.text.endswith("ok")
