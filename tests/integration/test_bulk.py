"""Many conversations at once: one `POST /conversations-bulk-actions` with `conversation_ids`
[docs], the body pinned to the contract's names, the cache brought in line from the server's
count, and the sandbox's rules (one target, the organization's conversations only)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.helpers import sandbox_profile
from tui.core.actions import Action
from tui.core.bulk import BULK_MAX, BulkResult, apply_bulk, bulk_body, bulk_sentence, fields_for
from tui.core.client import ApiClient
from tui.core.errors import BadResponseError
from tui.core.filters import ConversationFilter
from tui.core.models import User


def test_the_body_is_the_contracts() -> None:
    action, fields = fields_for(Action.CLOSE)
    assert json.dumps(bulk_body(1, action, [3, 4], fields), sort_keys=True) == json.dumps(
        {"action": "update_status", "conversation_ids": [3, 4], "organization_id": 1, "status": "closed"},
        sort_keys=True,
    )
    assert fields_for(Action.REOPEN) == ("update_status", {"status": "open"})
    assert fields_for(Action.ASSIGN, to=11) == ("assign", {"assigned_user_id": 11})
    assert fields_for(Action.ASSIGN, me=User(id=7)) == ("assign", {"assigned_user_id": 7})
    assert fields_for(Action.UNASSIGN) == ("assign", {"assigned_user_id": None})
    with pytest.raises(ValueError):
        fields_for(Action.READ)  # no bulk form: one PATCH each


def test_the_sentence_says_the_servers_count() -> None:
    me = User(id=7, first_name="Maria")
    assert bulk_sentence(Action.CLOSE, BulkResult((1, 2, 3), 3)) == "3 conversations closed."
    assert bulk_sentence(Action.ASSIGN, BulkResult((1,), 1), me=me) == "1 conversation assigned to you."
    assert bulk_sentence(Action.CLOSE, BulkResult((1, 2, 3), 2)) == (
        "2 of 3 conversations closed; refresh to see which one was not."
    )
    assert "did not say" in bulk_sentence(Action.REOPEN, BulkResult((1, 2), None))


async def test_one_request_closes_many_and_the_cache_follows(sandbox: Any) -> None:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        page = await client.list_conversations(ConversationFilter(status="open"))
        ids = [c.id for c in page.data[:4]]
        sandbox.clear_requests()
        result = await apply_bulk(client, ids, *fields_for(Action.CLOSE))
        assert result.complete and result.processed == 4
        assert [r[:2] for r in sandbox.requests()] == [("POST", "/conversations-bulk-actions")]
        assert all(client.cache.get(cid).status == "closed" for cid in ids)  # type: ignore[union-attr]
        for cid in ids:
            assert (await client.get_conversation(cid)).status == "closed"


async def test_fewer_processed_than_asked_reads_them_again(sandbox: Any) -> None:
    """An id of another organization is not processed: which one failed is unknown, so the
    cached copies are read again (batched)."""
    async with ApiClient(sandbox_profile(sandbox)) as client:
        page = await client.list_conversations(ConversationFilter(status="open"))
        ids = [page.data[0].id, 999_999]
        sandbox.clear_requests()
        result = await apply_bulk(client, ids, *fields_for(Action.CLOSE))
        assert result.processed == 1 and not result.complete
        assert sandbox.requests()[0][:2] == ("POST", "/conversations-bulk-actions")
        assert any(r[0] == "GET" for r in sandbox.requests())  # the re-read
        assert client.cache.get(ids[0]).status == "closed"  # type: ignore[union-attr]


async def test_too_many_is_refused_before_any_request(sandbox: Any) -> None:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        sandbox.clear_requests()
        with pytest.raises(BadResponseError, match="mark fewer"):
            await apply_bulk(client, range(1, BULK_MAX + 2), *fields_for(Action.CLOSE))
        assert sandbox.requests() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "explode", "conversation_ids": [1]}, "action"),
        ({"action": "update_status", "status": "closed"}, "target"),
        ({"action": "update_status", "status": "closed", "conversation_ids": [1], "filter": {}}, "target"),
        ({"action": "update_status", "status": "maybe", "conversation_ids": [1]}, "status"),
        ({"action": "update_status", "conversation_ids": [1]}, "status"),
        ({"action": "assign", "assigned_user_id": 21, "conversation_ids": [1]}, "assigned_user_id"),
        ({"action": "update_status", "status": "closed", "conversation_ids": ["1"]}, "conversation_ids"),
        (
            {"action": "update_status", "status": "closed", "conversation_ids": [1], "blocked": True},
            "blocked",
        ),
    ],
)
def test_the_sandbox_refuses_a_bad_bulk_body(sandbox: Any, body: dict[str, Any], field: str) -> None:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as api:
        answer = api.post("/conversations-bulk-actions", json=body)
    assert answer.status_code == 400 and field in answer.json()["errors"]


def test_another_organizations_conversations_are_not_touched(sandbox: Any) -> None:
    eve = next(a for a in sandbox.agents if a.organization_id == 2)
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": eve.api_key}) as api:
        answer = api.post(
            "/conversations-bulk-actions",
            json={"action": "update_status", "status": "closed", "conversation_ids": [1, 3]},
        )
    assert answer.json() == {"processed_count": 0}
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as api:
        assert api.get("/conversations/1").json()["status"] == "open"
