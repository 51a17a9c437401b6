"""Golden bodies with `reply_to_message_id` (contract: "Reply to a message"): every channel's
send carries it on its first message, literally, and only when the draft quotes a message."""

from __future__ import annotations

import pytest

from tui.core.channels import CHANNELS
from tui.core.drafts import Draft, draft_from_dict, draft_to_dict
from tui.core.models import Conversation, Template, Uploaded
from tui.core.payloads import Outgoing, build_note, build_reply, build_template, quoting
from tui.core.templates import TemplateValues

MEDIA = "https://achieveapex-conversation-files.s3.amazonaws.com"
IMG = Uploaded(
    conversation_file_id="65f1c0ffee0000000000abcd",
    s3_key="org-101/conversation-7/a1/photo.png",
    s3_path="s3://achieveapex-conversation-files/org-101/conversation-7/a1/photo.png",
    file_name="photo.png",
    file_type="image/png",
    file_size=2048,
    file_category="image",
)


def conv(channel: str) -> Conversation:
    return Conversation(id=7, organization_id=101, contact_id=55, channel=channel)


@pytest.mark.parametrize("channel", ["whatsapp", "instagram", "messenger", "webchat"])
def test_transform_text_quotes(channel: str) -> None:
    out = quoting(build_reply(CHANNELS[channel], conv(channel), "Yes, that one", [], MEDIA), 301)
    assert out == [
        Outgoing(
            channel,
            {
                "conversation_id": 7,
                "message_text": "Yes, that one",
                "message_type": "text",
                "reply_to_message_id": 301,
            },
        )
    ]


def test_sms_quotes() -> None:
    out = quoting(build_reply(CHANNELS["sms"], conv("sms"), "Got it", [], MEDIA), 12)
    assert out == [
        Outgoing("sms", {"conversation_id": 7, "message_text": "Got it", "reply_to_message_id": 12})
    ]


def test_playground_quotes() -> None:
    out = quoting(build_reply(CHANNELS["playground"], conv("playground"), "Sure", [], MEDIA), 5)
    assert out == [
        Outgoing(
            "playground",
            {
                "conversation_id": 7,
                "organization_id": 101,
                "contact_id": 55,
                "message_text": "Sure",
                "message_type": "text",
                "reply_to_message_id": 5,
            },
        )
    ]


def test_note_quotes() -> None:
    out = quoting(build_note(CHANNELS["whatsapp"], conv("whatsapp"), "Asked twice already"), 9)
    assert [o.body for o in out] == [
        {
            "conversation_id": 7,
            "message_text": "Asked twice already",
            "message_type": "note",
            "reply_to_message_id": 9,
        }
    ]


def test_template_quotes() -> None:
    template = Template.model_validate(
        {"name": "hello", "language": "en_US", "components": [{"type": "BODY", "text": "Hello!"}]}
    )
    filled, _, _ = TemplateValues().assign(template)
    (out,) = quoting(build_template(CHANNELS["whatsapp"], conv("whatsapp"), template, filled), "m-1")
    assert out.body["reply_to_message_id"] == "m-1"
    assert out.body["message_type"] == "template"


def test_only_the_first_message_of_a_split_send_quotes() -> None:
    """Text apart from the file (Instagram): one quote, on the text."""
    out = quoting(build_reply(CHANNELS["instagram"], conv("instagram"), "Here", [IMG], MEDIA), 4)
    assert [o.body.get("reply_to_message_id") for o in out] == [4, None]
    assert out[1].body["message_type"] == "image"


def test_no_quote_no_field() -> None:
    out = quoting(build_reply(CHANNELS["whatsapp"], conv("whatsapp"), "Hi", [], MEDIA), None)
    assert "reply_to_message_id" not in out[0].body


def test_the_stored_draft_keeps_the_quote() -> None:
    """The outbox stores `draft_to_dict`: a send resumed after a restart still quotes."""
    stored = draft_to_dict(Draft(text="Yes", reply_to=301))
    assert stored["reply_to"] == 301
    assert draft_from_dict(stored).reply_to == 301
    assert "reply_to" not in draft_to_dict(Draft(text="Yes"))
    assert draft_from_dict({"text": "old entry"}).reply_to is None
