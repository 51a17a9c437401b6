"""Small helpers the sandbox's tests share for talking to it over HTTP (never the app's client)."""

from __future__ import annotations

from typing import Any

ORG = 1  # the seeded organization
#: The seeded conversations' channels, by id (`tui.sandbox.seed.PLAN`).
CHANNEL_OF = {
    **dict.fromkeys(range(1, 9), "whatsapp"),
    **dict.fromkeys(range(9, 14), "instagram"),
    **dict.fromkeys(range(14, 19), "messenger"),
    **dict.fromkeys(range(19, 23), "webchat"),
    **dict.fromkeys(range(23, 28), "sms"),
    **dict.fromkeys(range(28, 31), "playground"),
}


def messages_path(channel_or_conversation: str | int) -> str:
    """The message service of a channel, or of a seeded conversation's channel."""
    channel = (
        CHANNEL_OF[channel_or_conversation]
        if isinstance(channel_or_conversation, int)
        else channel_or_conversation
    )
    return f"/conversation-messages-{channel}"


def mid(message: dict[str, Any]) -> Any:
    """A message's id as its service gives it: `_id`, else `id`."""
    return message["_id"] if "_id" in message else message["id"]


def listed(org: int = ORG, **params: Any) -> dict[str, Any]:
    """The query of a conversation find: `organization_id` (required) and `params`."""
    return {"organization_id": org, **params}
