"""The work queue's calls where a real server cannot fail on demand: a server without
`GET /users/me`, a patch answer that is not a conversation or does not show the change, an
error that echoes the key, and pages that shift while the open conversations are scanned."""

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
from tui.core.models import Conversation, Page
from tui.core.queue_scan import scan_open

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


class ShiftingLister:
    """Pages of open conversations where a conversation moves to the top between two reads
    (a customer wrote), so the next page repeats the row before it."""

    def __init__(self, pages: list[list[int]], total: int) -> None:
        self.pages, self.total = pages, total
        self.calls: list[tuple[int, int]] = []

    async def list_conversations(
        self, *, status: str | None = None, limit: int = 50, skip: int = 0, **_: Any
    ) -> Page[Conversation]:
        assert status == "open"
        self.calls.append((skip, limit))
        ids = self.pages[len(self.calls) - 1][:limit] if len(self.calls) <= len(self.pages) else []
        return Page[Conversation](
            total=self.total, limit=limit, skip=skip, data=[Conversation(id=i) for i in ids]
        )


async def test_a_row_that_moves_between_pages_is_listed_once() -> None:
    lister = ShiftingLister([[1, 2, 3], [3, 4, 5], [6]], total=7)
    scan = await scan_open(lister, page=3)
    assert [c.id for c in scan.conversations] == [1, 2, 3, 4, 5, 6]
    assert lister.calls == [(0, 3), (3, 3), (6, 3)]
    assert not scan.truncated


async def test_the_cap_stops_the_scan_and_says_so() -> None:
    lister = ShiftingLister([[1, 2], [3, 4], [5, 6]], total=6)
    scan = await scan_open(lister, cap=3, page=2)
    assert [c.id for c in scan.conversations] == [1, 2, 3]
    assert lister.calls == [(0, 2), (2, 1)]
    assert scan.truncated and scan.total == 6
