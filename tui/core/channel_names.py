"""Channel names and labels, without the channel table's models: what the inbox's first frame
needs (its filter summary and channel cycle), before pydantic loads with the first rows."""

from __future__ import annotations

META_CHANNELS = frozenset({"whatsapp", "instagram", "messenger"})
KNOWN_CHANNELS = ("whatsapp", "instagram", "messenger", "webchat", "sms", "playground")
LABELS = {
    "whatsapp": "WhatsApp",
    "instagram": "Instagram",
    "messenger": "Messenger",
    "webchat": "Webchat",
    "sms": "SMS",
    "playground": "Playground",
}


def label(channel: str) -> str:
    """The channel's name as shown; an unknown channel as the server spelled it."""
    return LABELS.get((channel or "").lower()) or channel or "unknown"
