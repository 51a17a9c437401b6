"""Golden tests: every channel's JSON, literally, with the contract's field names."""

from __future__ import annotations

import pytest

from tui.core.channels import CHANNELS
from tui.core.errors import BadResponseError, UnsafeKeyError
from tui.core.models import Conversation, Template, Uploaded
from tui.core.payloads import (
    Outgoing,
    build_note,
    build_reply,
    build_template,
    public_media_url,
)
from tui.core.templates import TemplateValues

MEDIA = "https://achieveapex-conversation-files.s3.amazonaws.com"


def conv(channel: str, cid: int = 7) -> Conversation:
    return Conversation(id=cid, organization_id=101, contact_id=55, channel=channel)


IMG = Uploaded(
    conversation_file_id="65f1c0ffee0000000000abcd",
    s3_key="org-101/conversation-7/a1/photo 1.png",
    s3_path="s3://achieveapex-conversation-files/org-101/conversation-7/a1/photo 1.png",
    file_name="photo 1.png",
    file_type="image/png",
    file_size=2048,
    file_category="image",
)
PDF = Uploaded(
    conversation_file_id="65f1c0ffee0000000000beef",
    s3_key="org-101/conversation-7/b2/invoice.pdf",
    s3_path="s3://achieveapex-conversation-files/org-101/conversation-7/b2/invoice.pdf",
    file_name="invoice.pdf",
    file_type="application/pdf",
    file_size=4096,
    file_category="file",
)

TRANSFORM_PATHS = {
    "whatsapp": "whatsapp",
    "instagram": "instagram",
    "messenger": "messenger",
    "webchat": "webchat",
}


@pytest.mark.parametrize("channel", list(TRANSFORM_PATHS))
def test_transform_text(channel: str) -> None:
    out = build_reply(CHANNELS[channel], conv(channel), "Hello there", [], MEDIA)
    assert out == [
        Outgoing(
            channel,
            {"conversation_id": 7, "message_text": "Hello there", "message_type": "text"},
        )
    ]


@pytest.mark.parametrize("channel", list(TRANSFORM_PATHS))
def test_transform_note(channel: str) -> None:
    out = build_note(CHANNELS[channel], conv(channel), "Customer is VIP")
    assert out == [
        Outgoing(channel, {"conversation_id": 7, "message_text": "Customer is VIP", "message_type": "note"})
    ]


@pytest.mark.parametrize("channel", ["whatsapp", "webchat"])
def test_caption_rides_with_first_file(channel: str) -> None:
    out = build_reply(CHANNELS[channel], conv(channel), "Your invoice", [IMG, PDF], MEDIA)
    assert [o.body for o in out] == [
        {
            "conversation_id": 7,
            "message_text": "Your invoice",
            "message_type": "image",
            "s3_path": "s3://achieveapex-conversation-files/org-101/conversation-7/a1/photo 1.png",
            "conversation_file_id": "65f1c0ffee0000000000abcd",
            "file_size": 2048,
        },
        {
            "conversation_id": 7,
            "message_text": "",
            "message_type": "file",
            "s3_path": "s3://achieveapex-conversation-files/org-101/conversation-7/b2/invoice.pdf",
            "conversation_file_id": "65f1c0ffee0000000000beef",
            "file_size": 4096,
        },
    ]
    assert {o.path_key for o in out} == {channel}


@pytest.mark.parametrize("channel", ["instagram", "messenger"])
def test_text_goes_apart_on_instagram_and_messenger(channel: str) -> None:
    out = build_reply(CHANNELS[channel], conv(channel), "See attached", [IMG], MEDIA)
    assert [o.body for o in out] == [
        {"conversation_id": 7, "message_text": "See attached", "message_type": "text"},
        {
            "conversation_id": 7,
            "message_text": "",
            "message_type": "image",
            "s3_path": "s3://achieveapex-conversation-files/org-101/conversation-7/a1/photo 1.png",
            "conversation_file_id": "65f1c0ffee0000000000abcd",
            "file_size": 2048,
        },
    ]


def test_media_only_on_instagram_sends_no_empty_text() -> None:
    out = build_reply(CHANNELS["instagram"], conv("instagram"), "  ", [PDF], MEDIA)
    assert [o.body["message_type"] for o in out] == ["file"]


