"""A burst of 5,000 customer messages into the open conversation, pushed live: the app keeps
answering keys, the live connection stays up, the conversation is marked read a handful of times
at most, and the history ends in order with the newest message at the bottom."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual import events

from tests.ui.conftest import sandbox_config, wait_for
from tui.app import SwitchboardApp
from tui.screens.conversation import ConversationScreen
from tui.screens.conversation_live import MARK_READ_MAX_SECONDS
from tui.screens.save_file import SaveFileScreen

BURST = 5000
WHATSAPP = 1


async def _key_latency(app: SwitchboardApp, screen: ConversationScreen, typed: str) -> float:
    """Seconds from a key reaching the app (as the terminal driver hands it over) to the
    composer showing it; the wait is a plain sleep, not Pilot's wait for an idle app."""
    assert app._driver is not None
    pressed = time.monotonic()
    key = events.Key("x", "x")
    key.set_sender(app)
    app._driver.send_message(key)
    while not screen.composer.text.endswith(typed):
        if time.monotonic() - pressed > 10:
            raise AssertionError("the key never arrived")
        await asyncio.sleep(0.005)
    return time.monotonic() - pressed


async def test_a_burst_of_5000_leaves_the_app_answering_and_in_order(sandbox: Any) -> None:
    app = SwitchboardApp(config=sandbox_config(sandbox, realtime="auto"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None and app.live, timeout=20)
        assert app.backend is not None
        conversation = await app.backend.client.get_conversation(WHATSAPP)
        app.call_later(app.open_conversation, conversation)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query("HistoryItem")),
        )
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await pilot.pause(0.5)
        sandbox.clear_requests()
        done = threading.Event()

        def burst() -> None:
            for n in range(BURST):
                sandbox.customer_writes(WHATSAPP, f"burst {n + 1:04d}")
            done.set()

        writer = threading.Thread(target=burst, daemon=True)
        started = time.monotonic()
        writer.start()
        loop = asyncio.get_running_loop()
        worst_lag = 0.0
        worst_key = 0.0
        typed = ""
        while not done.is_set():
            before = loop.time()
            await asyncio.sleep(0.05)
            worst_lag = max(worst_lag, loop.time() - before - 0.05)
            if len(typed) < 10 and loop.time() % 1 < 0.1:  # now and then, a key
                typed += "x"
                worst_key = max(worst_key, await _key_latency(app, screen, typed))
        writer.join()
        lasted = time.monotonic() - started
        last = f"burst {BURST:04d}"

        def settled() -> bool:
            items = screen.history.items
            return bool(items) and items[-1].message.message_text == last

        await wait_for(pilot, settled, timeout=30)
        await pilot.pause(1.5)  # a mark-read that was due has gone
        patches = [r for r in sandbox.requests() if r[0] == "PATCH"]
        at = [i.message.created_at for i in screen.history.items if i.message.created_at is not None]
        assert at == sorted(at), "the history is out of order"
        assert screen.history.items[-1].message.message_text == last
        assert app._live is not None and app._live.connects == 1, "the live connection dropped"
        # One mark-read per quiet second or per MARK_READ_MAX_SECONDS of a burst that does not
        # stop: a handful however slow the machine makes the burst, never one per message.
        assert len(patches) <= 3 + lasted / MARK_READ_MAX_SECONDS, (lasted, patches)
        assert worst_lag < 1.0, f"the app's loop stalled {worst_lag:.2f} s"
        assert typed and worst_key < 1.0, f"a key took {worst_key:.2f} s"
        reads = [r for r in sandbox.requests() if r[0] == "GET"]
        assert len(reads) <= 20, reads  # re-reads of the newest page, coalesced


async def test_a_5mb_message_pushed_into_the_open_conversation_is_drawn_cut(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path))
    huge = "Hello\x1b[31m world " * 300_000
    app = SwitchboardApp(config=sandbox_config(sandbox, realtime="auto"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None and app.live, timeout=20)
        assert app.backend is not None
        conversation = await app.backend.client.get_conversation(WHATSAPP)
        app.call_later(app.open_conversation, conversation)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query("HistoryItem")),
        )
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        loop = asyncio.get_running_loop()
        writer = threading.Thread(target=lambda: sandbox.customer_writes(WHATSAPP, huge), daemon=True)
        writer.start()
        worst = 0.0
        while not any(len(i.message.message_text or "") == len(huge) for i in screen.history.items):
            before = loop.time()
            await asyncio.sleep(0.05)
            worst = max(worst, loop.time() - before - 0.05)
            assert loop.time() < before + 30
        writer.join()
        await pilot.pause(0.3)
        item = next(i for i in screen.history.items if len(i.message.message_text or "") == len(huge))
        shown = str(item.render())
        assert "more characters; y copies, s saves the whole" in shown
        assert len(shown) < 40_000 and "\x1b" not in shown
        assert worst < 1.0, f"the app's loop stalled {worst:.2f} s"
        item.focus()
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("y")
        assert copied == [huge]  # the whole, not what is drawn
        await pilot.press("s")  # no file: the whole text is saved where the agent says
        await wait_for(pilot, lambda: isinstance(app.screen, SaveFileScreen))
        await pilot.press("enter")
        saved = tmp_path / "switchboard"
        await wait_for(pilot, lambda: saved.is_dir() and any(saved.iterdir()))
        [path] = list(saved.iterdir())
        assert path.suffix == ".txt" and path.read_text(encoding="utf-8") == huge
