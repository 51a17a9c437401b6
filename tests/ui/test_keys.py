"""The send keys survive a real terminal: raw bytes through Textual's xterm parser, no Pilot.

Pilot presses key names, so it cannot catch a parser that turns tmux's alt+enter ("\\x1b\\r") into
a plain enter; these tests feed the bytes a terminal sends.
"""

from __future__ import annotations

from textual import events
from textual._xterm_parser import XTermParser

from tui.keys import register_extra_sequences


def keys_for(data: str) -> list[str]:
    parser = XTermParser()
    tokens = [*parser.feed(data), *parser.feed("")]
    return [token.key for token in tokens if isinstance(token, events.Key)]


def test_alt_enter_from_tmux_is_alt_enter() -> None:
    register_extra_sequences()
    assert keys_for("\x1b\r") == ["alt+enter"]


def test_alt_enter_between_typed_text() -> None:
    register_extra_sequences()
    assert keys_for("hi\x1b\rok") == ["h", "i", "alt+enter", "o", "k"]


def test_ctrl_j_is_ctrl_j() -> None:
    register_extra_sequences()
    assert keys_for("\n") == ["ctrl+j"]


def test_plain_enter_and_escape_are_unchanged() -> None:
    register_extra_sequences()
    assert keys_for("\r") == ["enter"]
    assert keys_for("\x1b") == ["escape"]


def test_registration_is_idempotent() -> None:
    register_extra_sequences()
    register_extra_sequences()
    assert keys_for("\x1b\r") == ["alt+enter"]


def test_the_app_registers_the_sequence_at_start_up() -> None:
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    from tui.app import SwitchboardApp
    from tui.core.config import Config

    table: dict = ANSI_SEQUENCES_KEYS  # type: ignore[type-arg, assignment]
    table.pop("\x1b\r", None)
    assert keys_for("\x1b\r") == ["enter"]  # what Textual alone makes of it
    SwitchboardApp(config=Config())
    assert keys_for("\x1b\r") == ["alt+enter"]
    assert [key.value for key in ANSI_SEQUENCES_KEYS["\x1b\r"]] == ["alt+enter"]  # type: ignore[union-attr]
