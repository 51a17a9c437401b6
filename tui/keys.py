"""Terminal key sequences Textual does not name the way the app needs, and the binding ids a
`[keymap]` in the config may remap (`keymap_problems` names a mistyped one: Textual ignores it).

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

from collections.abc import Mapping
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


#: Every binding id the app declares, by its prefix: the ids `[keymap]` can remap. Kept here, not
#: gathered from the screens, so checking a keymap imports none of them before the first frame;
#: tests/ui/test_keymap.py fails when a screen's or widget's BINDINGS and this table differ.
_BINDING_NAMES = {
    "app": "help help_alt messages next_unread outbox quit",
    "assign": "cancel down pick up",
    "composer": "drop_quote preview_file remove_file send snippet",
    "config_problem": "quit",
    "confirm": "no yes",
    "choose": "cancel down option pick up",
    "contact": "close",
    "conversation": "ai_auto ai_cut assign attach automate back block close close_next contact editor "
    "hand_to_ai history read snooze takeover template toggle_note",
    "help": "close",
    "image_preview": "close",
    "inbox": "channel clear_search mark mark_all next_unread next_view quit refresh search sort_window "
    "status view_all view_mine view_needs_reply view_snoozed view_unassigned view_unread",
    "list": "down first last open page_down page_up up",
    "message": "copy delete discard edit jump next open preview previous quote retry save",
    "message_log": "close",
    "outbox": "back discard open retry",
    "picker": "cancel confirm hidden mark parent",
    "queue": "assign_me assign_to close close_next hand_to_ai read reopen snooze takeover unsnooze",
    "save_file": "cancel",
    "snippets": "cancel delete down edit help new refresh up",
    "snooze": "cancel down down_j pick up up_k",
    "team_reply_form": "cancel save",
    "template_form": "cancel header send",
    "templates": "cancel down up",
}
BINDING_IDS = frozenset(
    f"{prefix}.{name}" for prefix, names in _BINDING_NAMES.items() for name in names.split()
)


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """One sentence per `[keymap]` id the app has no binding for, as an unknown theme is named:
    Textual would ignore it silently and the agent would wonder why the key does nothing. The
    nearest real id is suggested when one is close (a typo)."""
    problems = []
    for binding_id in keymap:
        if binding_id in BINDING_IDS:
            continue
        from difflib import get_close_matches  # only for a mistake: not in every start-up

        from tui.core.text import clip, one_line

        near = get_close_matches(binding_id, BINDING_IDS, n=1, cutoff=0.6)
        hint = f"did you mean {near[0]!r}?" if near else "F1 lists every key with its id."
        shown = clip(one_line(binding_id), 60)
        problems.append(f"The [keymap] id {shown!r} is not a key of the app, so it is ignored; {hint}")
    return problems
