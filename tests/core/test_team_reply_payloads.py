"""Golden tests: the bodies of the team's replies (`/conversation-predefined-messages`), literally,
with the contract's field names ("Canned replies of the organization": organization_id, title,
content, message_type, media_url, filename, mime_type), and the query that lists them."""

from __future__ import annotations

import json

from tui.core.http import httpx
from tui.core.models import TeamReply, Uploaded
from tui.core.payloads import team_reply_body, team_reply_patch


def wire(body: dict[str, object]) -> str:
    """The body as httpx puts it on the wire (key order kept)."""
    return json.dumps(body)


def uploaded(category: str, name: str, mime: str) -> Uploaded:
    return Uploaded(
        conversation_file_id="f1",
        s3_key=f"org-101/predefined-messages/abc/{name}",
        s3_path=f"s3://bucket/org-101/predefined-messages/abc/{name}",
        file_name=name,
        file_type=mime,
        file_size=10,
        file_category=category,
    )


def test_a_text_reply() -> None:
    assert wire(team_reply_body(101, "Opening hours", "9 to 6")) == (
        '{"organization_id": 101, "title": "Opening hours", "content": "9 to 6", "message_type": "text"}'
    )


def test_a_media_reply_is_saved_as_its_storage_key() -> None:
    body = team_reply_body(101, "Returns form", "Here it is", uploaded("file", "form.pdf", "application/pdf"))
    assert wire(body) == (
        '{"organization_id": 101, "title": "Returns form", "content": "Here it is", '
        '"message_type": "document", "media_url": "org-101/predefined-messages/abc/form.pdf", '
        '"filename": "form.pdf", "mime_type": "application/pdf"}'
    )


def test_the_message_type_of_each_kind_of_file() -> None:
    """The service says `document` where uploads say `file` [docs]; the others are the same word."""
    kinds = {
        category: team_reply_body(1, "t", "", uploaded(category, "x", "m"))["message_type"]
        for category in ("image", "video", "audio", "file")
    }
    assert kinds == {"image": "image", "video": "video", "audio": "audio", "file": "document"}


def test_a_patch_holds_only_what_changes() -> None:
    assert wire(team_reply_patch(title="Hours")) == '{"title": "Hours"}'
    assert wire(team_reply_patch(content="9 to 5")) == '{"content": "9 to 5"}'
    assert wire(team_reply_patch(title="Hours", content="")) == '{"title": "Hours", "content": ""}'
    assert team_reply_patch() == {}


def test_a_reply_is_read_tolerantly() -> None:
    """Every field but the id is optional; a bad time is no reason to hide a reply."""
    reply = TeamReply.model_validate(
        {
            "id": 4,
            "title": None,
            "content": None,
            "message_type": None,
            "media_url": " ",
            "created_at": "soon",
        }
    )
    assert (reply.name, reply.text, reply.message_type, reply.has_media) == ("Reply 4", "", "text", False)
    assert reply.created_at is None
    full = TeamReply.model_validate(
        {
            "id": 9,
            "organization_id": 101,
            "title": "Returns form",
            "content": "Here",
            "message_type": "document",
            "media_url": "org-101/x/form.pdf",
            "filename": "form.pdf",
            "mime_type": "application/pdf",
            "created_by_user_id": 7,
            "created_at": "2026-12-01T10:00:00.000Z",
            "updated_at": "2026-12-02T10:00:00.000Z",
            "unknown": True,
        }
    )
    assert full.has_media and full.name == "Returns form" and full.updated_at is not None


async def test_the_list_query_pages_on_the_servers_total() -> None:
    """`?organization_id=N&$sort[title]=1` [docs], 50 a page, read on the total the server says
    (it gave 30 a page here, and 70 in all: three requests)."""
    from tests.core.test_queries_golden import ORG, Recorder, client_with

    def answer(request: httpx.Request) -> dict[str, object]:
        skip = int(request.url.params["$skip"])
        rows = [{"id": i, "title": f"r{i}"} for i in range(skip, min(skip + 30, 70))]
        return {"total": 70, "limit": 30, "skip": skip, "data": rows}

    recorder = Recorder(answer)
    async with client_with(recorder) as client:
        replies = await client.list_team_replies()
    assert [r.id for r in replies] == list(range(70))
    base = f"organization_id={ORG}&$sort[title]=1&$limit=50"
    assert recorder.seen == [
        ("GET", "/conversation-predefined-messages", f"{base}&$skip={skip}") for skip in (0, 30, 60)
    ]


async def test_the_path_is_the_profiles_and_an_id_is_one_segment() -> None:
    from tests.core.test_queries_golden import profile
    from tui.core.client import ApiClient

    seen: list[tuple[str, bytes]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.raw_path))
        return httpx.Response(200, json={"id": 3, "title": "t"})

    async with ApiClient(
        profile(predefined_messages="/canned"), transport=httpx.MockTransport(answer)
    ) as client:
        await client.patch_team_reply(3, team_reply_patch(title="t"))
        await client.remove_team_reply("a/b")
    assert seen == [("PATCH", b"/canned/3"), ("DELETE", b"/canned/a%2Fb")]
