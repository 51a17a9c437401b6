"""What was claimed but not tested: older pages load on scrolling up, an unsent message is taken
back into the composer, `$EDITOR` round-trips the draft, and the outbox screen's keys act."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import sandbox_profile
from tests.ui.conftest import notifications, sandbox_config, wait_for
from tests.ui.test_flows import open_conversation, type_text
from tui.app import SwitchboardApp
from tui.core.client import ApiClient
from tui.core.errors import SwitchboardError
from tui.editor import edit_in_editor
from tui.sandbox.faults import Faults
from tui.sandbox.runner import start_in_thread
from tui.screens.conversation import ConversationScreen
from tui.screens.outbox import OutboxScreen
from tui.widgets.history_item import HistoryItem

WEBCHAT_SEND = "/conversation-messages-transform-outgoing-webchat"


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[Any]:
    running = start_in_thread(tmp_path / "faulty", faults=Faults())
    try:
        yield running
    finally:
        running.stop()


async def test_scrolling_up_loads_the_older_pages_once_each(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        for i in range(95):
            await client.post_message(
                client.paths.webchat,
                {"conversation_id": 19, "message_text": f"older {i}", "message_type": "text"},
            )
        total = (await client.list_messages(19)).total
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        history = screen.history
        await wait_for(pilot, lambda: history.loaded_count == 50)  # a page is 50 [docs]
        while history.loaded_count < total:
            history.scroll_home(animate=False)
            await wait_for(pilot, lambda: not history.loading_older)
            await pilot.pause()
        ids = [str(i.message.id) for i in history.items]
        assert len(ids) == total == len(set(ids))  # every message once, none twice


async def test_e_takes_a_failed_send_back_into_the_composer(faulty: Any) -> None:
    faulty.set_faults(fail_rate=1.0, fail_status=(400,), fault_paths=(WEBCHAT_SEND,))
    app = SwitchboardApp(config=sandbox_config(faulty))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        await type_text(pilot, "try me")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: any(i.state == "failed" for i in screen.history.items))
        assert screen.composer.text == ""
        item = next(i for i in screen.history.items if i.state == "failed")
        item.focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: screen.composer.text == "try me")
        assert item not in screen.history.items
        assert app.outbox is not None and await app.outbox.unresolved() == []


class _Suspending:
    """What `edit_in_editor` needs of an app: a suspend that works (a real terminal's)."""

    @contextlib.contextmanager
    def suspend(self) -> Iterator[None]:
        yield


def test_editor_round_trips_the_draft(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = tmp_path / "ed.sh"
    script.write_text('#!/bin/sh\ngrep -q "^draft$" "$1" && printf "from the editor\\n\\n" > "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(script))
    assert edit_in_editor(_Suspending(), "draft") == "from the editor"  # type: ignore[arg-type]
    monkeypatch.setenv("VISUAL", "false")
    with pytest.raises(SwitchboardError, match="exited with 1; the composer is unchanged"):
        edit_in_editor(_Suspending(), "draft")  # type: ignore[arg-type]
    monkeypatch.setenv("VISUAL", str(tmp_path / "no-such-editor"))
    with pytest.raises(SwitchboardError, match="could not be opened"):
        edit_in_editor(_Suspending(), "draft")  # type: ignore[arg-type]


async def test_editor_where_the_terminal_cannot_suspend_says_so(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:  # the headless driver cannot suspend
        screen = await open_conversation(pilot, "webchat")
        await type_text(pilot, "kept")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any("could not be opened" in n for n in notifications(app)))
        assert screen.composer.text == "kept"


async def test_the_outbox_screen_discards_and_opens(faulty: Any) -> None:
    faulty.set_faults(fail_rate=1.0, fail_status=(400,), fault_paths=(WEBCHAT_SEND,))
    app = SwitchboardApp(config=sandbox_config(faulty))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        for text in ("first", "second"):
            screen.composer.set_text(text)
            await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: sum(i.state == "failed" for i in screen.history.items) == 2)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, OutboxScreen) and len(app.screen.entries) == 2)
        outbox_screen = app.screen
        assert isinstance(outbox_screen, OutboxScreen)
        await pilot.press("d")
        await wait_for(pilot, lambda: len(outbox_screen.entries) == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        reopened = app.screen
        assert isinstance(reopened, ConversationScreen) and reopened.conversation.id == 19
        await wait_for(
            pilot,
            lambda: (
                sum(isinstance(i, HistoryItem) and i.state == "failed" for i in reopened.history.items) == 1
            ),
        )
