"""Measuring a draft the way each channel counts it: characters, UTF-8 bytes, or SMS segments.

SMS segmentation is exact: GSM-7 extension characters cost two septets and an escape pair is never
split across parts; UCS-2 counts UTF-16 code units and never splits a surrogate pair.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.channels import ChannelLimits, TextUnit

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters of the GSM-7 extension table: each costs an escape plus itself.
GSM7_EXTENDED = frozenset("^{}\\[]~|€\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def _pack(costs: list[int], single: int, multi: int) -> int:
    """Segments needed for items of the given costs, never splitting an item across parts."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, room = 1, multi
    for cost in costs:
        if cost > room:
            segments += 1
            room = multi
        room -= cost
    return segments


def sms_count(text: str) -> SmsCount:
    if is_gsm7(text):
        costs = [2 if c in GSM7_EXTENDED else 1 for c in text]
        segments = _pack(costs, GSM7_SINGLE, GSM7_MULTI)
        return SmsCount("GSM-7", sum(costs), segments, GSM7_SINGLE if segments <= 1 else GSM7_MULTI)
    costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
    segments = _pack(costs, UCS2_SINGLE, UCS2_MULTI)
    return SmsCount("UCS-2", sum(costs), segments, UCS2_SINGLE if segments <= 1 else UCS2_MULTI)


@dataclass(frozen=True)
class TextMeasure:
    """What a live counter shows: how much of the limit a text uses."""

    used: int
    limit: int
    unit: str  # "characters" or "bytes"
    sms: SmsCount | None = None

    @property
    def over(self) -> bool:
        return self.used > self.limit

    def describe(self) -> str:
        base = f"{self.used:,}/{self.limit:,} {self.unit}"
        if self.sms is not None and self.used:
            plural = "s" if self.sms.segments != 1 else ""
            return f"{base} · {self.sms.encoding} · {self.sms.segments} segment{plural}"
        return base


def measure(text: str, limits: ChannelLimits, *, limit: int | None = None) -> TextMeasure:
    """Measure `text` against the channel's text limit (or `limit`, e.g. a caption limit)."""
    cap = limit if limit is not None else limits.text_max
    if limits.text_unit is TextUnit.BYTES:
        return TextMeasure(len(text.encode("utf-8")), cap, "bytes")
    if limits.text_unit is TextUnit.SMS:
        return TextMeasure(len(text), cap, "characters", sms_count(text))
    return TextMeasure(len(text), cap, "characters")
