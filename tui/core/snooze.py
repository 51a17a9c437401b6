"""Snooze times: the picker's presets, what an agent types ("2h", "tomorrow 10", "fri 9"), and
the short words a picker row or a list row shows for a time.

Pure functions: the clock (`now`, aware) and the local zone (`tz`) are passed in, so a test
fixes both. Wall-clock times ("14:30", "tomorrow 9:00") are built in `tz` and normalised through
UTC, so a time inside a spring-forward gap comes out as the real instant after the gap.
Durations ("2h", "3d") are exact elapsed time, counted in UTC, so they never land an hour off
across a daylight-saving change.
"""

from __future__ import annotations

import os
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui.core.timefmt import UNKNOWN, human_duration

#: A snooze is refused beyond this (a year, leap day included).
MAX_AHEAD = timedelta(days=366)
#: "This afternoon" is offered until this local time; after it, "1 hour" is as good.
AFTERNOON = time(14, 0)
AFTERNOON_OFFERED_UNTIL = time(13, 0)
#: The hour a day without a time means ("tomorrow", "fri", "dec 24"), as the presets use.
MORNING = time(9, 0)

UNREADABLE = "Type a time like 2h, 14:30, tomorrow 9:00 or mon 9."
PASSED = "That time has already passed; type a later one."
TOO_FAR = "That is more than a year ahead; snooze for a year at most."

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


@dataclass(frozen=True)
class Preset:
    """One row of the snooze picker: its words and the aware time it stands for."""

    label: str
    until: datetime


def local_zone(localtime: str = "/etc/localtime") -> tzinfo:
    """The machine's zone with its daylight-saving rules, for the app to pass in: `TZ` when it
    names a zone, else `/etc/localtime`; else today's fixed offset (right until the next change).

    `datetime.now().astimezone().tzinfo` alone is a fixed offset: "next week 9:00" across a
    change would come out an hour off."""
    name = os.environ.get("TZ", "").removeprefix(":")
    try:
        if name:
            return ZoneInfo(name)
        with open(localtime, "rb") as file:
            return ZoneInfo.from_file(file, key="localtime")
    except (ZoneInfoNotFoundError, OSError, ValueError):
        return datetime.now().astimezone().tzinfo or UTC


