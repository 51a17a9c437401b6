"""The outbox opens once the first rows are drawn: what was opened before it learns of it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.ui.conftest import wait_for
from tui.app import SwitchboardApp
from tui.core.store import OutboxEntry
from tui.messages import OutboxOpened
from tui.screens.outbox import OutboxScreen
from tui.widgets.conversation_list import ConversationList


async def test_the_outbox_screen_opened_before_the_outbox_shows_its_entries_once_it_opens(
    make_app: Callable[..., SwitchboardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.app_backend

    monkeypatch.setattr(tui.app_backend, "ROWS_WAIT_SECONDS", 30.0)
    app = make_app()
    # The first rows never say so: the outbox waits (here, for the 30 s above).
    monkeypatch.setattr(app, "rows_drawn", lambda: None)
    heard: list[object] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.outbox_signal.subscribe(app, heard.append)
        await wait_for(pilot, lambda: app.screen.query_one(ConversationList).total > 0)
        assert app.outbox is None and app.store is not None  # the store opens before the rows
        queued = app.store.enqueue(app.profile_name, 1, {"text": "from before"}, "from before")
        entry_id = queued.id
        app.store.update(entry_id, state="failed", reason="no route")  # kept, not sent by itself
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, OutboxScreen)
        await pilot.pause(0.2)
        assert screen.entries == []
        assert app._rows_drawn is not None
        app._rows_drawn.set()  # the first rows, at last
        await wait_for(pilot, lambda: any(isinstance(n, OutboxOpened) for n in heard))
        await wait_for(pilot, lambda: [e.id for e in screen.entries] == [entry_id])
        assert isinstance(screen.entries[0], OutboxEntry)
