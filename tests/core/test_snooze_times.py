"""Snooze times on a fixed clock and zone: the presets, what an agent types, and the short words.

The zones: UTC (no daylight saving), America/New_York (five hours behind in December, a spring
gap on 14 Mar 2027) and Europe/Lisbon (an autumn repeat on 25 Oct 2026).
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui.core.snooze import (
    PASSED,
    TOO_FAR,
    UNREADABLE,
    Preset,
    describe_until,
    local_zone,
    parse_when,
    presets,
)

NEW_YORK = ZoneInfo("America/New_York")
LISBON = ZoneInfo("Europe/Lisbon")
#: A Tuesday morning.
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def rows(found: list[Preset]) -> list[tuple[str, datetime]]:
    return [(p.label, p.until) for p in found]


# -- presets --------------------------------------------------------------------------------------


def test_presets_on_a_tuesday_morning() -> None:
    assert rows(presets(TUESDAY, UTC)) == [
        ("1 hour", utc(2026, 12, 1, 11, 0)),
        ("This afternoon", utc(2026, 12, 1, 14, 0)),
        ("Tomorrow 9:00", utc(2026, 12, 2, 9, 0)),
        ("Next week", utc(2026, 12, 7, 9, 0)),
    ]


@pytest.mark.parametrize(
    ("local_time", "offered"),
    [((12, 59), True), ((13, 0), False), ((16, 0), False)],
    ids=["12:59", "13:00", "16:00"],
)
def test_this_afternoon_is_offered_until_13_00(local_time: tuple[int, int], offered: bool) -> None:
    now = utc(2026, 12, 1, *local_time)
    assert ("This afternoon" in [p.label for p in presets(now, UTC)]) is offered


def test_presets_are_wall_clock_times_of_the_local_zone() -> None:
    # 17:33 UTC is 12:33 in New York: the afternoon is still offered, at 14:00 New York time.
    now = utc(2026, 12, 1, 17, 33)
    found = presets(now, NEW_YORK)
    assert rows(found) == [
        ("1 hour", utc(2026, 12, 1, 18, 33)),
        ("This afternoon", utc(2026, 12, 1, 19, 0)),
        ("Tomorrow 9:00", utc(2026, 12, 2, 14, 0)),
        ("Next week", utc(2026, 12, 7, 14, 0)),
    ]
    assert all(p.until.utcoffset() == timedelta(hours=-5) for p in found)
    # The same instant in UTC has passed 13:00: no afternoon there.
    assert "This afternoon" not in [p.label for p in presets(now, UTC)]


def test_on_a_sunday_next_week_is_tomorrow_and_listed_once() -> None:
    sunday = utc(2026, 12, 6, 15, 0)
    assert rows(presets(sunday, UTC)) == [
        ("1 hour", utc(2026, 12, 6, 16, 0)),
        ("Tomorrow 9:00", utc(2026, 12, 7, 9, 0)),
    ]


def test_on_a_monday_next_week_is_seven_days_on() -> None:
    monday = utc(2026, 12, 7, 8, 0)
    assert dict(rows(presets(monday, UTC)))["Next week"] == utc(2026, 12, 14, 9, 0)


def test_presets_across_the_autumn_change() -> None:
    # 00:30 UTC on 25 Oct 2026 is 01:30 summer time in Lisbon; at 02:00 the clocks go back to 01:00.
    now = utc(2026, 10, 25, 0, 30)
    found = dict(rows(presets(now, LISBON)))
    assert found["1 hour"] - now == timedelta(hours=1)  # a real hour, not a wall-clock one
    assert found["Tomorrow 9:00"] == utc(2026, 10, 26, 9, 0)  # 9:00 winter time (UTC+0)
    assert found["This afternoon"] == utc(2026, 10, 25, 14, 0)


def test_a_naive_clock_is_read_as_utc() -> None:
    assert presets(TUESDAY.replace(tzinfo=None), NEW_YORK) == presets(TUESDAY, NEW_YORK)


# -- typed times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2h", utc(2026, 12, 1, 12, 0)),
        ("90m", utc(2026, 12, 1, 11, 30)),
        ("3d", utc(2026, 12, 4, 10, 0)),
        ("1h30m", utc(2026, 12, 1, 11, 30)),
        ("1h 30m", utc(2026, 12, 1, 11, 30)),
        ("in 2 hours", utc(2026, 12, 1, 12, 0)),
        ("45 min", utc(2026, 12, 1, 10, 45)),
        ("1w", utc(2026, 12, 8, 10, 0)),
        ("14:30", utc(2026, 12, 1, 14, 30)),
        ("9:15", utc(2026, 12, 2, 9, 15)),  # already past today: tomorrow
        ("10:00", utc(2026, 12, 2, 10, 0)),  # exactly now is past too
        ("2pm", utc(2026, 12, 1, 14, 0)),
        ("2:30 PM", utc(2026, 12, 1, 14, 30)),
        ("12am", utc(2026, 12, 2, 0, 0)),
        ("noon", utc(2026, 12, 1, 12, 0)),
        ("today 16:00", utc(2026, 12, 1, 16, 0)),
        ("tomorrow", utc(2026, 12, 2, 9, 0)),
        ("Tomorrow 10", utc(2026, 12, 2, 10, 0)),
        ("tomorrow 10:30", utc(2026, 12, 2, 10, 30)),
        ("tomorrow at 8", utc(2026, 12, 2, 8, 0)),
        ("10:30 tomorrow", utc(2026, 12, 2, 10, 30)),
        ("mon", utc(2026, 12, 7, 9, 0)),
        ("friday 9", utc(2026, 12, 4, 9, 0)),
        ("fri 17:45", utc(2026, 12, 4, 17, 45)),
        ("thurs", utc(2026, 12, 3, 9, 0)),
        ("tue", utc(2026, 12, 8, 9, 0)),  # today is Tuesday: the next one
        ("next wed 11", utc(2026, 12, 2, 11, 0)),
        ("next week", utc(2026, 12, 7, 9, 0)),
        ("2026-12-24 09:00", utc(2026, 12, 24, 9, 0)),
        ("2026-12-24", utc(2026, 12, 24, 9, 0)),
        ("dec 24", utc(2026, 12, 24, 9, 0)),
        ("December 24, 2026", utc(2026, 12, 24, 9, 0)),
        ("24 dec 9:00", utc(2026, 12, 24, 9, 0)),
        ("24th dec 18", utc(2026, 12, 24, 18, 0)),
        ("dec 24 9", utc(2026, 12, 24, 9, 0)),
        ("jan 5", utc(2027, 1, 5, 9, 0)),  # already past this year: next year
        ("1 dec 11:00", utc(2026, 12, 1, 11, 0)),  # later today
        ("1 dec", utc(2027, 12, 1, 9, 0)),  # 9:00 today has passed: next year's
        ("  Tomorrow ,  10:30 ", utc(2026, 12, 2, 10, 30)),
    ],
)
def test_typed_times_in_utc(typed: str, expected: datetime) -> None:
    assert parse_when(typed, TUESDAY, UTC) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:30", utc(2026, 12, 1, 19, 30)),  # 05:00 in New York: 14:30 is later today
        ("4:00", utc(2026, 12, 2, 9, 0)),  # 04:00 New York has passed: tomorrow's
        ("tomorrow 9", utc(2026, 12, 2, 14, 0)),
        ("tue", utc(2026, 12, 8, 14, 0)),
        ("dec 24", utc(2026, 12, 24, 14, 0)),
        ("2h", utc(2026, 12, 1, 12, 0)),
    ],
)
def test_typed_times_in_new_york(typed: str, expected: datetime) -> None:
    found = parse_when(typed, TUESDAY, NEW_YORK)
    assert found == expected
    assert found.utcoffset() == timedelta(hours=-5)


def test_a_time_in_the_spring_gap_is_the_instant_after_it() -> None:
    # On 14 Mar 2027 New York's clocks jump from 02:00 to 03:00: 02:30 never happens.
    now = utc(2027, 3, 13, 17, 0)
    found = parse_when("2027-03-14 02:30", now, NEW_YORK)
    assert found == utc(2027, 3, 14, 7, 30)
    assert (found.hour, found.minute, found.utcoffset()) == (3, 30, timedelta(hours=-4))


def test_durations_are_real_time_across_a_change() -> None:
    now = utc(2026, 10, 24, 12, 0)  # Lisbon summer time; the clocks go back overnight
    assert parse_when("1d", now, LISBON) - now == timedelta(days=1)
    assert parse_when("tomorrow 13:00", now, LISBON) == utc(2026, 10, 25, 13, 0)  # winter: UTC+0


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "soon", "10", "2x", "h2", "tomorrow tomorrow", "mo", "9:00 10:00", "dec", "12:5", "-2h"],
)
def test_what_cannot_be_read_says_what_can(typed: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_when(typed, TUESDAY, UTC)
    assert str(caught.value) == UNREADABLE == "Type a time like 2h, 14:30, tomorrow 9:00 or mon 9."


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("today 9:00", PASSED),
        ("0m", PASSED),
        ("2026-11-30 12:00", PASSED),
        ("2025-12-24", PASSED),
        ("367d", TOO_FAR),
        ("53w", TOO_FAR),
        ("999999h", TOO_FAR),
        ("2028-01-01", TOO_FAR),
        ("2027-12-02 10:01", TOO_FAR),
        ("25:00", "There is no 25:00; type a time from 00:00 to 23:59."),
        ("tomorrow 9:60", "There is no 9:60; type a time from 00:00 to 23:59."),
        ("13pm", "There is no 13pm; with am or pm the hour goes from 1 to 12."),
        ("31 nov", "There is no 31 Nov; type a date on the calendar."),
        ("nov 31 9:00", "There is no 31 Nov; type a date on the calendar."),
        ("2027-02-29", "There is no 29 Feb 2027; type a date on the calendar."),
        ("feb 29", "There is no 29 Feb in the coming year."),
        ("2026-13-01", "There is no month 13; type a date like 2026-12-24."),
        ("today", "Say when today, like today 16:00."),
    ],
)
def test_refusals_each_have_their_sentence(typed: str, sentence: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_when(typed, TUESDAY, UTC)
    assert str(caught.value) == sentence


def test_a_year_ahead_is_the_limit() -> None:
    assert parse_when("366d", TUESDAY, UTC) == utc(2027, 12, 2, 10, 0)
    assert parse_when("2027-12-02 10:00", TUESDAY, UTC) == utc(2027, 12, 2, 10, 0)


# -- short words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "tz", "words"),
    [
        (utc(2026, 12, 1, 10, 45), UTC, "in 45 min"),
        (utc(2026, 12, 1, 10, 0, 30), UTC, "in less than a minute"),
        (utc(2026, 12, 1, 11, 0), UTC, "today 11:00"),
        (utc(2026, 12, 1, 23, 59), UTC, "today 23:59"),
        (utc(2026, 12, 2, 0, 0), UTC, "tomorrow 00:00"),
        (utc(2026, 12, 2, 9, 0), UTC, "tomorrow 09:00"),
        (utc(2026, 12, 7, 9, 0), UTC, "Mon 7 Dec 09:00"),
        (utc(2027, 1, 4, 9, 0), UTC, "Mon 4 Jan 09:00"),
        (utc(2027, 6, 3, 9, 0), UTC, "Thu 3 Jun 2027 09:00"),
        (utc(2026, 12, 2, 4, 0), NEW_YORK, "today 23:00"),  # the local day, not UTC's
        (utc(2026, 12, 2, 14, 0), NEW_YORK, "tomorrow 09:00"),
        (utc(2026, 12, 1, 10, 0), UTC, "now"),
        (utc(2026, 11, 30, 10, 0), UTC, "now"),
    ],
)
def test_describe_until(until: datetime, tz: tzinfo, words: str) -> None:
    assert describe_until(until, TUESDAY, tz) == words


def test_describe_until_never_raises_on_a_far_stored_time() -> None:
    far = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    assert describe_until(far, TUESDAY, ZoneInfo("Asia/Tokyo")) == "?"


def test_every_preset_reads_back_in_words() -> None:
    words = [describe_until(p.until, TUESDAY, UTC) for p in presets(TUESDAY, UTC)]
    assert words == ["today 11:00", "today 14:00", "tomorrow 09:00", "Mon 7 Dec 09:00"]


# -- the machine's zone ---------------------------------------------------------------------------


def test_local_zone_from_tz_keeps_the_daylight_saving_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", ":America/New_York")
    zone = local_zone()
    assert datetime(2026, 7, 1, tzinfo=zone).utcoffset() == timedelta(hours=-4)
    assert datetime(2026, 12, 1, tzinfo=zone).utcoffset() == timedelta(hours=-5)


def test_local_zone_from_the_localtime_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TZ", raising=False)
    localtime = tmp_path / "localtime"
    localtime.write_bytes(Path(zoneinfo.TZPATH[0], "Europe", "Lisbon").read_bytes())
    zone = local_zone(str(localtime))
    assert datetime(2026, 7, 1, tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 12, 1, tzinfo=zone).utcoffset() == timedelta(0)


@pytest.mark.parametrize("tz", ["Nowhere/Land", "../../etc/passwd", None])
def test_local_zone_falls_back_to_a_fixed_offset(
    tz: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if tz is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", tz)
    (tmp_path / "localtime").write_bytes(b"not a zone file")
    zone = local_zone(str(tmp_path / "localtime") if tz is None else str(tmp_path / "missing"))
    assert isinstance(zone, timezone)
    assert zone.utcoffset(None) == datetime.now().astimezone().utcoffset()
