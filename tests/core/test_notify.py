"""Notification sequences, byte for byte: bell, OSC 9, OSC 777, OSC 2, tmux's passthrough; hostile
server text never reaches a sequence as a control; the rules (all, mine, none; once per window);
the `[notifications]` config table and its error sentences."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tui.core import notify
from tui.core.config import load_config
from tui.core.errors import ConfigError
from tui.core.models import Conversation

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ME = 7

HOSTILE = [
    "Ana\x1b]0;pwned\x07",  # ESC and BEL: would end the OSC and start another
    "Bo\x9cb",  # C1 ST
    "Eve\x1b\\done",  # 7-bit ST
    "\u202eevil\u2066x\u2069",  # bidi override and isolates
    "semi;colon;notify;fake title",  # would add OSC 777 fields
    "multi\nline\r\nname\x00\x18\x1a\x7f\x85",  # newlines, NUL, CAN, SUB, DEL, NEL
    "x" * 10_000,
]


def conv(**fields: Any) -> Conversation:
    data: dict[str, Any] = {"id": 1, "channel": "whatsapp", "contact": {"first_name": "Ana"}}
    return Conversation.model_validate(data | fields)


# -- sequences ------------------------------------------------------------------------------------


def test_each_sequence_byte_for_byte() -> None:
    assert notify.bell() == "\x07"
    assert notify.osc9("New message from Ana") == "\x1b]9;New message from Ana\x07"
    assert notify.osc777("Switchboard", "New message from Ana") == (
        "\x1b]777;notify;Switchboard;New message from Ana\x07"
    )
    assert notify.osc2("(3) Switchboard") == "\x1b]2;(3) Switchboard\x07"
    assert notify.TITLE_PUSH == "\x1b[22;2t" and notify.TITLE_POP == "\x1b[23;2t"


def test_desktop_sends_both_or_the_one_chosen() -> None:
    nine = "\x1b]9;Switchboard: New message from Ana\x07"
    seven = "\x1b]777;notify;Switchboard;New message from Ana\x07"
    assert notify.desktop("Switchboard", "New message from Ana") == nine + seven
    assert notify.desktop("Switchboard", "New message from Ana", codes="osc9") == nine
    assert notify.desktop("Switchboard", "New message from Ana", codes="osc777") == seven


def test_tmux_passthrough_doubles_every_escape() -> None:
    assert notify.tmux_wrap("\x1b]9;hi\x07") == "\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\"
    wrapped = notify.desktop("Switchboard", "hi", tmux=True)
    assert wrapped == (
        "\x1bPtmux;\x1b\x1b]9;Switchboard: hi\x07\x1b\\\x1bPtmux;\x1b\x1b]777;notify;Switchboard;hi\x07\x1b\\"
    )


def test_window_title_counts_unread() -> None:
    assert notify.window_title(3) == "(3) Switchboard"
    assert notify.window_title(0) == "Switchboard"


# -- hostile text ---------------------------------------------------------------------------------

CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _payload(sequence: str, prefix: str) -> str:
    """What lies between an OSC's prefix and its final BEL; exactly one BEL, at the end."""
    assert sequence.startswith(prefix) and sequence.endswith("\x07")
    assert sequence.count("\x07") == 1 and sequence.count("\x1b") == 1
    return sequence[len(prefix) : -1]


