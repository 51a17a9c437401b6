"""Golden tests for every kind of WhatsApp template: the send body, literally, as the contract's
"Templates with media headers and buttons" shapes it; and the rules checked before any upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.channels import CHANNELS, MB, channel_spec
from tui.core.drafts import Draft, TemplateChoice, draft_from_dict, draft_to_dict
from tui.core.errors import PolicyRefusal
from tui.core.files import inspect_file
from tui.core.models import Contact, Conversation, Message, Template, Uploaded
from tui.core.payloads import Outgoing, build_template
from tui.core.template_parts import check_buttons, check_header_file
from tui.core.templates import (
    TemplateValues,
    button_lines,
    contact_value,
    header_format,
    rendered_preview,
)

MEDIA = "https://achieveapex-conversation-files.s3.amazonaws.com"
WHATSAPP = CHANNELS["whatsapp"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def conv() -> Conversation:
    return Conversation(
        id=7,
        organization_id=101,
        contact_id=55,
        channel="whatsapp",
        contact=Contact(
            id=55, first_name="Ana", last_name="Lima", phone="+15550001", email="ana@example.com"
        ),
    )


def upload(name: str, mime: str, category: str) -> Uploaded:
    key = f"org-101/conversation-7/a1/{name}"
    return Uploaded("65f1c0ffee0000000000abcd", key, f"s3://bucket/{key}", name, mime, 2048, category)


ORDER_SHIPPED = Template.model_validate(
    {
        "name": "order_shipped",
        "language": "en_US",
        "category": "UTILITY",
        "components": [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": "Hi {{first_name}}, order {{order}} has shipped."},
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Track", "url": "https://example.com/track/{{1}}"},
                    {"type": "QUICK_REPLY", "text": "Stop"},
                ],
            },
        ],
    }
)


def test_image_header_url_button_named_variables() -> None:
    values = TemplateValues(named={"first_name": "Ana", "order": "A-1001"}, buttons=["A-1001"])
    filled, missing, _ = values.assign(ORDER_SHIPPED)
    assert not missing
    buttons = check_buttons(ORDER_SHIPPED, values)
    out = build_template(
        WHATSAPP,
        conv(),
        ORDER_SHIPPED,
        filled,
        header=upload("box photo.png", "image/png", "image"),
        media_base_url=MEDIA,
        button_values=buttons,
    )
    assert out == [
        Outgoing(
            "whatsapp",
            {
                "conversation_id": 7,
                "message_text": "Hi Ana, order A-1001 has shipped.",
                "message_type": "template",
                "template": {
                    "name": "order_shipped",
                    "language": {"code": "en_US"},
                    "components": [
                        {
                            "type": "header",
                            "parameters": [
                                {
                                    "type": "image",
                                    "image": {"link": f"{MEDIA}/org-101/conversation-7/a1/box%20photo.png"},
                                }
                            ],
                        },
                        {
                            "type": "body",
                            "parameters": [
                                {"type": "text", "parameter_name": "first_name", "text": "Ana"},
                                {"type": "text", "parameter_name": "order", "text": "A-1001"},
                            ],
                        },
                        {
                            "type": "button",
                            "sub_type": "url",
                            "index": "0",
                            "parameters": [{"type": "text", "text": "A-1001"}],
                        },
                    ],
                },
            },
        )
    ]


def test_video_header() -> None:
    template = Template.model_validate(
        {
            "name": "tutorial",
            "components": [{"type": "HEADER", "format": "video"}, {"type": "BODY", "text": "Watch"}],
        }
    )
    (out,) = build_template(
        WHATSAPP, conv(), template, {}, header=upload("how.mp4", "video/mp4", "video"), media_base_url=MEDIA
    )
    assert out.body["template"]["components"] == [
        {
            "type": "header",
            "parameters": [
                {"type": "video", "video": {"link": f"{MEDIA}/org-101/conversation-7/a1/how.mp4"}}
            ],
        }
    ]
    assert out.body["message_text"] == "Watch"


def test_document_header_has_filename_and_positional_body() -> None:
    template = Template.model_validate(
        {
            "name": "statement_ready",
            "components": [
                {"type": "HEADER", "format": "DOCUMENT"},
                {"type": "BODY", "text": "Hi {{1}}, your statement for {{2}} is attached."},
            ],
        }
    )
    filled, _, _ = TemplateValues(["Ana", "November"]).assign(template)
    (out,) = build_template(
        WHATSAPP,
        conv(),
        template,
        filled,
        header=upload("statement-11.pdf", "application/pdf", "file"),
        media_base_url=MEDIA + "/",
    )
    assert out.body["template"]["components"] == [
        {
            "type": "header",
            "parameters": [
                {
                    "type": "document",
                    "document": {
                        "link": f"{MEDIA}/org-101/conversation-7/a1/statement-11.pdf",
                        "filename": "statement-11.pdf",
                    },
                }
            ],
        },
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "November"}],
        },
    ]


def test_quick_reply_and_phone_buttons_send_no_button_component() -> None:
    template = Template.model_validate(
        {
            "name": "contact_us",
            "components": [
                {"type": "BODY", "text": "Questions? We are here."},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "QUICK_REPLY", "text": "Stop"},
                        {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+15550100"},
                        {"type": "URL", "text": "Site", "url": "https://example.com/help"},
                    ],
                },
            ],
        }
    )
    assert check_buttons(template, TemplateValues()) == {}
    (out,) = build_template(WHATSAPP, conv(), template, {})
    assert out.body["template"] == {"name": "contact_us", "language": {"code": "en_US"}, "components": []}
    assert button_lines(template) == ["[Stop]", "[Call → +15550100]", "[Site → https://example.com/help]"]


def test_url_button_index_counts_every_button() -> None:
    template = Template.model_validate(
        {
            "name": "two_links",
            "components": [
                {"type": "BODY", "text": "Hello"},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "QUICK_REPLY", "text": "Stop"},
                        {"type": "URL", "text": "Track", "url": "https://example.com/t/{{1}}"},
                    ],
                },
            ],
        }
    )
    values = TemplateValues(buttons=["Z-9"])
    (out,) = build_template(WHATSAPP, conv(), template, {}, button_values=check_buttons(template, values))
    assert out.body["template"]["components"] == [
        {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "Z-9"}]}
    ]


def test_button_values_missing_or_extra_are_refused() -> None:
    with pytest.raises(PolicyRefusal, match=r"needs a value for button Track \{\{1\}\}"):
        check_buttons(ORDER_SHIPPED, TemplateValues())
    with pytest.raises(PolicyRefusal, match="takes 1 button value but 2 were given"):
        check_buttons(ORDER_SHIPPED, TemplateValues(buttons=["A", "B"]))
    with pytest.raises(PolicyRefusal, match="empty value for button 1"):
        check_buttons(ORDER_SHIPPED, TemplateValues(buttons=["  "]))


def test_preview_shows_empty_variables_as_their_placeholders() -> None:
    filled, _, _ = TemplateValues(named={"first_name": "", "order": "A-7"}).assign(ORDER_SHIPPED)
    preview = rendered_preview(ORDER_SHIPPED, filled)
    assert preview == (
        "[image: no file yet]\n\nHi {{first_name}}, order A-7 has shipped.\n\nReply STOP to opt out"
        "\n\n[Track → https://example.com/track/{{1}}]\n[Stop]"
    )
    positional = Template.model_validate(
        {"name": "p", "components": [{"type": "BODY", "text": "Hi {{ 1 }}"}]}
    )
    assert rendered_preview(positional, {}) == "Hi {{1}}"
    shown = rendered_preview(ORDER_SHIPPED, filled, header_file="box.png", button_values={0: "A-7"})
    assert shown.startswith("[image: box.png]") and "track/A-7]" in shown


def test_contact_fills_known_names() -> None:
    contact = conv().contact
    assert [contact_value(k, contact) for k in ("first_name", "last_name", "name", "phone", "email")] == [
        "Ana",
        "Lima",
        "Ana Lima",
        "+15550001",
        "ana@example.com",
    ]
    assert contact_value("order", contact) == ""
    assert contact_value("first_name", None) == ""


def test_parsing_is_tolerant() -> None:
    template = Template.model_validate(
        {
            "name": "odd",
            "components": [
                {"type": "header", "format": "location"},
                {"type": "BODY", "text": "x"},
                {"type": "BUTTONS", "buttons": ["junk", {"type": "catalog", "text": "Shop"}, {"text": "?"}]},
                {"type": "BUTTONS", "buttons": "nope"},
            ],
        }
    )
    assert header_format(template) == "LOCATION"
    assert button_lines(template) == ["[Shop · catalog]", "[? · unknown kind]"]
    with pytest.raises(PolicyRefusal, match="location header, which Switchboard cannot fill"):
        check_header_file(template, WHATSAPP, None)
    message = Message.model_validate({"id": 1, "template": "not an object", "template_components": 5})
    assert message.template is None and message.template_components is None


# -- the header file, checked against the channel's limits before any upload -------------------


def write(tmp_path: Path, name: str, head: bytes, size: int | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(head + b"\x00" * max(0, (size or 0) - len(head)))
    return path


def test_header_file_checks(tmp_path: Path) -> None:
    png = write(tmp_path, "box.png", PNG)
    assert check_header_file(ORDER_SHIPPED, WHATSAPP, png) is not None
    with pytest.raises(PolicyRefusal, match="has an image header; pick the file"):
        check_header_file(ORDER_SHIPPED, WHATSAPP, None)
    with pytest.raises(PolicyRefusal, match=r"needs an image header, and 'a\.pdf' is application/pdf"):
        check_header_file(ORDER_SHIPPED, WHATSAPP, write(tmp_path, "a.pdf", PDF))
    big = write(tmp_path, "big.png", PNG, 5 * MB + 1)
    with pytest.raises(PolicyRefusal, match="over the 5 MB WhatsApp allows"):
        check_header_file(ORDER_SHIPPED, WHATSAPP, big)
    gif = write(tmp_path, "a.gif", b"GIF89a" + b"\x00" * 32)
    with pytest.raises(PolicyRefusal, match="does not take image/gif"):
        check_header_file(ORDER_SHIPPED, WHATSAPP, gif)
    video = Template.model_validate({"name": "v", "components": [{"type": "HEADER", "format": "VIDEO"}]})
    assert check_header_file(video, WHATSAPP, write(tmp_path, "a.mp4", MP4)) is not None
    bigger = channel_spec("whatsapp", {"whatsapp": {"media": {"image": {"max_bytes": 6 * MB}}}})
    assert bigger is not None and check_header_file(ORDER_SHIPPED, bigger, big) is not None
    text_header = Template.model_validate({"name": "t", "components": [{"type": "HEADER", "text": "Hi"}]})
    with pytest.raises(PolicyRefusal, match="takes no header file"):
        check_header_file(text_header, WHATSAPP, png)


def test_outbox_draft_keeps_the_header_file_and_button_values(tmp_path: Path) -> None:
    picked = inspect_file(write(tmp_path, "box.png", PNG))
    draft = Draft(template=TemplateChoice("order_shipped", "en_US", TemplateValues(buttons=["A-1"]), picked))
    again = draft_from_dict(draft_to_dict(draft))
    assert again.template is not None
    assert again.template.header_file == picked
    assert again.template.values.buttons == ["A-1"]
