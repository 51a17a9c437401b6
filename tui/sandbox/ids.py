"""Message ids as each channel's service gives them (contract: "Ids are opaque").

WhatsApp, Instagram, Messenger and Webchat messages live in a Mongo-style store: their records
carry `_id`, a 24-character lowercase hex ObjectId (4-byte big-endian seconds, 5 random bytes
drawn once per process, a 3-byte counter), and no `id`. SMS and playground records carry a numeric
`id` (the SQLite rowid) and no `_id`. The sandbox keeps the rowid for itself either way; the
ObjectId is stored in `messages.uid` (unique), so a client that does arithmetic on ids, or sends a
rowid where the service gave a string, is caught.
"""

from __future__ import annotations

import itertools
import os
import re
import struct
import threading

__all__ = ["OBJECT_ID_CHANNELS", "ObjectIds", "is_object_id", "object_id"]

#: The channels whose message services answer `_id` (a string) instead of `id` (a number).
OBJECT_ID_CHANNELS = frozenset({"whatsapp", "instagram", "messenger", "webchat"})
_HEX24 = re.compile(r"[0-9a-f]{24}")


class ObjectIds:
    """Makes ObjectIds as MongoDB's drivers do: time, a per-process random value, a counter."""

    def __init__(self) -> None:
        self._random = os.urandom(5)
        self._counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
        self._lock = threading.Lock()

    def make(self, seconds: float) -> str:
        """A new id whose timestamp is `seconds` (epoch; clamped into 4 unsigned bytes)."""
        with self._lock:
            count = next(self._counter) & 0xFFFFFF
        stamp = max(0, min(int(seconds), 0xFFFFFFFF))
        return (struct.pack(">I", stamp) + self._random + count.to_bytes(3, "big")).hex()


_IDS = ObjectIds()


def object_id(seconds: float) -> str:
    """A new ObjectId stamped `seconds`, from this process's generator."""
    return _IDS.make(seconds)


def is_object_id(value: object) -> bool:
    """Whether `value` is spelled as an ObjectId (24 lowercase hex characters)."""
    return isinstance(value, str) and _HEX24.fullmatch(value) is not None
