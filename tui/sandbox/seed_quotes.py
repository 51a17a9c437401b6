"""A quoted reply in the seed (contract: "Reply to a message"): in WhatsApp conversation 1 the
customer's newest text message answers the agent's last message before it, so a new user sees a
quote in the history before writing one."""

from __future__ import annotations

from tui.sandbox.store import Store

__all__ = ["QUOTING_CONVERSATION", "seed_quotes"]

QUOTING_CONVERSATION = 1


def seed_quotes(store: Store, now: float) -> None:
    """Point the customer's newest text message at the agent's message just before it."""
    reply = store.one(
        "SELECT id, created_at FROM messages WHERE conversation_id = ? AND direction = 'inbound' "
        "AND message_type = 'text' AND created_at <= ? ORDER BY created_at DESC, id DESC LIMIT 1",
        (QUOTING_CONVERSATION, now),
    )
    if reply is None:
        return
    original = store.one(
        "SELECT id FROM messages WHERE conversation_id = ? AND direction = 'outbound' "
        "AND message_type != 'note' AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT 1",
        (QUOTING_CONVERSATION, reply["created_at"]),
    )
    if original is not None:
        store.execute(
            "UPDATE messages SET reply_to_message_id = ? WHERE id = ?", (original["id"], reply["id"])
        )
