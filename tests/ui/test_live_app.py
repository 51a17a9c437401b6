"""The app on a live sandbox (Socket.IO): two agents see each other's replies as they are
pushed, delivery marks move in place, a customer writing rings the terminal when the agent is
elsewhere, and a restarted server loses and doubles nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ui.conftest import sandbox_config, wait_for
from tui.app import SwitchboardApp
from tui.screens.conversation import ConversationScreen
from tui.screens.inbox import InboxScreen

TOM = 11
WHATSAPP = 1  # window open in the seed


def _live_app(sandbox: Any, **extra: Any) -> SwitchboardApp:
    return SwitchboardApp(config=sandbox_config(sandbox, realtime="auto", **extra))


def _known(app: SwitchboardApp) -> list[Any]:
    """Every conversation the app's cache holds (the list's and the queue's reads)."""
    assert app.backend is not None
    return [c for _, c in app.backend.client.cache.items()]


def _texts(app: SwitchboardApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return [item.message.message_text or "" for item in screen.history.items]


def _post_as(
    sandbox: Any, user_id: int, conversation_id: int, text: str, kind: str = "note", channel: str = "whatsapp"
) -> None:
    key = sandbox.agent(user_id).api_key
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": key}, timeout=10) as http:
        r = http.post(
            f"/conversation-messages-transform-outgoing-{channel}",
            json={"conversation_id": conversation_id, "message_text": text, "message_type": kind},
        )
        r.raise_for_status()


async def _open(app: SwitchboardApp, pilot: Any, conversation_id: int) -> ConversationScreen:
    await wait_for(pilot, lambda: app.backend is not None and app.live, timeout=20)
    conversation = await app.backend.client.get_conversation(conversation_id)  # type: ignore[union-attr]
    app.call_later(app.open_conversation, conversation)  # on the app's own message loop
    await wait_for(
        pilot, lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.history.items)
    )
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


async def test_a_teammates_note_is_pushed_into_the_open_conversation_once(sandbox: Any) -> None:
    app = _live_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, WHATSAPP)
        assert "live" in screen.sub_title
        polled = screen._last_poll
        _post_as(sandbox, TOM, WHATSAPP, "Tom here: I called the courier")
        await wait_for(pilot, lambda: "Tom here: I called the courier" in _texts(app))
        await pilot.pause(0.3)
        assert _texts(app).count("Tom here: I called the courier") == 1
        assert screen._last_poll == polled  # it came by push: the poll rests while live


async def test_the_list_follows_a_teammates_reply(sandbox: Any) -> None:
    app = _live_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None and app.live, timeout=20)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await wait_for(pilot, lambda: inbox.list.loaded)
        _post_as(sandbox, TOM, WHATSAPP, "Your parcel left the depot", kind="text")

        def on_top() -> bool:
            row = inbox.list.row(0)
            return (
                row is not None
                and row.id == WHATSAPP
                and row.last_message_text == "Your parcel left the depot"
            )

        await wait_for(pilot, on_top)


async def test_a_conversation_a_teammate_answered_leaves_needs_reply_live(sandbox: Any) -> None:
    app = _live_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: app.backend is not None and app.live and app.queue is not None, timeout=20
        )
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await pilot.press("1")
        await wait_for(pilot, lambda: inbox.list.row(0) is not None)
        rows = [inbox.list.row(i) for i in range(inbox.list.total)]
        waiting = next(c for c in rows if c is not None and c.channel == "webchat")
        _post_as(sandbox, TOM, waiting.id, "On it!", kind="text", channel="webchat")

        def gone() -> bool:
            shown = [inbox.list.row(i) for i in range(inbox.list.total)]
            return all(c is None or c.id != waiting.id for c in shown)

        await wait_for(pilot, gone)


@pytest.fixture
def delivering(tmp_path: Path) -> Any:
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(
        data_dir=tmp_path / "sandbox", delivery_seconds=0.2, delivery_failure_rate=1.0, delivery_seed=1
    )
    try:
        yield running
    finally:
        running.stop()


