"""SMS encoding and segments, Instagram bytes, the counter's words."""

from __future__ import annotations

import pytest

from tui.core.channels import CHANNELS
from tui.core.textcount import measure, sms_count


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # each extension character costs two septets
        ("€" * 81, "GSM-7", 162, 2),
        ("^{}\\[]~|", "GSM-7", 16, 1),
        ("é" * 160, "GSM-7", 160, 1),  # é is in the basic table
        ("á" * 70, "UCS-2", 70, 1),  # á is not
        ("á" * 71, "UCS-2", 71, 2),
        ("á" * 134, "UCS-2", 134, 2),
        ("á" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # a surrogate pair is two code units
    ],
)
def test_sms_count(text: str, encoding: str, units: int, segments: int) -> None:
    count = sms_count(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_escape_pair_never_split_across_parts() -> None:
    # 152 plain septets then '€' (2): the pair cannot start at septet 153, so it moves to part 2.
    text = "a" * 152 + "€" + "a" * 152
    assert sms_count(text).units == 306
    assert sms_count(text).segments == 3


def test_surrogate_pair_never_split_across_parts() -> None:
    text = "á" * 66 + "😀" + "á" * 66
    assert sms_count(text).units == 134
    assert sms_count(text).segments == 3


def test_measure_words() -> None:
    assert measure("hello", CHANNELS["whatsapp"].limits).describe() == "5/4,096 characters"
    assert measure("olá", CHANNELS["instagram"].limits).describe() == "4/1,000 bytes"
    assert (
        measure("a" * 161, CHANNELS["sms"].limits).describe() == "161/1,600 characters · GSM-7 · 2 segments"
    )
    assert measure("olá", CHANNELS["sms"].limits).describe() == "3/1,600 characters · UCS-2 · 1 segment"
    assert measure("", CHANNELS["sms"].limits).describe() == "0/1,600 characters"
