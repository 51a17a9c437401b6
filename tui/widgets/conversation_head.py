"""The line above a conversation's history (channel, contact, status, who holds it) and the
composer's window banner: what the agent must know before typing. Pure functions of the
conversation, the agents and the time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text

from tui.core.channels import ChannelSpec, label
from tui.core.models import Conversation
from tui.core.policy import window_state
from tui.core.queue import SOON, URGENT
from tui.core.text import one_line
from tui.core.timefmt import compact, due_at


def holder(c: Conversation, me: int | None, names: Mapping[int, str]) -> str:
    """Who holds the conversation, in words: "yours", a teammate's name, "an AI assistant" or
    "unassigned" (a human assignee first: the AI hands over to them)."""
    if c.assigned_user_id is not None:
        if c.assigned_user_id == me:
            return "yours"
        return one_line(names.get(c.assigned_user_id), 30) or f"agent {c.assigned_user_id}"
    if c.assigned_ai_assistant_id not in (None, ""):
        return "an AI assistant"
    return "unassigned"


def head_text(c: Conversation, me: int | None = None, names: Mapping[int, str] | None = None) -> Text:
    """Channel, contact (phone, email), status and holder, on one line that is cut, never wrapped."""
    channel = one_line(label(c.channel), 20)
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(f" {channel} ", style="bold reverse")
    head.append(f" {one_line(c.contact_name, 40)}", style="bold")
    for extra in (c.contact.phone, c.contact.email) if c.contact else ():
        if extra:
            head.append(f" · {one_line(extra, 30)}")
    head.append(f" · {one_line(c.status, 20) or 'unknown status'}")
    head.append(f" · {holder(c, me, names or {})}")
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
