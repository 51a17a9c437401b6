"""The work queue's calls where a real server cannot fail on demand: a server without
`GET /users/me`, a patch answer that is not a conversation or does not show the change, an
error that echoes the key, and pages that shift while rows held whole are read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tui.core.actions import Action, apply
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.errors import BadResponseError, ConfigError, NotFoundError, ServerError

KEY = "sk_live_queue_0123456789"


def profile(user_id: int | None = None, paths: Paths | None = None) -> ResolvedProfile:
    return ResolvedProfile(
        name="acme",
        base_url="https://api.test",
        organization_id=101,
        api_key=Secret(KEY),
        auth="x-api-key",
        media_base_url="https://media.test",
        timeout_seconds=5,
        paths=paths or Paths(),
        limits={},
        user_id=user_id,
    )


def mock(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> ApiClient:
    return ApiClient(profile(**kw), transport=httpx.MockTransport(handler))


def not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"name": "NotFound", "message": "Page not found", "code": 404})


async def test_no_users_me_falls_back_to_the_profiles_user_id() -> None:
    async with mock(not_found, user_id=7) as client:
        me = await client.get_me()
    assert me.id == 7 and me.display_name == "User 7"


async def test_no_users_me_and_no_user_id_says_to_set_it() -> None:
    async with mock(not_found) as client:
        with pytest.raises(ConfigError) as caught:
            await client.get_me()
    sentence = caught.value.sentence
    assert "does not say who you are" in sentence
    assert "user_id" in sentence and "profiles.acme" in sentence
    assert caught.value.exit_code == 3


async def test_who_i_am_and_the_agents_use_the_profiles_paths() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/v2/me":
            return httpx.Response(200, json={"id": "9", "first_name": "Ana", "extra": True})
        return httpx.Response(200, json=[{"id": 9, "email": "ana@example.com"}])

    async with mock(handler, paths=Paths(users="/v2/agents", users_me="/v2/me")) as client:
        me = await client.get_me()
        users = await client.list_users()
    assert seen == ["/v2/me", "/v2/agents"]
    assert me.id == 9 and me.display_name == "Ana"
    assert [u.display_name for u in users] == ["ana@example.com"]


async def test_a_404_for_a_conversation_is_not_mistaken_for_no_users_me() -> None:
    async with mock(not_found, user_id=7) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.patch_conversation(99, {"status": "closed"})
    assert caught.value.sentence.startswith("The update of conversation 99 was not found (404")


@pytest.mark.parametrize(
    ("answer", "words"),
    [({"id": "x", "status": "closed"}, "id"), ({"status": "closed"}, "id"), ([1, 2], "")],
)
async def test_a_patch_answer_that_is_not_a_conversation_is_one_sentence(answer: Any, words: str) -> None:
    async with mock(lambda r: httpx.Response(200, json=answer)) as client:
        with pytest.raises(BadResponseError) as caught:
            await client.patch_conversation(3, {"status": "closed"})
    assert "the update of conversation 3" in caught.value.sentence and words in caught.value.sentence


async def test_a_patch_is_sent_as_json_to_the_conversation_with_the_org() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": 3, "status": "closed", "channel": "sms"})

    async with mock(handler) as client:
        conversation = await client.patch_conversation(3, {"status": "closed"})
        cached = await client.get_conversation(3, max_age=60)
    assert conversation.status == "closed" and cached is conversation
    assert len(sent) == 1  # the patched answer replaced the cached copy: no GET
    (request,) = sent
    assert request.method == "PATCH" and request.url.path == "/conversations/3"
    assert request.url.params["organization_id"] == "101"
    assert json.loads(request.content) == {"status": "closed"}
    assert request.headers["x-api-key"] == KEY


async def test_an_error_echoing_the_key_never_carries_it() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"name": "GeneralError", "message": f"bad key {KEY}", "code": 500})

    async with mock(handler) as client:
        with pytest.raises(ServerError) as caught:
            await client.patch_conversation(3, {"status": "closed"})
    assert KEY not in caught.value.sentence and "****" in caught.value.sentence
    assert "try again" in caught.value.sentence


@pytest.mark.parametrize(
    ("action", "answer"),
    [
        (Action.CLOSE, {"id": 3, "status": "open"}),
        (Action.READ, {"id": 3, "unread_count": 2}),
        (Action.ASSIGN, {"id": 3, "assigned_user_id": 12}),
        (Action.TAKEOVER, {"id": 3, "assigned_user_id": 7, "assigned_ai_assistant_id": "asst_1"}),
    ],
)
async def test_an_answer_that_does_not_show_the_change_is_refused(
    action: Action, answer: dict[str, Any]
) -> None:
    from tui.core.models import User

    async with mock(lambda r: httpx.Response(200, json=answer)) as client:
        with pytest.raises(BadResponseError) as caught:
            await apply(client, 3, action, me=User(id=7), to=11 if action is Action.ASSIGN else None)
    assert caught.value.sentence.startswith("The server accepted the update of conversation 3 but")


class ShiftingServer:
    """Pages where a conversation moves to the top between two reads (a customer wrote), so the
    next page repeats the row before it; each query (search term) has its own pages."""

    def __init__(self, pages: dict[str, list[list[int]]], total: int) -> None:
        self.pages, self.total = pages, total
        self.calls: list[tuple[str, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        term = request.url.params.get("searchTerm") or request.url.params.get("messageSearchTerm") or ""
        skip = int(request.url.params["$skip"])
        asked = [c for c in self.calls if c[0] == term]
        self.calls.append((term, skip))
        ids = self.pages[term][len(asked)] if len(asked) < len(self.pages[term]) else []
        at = "2026-12-07T10:{:02d}:00Z"
        rows = [{"id": i, "last_interaction_at": at.format(59 - i)} for i in ids]
        return httpx.Response(200, json={"total": self.total, "limit": 50, "skip": skip, "data": rows})


async def test_a_row_that_moves_between_pages_is_listed_once() -> None:
    from tui.core.filters import ConversationFilter
    from tui.core.merged_rows import MergedRows, Source

    server = ShiftingServer({"": [[1, 2, 3], [3, 4, 5], [6]]}, total=7)
    rows = MergedRows([Source(ConversationFilter())])
    async with mock(server) as client:
        while rows.more:
            await rows.read_more(client)
    assert [c.id for c in rows.ordered(lambda cid: None)] == [1, 2, 3, 4, 5, 6]
    assert [skip for _, skip in server.calls] == [0, 3, 6]


async def test_a_search_merges_its_two_queries_newest_first_without_repeats() -> None:
    from tui.core.filters import ConversationFilter
    from tui.core.merged_rows import MergedRows, Source

    server = ShiftingServer({"ana": [[2, 9]], "refund": [[9, 4]]}, total=2)
    rows = MergedRows(
        [
            Source(ConversationFilter(search_term="ana")),
            Source(ConversationFilter(message_search_term="refund")),
        ]
    )
    async with mock(server) as client:
        await rows.read_more(client)
    assert [c.id for c in rows.ordered(lambda cid: None)] == [2, 4, 9]
    assert not rows.more and rows.total == 3
