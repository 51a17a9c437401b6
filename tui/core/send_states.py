"""The words for an outbox entry's state, in one vocabulary for every screen and command.

States come from `tui.core.store`: queued -> uploading -> sending -> sent, or failed /
unconfirmed / held (all waiting for the agent; held: the conversation moved on before the first
request, its reason says how), or discarded / edited (the agent took it back).
"""

from __future__ import annotations

from tui.core.text import one_line

#: States the agent must resolve: retry, edit or discard.
RESOLVABLE = ("failed", "unconfirmed", "held")
#: States that end an entry: nothing more will happen to it.
FINAL = ("sent", "discarded", "edited")

WORDS = {
    "queued": "queued",
    "uploading": "uploading",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "unconfirmed": "unconfirmed",
    "held": "held",
    "discarded": "discarded",
    "edited": "taken back to edit",
}

#: What the agent can do about a resolvable state, shown after the reason.
HINTS = {
    "failed": "r retry · e edit · d discard",
    "unconfirmed": "r check and retry · e edit · d discard",
    "held": "r send anyway · e edit · d discard",
}

#: What a resolvable state says when it has no reason.
NO_REASON = {
    "failed": "not sent",
    "unconfirmed": "it may or may not have arrived",
    "held": "the conversation moved on since you looked",
}


def word(state: str) -> str:
    """The one word for a state (an unknown one is shown as given, made safe)."""
    return WORDS.get(state) or one_line(state, 20)


def describe(state: str, reason: str | None = None, *, hints: bool = True) -> str:
    """A bubble's status: 'sending…', 'failed: <reason>  (r retry · e edit · d discard)',
    'held: <what came in>  (r send anyway · e edit · d discard)'."""
    why = one_line(reason, 160) if reason else ""
    if state in RESOLVABLE:
        why = why or NO_REASON[state]
        hint = f"  ({HINTS[state]})" if hints else ""
        return f"{word(state)}: {why}{hint}"
    if state == "queued" and why:
        return f"waiting: {why}"
    return f"{word(state)}…" if state in ("queued", "uploading", "sending") else word(state)
