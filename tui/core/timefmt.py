"""Every way a time or a duration is shown, in one place, and none of them can raise.

A server may send any date (year 9999, year 1): converting it to local time can overflow east
of UTC, and `strftime` can fail on odd years. Each function here falls back to UTC, then to a
plain "?", instead of letting an `OverflowError` reach the agent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

UNKNOWN = "?"
_UNITS = (("d", 86400), ("h", 3600), ("m", 60))


def local(dt: datetime) -> datetime:
    """`dt` in the machine's zone; in UTC when that conversion overflows (year 9999 east of UTC)."""
    try:
        return dt.astimezone()
    except (OverflowError, OSError, ValueError):
        return dt.astimezone(UTC) if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _seconds_between(then: datetime, now: datetime) -> float:
    try:
        return (now - then).total_seconds()
    except OverflowError:
        return float("inf") if then < now else float("-inf")


def formatted(dt: datetime | None, fmt: str, *, none: str = "") -> str:
    """`dt` in local time as `fmt`, or `none` for no time, or "?" when it cannot be shown."""
    if dt is None:
        return none
    try:
        return local(dt).strftime(fmt)
    except (OverflowError, ValueError, OSError):
        return UNKNOWN


def age(dt: datetime | None, now: datetime, *, none: str = "") -> str:
    """How long ago, in one unit: "now", "12m", "3h", "4d" (a time in the future is "now")."""
    if dt is None:
        return none
    seconds = _seconds_between(dt, now)
    if seconds != seconds or seconds < 60:  # NaN cannot happen with datetimes; the future can
        return "now"
    if seconds == float("inf"):
        return UNKNOWN
    for unit, size in _UNITS:
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "now"


def compact(delta: timedelta, parts: int = 1) -> str:
    """'3d', '23h 5m', '12m', '<1m' (at most `parts` units, largest first)."""
    seconds = int(max(delta.total_seconds(), 0))
    units = []
    for unit, size in _UNITS:
        if seconds >= size:
            units.append(f"{seconds // size}{unit}")
            seconds %= size
        elif units:
            break
    return " ".join(units[:parts]) if units else "<1m"


def human_duration(delta: timedelta) -> str:
    """'3 d 4 h', '5 h 12 min', '7 min', 'less than a minute': for sentences."""
    seconds = int(max(delta.total_seconds(), 0))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return "less than a minute"


def human_seconds(seconds: float) -> str:
    """A server's delay in seconds, for a sentence: '42 s', '9 min'."""
    if seconds < 60:
        return f"{int(seconds)} s"
    try:
        return human_duration(timedelta(seconds=seconds))
    except OverflowError:
        return "a very long time"


#: How far ahead of "now" a message's time may be and still count as just now.
FUTURE_SKEW_SECONDS = 600


def clock(dt: datetime | None, now: datetime) -> str:
    """A message's time: '14:05' within the last 20 hours, else '30 Nov 14:05'. A few minutes
    ahead of `now` is recent too: an item drawn at send time and confirmed by the server a moment
    later carries the server's (later) time, and clocks drift."""
    if dt is None:
        return ""
    recent = -FUTURE_SKEW_SECONDS <= _seconds_between(dt, now) < 20 * 3600
    return formatted(dt, "%H:%M" if recent else "%d %b %H:%M")


def due_at(dt: datetime | None, now: datetime) -> str:
    """When something ends, from `now` on: '09:10' today, 'tomorrow 09:10', else 'Tue 09:10'
    (a window is at most a day or so ahead: a bare hour would read as today's)."""
    if dt is None:
        return UNKNOWN
    try:
        days = (local(dt).date() - local(now).date()).days
    except (OverflowError, OSError, ValueError):
        return UNKNOWN
    if days == 0:
        return formatted(dt, "%H:%M")
    if days == 1:
        return f"tomorrow {formatted(dt, '%H:%M')}"
    return formatted(dt, "%a %d %b %H:%M")


def stamp(dt: datetime | None, *, none: str = "?") -> str:
    """A full local time for the CLI: '2026-11-30 14:05'."""
    return formatted(dt, "%Y-%m-%d %H:%M", none=none)


def day_label(dt: datetime, now: datetime) -> str:
    """A day separator's words: 'Today', 'Yesterday', 'Mon 30 Nov', or '30 Nov 2025' another year."""
    try:
        day, today = local(dt).date(), local(now).date()
        if day == today:
            return "Today"
        if (today - day).days == 1:
            return "Yesterday"
        return local(dt).strftime("%a %d %b" if day.year == today.year else "%d %b %Y")
    except (OverflowError, ValueError, OSError):
        return UNKNOWN


def day_key(dt: datetime | None) -> str:
    """The local calendar day of `dt` (for grouping messages by day); "" when unknown."""
    if dt is None:
        return ""
    try:
        return local(dt).date().isoformat()
    except (OverflowError, ValueError, OSError):
        return ""
