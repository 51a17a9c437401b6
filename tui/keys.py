"""Terminal key sequences Textual does not name the way the app needs.

Why this exists: tmux (and xterm, and most terminals over SSH) send alt+enter as ESC followed by a
carriage return, ``"\\x1b\\r"``. Textual 8's xterm parser has no entry for that two-character
sequence, so it times out on the ESC and reissues ``"\\r"`` with ``alt=True``; but ``"\\r"`` maps to
a tuple of ``Keys`` in ``ANSI_SEQUENCES_KEYS`` and that path ignores ``alt``, so the app sees a plain
``enter`` (a newline in the composer) instead of ``alt+enter`` (send).

`register_extra_sequences` adds the sequence to Textual's table once, at app start-up, so the
parser matches it as a whole and emits ``alt+enter``. The table is private API
(``textual._ansi_sequences``), so everything that touches it lives here and nowhere else; the
tests in ``tests/ui/test_keys.py`` feed the raw bytes through Textual's parser and will fail loudly
if a Textual upgrade changes the mechanism.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ExtraKeys(StrEnum):
    """Key names for sequences Textual's own ``Keys`` enum has no member for (same shape as ``Keys``)."""

    AltEnter = "alt+enter"


EXTRA_SEQUENCES: dict[str, tuple[ExtraKeys, ...]] = {
    "\x1b\r": (ExtraKeys.AltEnter,),  # ESC CR: alt+enter from tmux, xterm, GNOME Terminal, SSH
}


def register_extra_sequences() -> None:
    """Teach Textual's xterm parser the sequences in `EXTRA_SEQUENCES` (idempotent).

    An entry Textual already defines is left alone, so a Textual release that learns the
    sequence itself wins over ours.
    """
    from textual import _ansi_sequences

    table: dict[str, Any] = _ansi_sequences.ANSI_SEQUENCES_KEYS  # type: ignore[assignment]
    for sequence, keys in EXTRA_SEQUENCES.items():
        table.setdefault(sequence, keys)