async def test_a_failed_delivery_shows_its_code_and_text_in_place(delivering: Any) -> None:
    app = _live_app(delivering)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, WHATSAPP)
        _post_as(delivering, TOM, WHATSAPP, "Tracking number attached", kind="text")
        await wait_for(pilot, lambda: "Tracking number attached" in _texts(app))

        def failed() -> bool:
            for item in screen.history.items:
                if item.message.message_text == "Tracking number attached":
                    return item.message.status == "failed" and "Not delivered (error " in str(item.render())
            return False

        await wait_for(pilot, failed)
        assert _texts(app).count("Tracking number attached") == 1


async def test_a_customer_writing_in_my_conversation_rings_when_i_am_elsewhere(sandbox: Any) -> None:
    app = _live_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None and app.live and app.me is not None, timeout=20)
        await wait_for(pilot, lambda: app.queue is not None)
        assert app.queue is not None and app.me is not None
        mine = next(c for c in _known(app) if c.assigned_user_id == app.me.id)
        theirs = next(c for c in _known(app) if c.assigned_user_id == TOM)
        notifier = app.notifier
        assert notifier is not None
        sandbox.customer_writes(theirs.id, "Anyone there?")
        sandbox.customer_writes(mine.id, "Hello? \x1b]2;pwned\x07")
        await wait_for(pilot, lambda: any("\x1b]9;" in s for s in notifier.written))
        desktop = [s for s in notifier.written if "\x1b]9;" in s or "\x1b]777;" in s]
        assert all(mine.contact_name.split()[0] in s for s in desktop)  # never Tom's customer
        assert not any("pwned" in s for s in desktop)  # the text is opt-in; names only
        assert "\x07" in notifier.written  # the bell


async def test_a_restarted_server_loses_and_doubles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.sandbox.runner import start_in_thread

    data = tmp_path / "sandbox"
    first = start_in_thread(data_dir=data)
    port = int(first.base_url.rsplit(":", 1)[1])
    # No poll while the server is away: what was missed must come from the resync after connecting.
    app = _live_app(first, refresh_seconds=3600)
    second = None
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await _open(app, pilot, WHATSAPP)
            first.stop()
            await wait_for(pilot, lambda: not app.live, timeout=20)
            from tui.sandbox.activity import customer_writes
            from tui.sandbox.state import Sandbox

            offline = Sandbox(data, __import__("time").time, {})
            for k in range(3):
                customer_writes(offline, WHATSAPP, f"while you were away {k}")
            offline.store.close()
            second = start_in_thread(data_dir=data, port=port)
            await wait_for(pilot, lambda: app.live, timeout=20)
            await wait_for(pilot, lambda: all(f"while you were away {k}" in _texts(app) for k in range(3)))
            await pilot.pause(0.3)
            texts = _texts(app)
            for k in range(3):
                assert texts.count(f"while you were away {k}") == 1
            assert len(texts) == len(set(map(str, (i.message.id for i in app.screen.history.items))))  # type: ignore[attr-defined]
    finally:
        if second is not None:
            second.stop()


async def test_polling_rings_too_and_the_title_counts_unread(sandbox: Any) -> None:
    """Found in review: with realtime off (or a server without Socket.IO) nothing rang and the
    title never counted: the notifier lived only with the feed, and only pushes fed it."""
    app = SwitchboardApp(config=sandbox_config(sandbox, realtime="off", refresh_seconds=2))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.queue is not None and app.me is not None, timeout=20)
        notifier = app.notifier
        assert notifier is not None and not app.live
        await wait_for(pilot, lambda: any(s.startswith("\x1b]2;(") for s in notifier.written))
        assert app.queue is not None and app.me is not None
        mine = next(c for c in _known(app) if c.assigned_user_id == app.me.id)
        sandbox.customer_writes(mine.id, "Is anyone reading this?")
        await wait_for(pilot, lambda: any("\x1b]9;" in s for s in notifier.written), timeout=20)
        assert any(mine.contact_name.split()[0] in s for s in notifier.written if "\x1b]9;" in s)


