"""The contact card [docs: contacts]: two requests (the contact as a list row, their
conversations), none when read in the last five minutes, the fields as an agent reads them, and
the server's text kept as data whatever it holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from tests.helpers import sandbox_profile
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.contact_card import card_fields, contact_cards, custom_fields, phone_line, shown
from tui.core.errors import BadResponseError
from tui.core.models import Contact, Conversation, User

ANA = 1  # contact 1 writes on WhatsApp (conversation 1) and SMS (24)


async def test_two_requests_read_the_contact_and_their_conversations(sandbox: Any) -> None:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        sandbox.clear_requests()
        card = await contact_cards(client).read(ANA)
        requests = [(method, path, unquote(query)) for method, path, query in sandbox.requests()]
        assert requests == [
            ("GET", "/contacts", "organization_id=1&id=1&$limit=1"),
            (
                "GET",
                "/conversations",
                "organization_id=1&$limit=50&$skip=0&$sort[last_interaction_at]=-1&contact_id=1",
            ),
        ]
        assert {c.id for c in card.conversations(client.cache)} == {1, 24} and card.total == 2
        newest = card.conversations(client.cache)
        assert newest[0].last_interaction_at >= newest[1].last_interaction_at  # type: ignore[operator]
        sandbox.clear_requests()
        again = await contact_cards(client).read(ANA)
        assert again is card and sandbox.requests() == []  # read lately: nothing spent
        fields = dict(card_fields(card.contact, users=(), me=User(id=7)))
        assert fields["Name"] == "Ana Lima"
        assert fields["Phone"] == "+55 22021890 (BR)"
        assert fields["Email"] == "ana.lima@example.com"
        assert fields["Owner"] == "Tom Becker"  # the list row's `owner`
        assert fields["WhatsApp id"] == "5522021890" and fields["Instagram id"] == ""
        assert dict(custom_fields(card.contact)) == {
            "Customer tier": "Silver",
            "Preferred language": "Portuguese",
            "Last order": "A-1037",
        }


async def test_a_contact_that_cannot_be_read_is_one_sentence(sandbox: Any) -> None:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        with pytest.raises(BadResponseError, match="no readable contact 9999"):
            await contact_cards(client).read(9999)


def test_owner_and_company_without_the_list_rows_copies() -> None:
    """A server that leaves `owner` and `company` out: the owner's name from the agents, the
    company by its id, "you" for the agent themself."""
    contact = Contact(id=5, first_name="Lu", owned_by_user_id=12, company_id=3)
    users = (User(id=12, first_name="Aiko", last_name="Tanaka"),)
    fields = dict(card_fields(contact, users=users))
    assert (fields["Owner"], fields["Company"]) == ("Aiko Tanaka", "company 3")
    assert dict(card_fields(contact, me=User(id=12)))["Owner"] == "you"
    assert dict(card_fields(Contact(id=6, owned_by_user_id=40)))["Owner"] == "user 40"


@pytest.mark.parametrize(
    ("phone", "code", "iso", "line"),
    [
        ("+5511987654321", "55", "BR", "+55 11987654321 (BR)"),
        ("11987654321", "55", None, "+55 11987654321"),
        ("+4915112345678", None, "DE", "+4915112345678 (DE)"),
        (None, "55", "BR", ""),
        ("+1 555 0100", "+1", "US", "+1 555 0100 (US)"),
    ],
)
def test_the_phone_says_its_country(phone: str | None, code: str | None, iso: str | None, line: str) -> None:
    assert phone_line(Contact(phone=phone, phone_country_code=code, phone_country_iso=iso)) == line


def test_the_servers_text_is_data() -> None:
    hostile = "[bold red]x[/] \x1b[2J\u202eevil\x07"
    contact = Contact(
        id=1,
        first_name=hostile,
        email="a\nb@example.com",
        custom_fields_by_name={
            hostile: hostile,
            "VIP": True,
            "Tags": ["a", "b"],
            "Nested": {"k": 1},
            "N": None,
        },
    )
    fields = dict(card_fields(contact))
    custom = dict(custom_fields(contact))
    for value in [*fields.values(), *custom.keys(), *custom.values()]:
        assert not any(ch in value for ch in "\x1b\u202e\x07\n")
    assert "[bold red]x[/]" in fields["Name"]  # shown as typed, never read as markup
    assert (custom["VIP"], custom["Tags"], custom["Nested"], custom["N"]) == ("yes", "a, b", '{"k": 1}', "")
    assert len(shown("x" * 10_000)) <= 200


async def test_an_owner_or_company_of_another_shape_is_left_out() -> None:
    """`owner` as a string, `company` as a number: not the documented shape, shown as none, the
    contact still read."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/contacts":
            row = {"id": 3, "first_name": "Zoë", "owner": "Tom", "company": 7, "custom_fields_by_name": []}
            return httpx.Response(200, json={"total": 1, "limit": 1, "skip": 0, "data": [row]})
        when = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
        conversation = {
            "id": 3,
            "contact_id": 3,
            "channel": "whatsapp",
            "status": "open",
            "last_interaction_at": when,
        }
        return httpx.Response(200, json={"total": 1, "limit": 50, "skip": 0, "data": [conversation]})

    profile = ResolvedProfile(
        name="t",
        base_url="https://api.test",
        organization_id=101,
        api_key=Secret("sk_test_contact_123456"),
        auth="x-api-key",
        media_base_url="https://media.test",
        timeout_seconds=5,
        paths=Paths(),
        limits={},
    )
    async with ApiClient(profile, transport=httpx.MockTransport(answer)) as client:
        card = await contact_cards(client).read(3)
    assert card.contact.owner is None and card.contact.company is None
    assert card.contact.custom_fields_by_name is None
    assert card.conversation_ids == (3,)
    assert isinstance(client.cache.get(3), Conversation)