def test_whatsapp_template() -> None:
    template = Template.model_validate(
        {
            "name": "order_update",
            "language": "en_US",
            "status": "APPROVED",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
                {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."},
                {"type": "FOOTER", "text": "Reply STOP to opt out"},
            ],
        }
    )
    filled, missing, extra = TemplateValues(["A-1001", "Ana", "A-1001"]).assign(template)
    assert not missing and not extra
    out = build_template(CHANNELS["whatsapp"], conv("whatsapp"), template, filled)
    assert out == [
        Outgoing(
            "whatsapp",
            {
                "conversation_id": 7,
                "message_text": "Hi Ana, your order A-1001 has shipped.",
                "message_type": "template",
                "template": {
                    "name": "order_update",
                    "language": {"code": "en_US"},
                    "components": [
                        {"type": "header", "parameters": [{"type": "text", "text": "A-1001"}]},
                        {
                            "type": "body",
                            "parameters": [
                                {"type": "text", "text": "Ana"},
                                {"type": "text", "text": "A-1001"},
                            ],
                        },
                    ],
                },
            },
        )
    ]


def test_whatsapp_template_named_variables() -> None:
    template = Template.model_validate(
        {
            "name": "appointment_reminder",
            "language": "pt_BR",
            "components": [{"type": "BODY", "text": "Olá {{first_name}}, até {{date}}!"}],
        }
    )
    filled, missing, _ = TemplateValues(named={"first_name": "Ana", "date": "3/12"}).assign(template)
    assert not missing
    (out,) = build_template(CHANNELS["whatsapp"], conv("whatsapp"), template, filled)
    assert out.body == {
        "conversation_id": 7,
        "message_text": "Olá Ana, até 3/12!",
        "message_type": "template",
        "template": {
            "name": "appointment_reminder",
            "language": {"code": "pt_BR"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "parameter_name": "first_name", "text": "Ana"},
                        {"type": "text", "parameter_name": "date", "text": "3/12"},
                    ],
                }
            ],
        },
    }


def test_sms_text() -> None:
    out = build_reply(CHANNELS["sms"], conv("sms"), "Your code is 1234", [], MEDIA)
    assert out == [Outgoing("sms", {"conversation_id": 7, "message_text": "Your code is 1234"})]


def test_mms_one_media_url_per_message() -> None:
    out = build_reply(CHANNELS["sms"], conv("sms"), "Photos", [IMG, PDF], MEDIA)
    assert [o.body for o in out] == [
        {
            "conversation_id": 7,
            "message_text": "Photos",
            "media_url": MEDIA + "/org-101/conversation-7/a1/photo%201.png",
        },
        {
            "conversation_id": 7,
            "message_text": "",
            "media_url": MEDIA + "/org-101/conversation-7/b2/invoice.pdf",
        },
    ]


def test_playground_text() -> None:
    out = build_reply(CHANNELS["playground"], conv("playground"), "Testing", [], MEDIA)
    assert out == [
        Outgoing(
            "playground",
            {
                "conversation_id": 7,
                "organization_id": 101,
                "contact_id": 55,
                "message_text": "Testing",
                "message_type": "text",
            },
        )
    ]


def test_playground_with_media() -> None:
    out = build_reply(CHANNELS["playground"], conv("playground"), "Look", [IMG], MEDIA)
    assert out == [
        Outgoing(
            "playground",
            {
                "conversation_id": 7,
                "organization_id": 101,
                "contact_id": 55,
                "message_text": "Look",
                "message_type": "image",
                "s3_key": "org-101/conversation-7/a1/photo 1.png",
                "s3_path": "s3://achieveapex-conversation-files/org-101/conversation-7/a1/photo 1.png",
                "file_name": "photo 1.png",
                "file_type": "image/png",
                "file_size": 2048,
                "conversation_file_id": "65f1c0ffee0000000000abcd",
            },
        )
    ]


def test_playground_needs_contact_from_the_conversation() -> None:
    bare = Conversation(id=9, channel="playground")
    with pytest.raises(BadResponseError, match="contact_id"):
        build_reply(CHANNELS["playground"], bare, "x", [], MEDIA)


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("a/b c/ä.png", MEDIA + "/a/b%20c/%C3%A4.png"),
        ("org/x#y?z.pdf", MEDIA + "/org/x%23y%3Fz.pdf"),
        ("/lead/slash.txt", MEDIA + "/lead/slash.txt"),
    ],
)
def test_public_media_url_encodes_each_segment(key: str, url: str) -> None:
    assert public_media_url(MEDIA + "/", key) == url


@pytest.mark.parametrize("key", ["a/../b.png", "../b.png", "a/./b.png", "a//b.png", "a/b/", ".."])
def test_public_media_url_refuses_dot_and_empty_segments(key: str) -> None:
    """`quote` leaves dots alone and a client resolves them: such a link could leave the folder."""
    with pytest.raises(UnsafeKeyError, match="no link is built"):
        public_media_url(MEDIA, key)
