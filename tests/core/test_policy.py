"""The reply window and the channel limits: exact boundaries, one sentence per refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tui.core.channels import CHANNELS, channel_spec
from tui.core.errors import PolicyRefusal
from tui.core.files import LocalFile
from tui.core.models import Conversation, Template
from tui.core.policy import (
    check_channel,
    check_note,
    check_reply,
    check_template,
    check_template_allowed,
    window_state,
)
from tui.core.templates import TemplateValues
from tui.core.timefmt import human_duration

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def conv(channel: str = "whatsapp", last_inbound: object = None) -> Conversation:
    return Conversation.model_validate({"id": 1, "channel": channel, "last_inbound_message_at": last_inbound})


def f(name: str, mime: str, size: int) -> LocalFile:
    return LocalFile(path=Path("/tmp") / name, name=name, size=size, mime=mime, mtime_ns=0)


# -- window -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["whatsapp", "instagram", "messenger"])
def test_window_open_just_under_24h(channel: str) -> None:
    state = window_state(
        conv(channel, NOW - timedelta(hours=24) + timedelta(milliseconds=1)), CHANNELS[channel], NOW
    )
    assert state.open and state.applies
    assert state.remaining == timedelta(milliseconds=1)


@pytest.mark.parametrize("channel", ["whatsapp", "instagram", "messenger"])
def test_window_closed_at_exactly_24h(channel: str) -> None:
    state = window_state(conv(channel, NOW - timedelta(hours=24)), CHANNELS[channel], NOW)
    assert not state.open
    assert state.closed_for == timedelta(0)


def test_window_never_opened_is_closed() -> None:
    state = window_state(conv("whatsapp", None), CHANNELS["whatsapp"], NOW)
    assert not state.open and state.never_opened
    assert state.describe() == "window never opened"


def test_window_respects_timezone_offsets() -> None:
    # 13:30 at +02:00 is 11:30 UTC: 30 minutes ago, so 23 h 30 min remain.
    state = window_state(conv("whatsapp", "2026-11-25T13:30:00+02:00"), CHANNELS["whatsapp"], NOW)
    assert state.open
    assert state.remaining == timedelta(hours=23, minutes=30)
    # A naive timestamp is UTC.
    naive = window_state(conv("whatsapp", "2026-11-24T12:00:01"), CHANNELS["whatsapp"], NOW)
    assert naive.open and naive.remaining == timedelta(seconds=1)


def test_window_now_in_another_timezone_is_the_same_instant() -> None:
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    a = window_state(conv("whatsapp", NOW - timedelta(hours=3)), CHANNELS["whatsapp"], tokyo)
    assert a.remaining == timedelta(hours=21)


def test_future_timestamp_counts_as_just_now_never_longer() -> None:
    state = window_state(conv("whatsapp", NOW + timedelta(hours=5)), CHANNELS["whatsapp"], NOW)
    assert state.open
    assert state.remaining == timedelta(hours=24)


def test_epoch_millisecond_timestamps() -> None:
    millis = int((NOW - timedelta(hours=1)).timestamp() * 1000)
    state = window_state(conv("whatsapp", millis), CHANNELS["whatsapp"], NOW)
    assert state.remaining == timedelta(hours=23)


@pytest.mark.parametrize("channel", ["webchat", "sms", "playground"])
def test_no_window_channels(channel: str) -> None:
    state = window_state(conv(channel, None), CHANNELS[channel], NOW)
    assert state.open and not state.applies
    check_reply(conv(channel, None), CHANNELS[channel], "hello", [], NOW)


def test_closed_whatsapp_reply_refused_with_how_long_and_what_else() -> None:
    c = conv("whatsapp", NOW - timedelta(hours=27, minutes=15))
    with pytest.raises(PolicyRefusal) as err:
        check_reply(c, CHANNELS["whatsapp"], "hi", [], NOW)
    assert err.value.reason == "window_closed"
    assert err.value.allowed == ("note", "template")
    assert err.value.sentence == (
        "The WhatsApp reply window closed 3 h 15 min ago (24 h after the customer's last message); "
        "leave a note or send an approved template."
    )


def test_closed_messenger_offers_only_a_note() -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_reply(conv("messenger", None), CHANNELS["messenger"], "hi", [], NOW)
    assert err.value.allowed == ("note",)
    assert "never written" in err.value.sentence and "leave a note instead" in err.value.sentence


def test_notes_are_allowed_outside_the_window() -> None:
    check_note(CHANNELS["whatsapp"], "called the customer", [])


def test_note_refusals() -> None:
    with pytest.raises(PolicyRefusal, match="cannot carry attachments"):
        check_note(CHANNELS["whatsapp"], "x", [f("a.png", "image/png", 10)])
    with pytest.raises(PolicyRefusal, match="no internal notes on SMS"):
        check_note(CHANNELS["sms"], "x", [])
    with pytest.raises(PolicyRefusal, match="empty"):
        check_note(CHANNELS["webchat"], "   ", [])


def test_empty_reply_refused() -> None:
    with pytest.raises(PolicyRefusal, match="nothing to send"):
        check_reply(conv("webchat"), CHANNELS["webchat"], " \n", [], NOW)


def test_unknown_channel_refused() -> None:
    c = conv("telegram")
    with pytest.raises(PolicyRefusal, match="'telegram'") as err:
        check_channel(c, channel_spec(c.channel))
    assert err.value.reason == "unknown_channel"


def test_human_duration() -> None:
    assert human_duration(timedelta(days=2, hours=3, minutes=5)) == "2 d 3 h"
    assert human_duration(timedelta(hours=5)) == "5 h"
    assert human_duration(timedelta(minutes=7, seconds=59)) == "7 min"
    assert human_duration(timedelta(seconds=20)) == "less than a minute"
    assert human_duration(timedelta(seconds=-5)) == "less than a minute"


# -- limits -----------------------------------------------------------------------------------------

OPEN = NOW - timedelta(hours=1)


@pytest.mark.parametrize(
    ("channel", "ok", "over"),
    [
        ("whatsapp", "a" * 4096, "a" * 4097),
        ("messenger", "a" * 2000, "a" * 2001),
        ("webchat", "a" * 4096, "a" * 4097),
        ("sms", "a" * 1600, "a" * 1601),
        ("instagram", "é" * 500, "é" * 500 + "a"),  # 1,000 bytes vs 1,001
    ],
)
def test_text_limits(channel: str, ok: str, over: str) -> None:
    spec = CHANNELS[channel]
    check_reply(conv(channel, OPEN), spec, ok, [], NOW)
    with pytest.raises(PolicyRefusal) as err:
        check_reply(conv(channel, OPEN), spec, over, [], NOW)
    assert err.value.reason == "text_too_long"


def test_instagram_counts_bytes_in_the_sentence() -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_reply(conv("instagram", OPEN), CHANNELS["instagram"], "😀" * 251, [], NOW)
    assert err.value.sentence == (
        "An Instagram message holds at most 1,000 bytes and this one has 1,004; shorten it."
    )


def test_whatsapp_caption_limit_only_with_a_file() -> None:
    spec = CHANNELS["whatsapp"]
    img = f("a.png", "image/png", 1000)
    check_reply(conv("whatsapp", OPEN), spec, "c" * 1024, [img], NOW)
    check_reply(conv("whatsapp", OPEN), spec, "c" * 2000, [], NOW)
    with pytest.raises(PolicyRefusal, match="caption holds at most 1,024"):
        check_reply(conv("whatsapp", OPEN), spec, "c" * 1025, [img], NOW)


MB = 1024 * 1024


@pytest.mark.parametrize(
    ("channel", "mime", "limit"),
    [
        ("whatsapp", "image/jpeg", 5 * MB),
        ("whatsapp", "video/mp4", 16 * MB),
        ("whatsapp", "audio/ogg", 16 * MB),
        ("whatsapp", "application/pdf", 100 * MB),
        ("instagram", "image/png", 8 * MB),
        ("instagram", "video/mp4", 25 * MB),
        ("instagram", "application/pdf", 25 * MB),
        ("messenger", "application/zip", 25 * MB),
        ("webchat", "image/webp", 25 * MB),
        ("playground", "text/csv", 25 * MB),
        ("sms", "image/gif", 5 * MB),
    ],
)
def test_file_size_limits(channel: str, mime: str, limit: int) -> None:
    spec = CHANNELS[channel]
    check_reply(conv(channel, OPEN), spec, "", [f("x", mime, limit)], NOW)
    with pytest.raises(PolicyRefusal) as err:
        check_reply(conv(channel, OPEN), spec, "", [f("x", mime, limit + 1)], NOW)
    assert err.value.reason == "file_too_big"


@pytest.mark.parametrize(
    ("channel", "mime"),
    [
        ("whatsapp", "image/gif"),
        ("whatsapp", "image/webp"),
        ("whatsapp", "application/zip"),
        ("whatsapp", "video/quicktime"),
        ("instagram", "image/gif"),
        ("instagram", "application/msword"),
    ],
)
def test_file_types_refused(channel: str, mime: str) -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_reply(conv(channel, OPEN), CHANNELS[channel], "", [f("x", mime, 10)], NOW)
    assert err.value.reason == "file_type"
    assert mime in err.value.sentence


def test_oversize_sentence_names_file_and_limit() -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_reply(
            conv("whatsapp", OPEN), CHANNELS["whatsapp"], "", [f("big.jpg", "image/jpeg", 6 * MB)], NOW
        )
    assert err.value.sentence == (
        "'big.jpg' is 6 MB, over the 5 MB WhatsApp allows for images; send a smaller file."
    )


def test_window_is_checked_before_limits() -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_reply(conv("whatsapp", None), CHANNELS["whatsapp"], "a" * 9000, [], NOW)
    assert err.value.reason == "window_closed"


def test_profile_overrides_limits() -> None:
    spec = channel_spec("whatsapp", {"whatsapp": {"text_max": 10, "media": {"image": {"max_bytes": 100}}}})
    assert spec is not None
    assert spec.limits.text_max == 10
    assert spec.limits.media["image"].max_bytes == 100
    assert spec.limits.media["image"].mime_types == ("image/jpeg", "image/png")
    with pytest.raises(PolicyRefusal):
        check_reply(conv("whatsapp", OPEN), spec, "a" * 11, [], NOW)
    # The shared table is untouched.
    assert CHANNELS["whatsapp"].limits.text_max == 4096


# -- templates --------------------------------------------------------------------------------------

TPL = Template.model_validate(
    {
        "name": "order_update",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
            {"type": "BODY", "text": "Hi {{1}}, order {{2}}."},
        ],
    }
)


def test_templates_only_on_whatsapp() -> None:
    with pytest.raises(PolicyRefusal, match="WhatsApp feature"):
        check_template_allowed(CHANNELS["messenger"], has_files=False)
    check_template_allowed(CHANNELS["whatsapp"], has_files=False)


def test_template_needs_every_value() -> None:
    with pytest.raises(PolicyRefusal, match=r"body \{\{2\}\}") as err:
        check_template(TPL, TemplateValues(["A1", "Ana"]))
    assert err.value.reason == "template_missing_values"
    check_template(TPL, TemplateValues(["A1", "Ana", "A1"]))
    with pytest.raises(PolicyRefusal, match="takes 3 values in order but 4 were given"):
        check_template(TPL, TemplateValues(["A1", "Ana", "A1", "spare"]))
    with pytest.raises(PolicyRefusal, match="empty value"):
        check_template(TPL, TemplateValues(["A1", " ", "A1"]))


def test_template_named_value_for_one_component() -> None:
    values = TemplateValues(["Ana", "A1"], named={"header.1": "H1"})
    filled, missing, extra = values.assign(TPL)
    assert not missing and not extra
    assert sorted(filled.values()) == ["A1", "Ana", "H1"]


@pytest.mark.parametrize("status", ["PENDING", "REJECTED", "PAUSED"])
def test_only_approved_templates(status: str) -> None:
    tpl = TPL.model_copy(update={"status": status})
    with pytest.raises(PolicyRefusal, match=status) as err:
        check_template(tpl, TemplateValues(["a", "b", "c"]))
    assert err.value.reason == "template_not_approved"
