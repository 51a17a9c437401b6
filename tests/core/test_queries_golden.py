"""Golden tests: every query the client sends, pinned to the contract's [docs] form (the `qs`
bracket form, pages of 50, `$limit=0` counts, `organization_id` on every list, the messages of a
conversation from its channel's service without reactions, contacts 20 ids at a time)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest

from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.filters import ConversationFilter, searching, view_filter
from tui.core.http import httpx
from tui.core.models import Conversation
from tui.core.query import encode, query_string
from tui.core.queue_views import View

ORG = 101


def profile(**paths: str) -> ResolvedProfile:
    return ResolvedProfile(
        name="golden",
        base_url="https://api.example.test",
        organization_id=ORG,
        api_key=Secret("k"),
        auth="x-api-key",
        media_base_url="https://media.example.test",
        timeout_seconds=5,
        paths=Paths(**paths),
        limits={},
    )


class Recorder:
    """Answers every request with `answer` and keeps what was asked (method, path, query)."""

    def __init__(self, answer: Any = None) -> None:
        self.seen: list[tuple[str, str, str]] = []
        self.answer = answer if answer is not None else {"total": 0, "limit": 50, "skip": 0, "data": []}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, unquote(request.url.query.decode())))
        body = self.answer(request) if callable(self.answer) else self.answer
        return httpx.Response(
            200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )


def client_with(recorder: Recorder, **paths: str) -> ApiClient:
    return ApiClient(profile(**paths), transport=httpx.MockTransport(recorder))


LIST = f"organization_id={ORG}&$limit=50&$skip=0&$sort[last_interaction_at]=-1"


def test_the_qs_bracket_form() -> None:
    query = {
        "$sort": {"last_interaction_at": -1},
        "channel": {"$ne": "playground"},
        "unread_count": {"$gt": 0},
        "id": {"$in": [4, 9]},
        "assigned_user_id": None,
        "waitingResponseOnly": True,
    }
    assert query_string(query) == (
        "$sort[last_interaction_at]=-1&channel[$ne]=playground&unread_count[$gt]=0"
        "&id[$in][]=4&id[$in][]=9&assigned_user_id=&waitingResponseOnly=true"
    )


def test_an_array_longer_than_twenty_is_refused_before_it_is_sent() -> None:
    with pytest.raises(ValueError, match="at most 20"):
        encode({"id": {"$in": list(range(21))}})


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (None, LIST),
        (view_filter(View.ALL, me=7), LIST),
        (view_filter(View.NEEDS_REPLY, me=7), f"{LIST}&status=open&waitingResponseOnly=true"),
        (view_filter(View.MINE, me=7), f"{LIST}&status=open&assigned_user_id=7"),
        (
            view_filter(View.UNASSIGNED, me=7),
            f"{LIST}&status=open&assigned_user_id=&assigned_ai_assistant_id=",
        ),
        (view_filter(View.UNREAD, me=7), f"{LIST}&status=open&unread_count[$gt]=0"),
        (view_filter(View.ALL, me=7, status="closed", channel="sms"), f"{LIST}&status=closed&channel=sms"),
        (ConversationFilter(exclude_channel="playground"), f"{LIST}&channel[$ne]=playground"),
        (searching(ConversationFilter(), "ana", messages=False), f"{LIST}&searchTerm=ana"),
        (searching(ConversationFilter(), "refund", messages=True), f"{LIST}&messageSearchTerm=refund"),
        (ConversationFilter(contact_id=4), f"{LIST}&contact_id=4"),
    ],
)
async def test_conversation_lists(filters: ConversationFilter | None, expected: str) -> None:
    recorder = Recorder()
    async with client_with(recorder) as client:
        await client.list_conversations(filters)
    assert recorder.seen == [("GET", "/conversations", expected)]


async def test_a_count_is_the_same_query_with_limit_zero() -> None:
    recorder = Recorder({"total": 42, "limit": 0, "skip": 0, "data": []})
    async with client_with(recorder) as client:
        assert await client.count_conversations(view_filter(View.UNREAD, me=None)) == 42
    assert recorder.seen == [
        (
            "GET",
            "/conversations",
            f"organization_id={ORG}&$limit=0&$skip=0&$sort[last_interaction_at]=-1&status=open&unread_count[$gt]=0",
        )
    ]


async def test_a_page_never_asks_for_more_than_fifty() -> None:
    recorder = Recorder()
    async with client_with(recorder) as client:
        await client.list_conversations(limit=500, skip=100)
    assert "$limit=50&$skip=100" in recorder.seen[0][2]


@pytest.mark.parametrize(
    ("channel", "service"),
    [
        ("whatsapp", "/conversation-messages-whatsapp"),
        ("instagram", "/conversation-messages-instagram"),
        ("messenger", "/conversation-messages-messenger"),
        ("webchat", "/conversation-messages-webchat"),
        ("sms", "/conversation-messages-sms"),
        ("playground", "/conversation-messages-playground"),
    ],
)
async def test_messages_come_from_the_channels_service(channel: str, service: str) -> None:
    def answer(request: httpx.Request) -> Any:
        if request.url.path != service:
            return {"_id": "6650c1f2a9e4b3d2c1a0f9e8"} if channel != "sms" else {"id": 57}
        return {"total": 0, "limit": 50, "skip": 0, "data": []}

    recorder = Recorder(answer)
    async with client_with(recorder) as client:
        await client.list_messages(3, channel=channel, skip=50)
        await client.get_message(3, "6650c1f2a9e4b3d2c1a0f9e8", channel=channel)
        await client.delete_message(3, 57, channel=channel)
    assert recorder.seen == [
        (
            "GET",
            service,
            "conversation_id=3&message_type[$ne]=reaction&$sort[created_at]=-1&$limit=50&$skip=50",
        ),
        ("GET", f"{service}/6650c1f2a9e4b3d2c1a0f9e8", ""),
        ("DELETE", f"{service}/57", ""),
    ]


async def test_without_the_channel_the_conversation_is_read_first_then_kept() -> None:
    def answer(request: httpx.Request) -> Any:
        if request.url.path == "/conversations/3":
            return {"id": 3, "channel": "sms"}
        return {"total": 0, "limit": 50, "skip": 0, "data": []}

    recorder = Recorder(answer)
    async with client_with(recorder) as client:
        await client.list_messages(3)
        await client.list_messages(3)
    assert [path for _, path, _ in recorder.seen] == [
        "/conversations/3",
        "/conversation-messages-sms",
        "/conversation-messages-sms",
    ]
    assert recorder.seen[0][2] == f"organization_id={ORG}"


async def test_an_opaque_id_is_one_path_segment() -> None:
    raw: list[bytes] = []

    def answer(request: httpx.Request) -> Any:
        raw.append(request.url.raw_path)
        return {"_id": "a/../b?c"}

    async with client_with(Recorder(answer)) as client:
        message = await client.get_message(3, "a/../b?c", channel="whatsapp")
    assert message.id == "a/../b?c"
    assert raw == [b"/conversation-messages-whatsapp/a%2F..%2Fb%3Fc"]


async def test_an_old_single_messages_path_still_works() -> None:
    recorder = Recorder()
    async with client_with(recorder, messages="/conversation-messages") as client:
        await client.list_messages(3, channel="whatsapp")
    assert recorder.seen[0][1] == "/conversation-messages"


async def test_contacts_are_read_twenty_ids_at_a_time() -> None:
    def answer(request: httpx.Request) -> Any:
        ids = [int(v) for k, v in request.url.params.multi_items() if k == "id[$in][]"]
        return {
            "total": len(ids),
            "limit": 20,
            "skip": 0,
            "data": [{"id": i, "first_name": f"N{i}"} for i in ids],
        }

    recorder = Recorder(answer)
    async with client_with(recorder) as client:
        found = await client.get_contacts(range(1, 46))
    assert len(found) == 45
    assert [q.count("id[$in][]=") for _, _, q in recorder.seen] == [20, 20, 5]
    ids = "&".join(f"id[$in][]={i}" for i in range(1, 21))
    assert recorder.seen[0] == ("GET", "/contacts", f"organization_id={ORG}&{ids}&$limit=20")


async def test_rows_first_then_one_batched_read_for_their_names() -> None:
    def answer(request: httpx.Request) -> Any:
        if request.url.path == "/contacts":
            ids = [int(v) for k, v in request.url.params.multi_items() if k == "id[$in][]"]
            return {
                "total": len(ids),
                "limit": 20,
                "skip": 0,
                "data": [{"id": i, "first_name": "Ana"} for i in ids],
            }
        rows = [{"id": n, "contact_id": 100 + n % 7, "channel": "sms"} for n in range(1, 31)]
        return {"total": 30, "limit": 50, "skip": 0, "data": rows}

    recorder = Recorder(answer)
    async with client_with(recorder) as client:
        page = await client.list_conversations()
        assert page.data[0].contact_name == "Contact 101"  # drawn at once, the name after
        assert await client.fill_contacts(page.data) == 7
        assert client.cache.get(1) is not None and client.cache.get(1).contact_name == "Ana"  # type: ignore[union-attr]
        assert await client.fill_contacts(page.data) == 0  # cached: no second read
    assert [path for _, path, _ in recorder.seen] == ["/conversations", "/contacts"]


async def test_every_page_of_templates_and_users_pages_on_the_servers_answer() -> None:
    def answer(request: httpx.Request) -> Any:
        skip = int(request.url.params.get("$skip", "0"))
        if request.url.path == "/users":
            rows = [{"id": skip + i + 1} for i in range(min(20, 45 - skip))]
            return {"total": 45, "limit": 20, "skip": skip, "data": rows}  # the server pages by 20
        return {"total": 1, "limit": 50, "skip": 0, "data": [{"name": "t", "status": "APPROVED"}]}

    recorder = Recorder(answer)
    async with client_with(recorder) as client:
        users = await client.list_users()
        await client.list_templates(status="APPROVED")
    assert [u.id for u in users] == list(range(1, 46))
    assert [q for _, p, q in recorder.seen if p == "/users"] == [
        f"organization_id={ORG}&$limit=50&$skip=0",
        f"organization_id={ORG}&$limit=50&$skip=20",
        f"organization_id={ORG}&$limit=50&$skip=40",
    ]
    assert recorder.seen[-1] == (
        "GET",
        "/message-templates",
        f"organization_id={ORG}&channel=whatsapp&status=APPROVED&$limit=50&$skip=0",
    )


async def test_snoozed_conversations_are_read_by_id_in_batches() -> None:
    recorder = Recorder()
    async with client_with(recorder) as client:
        await client.conversations_by_id(range(1, 26))
    assert [q.count("id[$in][]=") for _, _, q in recorder.seen] == [20, 5]
    assert recorder.seen[1][
        2
    ] == f"organization_id={ORG}&$limit=5&$skip=0&$sort[last_interaction_at]=-1" + "".join(
        f"&id[$in][]={i}" for i in range(21, 26)
    )


def test_a_conversation_record_without_the_optional_fields_has_an_unknown_window() -> None:
    bare = Conversation.model_validate(
        {"id": 1, "channel": "whatsapp", "last_interaction_at": "2026-12-07T10:00:00Z"}
    )
    assert not bare.inbound_known
    told = Conversation.model_validate({"id": 1, "channel": "whatsapp", "last_inbound_message_at": None})
    assert told.inbound_known


async def test_the_template_list_read_for_the_picker_serves_the_send_after_it() -> None:
    recorder = Recorder({"total": 1, "limit": 50, "skip": 0, "data": [{"name": "t", "status": "APPROVED"}]})
    async with client_with(recorder) as client:
        await client.list_templates(max_age=300)
        await client.list_templates(max_age=600)
        assert len(recorder.seen) == 1
        await client.list_templates()  # asked fresh
    assert len(recorder.seen) == 2
