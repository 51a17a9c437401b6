"""`o` and `s` on a file message in the history, over a real sandbox: `o` downloads into the
download folder and starts `$SWITCHBOARD_OPENER` with the saved path (as one argument, no shell);
over SSH with no display it says where the file is; `s` asks where and saves there."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import BOTH_WAYS, notifications, sandbox_both_ways, wait_for
from tests.ui.test_flows import open_conversation
from tui.app import SwitchboardApp
from tui.sandbox.seed_files import parcel_png, statement_pdf
from tui.screens.conversation import ConversationScreen
from tui.screens.file_actions import progress_words
from tui.screens.save_file import SaveFileScreen
from tui.widgets.history_item import HistoryItem

#: The main flows run on both kinds of server: with the optional fields, and the documented
#: record alone (names from /contacts, the window from the messages).
sandbox = pytest.fixture(params=BOTH_WAYS)(sandbox_both_ways)


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "dl"))
    return tmp_path / "dl" / "switchboard"


@pytest.fixture
def recorder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An opener that writes each argument it gets on its own line."""
    record = tmp_path / "opened.txt"
    script = tmp_path / "opener.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}.tmp" && mv "{record}.tmp" "{record}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("SWITCHBOARD_OPENER", f"{script} --from-switchboard")
    return record


def file_item(screen: ConversationScreen, name: str) -> HistoryItem:
    return next(i for i in screen.history.items if i.message.file_name == name)


async def test_o_downloads_and_opens_the_photo(
    make_app: Callable[..., SwitchboardApp], downloads: Path, recorder: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        item = file_item(screen, "broken-parcel.png")
        assert "broken-parcel.png · image/png" in str(item.render())
        item.focus()
        await pilot.press("o")
        await wait_for(pilot, recorder.exists)
        saved = downloads / "broken-parcel.png"
        assert recorder.read_text().splitlines() == ["--from-switchboard", str(saved)]
        assert saved.read_bytes() == parcel_png()
        await wait_for(pilot, lambda: any(f"Opened {saved}" in n for n in notifications(app)))
        recorder.unlink()
        await pilot.press("o")  # again: opened from disk, not downloaded a second time
        await wait_for(pilot, recorder.exists)
        assert sorted(os.listdir(downloads)) == ["broken-parcel.png"]


async def test_o_over_ssh_without_a_display_says_where_the_file_is(
    make_app: Callable[..., SwitchboardApp], downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SWITCHBOARD_OPENER", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        file_item(screen, "statement-2026-11.pdf").focus()
        await pilot.press("o")
        saved = downloads / "statement-2026-11.pdf"
        sentence = f"Saved to {saved}; this session has no display to open it."
        await wait_for(pilot, lambda: sentence in notifications(app))
        assert saved.read_bytes() == statement_pdf()


async def test_s_saves_where_the_agent_says(
    make_app: Callable[..., SwitchboardApp], downloads: Path, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        file_item(screen, "statement-2026-11.pdf").focus()
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveFileScreen))
        field = app.screen.query_one("#save-file-path")
        assert field.value == f"{downloads}/"  # type: ignore[attr-defined]
        target = tmp_path / "case-1042.pdf"
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: f"Saved to {target}." in notifications(app))
        assert target.read_bytes() == statement_pdf()
        assert app.screen is screen
        target.write_bytes(b"edited")
        file_item(screen, "statement-2026-11.pdf").focus()  # back from a modal, the composer has it
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveFileScreen))
        app.screen.query_one("#save-file-path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("exists already" in n for n in notifications(app)))
        assert target.read_bytes() == b"edited"
        file_item(screen, "statement-2026-11.pdf").focus()
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveFileScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert not downloads.exists()
        file_item(screen, "statement-2026-11.pdf").focus()
        await pilot.press("s")  # Enter on the folder as offered (not made yet): saved into it
        await wait_for(pilot, lambda: isinstance(app.screen, SaveFileScreen))
        await pilot.press("enter")
        into = downloads / "statement-2026-11.pdf"
        await wait_for(pilot, lambda: f"Saved to {into}." in notifications(app))
        assert into.read_bytes() == statement_pdf()


async def test_a_hostile_name_is_shown_as_text_and_saved_safely(
    make_app: Callable[..., SwitchboardApp], downloads: Path, recorder: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        item = file_item(screen, "../../.bashrc")
        assert "📎 ../../.bashrc · text/plain" in str(item.render())
        item.focus()
        await pilot.press("o")
        await wait_for(pilot, recorder.exists)
        assert recorder.read_text().splitlines()[-1] == str(downloads / "_.bashrc")


async def test_o_and_s_do_nothing_on_a_message_without_a_file(
    make_app: Callable[..., SwitchboardApp], downloads: Path, recorder: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        text = next(i for i in screen.history.items if not i.message.file_name)
        text.focus()
        assert not text.check_action("file", ("open",))
        before = list(notifications(app))
        await pilot.press("o", "s")
        await pilot.pause(0.2)
        assert app.screen is screen and not recorder.exists() and notifications(app) == before
        assert not downloads.exists()


def test_progress_words() -> None:
    assert progress_words(25_000_000, 50_000_000) == "downloading ━━━━━━────── 50% of 50.0 MB"
    assert progress_words(3_000_000, None) == "downloading 3.0 MB"


def test_o_and_s_are_named_bindings() -> None:
    ids = {b.id: b.key for b in HistoryItem.BINDINGS if hasattr(b, "id")}  # type: ignore[union-attr]
    assert ids["message.open"] == "o" and ids["message.save"] == "s"


async def test_a_sandbox_item_with_any_fields(sandbox: Any) -> None:
    """The seeded file messages carry every field the contract names."""
    from tests.helpers import sandbox_profile
    from tui.core.client import ApiClient

    async with ApiClient(sandbox_profile(sandbox)) as client:
        page = await client.list_messages(1)
    files = [m for m in page.data if m.conversation_file_id]
    assert {m.file_name for m in files} >= {"broken-parcel.png", "statement-2026-11.pdf"}
    for m in files:
        assert m.file_type and m.file_size and m.s3_key


async def test_a_large_file_shows_its_progress_in_the_message(
    make_app: Callable[..., SwitchboardApp],
    sandbox: Any,
    downloads: Path,
    recorder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    size = 6 * 1024 * 1024
    sandbox.customer_sends_file(1, "scan.tiff", "image/tiff", size=size)
    shown: list[str | None] = []
    update = HistoryItem.update_message

    def spy(self: HistoryItem, message: Any, *, pending: str | None = None, failed: bool = False) -> None:
        if message.file_name == "scan.tiff":
            shown.append(pending)
        update(self, message, pending=pending, failed=failed)

    monkeypatch.setattr(HistoryItem, "update_message", spy)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "open")
        file_item(screen, "scan.tiff").focus()
        await pilot.press("o")
        await wait_for(pilot, recorder.exists)
    bars = [p for p in shown if p and p.startswith("downloading")]
    assert bars and bars[-1] == "downloading ━━━━━━━━━━━━ 100% of 6.3 MB"
    assert shown[-1] is None  # the message reads as before once the file is there
    assert (downloads / "scan.tiff").stat().st_size == size
