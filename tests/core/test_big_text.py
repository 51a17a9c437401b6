"""A 5 MB message costs what is drawn, not what was sent: a preview neutralises only the start it
shows, a body is cut at `BODY_MAX` before it is neutralised; and a window that closes tomorrow
says so."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tui.core.text import BODY_MAX, MAX_LINE, cut_body, one_line
from tui.core.timefmt import due_at

HUGE = "Hello\x1b[31m world " * 300_000  # ~5.4 MB, with an escape every 18 characters


def test_a_preview_of_a_huge_text_costs_its_width_only() -> None:
    started = time.perf_counter()
    for _ in range(100):
        line = one_line(HUGE, 60)
    took = time.perf_counter() - started
    assert line.startswith("Hello␛[31m world") and line.endswith("…") and len(line) == 60
    assert took < 0.5, f"100 previews took {took:.2f} s"  # the whole text would take ~100 s


def test_a_preview_without_width_is_capped() -> None:
    line = one_line(HUGE)
    assert len(line) == MAX_LINE and line.endswith("…")


def test_a_preview_reads_further_through_leading_whitespace() -> None:
    assert one_line(" " * 10_000 + "late words", 20) == "late words"
    assert one_line("\n\t " * 5_000 + "x" * 50, 10) == "xxxxxxxxx…"


def test_a_body_is_cut_before_it_is_neutralised() -> None:
    body, more = cut_body(HUGE)
    assert len(body) < BODY_MAX * 2 and "\x1b" not in body
    assert more == len(HUGE) - BODY_MAX
    assert cut_body("short\x07") == ("short␇", 0)
    assert cut_body(None) == ("", 0)


def test_a_time_tomorrow_says_tomorrow() -> None:
    now = datetime(2026, 12, 7, 9, 17).astimezone()
    assert due_at(now.replace(hour=11, minute=0), now) == "11:00"
    assert due_at(now.replace(hour=9, minute=10) + timedelta(days=1), now) == "tomorrow 09:10"
    later = due_at(now + timedelta(days=3), now)
    assert later.endswith("09:17") and "Dec" in later
    assert due_at(datetime(9999, 12, 31, 23, 59, tzinfo=UTC), now) != ""


def test_the_window_banner_names_tomorrow() -> None:
    """At 09:17, a customer who wrote at 09:10 today has a window closing tomorrow at 09:10:
    a bare "closes 09:10" would read as seven minutes ago."""
    from tui.core.channels import CHANNELS
    from tui.core.models import Conversation
    from tui.widgets.conversation_head import banner

    now = datetime(2026, 12, 7, 9, 17).astimezone()
    wrote = now.replace(minute=10)
    c = Conversation(id=1, channel="whatsapp", last_inbound_message_at=wrote, status="open")
    text, kind = banner(c, CHANNELS["whatsapp"], now.astimezone(UTC))
    assert "closes tomorrow 09:10" in str(text) and kind == "open"
