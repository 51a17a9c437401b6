"""What happens in a conversation without the app asking: a customer writes or reacts, or another
agent writes or leaves a note (as another app instance would). The simulated customers and tests
use these; they change the store exactly as the API's own sends and the backend's inbound path do.

A reaction is an inbound message of type `reaction` (its emoji in `message_text`, the message it
reacts to in `reaction_to`): it is not a customer's message for the reply window, the unread
count, "waiting for a response" or `last_interaction_at`, so it moves nothing of its conversation."""

from __future__ import annotations

from typing import Any

from tui.sandbox import live
from tui.sandbox.state import Sandbox


def _conversation(sb: Sandbox, conversation_id: int) -> Any:
    row = sb.store.one(
        "SELECT c.*, t.first_name, t.last_name FROM conversations c JOIN contacts t "
        "ON t.id = c.contact_id WHERE c.id = ?",
        (conversation_id,),
    )
    if row is None:
        raise KeyError(f"no conversation {conversation_id}")
    return row


def customer_writes(
    sb: Sandbox, conversation_id: int, text: str, *, at: float | None = None
) -> dict[str, Any]:
    """An inbound text from the conversation's contact: it moves `last_message_*` and
    `last_inbound_message_at`, raises `unread_count` by one and reopens a closed conversation.
    Returns the message as the API reads it back."""
    row = _conversation(sb, conversation_id)
    when = sb.clock() if at is None else at
    message_id = sb.store.add_message(
        conversation_id=conversation_id,
        direction="inbound",
        message_type="text",
        message_text=text,
        created_at=when,
        status="delivered",
        sender_name=f"{row['first_name'] or ''} {row['last_name'] or ''}".strip(),
        touch=(text, True),
    )
    live.message_added(sb, message_id)
    return sb.store.message(message_id)


def agent_writes(
    sb: Sandbox,
    conversation_id: int,
    text: str,
    *,
    user_id: int | None = None,
    note: bool = False,
    at: float | None = None,
) -> dict[str, Any]:
    """An outbound text (or, with `note`, an internal note) by the agent `user_id` (default: the
    default key's agent), as if sent through the API with that agent's key: `sender_name` is the
    agent's name; a text moves `last_message_*` and zeroes `unread_count`, a note moves nothing.
    The channel's window is not checked (this is the other instance's send, already accepted)."""
    _conversation(sb, conversation_id)
    agent = sb.default_agent if user_id is None else sb.agent(user_id)
    if agent is None:
        raise KeyError(f"no agent {user_id}")
    when = sb.clock() if at is None else at
    message_id = sb.store.add_message(
        conversation_id=conversation_id,
        direction="outbound",
        message_type="note" if note else "text",
        message_text=text,
        created_at=when,
        status=None if note else "sent",
        sender_name=agent.name,
        touch=None if note else (text, False),
    )
    live.message_added(sb, message_id)
    return sb.store.message(message_id)


def customer_reacts(sb: Sandbox, conversation_id: int, target: str | int, emoji: str) -> dict[str, Any]:
    """The conversation's customer reacts with `emoji` to message `target` (its id as its service
    gives it) of that conversation; the reaction as the API reads it back."""
    row = _conversation(sb, conversation_id)
    found = sb.store.one(
        "SELECT id FROM messages WHERE conversation_id = ? AND (uid = ? OR (uid IS NULL AND id = ?))",
        (conversation_id, str(target), target if isinstance(target, int) else -1),
    )
    if found is None:
        raise KeyError(f"no message {target!r} in conversation {conversation_id}")
    message_id = sb.store.add_message(
        conversation_id=conversation_id,
        direction="inbound",
        message_type="reaction",
        message_text=emoji,
        created_at=sb.clock(),
        status="delivered",
        sender_name=f"{row['first_name'] or ''} {row['last_name'] or ''}".strip(),
        reaction_to=found["id"],
    )
    live.message_added(sb, message_id)
    return sb.store.message(message_id)
