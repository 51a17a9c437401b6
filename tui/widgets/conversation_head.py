"""The line above a conversation's history (channel, contact, status, who holds it) and the
composer's window banner: what the agent must know before typing. Pure functions of the
conversation, the agents and the time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text

from tui.core.channels import ChannelSpec, label
from tui.core.models import Conversation
from tui.core.policy import window_state
from tui.core.queue import SOON, URGENT
from tui.core.text import one_line
from tui.core.timefmt import compact, due_at


@dataclass(frozen=True)
class HeadFacts:
    """What the head needs beyond the conversation: who the agent is, the agents' and AI
    assistants' names, the local snooze (the API has none) and the time."""

    me: int | None = None
    names: Mapping[int, str] = field(default_factory=dict)
    ai_names: Mapping[str, str] = field(default_factory=dict)
    snoozed_until: datetime | None = None
    now: datetime | None = None


def ai_name(c: Conversation, ai_names: Mapping[str, str]) -> str:
    """The AI assistant holding the conversation, by name when known."""
    key = str(c.assigned_ai_assistant_id)
    return one_line(ai_names.get(key), 30) or "an AI assistant"


def holder(
    c: Conversation, me: int | None, names: Mapping[int, str], ai_names: Mapping[str, str] | None = None
) -> str:
    """Who holds the conversation, in words: "yours", a teammate's name, the AI's name (or "an AI
    assistant") or "unassigned" (a human assignee first: the AI hands over to them)."""
    if c.assigned_user_id is not None:
        if c.assigned_user_id == me:
            return "yours"
        return one_line(names.get(c.assigned_user_id), 30) or f"agent {c.assigned_user_id}"
    if c.assigned_ai_assistant_id not in (None, ""):
        return ai_name(c, ai_names or {})
    return "unassigned"


def ai_conflict(c: Conversation) -> str | None:
    """The conflict AchieveApex's web app shows: an AI holds the conversation while its
    auto-assignment is turned off (with the reason given, when one was)."""
    if not c.ai_auto_assignment_disabled or c.assigned_ai_assistant_id in (None, ""):
        return None
    reason = one_line(c.ai_auto_assignment_disabled_reason, 40)
    return f"AI auto-assignment off{f' ({reason})' if reason else ''} while an AI holds it"


def head_text(c: Conversation, facts: HeadFacts | None = None) -> Text:
    """Channel, contact, status, holder, then blocked, snoozed and the AI conflict (words, not
    colour alone), then phone and email: one line that is cut, never wrapped, the state first."""
    facts = facts or HeadFacts()
    channel = one_line(label(c.channel), 20)
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(f" {channel} ", style="bold reverse")
    head.append(f" {one_line(c.contact_name, 40)}", style="bold")
    status = one_line(c.status, 20) or "unknown status"
    head.append(" · ")
    head.append(status.upper() if status == "closed" else status, style="bold" if status == "closed" else "")
    head.append(f" · {holder(c, facts.me, facts.names, facts.ai_names)}")
    if c.blocked:
        head.append(" · BLOCKED", style="bold")
    if facts.snoozed_until is not None and facts.now is not None:
        head.append(f" · snoozed until {due_at(facts.snoozed_until, facts.now)}")
    conflict = ai_conflict(c)
    if conflict:
        head.append(f" · ⚠ {conflict}", style="bold")
    for extra in (c.contact.phone, c.contact.email) if c.contact else ():
        if extra:
            head.append(f" · {one_line(extra, 30)}", style="dim")
    return head


def banner(c: Conversation, spec: ChannelSpec | None, now: datetime) -> tuple[Text, str]:
    """The window banner and its kind: "open", "soon" (under an hour left), "urgent" (under 15
    minutes), "closed" or "none" (no window on this channel)."""
    if spec is None:
        return Text(f"Switchboard cannot send on {one_line(c.channel)!r} conversations."), "closed"
    state = window_state(c, spec, now)
    if not state.applies:
        return Text(f"{spec.label}: no reply window"), "none"
    if not state.known:
        return Text("Window unknown until the messages are read · a reply checks it first"), "none"
    if state.open:
        closes = due_at(state.closes_at, now)
        left = state.remaining
        kind = "urgent" if left < URGENT else "soon" if left < SOON else "open"
        return Text(f"Window open · {compact(left, 2)} left (closes {closes})"), kind
    offer = "ctrl+n note · ctrl+t template" if spec.templates else "ctrl+n for a note"
    if state.never_opened:
        return Text(f"No reply window: the customer never wrote · {offer}"), "closed"
    return Text(f"Window closed {compact(state.closed_for, 2)} ago · replies refused · {offer}"), "closed"
