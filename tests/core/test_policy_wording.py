"""Refusals say what is true and what to do, in plain English: what a channel does take, nouns a
reader would use, "an" before a sound that needs it, and every template variable by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.channels import CHANNELS
from tui.core.errors import PolicyRefusal
from tui.core.files import LocalFile
from tui.core.models import Conversation, Template
from tui.core.policy import article, check_channel, check_reply, check_template, check_template_allowed
from tui.core.templates import TemplateValues

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
OPEN = NOW - timedelta(hours=1)
MB = 1024 * 1024


def conv(channel: str, last_inbound: object = OPEN) -> Conversation:
    return Conversation.model_validate({"id": 1, "channel": channel, "last_inbound_message_at": last_inbound})


def f(name: str, mime: str, size: int) -> LocalFile:
    return LocalFile(path=Path("/tmp") / name, name=name, size=size, mime=mime, mtime_ns=0)


def refusal(channel: str, text: str = "", files: list[LocalFile] | None = None) -> str:
    with pytest.raises(PolicyRefusal) as err:
        check_reply(conv(channel), CHANNELS[channel], text, files or [], NOW)
    return err.value.sentence


def test_a_template_on_sms_says_what_sms_takes() -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_template_allowed(CHANNELS["sms"], has_files=False)
    assert err.value.sentence == (
        "Templates are a WhatsApp feature; SMS conversations take replies only, so send a reply instead."
    )
    with pytest.raises(PolicyRefusal) as err:
        check_template_allowed(CHANNELS["instagram"], has_files=False)
    assert err.value.sentence == (
        "Templates are a WhatsApp feature; Instagram conversations take replies and notes, "
        "so send a reply or a note instead."
    )


def test_an_sms_by_sound_not_by_letter() -> None:
    assert refusal("sms", "a" * 1601) == (
        "An SMS message holds at most 1,600 characters and this one has 1,601; shorten it."
    )
    assert refusal("instagram", "a" * 1001).startswith("An Instagram message")
    assert refusal("whatsapp", "a" * 4097).startswith("A WhatsApp message")
    assert [article(w) for w in ("SMS", "MMS", "FAQ", "URL", "Instagram", "WhatsApp", "hour")] == [
        "an",
        "an",
        "an",
        "a",
        "an",
        "a",
        "a",
    ]


def test_a_document_too_big_is_called_a_document() -> None:
    sentence = refusal("whatsapp", files=[f("scan.pdf", "application/pdf", 101 * MB)])
    assert (
        sentence
        == "'scan.pdf' is 101 MB, over the 100 MB WhatsApp allows for documents; send a smaller file."
    )
    assert "file files" not in sentence
    other = refusal("messenger", files=[f("data.zip", "application/zip", 26 * MB)])
    assert (
        other == "'data.zip' is 26 MB, over the 25 MB Messenger allows for other files; send a smaller file."
    )
    audio = refusal("sms", files=[f("call.ogg", "audio/ogg", 6 * MB)])
    assert "allows for audio files;" in audio


def test_a_refused_type_lists_what_the_channel_takes_in_words() -> None:
    sentence = refusal("whatsapp", files=[f("clip.mov", "video/quicktime", 10)])
    assert sentence == (
        "WhatsApp does not take video/quicktime files like 'clip.mov'; it takes images (JPEG, PNG) "
        "up to 5 MB, videos (MP4, 3GP) up to 16 MB, audio files (AAC, AMR, MP3, M4A, OGG) up to 16 MB "
        "and documents (PDF, plain text, Word, Excel, PowerPoint) up to 100 MB."
    )
    assert "file (" not in sentence and "vnd." not in sentence
    instagram = refusal("instagram", files=[f("a.doc", "application/msword", 10)])
    assert instagram.endswith("videos up to 25 MB, audio files up to 25 MB and documents (PDF) up to 25 MB.")


def test_a_conversation_with_no_channel_is_not_called_an_unknown_channel_conversation() -> None:
    c = conv("")
    with pytest.raises(PolicyRefusal) as err:
        check_channel(c, None)
    assert err.value.sentence == (
        "This conversation has no channel Switchboard can send on; answer it from the AchieveApex web app."
    )


TPL = Template.model_validate(
    {
        "name": "order_update",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
            {"type": "BODY", "text": "Hi {{first_name}}, order {{1}} ships {{2}}."},
        ],
    }
)


def test_a_named_value_that_matches_no_variable_is_refused_naming_the_variables() -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_template(TPL, TemplateValues(["A1", "A1", "Monday"], {"first_name": "Ana", "nosuch": "1"}))
    assert err.value.reason == "template_unknown_value"
    assert err.value.sentence == (
        "The template 'order_update' has no variable named 'nosuch'; its variables are "
        "header {{1}}, body {{1}}, body {{2}} and body {{first_name}}."
    )
    # Names that do match, bare or by component, are accepted.
    check_template(TPL, TemplateValues(["A1", "A1", "Monday"], {"first_name": "Ana"}))
    check_template(TPL, TemplateValues(["A1", "A1"], {"body.first_name": "Ana", "body.2": "Monday"}))
    plain = Template.model_validate(
        {"name": "hello", "status": "APPROVED", "components": [{"type": "BODY", "text": "Hello!"}]}
    )
    with pytest.raises(PolicyRefusal) as err:
        check_template(plain, TemplateValues([], {"name": "Ana"}))
    assert (
        err.value.sentence == "The template 'hello' has no variables, so 'name' cannot be filled; remove it."
    )


def test_extra_positional_values_are_counted_in_words() -> None:
    with pytest.raises(PolicyRefusal) as err:
        check_template(TPL, TemplateValues(["A1", "A1", "Monday", "spare"], {"first_name": "Ana"}))
    assert err.value.sentence == (
        "The template 'order_update' takes 3 values in order but 4 were given; remove the last one."
    )
