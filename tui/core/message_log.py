"""Every notice the app showed, kept to be read again: a toast cuts a long sentence at the
terminal's width and is gone in seconds, and an error is worth reading whole after it went.

In memory only, the last `KEPT`: what was said in this session, not a history to store (notices
quote paths and server answers). Appending is atomic, so a worker's thread may add one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

KEPT = 200


@dataclass(frozen=True)
class Notice:
    at: datetime
    #: "information", "warning" or "error", as Textual's notifications say.
    severity: str
    title: str
    message: str


class MessageLog:
    """The newest `kept` notices; the oldest goes when one more comes."""

    def __init__(self, kept: int = KEPT) -> None:
        self._notices: deque[Notice] = deque(maxlen=kept)

    def add(self, notice: Notice) -> None:
        self._notices.append(notice)

    def newest_first(self) -> list[Notice]:
        return list(reversed(self._notices))

    def __len__(self) -> int:
        return len(self._notices)
