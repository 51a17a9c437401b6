"""The 24-hour reply window of the Meta channels, computed without the channel table's models:
the inbox's rows are drawn before pydantic loads. `tui.core.policy` enforces it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tui.core.channel_names import META_CHANNELS
from tui.core.timefmt import human_duration

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class WindowState:
    """The reply window of one conversation at one instant."""

    applies: bool  # False: the channel has no window (webchat, SMS, playground)
    open: bool
    #: False until the customer's newest message is known (the record does not say, and the
    #: messages were not read yet): the window is then unknown, neither open nor closed.
    known: bool = True
    opened_at: datetime | None = None  # the customer's last inbound message
    closes_at: datetime | None = None
    now: datetime | None = None

    @property
    def never_opened(self) -> bool:
        return self.applies and self.known and self.opened_at is None

    @property
    def remaining(self) -> timedelta:
        if not self.open or self.closes_at is None or self.now is None:
            return timedelta(0)
        return self.closes_at - self.now

    @property
    def closed_for(self) -> timedelta:
        if self.open or self.closes_at is None or self.now is None:
            return timedelta(0)
        return self.now - self.closes_at

    def describe(self) -> str:
        if not self.applies:
            return "no reply window"
        if not self.known:
            return "window unknown until the messages are read"
        if self.never_opened:
            return "window never opened"
        if self.open:
            return f"window open, {human_duration(self.remaining)} left"
        return f"window closed {human_duration(self.closed_for)} ago"


class Timed(Protocol):
    """What the window is read from: a `Conversation`, or a first-page row before the models load."""

    @property
    def inbound_known(self) -> bool: ...

    @property
    def last_inbound_message_at(self) -> datetime | None: ...


def reply_window(channel: str) -> bool:
    """Whether a channel has the 24-hour reply window: the Meta channels (the channel table's
    `reply_window` says the same; a test keeps them equal)."""
    return (channel or "").lower() in META_CHANNELS


def window_at(conversation: Timed, *, applies: bool, now: datetime | None = None) -> WindowState:
    """Open while less than 24 h have passed since the last inbound message; unknown while that
    message is (`inbound_known`); `applies`: the channel has a window at all.

    Exactly 24 h is closed. A timestamp in the future (clock skew) counts as "just now": the
    window is open for the full 24 h from our clock, never longer.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if not applies:
        return WindowState(applies=False, open=True, now=now)
    if not conversation.inbound_known:
        return WindowState(applies=True, open=False, known=False, now=now)
    last = conversation.last_inbound_message_at
    if last is None:
        return WindowState(applies=True, open=False, now=now)
    elapsed = max(now - last, timedelta(0))
    closes_at = now + (WINDOW - elapsed)
    return WindowState(applies=True, open=elapsed < WINDOW, opened_at=last, closes_at=closes_at, now=now)


__all__ = ["WINDOW", "Timed", "WindowState", "reply_window", "window_at"]