async def test_a_pushed_message_and_the_next_scan_ring_once(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "tui.notifier.DESKTOP_GAP", 0.0
    )  # only the app's own bookkeeping may stop a second one
    monkeypatch.setattr("tui.notifier.BELL_GAP", 0.0)
    app = _live_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.live and app.queue is not None and app.me is not None, timeout=20)
        assert app.queue is not None and app.me is not None
        mine = next(c for c in _known(app) if c.assigned_user_id == app.me.id)
        notifier = app.notifier
        assert notifier is not None
        sandbox.customer_writes(mine.id, "Hello again")
        await wait_for(pilot, lambda: any("\x1b]9;" in s for s in notifier.written))
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        read_at = app.queue.read_at
        app.refresh_queue()  # a read of what was pushed already rings nothing more
        inbox.refresh_held_pages()
        await wait_for(pilot, lambda: app.queue is not None and app.queue.read_at > read_at)
        await pilot.pause(0.2)
        assert sum("\x1b]9;" in s for s in notifier.written) == 1


async def test_a_write_from_another_process_on_the_file_is_pushed_with_nothing_polled(
    tmp_path: Path,
) -> None:
    """The app's own sandbox is one process and a `switchboard send` another, on one file: what
    the other writes is pushed too, so the app polls nothing while live, the embedded sandbox too."""
    from tui.sandbox.runner import start_in_thread

    data = tmp_path / "sandbox"
    served = start_in_thread(data_dir=data)
    other = start_in_thread(data_dir=data)  # as the CLI's own in-thread sandbox would be
    app = _live_app(served, refresh_seconds=3600)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await _open(app, pilot, WHATSAPP)
            await wait_for(pilot, lambda: app.live, timeout=20)
            assert app.backend is not None
            cache = app.backend.client.cache
            # Opening it marks it read (one PATCH, debounced): let that go before counting.
            await wait_for(pilot, lambda: (c := cache.get(WHATSAPP)) is not None and c.unread_count == 0)
            await pilot.pause(0.3)
            served.clear_requests()
            other.agent_writes(WHATSAPP, "Sent from the shell", user_id=TOM)
            await wait_for(pilot, lambda: "Sent from the shell" in _texts(app), timeout=10)
            assert served.requests() == []  # pushed, not polled
    finally:
        other.stop()
        served.stop()


async def test_pushes_from_a_documented_only_server_fill_the_row_and_the_window(tmp_path: Path) -> None:
    """A server that sends the documented record alone: a customer's pushed message gives the
    row its preview and the conversation a known, open window, without a read."""
    from tui.sandbox.runner import start_in_thread
    from tui.screens.inbox import InboxScreen

    served = start_in_thread(data_dir=tmp_path / "sandbox", documented_fields_only=True)
    app = _live_app(served, refresh_seconds=3600)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.live and isinstance(app.screen, InboxScreen), timeout=20)
            assert app.backend is not None
            cache = app.backend.client.cache
            await wait_for(pilot, lambda: cache.get(WHATSAPP) is not None)
            assert not cache.get(WHATSAPP).inbound_known  # type: ignore[union-attr]
            await wait_for(pilot, lambda: app.queue is not None and app.queue.read_at > 0)
            await pilot.pause(0.5)  # the first connect's one re-read is over
            served.clear_requests()
            served.customer_writes(WHATSAPP, "Still waiting for my refund")
            await wait_for(pilot, lambda: (c := cache.get(WHATSAPP)) is not None and c.inbound_known)
            row = cache.get(WHATSAPP)
            assert row is not None and row.last_message_text == "Still waiting for my refund"
            inbox = app.screen
            assert isinstance(inbox, InboxScreen)
            await wait_for(pilot, lambda: inbox.list.row(0) is not None and inbox.list.row(0).id == WHATSAPP)  # type: ignore[union-attr]
            assert "23h" in "".join(s.text for s in inbox.list.render_line(0))  # the window's time left
            assert served.requests() == []  # pushed, not read
    finally:
        served.stop()
