"""The Contacts service (contract: "Contacts"): its fields, list rows with owner and company,
batched reads by id, search, and another organization's contacts out of sight."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tui.sandbox.records import CONTACT_FIELDS
from tui.sandbox.runner import RunningSandbox

from .rest import listed


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def contacts(api: httpx.Client, *pairs: tuple[str, Any], **params: Any) -> dict[str, Any]:
    answer = api.get("/contacts", params=[("organization_id", 1), *pairs, *params.items()])
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def test_fields_of_a_list_row_and_of_a_get(api: httpx.Client) -> None:
    page = contacts(api, **{"$limit": 50})
    assert page["total"] == 30 and page["limit"] == 50
    for row in page["data"]:
        assert list(row) == [*CONTACT_FIELDS, "owner", "company"]
        one = api.get(f"/contacts/{row['id']}")
        assert one.status_code == 200 and one.json() == {k: v for k, v in row.items() if k in CONTACT_FIELDS}
        assert row["organization_id"] == 1 and row["deleted_at"] is None
        assert row["phone"].startswith("+" + row["phone_country_code"]) and len(row["phone_country_iso"]) == 2
        assert 2 <= len(row["custom_fields_by_name"]) <= 3
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in row["custom_fields_by_name"].items())
        assert row["created_at"] <= row["updated_at"]
        if row["owner"] is not None:
            assert row["owner"]["id"] == row["owned_by_user_id"] and set(row["owner"]) == {
                "id",
                "first_name",
                "last_name",
            }
        else:
            assert row["owned_by_user_id"] is None
        if row["company"] is not None:
            assert row["company"]["id"] == row["company_id"] and set(row["company"]) == {"id", "name"}
    rows = page["data"]
    assert {r["owned_by_user_id"] for r in rows} - {None} == {7, 11, 12, 13}
    assert len({r["company_id"] for r in rows} - {None}) >= 2
    assert sum(r["email"] is None for r in rows) <= 5 and sum(r["avatar_url"] is not None for r in rows) >= 5


def test_whatsapp_and_instagram_ids_follow_the_channels(api: httpx.Client) -> None:
    conversations = api.get("/conversations", params=listed(**{"$limit": 50})).json()["data"]
    on: dict[int, set[str]] = {}
    for c in conversations:
        on.setdefault(c["contact_id"], set()).add(c["channel"])
    for row in contacts(api, **{"$limit": 50})["data"]:
        channels = on.get(row["id"], set())
        assert (row["channel_whatsapp_wa_id"] is not None) == ("whatsapp" in channels)
        assert (row["channel_instagram_user_id"] is not None) == ("instagram" in channels)
        if row["channel_whatsapp_wa_id"]:
            assert row["channel_whatsapp_wa_id"] == row["phone"].lstrip("+")
    several = {contact for contact, channels in on.items() if len(channels) > 1}
    assert len(several) >= 2  # a few contacts write on more than one channel


def test_batched_by_id_in_both_forms(api: httpx.Client) -> None:
    bracket = contacts(api, ("id[$in][]", 3), ("id[$in][]", 9), ("$limit", 20))
    indices = contacts(api, ("id[$in][0]", 9), ("id[$in][1]", 3), ("$limit", 20))
    assert [c["id"] for c in bracket["data"]] == [3, 9] and bracket == indices
    assert [c["id"] for c in contacts(api, id=5)["data"]] == [5]
    too_many = api.get(
        "/contacts", params=[("organization_id", 1), *[("id[$in][]", i) for i in range(1, 22)]]
    )
    assert too_many.status_code == 400


def test_page_sort_search_and_select(api: httpx.Client) -> None:
    first = contacts(api, ("$limit", 10), ("$skip", 10))
    assert [c["id"] for c in first["data"]] == list(range(11, 21)) and first["total"] == 30
    by_name = [c["last_name"] for c in contacts(api, ("$sort[last_name]", 1), ("$limit", 50))["data"]]
    assert by_name == sorted(by_name)
    assert [c["last_name"] for c in contacts(api, searchTerm="muller")["data"]] == ["Müller"]
    assert [c["id"] for c in contacts(api, searchTerm="zoe.muller@")["data"]] == [3]
    chosen = contacts(api, ("$select[]", "first_name"), ("$limit", 2))["data"]
    assert chosen == [{"id": 1, "first_name": "Ana"}, {"id": 2, "first_name": "João"}]
    assert contacts(api, ("$limit", 0)) == {"total": 30, "limit": 0, "skip": 0, "data": []}


def test_another_organizations_contacts(sandbox: RunningSandbox, api: httpx.Client) -> None:
    store = sandbox._sandbox.store
    theirs = store.execute(
        "INSERT INTO contacts (first_name, last_name, organization_id, created_at, updated_at) "
        "VALUES ('Ola', 'Nordmann', 2, 0, 0)"
    )
    assert api.get(f"/contacts/{theirs}").status_code == 403
    assert theirs not in {c["id"] for c in contacts(api, ("$limit", 50))["data"]}
    assert contacts(api, id=theirs)["total"] == 0
    assert api.get("/contacts", params={"organization_id": 2}).status_code == 403
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.agent(21).api_key}) as eve:
        mine = eve.get("/contacts", params={"organization_id": 2}).json()
        assert [c["id"] for c in mine["data"]] == [theirs]
        assert eve.get("/contacts/1").status_code == 403
    assert api.get("/contacts/99999").status_code == 404
    assert api.get("/contacts/nope").status_code == 404