@pytest.mark.parametrize("name", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_no_control_of_a_hostile_name_survives_into_any_sequence(name: str) -> None:
    body = notify.message_body(name, name, show_text=True)
    for sequence, prefix, limit in (
        (notify.osc9(body), "\x1b]9;", notify.BODY_CHARS),
        (notify.osc2(name), "\x1b]2;", notify.TITLE_CHARS),
    ):
        payload = _payload(sequence, prefix)
        assert not CONTROLS.search(payload) and ";" not in payload
        assert len(payload) <= limit
    payload = _payload(notify.osc777(name, body), "\x1b]777;notify;")
    title, rest = payload.split(";")  # exactly the two fields, title and body
    assert not CONTROLS.search(payload)
    assert len(title) <= notify.TITLE_CHARS and len(rest) <= notify.BODY_CHARS


@pytest.mark.parametrize("name", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_a_hostile_name_in_tmux_passthrough_cannot_end_it_early(name: str) -> None:
    wrapped = notify.desktop("Switchboard", notify.message_body(name, None, show_text=False), tmux=True)
    # Inside the passthrough every ESC is doubled: a lone ESC is only the final ST's.
    inner = wrapped.split("\x1b\\\x1bPtmux;")
    for part in inner:
        stripped = part.removeprefix("\x1bPtmux;").removesuffix("\x1b\\")
        assert "\x1b" not in stripped.replace("\x1b\x1b", "")
    assert wrapped.count("\x07") == 2  # one BEL ends each OSC, none comes from the name


def test_names_are_shown_as_the_screen_shows_them_and_cut() -> None:
    assert notify.osc_text("Ana\x1b[31m", 80) == "Ana\u241b[31m"  # ␛, as in the list
    assert notify.osc_text("a;b", 80) == "a,b"
    assert notify.osc_text("one\ntwo", 80) == "one two"
    cut = notify.osc_text("x" * 10_000, 80)
    assert len(cut) == 80 and cut.endswith("…")
    assert notify.osc_text("Ĝiorgo 😀", 80) == "Ĝiorgo 😀"  # letters and emoji are kept


def test_message_text_only_when_opted_in() -> None:
    assert notify.message_body("Ana", "my card number is 1234", show_text=False) == "New message from Ana"
    assert notify.message_body("Ana", "where is my order?", show_text=True) == "Ana: where is my order?"
    assert notify.message_body("Ana", "  ", show_text=True) == "New message from Ana"
    assert len(notify.message_body("Ana", "y" * 10_000, show_text=True)) <= 5 + notify.BODY_CHARS


def test_window_body_names_the_contact_and_the_minutes() -> None:
    assert notify.window_body("Ana", 12) == (
        "Reply window with Ana closes in 12 min, and your draft is not sent"
    )
    assert "under a minute" in notify.window_body("Ana", 0)


# -- rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "mine"),
    [
        ({"assigned_user_id": ME}, True),
        ({}, True),  # unassigned: nobody, no AI
        ({"assigned_user_id": 8}, False),  # a teammate's
        ({"assigned_ai_assistant_id": "bot-1"}, False),  # the AI holds it
        ({"assigned_ai_assistant_id": 3, "assigned_user_id": ME}, True),  # handed to me from the AI
        ({"assigned_ai_assistant_id": 0}, True),  # 0: no assistant
    ],
)
def test_rule_mine_is_mine_or_unassigned(fields: dict[str, Any], mine: bool) -> None:
    conversation = conv(**fields)
    assert notify.should_notify(conversation, ME, "mine") is mine
    assert notify.should_notify(conversation, ME, "all") is True
    assert notify.should_notify(conversation, ME, "none") is False


def test_rule_mine_without_knowing_me_takes_only_unassigned() -> None:
    assert notify.should_notify(conv(), None, "mine") is True
    assert notify.should_notify(conv(assigned_user_id=ME), None, "mine") is False


def _closing(minutes: float, cid: int = 1, channel: str = "whatsapp") -> Conversation:
    opened = NOW - timedelta(hours=24) + timedelta(minutes=minutes)
    return conv(id=cid, channel=channel, last_inbound_message_at=opened.isoformat())


def test_window_reminder_is_due_once_per_window() -> None:
    reminders = notify.WindowReminders(15)
    closing = _closing(10.5)
    assert reminders.due([closing], {1}, NOW) == [(closing, 10)]
    assert reminders.claim(closing) is True
    assert reminders.due([closing], {1}, NOW + timedelta(minutes=5)) == []
    assert reminders.claim(closing) is False
    # The customer writes again: a new window, which may remind again when it closes.
    reopened = conv(last_inbound_message_at=(NOW + timedelta(minutes=1)).isoformat())
    later = NOW + timedelta(hours=23, minutes=50)
    assert reminders.due([reopened], {1}, later) == [(reopened, 11)]


def test_window_reminder_needs_a_draft_a_meta_channel_and_the_minutes() -> None:
    reminders = notify.WindowReminders(15)
    assert reminders.due([_closing(10)], set(), NOW) == []  # no draft waits
    assert reminders.due([_closing(10, channel="webchat")], {1}, NOW) == []  # no window there
    assert reminders.due([_closing(15)], {1}, NOW) == []  # exactly 15 left: not within
    assert reminders.due([_closing(-1)], {1}, NOW) == []  # already closed
    assert reminders.due([_closing(10, channel="instagram")], {1}, NOW) != []
    assert notify.WindowReminders(0).due([_closing(1)], {1}, NOW) == []  # 0 is off


# -- config ---------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_notifications_defaults(tmp_path: Path) -> None:
    n = load_config(write(tmp_path, "")).notifications
    assert (n.rule, n.window_minutes, n.show_text, n.bell, n.desktop, n.title) == (
        "mine",
        15,
        False,
        True,
        "both",
        True,
    )


def test_notifications_table_is_read(tmp_path: Path) -> None:
    text = '[notifications]\nrule = "all"\nwindow_minutes = 0\nshow_text = true\nbell = false\n'
    text += 'desktop = "osc9"\ntitle = false\n'
    n = load_config(write(tmp_path, text)).notifications
    assert (n.rule, n.window_minutes, n.show_text, n.bell, n.desktop, n.title) == (
        "all",
        0,
        True,
        False,
        "osc9",
        False,
    )
    assert load_config(write(tmp_path, "[notifications]\ndesktop = false\n")).notifications.desktop == "off"
    assert load_config(write(tmp_path, "[notifications]\ndesktop = true\n")).notifications.desktop == "both"


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        ('rule = "some"', "notifications.rule must be 'all', 'mine' or 'none', not 'some'."),
        ("window_minutes = -1", "notifications.window_minutes is invalid: Input should be greater than or"),
        ("window_minutes = 7.5", "notifications.window_minutes must be a whole number, not 7.5."),
        ('bell = "yes"', "notifications.bell must be true or false, not 'yes'."),
        ("show_text = 1", "notifications.show_text must be true or false, not 1."),
        (
            'desktop = "osc99"',
            "notifications.desktop must be 'both', 'osc9', 'osc777' or 'off', not 'osc99'.",
        ),
        ("sound = true", "notifications.sound is not a setting Switchboard knows"),
    ],
)
def test_a_bad_notifications_value_is_one_sentence_naming_the_key(
    tmp_path: Path, line: str, sentence: str
) -> None:
    path = write(tmp_path, f"[notifications]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.sentence.startswith(f"In {path}, ")
    assert sentence in caught.value.sentence
