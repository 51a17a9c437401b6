"""The words for an outbox entry's state, in one vocabulary for every screen and command.

States come from `tui.core.store`: queued -> uploading -> sending -> sent, or failed /
unconfirmed (both waiting for the agent), or discarded / edited (the agent took it back).
"""

from __future__ import annotations

from tui.core.text import one_line

#: States the agent must resolve: retry, edit or discard.
RESOLVABLE = ("failed", "unconfirmed")
#: States that end an entry: nothing more will happen to it.
FINAL = ("sent", "discarded", "edited")

WORDS = {
    "queued": "queued",
    "uploading": "uploading",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "unconfirmed": "unconfirmed",
    "discarded": "discarded",
    "edited": "taken back to edit",
}

#: What the agent can do about a resolvable state, shown after the reason.
HINTS = {
    "failed": "r retry · e edit · d discard",
    "unconfirmed": "r check and retry · e edit · d discard",
}


def word(state: str) -> str:
    """The one word for a state (an unknown one is shown as given, made safe)."""
    return WORDS.get(state) or one_line(state, 20)


def describe(state: str, reason: str | None = None, *, hints: bool = True) -> str:
    """A bubble's status: 'sending…', 'failed: <reason>  (r retry · e edit · d discard)'."""
    why = one_line(reason, 160) if reason else ""
    if state in RESOLVABLE:
        why = why or ("not sent" if state == "failed" else "it may or may not have arrived")
        hint = f"  ({HINTS[state]})" if hints else ""
        return f"{word(state)}: {why}{hint}"
    if state == "queued" and why:
        return f"waiting: {why}"
    return f"{word(state)}…" if state in ("queued", "uploading", "sending") else word(state)
