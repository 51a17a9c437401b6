"""Timestamps as the API sends them, read without pydantic (the first rows are drawn before
the models load): ISO-8601 or epoch seconds/milliseconds, any value a `datetime` cannot hold
refused with a short reason instead of an overflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

#: The range a `datetime` can hold, as epoch seconds (year 1 to the end of year 9999, UTC).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()
_LAST = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - _EPOCH).total_seconds()
NOT_A_TIME = "not a timestamp"
OUT_OF_RANGE = "a timestamp out of range"


def parse_time(value: Any) -> datetime | None:
    """ISO-8601 (with `Z`, an offset or naive = UTC) or epoch seconds/milliseconds -> aware UTC.

    Anything else, or a time no `datetime` can hold (1e300, NaN, year 99999, year 9999 at a
    negative offset), raises `ValueError` with a short reason; never `OverflowError`/`OSError`."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(NOT_A_TIME)
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, int | float):
        return _from_epoch(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 64:
            raise ValueError(NOT_A_TIME)
        if text.isascii() and text.lstrip("-").isdigit() and text.count("-") <= 1:
            return _from_epoch(int(text))
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(NOT_A_TIME) from None
    else:
        raise ValueError(NOT_A_TIME)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(OUT_OF_RANGE) from None


def _from_epoch(value: float) -> datetime:
    """Epoch seconds, or milliseconds when larger than 1e11 (year 5138 in seconds)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(NOT_A_TIME)
    millis = abs(value) > 1e11
    first, last = (_FIRST * 1000, _LAST * 1000) if millis else (_FIRST, _LAST)
    if not first <= value <= last:  # compared before any division: a huge int cannot overflow
        raise ValueError(OUT_OF_RANGE)
    try:
        return _EPOCH + timedelta(seconds=value / 1000 if millis else value)
    except (OverflowError, ValueError):
        raise ValueError(OUT_OF_RANGE) from None


def iso(dt: datetime) -> str:
    """The API's timestamp form: UTC with milliseconds and a `Z`."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


__all__ = ["NOT_A_TIME", "OUT_OF_RANGE", "iso", "parse_time"]