def _aware(now: datetime) -> datetime:
    """The app's clock is aware UTC; a naive `now` is taken as UTC, never as the machine's zone."""
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    """`day` at wall-clock `clock` in `tz`, as a real instant (a time in a DST gap moves past it)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _after(now: datetime, delta: timedelta, tz: tzinfo) -> datetime:
    return (now.astimezone(UTC) + delta).astimezone(tz)


def presets(now: datetime, tz: tzinfo) -> list[Preset]:
    """1 hour, this afternoon (until 13:00 local), tomorrow 9:00, next Monday 9:00: each time once
    (on a Sunday, next week is tomorrow 9:00 and is not listed twice)."""
    now = _aware(now)
    here = now.astimezone(tz)
    today = here.date()
    rows = [Preset("1 hour", _after(now, timedelta(hours=1), tz))]
    if here.time() < AFTERNOON_OFFERED_UNTIL:
        rows.append(Preset("This afternoon", _at(today, AFTERNOON, tz)))
    rows.append(Preset("Tomorrow 9:00", _at(today + timedelta(days=1), MORNING, tz)))
    monday = today + timedelta(days=7 - today.weekday())
    rows.append(Preset("Next week", _at(monday, MORNING, tz)))
    unique: list[Preset] = []
    for row in rows:
        if all(row.until != kept.until for kept in unique):
            unique.append(row)
    return unique


# -- reading what an agent types ------------------------------------------------------------------

_UNIT_SECONDS = {
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "week": 604800,
    "weeks": 604800,
}
_DURATION_PART = re.compile(r"(\d{1,6})\s*([a-z]+)\s*")
_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ([a-z]{3,9})\.?(?: (\d{4}))?")
_MONTH_DAY = re.compile(r"([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}))?")


class _Unreadable(Exception):
    """This piece of the text is not the form being tried; another form may read it."""


def _named(word: str, names: tuple[str, ...]) -> int:
    """The index of the name `word` abbreviates (at least 3 letters: "mon", "thurs", "sept")."""
    if len(word) >= 3:
        for index, name in enumerate(names):
            if name.startswith(word):
                return index
    raise _Unreadable


def _duration(text: str) -> timedelta | None:
    """ "2h", "90m", "1h30m", "in 2 hours", "3 days": None when `text` is not a duration."""
    text = text.removeprefix("in ").strip()
    seconds, pos = 0, 0
    for part in _DURATION_PART.finditer(text):
        if part.start() != pos or part.group(2) not in _UNIT_SECONDS:
            return None
        seconds += int(part.group(1)) * _UNIT_SECONDS[part.group(2)]
        pos = part.end()
    if pos == 0 or pos != len(text):
        return None
    if seconds > MAX_AHEAD.total_seconds():
        raise ValueError(TOO_FAR)
    return timedelta(seconds=seconds)


def _clock(text: str, *, bare_hour: bool) -> time:
    """ "14:30", "9", "9am", "2:30pm", "noon" as a wall-clock time. A bare hour ("10") is only a
    time after a day ("tomorrow 10"): alone it could as well mean minutes."""
    if text == "noon":
        return time(12, 0)
    found = _TIME.fullmatch(text)
    if found is None or (not bare_hour and found.group(2) is None and found.group(3) is None):
        raise _Unreadable
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"There is no {text}; with am or pm the hour goes from 1 to 12.")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"There is no {text}; type a time from 00:00 to 23:59.")
    return time(hour, minute)


def _calendar_date(year: int, month: int, day: int, here: datetime) -> date:
    """A typed date with its year; a year long past or far ahead is refused before any
    arithmetic on it can overflow."""
    if year < here.year:
        raise ValueError(PASSED)
    if year > here.year + 1:
        raise ValueError(TOO_FAR)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            f"There is no {day} {_short(MONTHS, month - 1)} {year}; type a date on the calendar."
        ) from None


def _short(names: tuple[str, ...], index: int) -> str:
    return names[index][:3].title()


def _day_of_year(day: int, month: int, year: str | None, clock: time, here: datetime, tz: tzinfo) -> datetime:
    """A day and month: in `year` when given, else the next time it comes (this year or next)."""
    if not 1 <= day <= monthrange(2000, month)[1]:  # 2000 is a leap year: 29 Feb passes here
        raise ValueError(f"There is no {day} {_short(MONTHS, month - 1)}; type a date on the calendar.")
    if year is not None:
        return _at(_calendar_date(int(year), month, day, here), clock, tz)
    for candidate in (here.year, here.year + 1):
        try:
            when = _at(date(candidate, month, day), clock, tz)
        except ValueError:
            continue
        if when > here:
            return when
    raise ValueError(f"There is no {day} {_short(MONTHS, month - 1)} in the coming year.")


def _day(text: str, clock: time, here: datetime, tz: tzinfo) -> datetime:
    """`text` as a day ("today", "tomorrow", "fri", "next fri", "next week", "dec 24", "24 dec",
    "2026-12-24") at wall-clock `clock`. A weekday is the next one after today: today is "today"."""
    today = here.date()
    if text == "today":
        return _at(today, clock, tz)
    if text in ("tomorrow", "tmrw", "tmr"):
        return _at(today + timedelta(days=1), clock, tz)
    if text == "next week":
        return _at(today + timedelta(days=7 - today.weekday()), clock, tz)
    if iso := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in iso.groups())
        if not 1 <= month <= 12:
            raise ValueError(f"There is no month {month}; type a date like 2026-12-24.")
        return _at(_calendar_date(year, month, day, here), clock, tz)
    if found := _DAY_MONTH.fullmatch(text):
        month = _named(found.group(2), MONTHS) + 1
        return _day_of_year(int(found.group(1)), month, found.group(3), clock, here, tz)
    if found := _MONTH_DAY.fullmatch(text):
        month = _named(found.group(1), MONTHS) + 1
        return _day_of_year(int(found.group(2)), month, found.group(3), clock, here, tz)
    weekday = _named(text.removeprefix("next "), WEEKDAYS)
    ahead = (weekday - today.weekday() - 1) % 7 + 1
    return _at(today + timedelta(days=ahead), clock, tz)


def _splits(text: str) -> list[tuple[str, str]]:
    """Every way to read `text` as a day and a time of day, the day first or last."""
    words = text.split(" ")
    pairs = []
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        pairs += [(head, tail), (tail, head)]
    return pairs


def _absolute(text: str, here: datetime, tz: tzinfo) -> datetime:
    """A time of day, a day, or both in either order ("tomorrow 10", "9:00 tomorrow")."""
    if text == "today":
        raise ValueError("Say when today, like today 16:00.")
    try:
        clock = _clock(text, bare_hour=False)
    except _Unreadable:
        pass
    else:  # a time alone: today, or tomorrow once it has passed
        when = _at(here.date(), clock, tz)
        return when if when > here else _at(here.date() + timedelta(days=1), clock, tz)
    try:
        return _day(text, MORNING, here, tz)
    except _Unreadable:
        pass
    # A day and a time. A piece that is no day or no time at all is another reading; a day or a
    # time that is wrong ("31 nov", "25:00") is the sentence, once no reading works.
    wrong: list[ValueError] = []
    for day_part, clock_part in _splits(text):
        bad_clock: ValueError | None = None
        try:
            clock = _clock(clock_part, bare_hour=True)
        except _Unreadable:
            continue
        except ValueError as exc:
            clock, bad_clock = MORNING, exc
        try:
            when = _day(day_part, clock, here, tz)
        except _Unreadable:
            continue
        except ValueError as exc:
            wrong.append(exc)
            continue
        if bad_clock is not None:
            wrong.append(bad_clock)
            continue
        return when
    if wrong:
        raise wrong[0]
    raise _Unreadable


def _normalised(text: str) -> str:
    """Lower case, one space between words, "at" and "on" dropped, "9 am" as "9am"."""
    text = " ".join(text.casefold().replace(",", " ").split())
    text = re.sub(r"(\d) (am|pm)\b", r"\1\2", text)
    return " ".join(word for word in text.split(" ") if word not in ("at", "on"))


def parse_when(text: str, now: datetime, tz: tzinfo) -> datetime:
    """What an agent typed, as an aware time in `tz`; `ValueError` with one sentence when it
    cannot be read, has passed, or is more than a year ahead."""
    now = _aware(now)
    here = now.astimezone(tz)
    typed = _normalised(text)
    if not typed:
        raise ValueError(UNREADABLE)
    delta = _duration(typed)
    try:
        when = _after(now, delta, tz) if delta is not None else _absolute(typed, here, tz)
    except _Unreadable:
        raise ValueError(UNREADABLE) from None
    except OverflowError:  # a year like 9999 east of UTC
        raise ValueError(TOO_FAR) from None
    if when <= now:
        raise ValueError(PASSED)
    if when - now > MAX_AHEAD:
        raise ValueError(TOO_FAR)
    return when


# -- showing a snooze time ------------------------------------------------------------------------


def describe_until(until: datetime, now: datetime, tz: tzinfo) -> str:
    """A snooze time in a few words: "in 45 min" within the hour, "today 14:00", "tomorrow 09:00",
    "Mon 7 Dec 09:00", with the year when it is half a year or more away; "now" once it has
    passed, "?" for a time that cannot be shown."""
    now, until = _aware(now), _aware(until)
    try:
        left = until - now
        if left <= timedelta(0):
            return "now"
        if left < timedelta(hours=1):
            return f"in {human_duration(left)}"
        there, here = until.astimezone(tz), now.astimezone(tz)
    except (OverflowError, ValueError, OSError):
        return UNKNOWN
    clock = f"{there.hour:02d}:{there.minute:02d}"
    days = (there.date() - here.date()).days
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    words = f"{_short(WEEKDAYS, there.weekday())} {there.day} {_short(MONTHS, there.month - 1)}"
    if days >= 183:
        words += f" {there.year}"
    return f"{words} {clock}"
