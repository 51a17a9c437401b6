"""Marked rows in the inbox: `space` marks (and moves on), the count shows, `x` closes every
marked row with one request, the rows then say "Closed", the key bar reads "Reopen" on a closed
row, `*` marks the view, `esc` clears the marks before the search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Label, Static

from tests.ui.conftest import wait_for
from tui.app import SwitchboardApp
from tui.screens.inbox import InboxScreen
from tui.widgets.key_bar import KeyBar


async def _inbox(app: SwitchboardApp, pilot: Any) -> InboxScreen:
    await wait_for(pilot, lambda: app.queue is not None and app.queue.read_at > 0 and app.me is not None)
    inbox = app.screen
    assert isinstance(inbox, InboxScreen)
    await wait_for(pilot, lambda: inbox.list.loaded)
    return inbox


def _row(inbox: InboxScreen, index: int) -> str:
    row = inbox.list.row(index)
    assert row is not None
    return inbox.list._draw(row, index, 120).text


def _summary(inbox: InboxScreen) -> str:
    return str(inbox.query_one("#filter-summary", Static).render())


async def test_marked_rows_close_with_one_request(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = await _inbox(app, pilot)
        await pilot.press("s")  # open ones only: every marked row will close
        await wait_for(pilot, lambda: inbox.status == "open" and inbox.list.loaded)
        await pilot.pause(0.2)
        ids = [inbox.list.row(i).id for i in range(3)]  # type: ignore[union-attr]
        await pilot.press("space", "space", "space")
        assert inbox.marks.ids == tuple(ids) and inbox.list.cursor == 3
        assert "3 marked (esc clears)" in _summary(inbox)
        assert all(_row(inbox, i).startswith("●") for i in range(3)) and not _row(inbox, 3).startswith("●")
        sandbox.clear_requests()
        await pilot.press("x")
        await wait_for(pilot, lambda: not inbox.marks)
        assert [r[:2] for r in sandbox.requests() if r[0] != "GET"] == [
            ("POST", "/conversations-bulk-actions")
        ]
        assert app.backend is not None
        assert all(app.backend.client.cache.get(cid).status == "closed" for cid in ids)  # type: ignore[union-attr]
        assert "3 conversations closed." in [n.message for n in app._notifications]


async def test_a_closed_row_says_so_and_x_reads_reopen(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = await _inbox(app, pilot)
        await pilot.press("x")  # the row under the cursor, one PATCH
        await wait_for(pilot, lambda: "Closed · " in _row(inbox, inbox.list.cursor))
        await pilot.pause(0.1)
        bar = str(inbox.query_one(KeyBar).render())
        assert " x Reopen " in bar and " x Close " not in bar, bar
        await pilot.press("x")
        await wait_for(pilot, lambda: "Closed · " not in _row(inbox, inbox.list.cursor))
        await pilot.pause(0.1)
        assert " x Close " in str(inbox.query_one(KeyBar).render())


async def test_star_marks_the_view_and_esc_clears_before_the_search(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = await _inbox(app, pilot)
        await pilot.press("asterisk")
        assert len(inbox.marks) == inbox.list.total
        assert f"{inbox.list.total} marked" in _summary(inbox)
        await pilot.press("escape")
        assert not inbox.marks and "marked" not in _summary(inbox)
        await pilot.press("space", "2")  # another view: marks do not follow
        await wait_for(pilot, lambda: inbox.view.value == "mine")
        assert not inbox.marks


async def test_marked_rows_go_to_an_ai_assistant_with_one_request(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    from tui.screens.choose import ChooseScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = await _inbox(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: inbox.status == "open" and inbox.list.loaded)
        await pilot.pause(0.2)
        ids = [inbox.list.row(i).id for i in range(2)]  # type: ignore[union-attr]
        await pilot.press("space", "space")
        sandbox.clear_requests()
        await pilot.press("alt+i")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseScreen))
        assert "2 marked conversations" in str(app.screen.query_one(".picker-title", Label).render())
        await pilot.press("home", "enter")  # the first by name: Ava
        await wait_for(pilot, lambda: not inbox.marks)
        posts = [r for r in sandbox.requests() if r[0] != "GET"]
        assert [r[:2] for r in posts] == [("POST", "/conversations-bulk-actions")]
        assert app.backend is not None
        held = [app.backend.client.cache.get(cid).assigned_ai_assistant_id for cid in ids]  # type: ignore[union-attr]
        assert held == ["asst_support", "asst_support"]
        assert any(n.message.startswith("2 conversations handed to Ava") for n in app._notifications)
