"""The app's notifier under Pilot: it notifies when the terminal is blurred (AppBlur / AppFocus,
Textual's focus reporting) or the conversation is off screen; rate limits for the bell and each
conversation's desktop notification; the unread title; window reminders once per window; and
nothing reaches a driver without a terminal, while a real driver gets the exact bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual import events
from textual.app import App

from tests.ui.conftest import wait_for
from tui.core.config import Notifications
from tui.core.models import Conversation, Message
from tui.notifier import Notifier

ME = 7
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BELL = "\x07"


def desktop(body: str) -> str:
    return f"\x1b]9;Switchboard: {body}\x07\x1b]777;notify;Switchboard;{body}\x07"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Host(App[None]):
    """A tiny app that owns a notifier, as the real one does."""

    def __init__(self, **settings: Any) -> None:
        super().__init__()
        self.clock = Clock()
        self.notifier = Notifier(self, Notifications(**settings), me=lambda: ME, tmux=False, clock=self.clock)


def conv(cid: int = 1, name: str = "Ana", **fields: Any) -> Conversation:
    data = {"id": cid, "channel": "whatsapp", "contact": {"first_name": name}, "assigned_user_id": ME}
    return Conversation.model_validate(data | fields)


def inbound(text: str = "hello", **fields: Any) -> Message:
    return Message.model_validate({"id": 1, "direction": "inbound", "message_text": text} | fields)


async def blur(app: Host, pilot: Any) -> None:
    app.post_message(events.AppBlur())
    await wait_for(pilot, lambda: not app.notifier.terminal_focused)


async def test_a_blurred_terminal_is_told_even_about_the_open_conversation() -> None:
    app = Host()
    async with app.run_test() as pilot:
        assert app.notifier.terminal_focused
        assert app.notifier.customer_wrote(conv(), inbound(), on_screen=True) is False
        assert list(app.notifier.written) == []
        await blur(app, pilot)
        assert app.notifier.customer_wrote(conv(), inbound("secret"), on_screen=True) is True
        assert list(app.notifier.written) == [BELL, desktop("New message from Ana")]
        app.post_message(events.AppFocus())
        await wait_for(pilot, lambda: app.notifier.terminal_focused)
        app.clock.now += 60
        assert app.notifier.customer_wrote(conv(), inbound(), on_screen=True) is False


async def test_a_focused_terminal_is_told_about_a_conversation_off_screen() -> None:
    app = Host(show_text=True)
    async with app.run_test():
        assert app.notifier.customer_wrote(conv(name="Bo"), inbound("where is it?"), on_screen=False)
        assert list(app.notifier.written) == [BELL, desktop("Bo: where is it?")]


async def test_only_a_customers_message_that_the_rule_takes_notifies() -> None:
    app = Host()
    async with app.run_test():
        n = app.notifier
        assert not n.customer_wrote(conv(), inbound(direction="outbound"), on_screen=False)
        assert not n.customer_wrote(conv(), inbound(message_type="note"), on_screen=False)
        assert not n.customer_wrote(conv(assigned_user_id=8), inbound(), on_screen=False)  # a teammate's
        assert not n.customer_wrote(
            conv(assigned_user_id=None, assigned_ai_assistant_id="bot"), inbound(), on_screen=False
        )
        assert list(n.written) == []
        assert n.customer_wrote(conv(assigned_user_id=None), inbound(), on_screen=False)  # unassigned
        n.settings = Notifications(rule="none")
        n.clock.now += 60  # type: ignore[attr-defined]
        assert not n.customer_wrote(conv(), inbound(), on_screen=False)
        n.settings = Notifications(rule="all")
        assert n.customer_wrote(conv(assigned_user_id=8), inbound(), on_screen=False)


async def test_the_bell_rings_once_a_second_and_each_conversation_notifies_once_in_five() -> None:
    app = Host()
    async with app.run_test():
        n, clock = app.notifier, app.clock
        n.customer_wrote(conv(1), inbound(), on_screen=False)
        clock.now += 0.5
        n.customer_wrote(conv(1), inbound(), on_screen=False)  # nothing: too soon for either
        n.customer_wrote(conv(2, "Bo"), inbound(), on_screen=False)  # its own desktop, no bell
        clock.now += 0.5
        n.customer_wrote(conv(1), inbound(), on_screen=False)  # a bell again, no desktop yet
        clock.now += 4.0
        n.customer_wrote(conv(1), inbound(), on_screen=False)  # 5 s after the first: both
        assert list(n.written) == [
            BELL,
            desktop("New message from Ana"),
            desktop("New message from Bo"),
            BELL,
            BELL,
            desktop("New message from Ana"),
        ]


async def test_bell_and_desktop_follow_the_config() -> None:
    app = Host(bell=False, desktop="osc777")
    async with app.run_test():
        app.notifier.customer_wrote(conv(), inbound(), on_screen=False)
        assert list(app.notifier.written) == ["\x1b]777;notify;Switchboard;New message from Ana\x07"]
    quiet = Host(bell=False, desktop=False)
    async with quiet.run_test():
        assert quiet.notifier.customer_wrote(conv(), inbound(), on_screen=False) is False
        assert list(quiet.notifier.written) == []


async def test_under_tmux_the_desktop_notification_is_passed_through() -> None:
    app = Host()
    async with app.run_test():
        app.notifier.tmux = True
        app.notifier.customer_wrote(conv(), inbound(), on_screen=False)
        assert list(app.notifier.written) == [
            BELL,  # tmux rings the bell itself
            "\x1bPtmux;\x1b\x1b]9;Switchboard: New message from Ana\x07\x1b\\"
            "\x1bPtmux;\x1b\x1b]777;notify;Switchboard;New message from Ana\x07\x1b\\",
        ]


def test_tmux_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,123,0")
    assert Notifier(App(), Notifications()).tmux is True
    monkeypatch.delenv("TMUX")
    assert Notifier(App(), Notifications()).tmux is False


async def test_a_hostile_name_reaches_no_sequence_as_a_control() -> None:
    app = Host(show_text=True)
    async with app.run_test():
        hostile = "Eve\x1b]0;owned\x07\x9c\u202e;x\n" + "y" * 10_000
        app.notifier.customer_wrote(conv(name=hostile), inbound(hostile), on_screen=False)
        _, sequence = app.notifier.written
        for osc in sequence.split("\x07")[:-1]:
            assert osc.count("\x1b") == 1 and "\x9c" not in osc and "\u202e" not in osc
            assert "\n" not in osc and len(osc) < 300
        assert sequence.count(";") == 1 + 3  # OSC 9's and OSC 777's own separators only


async def test_the_unread_count_goes_to_the_title_and_the_old_title_comes_back() -> None:
    app = Host()
    async with app.run_test():
        n = app.notifier
        n.set_unread(3)
        n.set_unread(3)  # unchanged: nothing written
        n.set_unread(0)
        n.restore()
        n.restore()  # once only
        assert list(n.written) == [
            "\x1b[22;2t",
            "\x1b]2;(3) Switchboard\x07",
            "\x1b]2;Switchboard\x07",
            "\x1b[23;2t",
        ]
    untitled = Host(title=False)
    async with untitled.run_test():
        untitled.notifier.set_unread(4)
        untitled.notifier.restore()
        assert list(untitled.notifier.written) == []


def _closing(cid: int = 1, minutes: int = 10) -> Conversation:
    opened = NOW - timedelta(hours=24) + timedelta(minutes=minutes, seconds=30)
    return conv(cid, last_inbound_message_at=opened.isoformat())


WINDOW = "Reply window with Ana closes in 10 min, and your draft is not sent"


async def test_a_closing_window_with_a_draft_is_told_once_per_window() -> None:
    app = Host()
    async with app.run_test() as pilot:
        n = app.notifier
        assert n.check_windows([_closing(1), _closing(2, 30)], {1, 2}, now=NOW) == 1  # 2: 30 min left
        app.clock.now += 60
        assert n.check_windows([_closing(1)], {1}, now=NOW + timedelta(minutes=1)) == 0
        assert n.window_closing(_closing(1), 9) is False
        assert list(n.written) == [BELL, desktop(WINDOW)]
        # Looking at it, focused: not told, and still due for when the agent looks away.
        assert n.check_windows([_closing(3)], {3}, on_screen=3, now=NOW) == 0
        await blur(app, pilot)
        assert n.check_windows([_closing(3)], {3}, on_screen=3, now=NOW) == 1


async def test_window_minutes_zero_never_reminds() -> None:
    app = Host(window_minutes=0)
    async with app.run_test():
        assert app.notifier.check_windows([_closing(1, 1)], {1}, now=NOW) == 0
        assert app.notifier.window_closing(_closing(1, 1), 1) is False
        assert list(app.notifier.written) == []


async def test_without_a_terminal_nothing_reaches_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Host()
    async with app.run_test():
        assert app.is_headless and app._driver is not None
        calls: list[str] = []
        monkeypatch.setattr(app._driver, "write", calls.append)
        app.notifier.customer_wrote(conv(), inbound(), on_screen=False)
        app.notifier.set_unread(2)
        assert calls == [] and len(app.notifier.written) == 4


class FakeDriver:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.flushes = 0

    def write(self, data: str) -> None:
        self.out.append(data)

    def flush(self) -> None:
        self.flushes += 1


class TerminalApp:
    """What the notifier reads of an app running in a real terminal."""

    def __init__(self) -> None:
        self._driver = FakeDriver()
        self.is_headless = False
        self.app_focus = False


def test_in_a_terminal_each_sequence_is_written_and_flushed() -> None:
    host = TerminalApp()
    notifier = Notifier(host, Notifications(), tmux=False, clock=Clock())  # type: ignore[arg-type]
    notifier.customer_wrote(conv(assigned_user_id=None), inbound(), on_screen=True)
    notifier.set_unread(1)
    assert host._driver.out == [
        BELL,
        desktop("New message from Ana"),
        "\x1b[22;2t",
        "\x1b]2;(1) Switchboard\x07",
    ]
    assert host._driver.flushes == 4
