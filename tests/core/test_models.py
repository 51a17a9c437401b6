"""Tolerant parsing of what the API returns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from tui.core.models import (
    Conversation,
    ConversationFile,
    Message,
    Page,
    SignedUpload,
    Template,
    iso,
    parse_time,
)


def test_conversation_tolerant() -> None:
    c = Conversation.model_validate(
        {
            "id": "7",
            "organization_id": 101,
            "contact_id": "55",
            "channel": "WhatsApp ",
            "status": "open",
            "unread_count": None,
            "assigned_ai_assistant_id": "asst_12",
            "brand_new_field": {"x": 1},
            "contact": {"id": 55, "first_name": "Ana", "last_name": "Lima", "extra": True},
            "last_inbound_message_at": "2026-11-24T10:00:00.000Z",
        }
    )
    assert (c.id, c.contact_id, c.channel, c.unread_count) == (7, 55, "whatsapp", 0)
    assert c.assigned_ai_assistant_id == "asst_12"
    assert c.contact_name == "Ana Lima"
    assert c.last_inbound_message_at == datetime(2026, 11, 24, 10, tzinfo=UTC)


def test_contact_name_fallbacks() -> None:
    assert Conversation(id=1, contact={"phone": "+1555"}).contact_name == "+1555"  # type: ignore[arg-type]
    assert Conversation(id=1, contact_id=9).contact_name == "Contact 9"
    assert Conversation(id=1).contact_name == "Unknown"


def test_message_page_and_bare_list() -> None:
    raw = {
        "total": 3,
        "limit": 2,
        "skip": 0,
        "data": [
            {
                "id": 1,
                "conversation_id": 7,
                "direction": "inbound",
                "message_type": "text",
                "message_text": "Hi",
                "created_at": "2026-11-24T10:00:00.000Z",
                "status": "delivered",
                "sender_name": "Ana Lima",
                "conversation_file_id": None,
            },
            {"id": 2, "message_type": "note", "conversation_file_id": 88},
        ],
    }
    page = Page[Message].model_validate(raw)
    assert page.total == 3 and page.has_more
    assert page.data[0].is_inbound and page.data[1].is_note
    assert page.data[1].conversation_file_id == "88"
    bare = Page[Message].model_validate([{"id": 5}])
    assert (bare.total, bare.has_more) == (1, False)
    no_total = Page[Message].model_validate({"data": [{"id": 5}, {"id": 6}]})
    assert no_total.total == 2


def test_template_alternatives() -> None:
    t = Template.model_validate(
        {
            "name": "x",
            "language": {"code": "pt_BR"},
            "status": "approved",
            "components": [{"type": "body", "text": "Oi {{1}}"}],
        }
    )
    assert (t.language, t.status) == ("pt_BR", "APPROVED")
    assert t.component("BODY") is not None and t.component("body").text == "Oi {{1}}"  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["url", "signedUrl", "signed_url"])
def test_signed_upload_accepts_documented_alternatives(key: str) -> None:
    s = SignedUpload.model_validate(
        {key: "https://put", "s3PathWithoutBucket": "k/a.png", "s3Path": "s3://b/k/a.png"}
    )
    assert (s.url, s.s3_key, s.s3_path) == ("https://put", "k/a.png", "s3://b/k/a.png")


def test_conversation_file_id() -> None:
    assert ConversationFile.model_validate({"_id": "65f1"}).id == "65f1"
    assert ConversationFile.model_validate({"id": 12}).id == "12"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-24T10:00:00Z", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        ("2026-11-24T12:00:00+02:00", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        ("2026-11-24T10:00:00", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        (1795600800, datetime(2026, 11, 25, 10, tzinfo=UTC)),
        (1795600800000, datetime(2026, 11, 25, 10, tzinfo=UTC)),
        ("1795600800000", datetime(2026, 11, 25, 10, tzinfo=UTC)),
        (None, None),
        ("", None),
    ],
)
def test_parse_time(raw: object, expected: datetime | None) -> None:
    assert parse_time(raw) == expected


def test_iso() -> None:
    assert iso(datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)) == "2026-11-24T10:00:00.123Z"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (1e300, "a timestamp out of range"),
        (-1e300, "a timestamp out of range"),
        (10**400, "a timestamp out of range"),
        (-(10**400), "a timestamp out of range"),
        (float("nan"), "not a timestamp"),
        (float("inf"), "not a timestamp"),
        ("9" * 5000, "not a timestamp"),
        ("99999-01-01", "not a timestamp"),
        ("9999-12-31T23:59:59-05:00", "a timestamp out of range"),  # past year 9999 in UTC
        ("0001-01-01T00:00:00+05:00", "a timestamp out of range"),  # before year 1 in UTC
        ("--5", "not a timestamp"),
        ("\u0661\u0662", "not a timestamp"),  # Arabic-Indic digits
        (True, "not a timestamp"),
        ([], "not a timestamp"),
    ],
    ids=lambda v: repr(v)[:24],
)
def test_parse_time_refuses_with_a_value_error_only(raw: object, why: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_time(raw)
    assert type(err.value) is ValueError and str(err.value) == why


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        (-1_000_000_000, datetime(1938, 4, 24, 22, 13, 20, tzinfo=UTC)),
        (253402300799000, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),  # the last second, in ms
    ],
)
def test_parse_time_takes_the_edges_of_the_range(raw: object, expected: datetime) -> None:
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", [1e300, "99999-01-01", float("nan")])
def test_a_bad_time_is_a_field_error(raw: object) -> None:
    with pytest.raises(ValidationError) as err:
        Message.model_validate({"id": 1, "created_at": raw})
    assert err.value.errors()[0]["loc"] == ("created_at",)
