"""The sandbox's `/conversation-predefined-messages` over HTTP: a strict find (the query schema of
the other services), get, create, patch and remove, each organization's own, every body checked
whole; the seeded replies (two with a file that is really there); a file of schema 6 migrated and
given them once."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed_files import PARCEL_JPEG
from tui.sandbox.seed_team_replies import RETURNS_FORM

PATH = "/conversation-predefined-messages"


@pytest.fixture
def sb(tmp_path: Path) -> Any:
    running = start_in_thread(tmp_path / "sb")
    yield running
    running.stop()


def api(sb: RunningSandbox, user_id: int = 7) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.agent(user_id).api_key})


def find(client: httpx.Client, **params: Any) -> httpx.Response:
    return client.get(PATH, params={"organization_id": 1, **params})


def test_find_is_by_title_paged_and_strict(sb: RunningSandbox) -> None:
    with api(sb) as client:
        every = find(client, **{"$sort[title]": 1}).json()
        assert every["total"] == 12 and every["limit"] == 50 and every["skip"] == 0
        titles = [r["title"] for r in every["data"]]
        assert titles == sorted(titles, key=str.lower)
        assert set(every["data"][0]) == {
            "id",
            "organization_id",
            "title",
            "content",
            "message_type",
            "media_url",
            "filename",
            "mime_type",
            "created_by_user_id",
            "created_at",
            "updated_at",
        }
        page = find(client, **{"$sort[title]": -1, "$limit": 5, "$skip": 5}).json()
        assert [r["title"] for r in page["data"]] == titles[::-1][5:10] and page["limit"] == 5
        assert find(client, **{"$limit": 500}).json()["limit"] == 50
        assert find(client, **{"$limit": 0}).json() == {"total": 12, "limit": 0, "skip": 0, "data": []}
        media = find(client, **{"message_type[$in][]": ["image", "document"]}).json()["data"]
        assert {r["title"] for r in media} == {"How to pack a return", "Returns form"}
        picked = find(client, **{"$select[]": "title"}).json()["data"][0]
        assert set(picked) == {"id", "title"}
        for bad in ({"title": "x"}, {"$sort[content]": 1}, {"searchTerm": "x"}, {"id": "abc"}):
            answer = find(client, **bad)
            assert answer.status_code == 400 and answer.json()["name"] == "BadRequest", bad
        missing = client.get(PATH)
        assert missing.status_code == 400 and missing.json()["errors"] == {"organization_id": "is required"}
        assert find(client, organization_id=2).status_code == 403


def test_each_organization_sees_its_own(sb: RunningSandbox) -> None:
    with api(sb) as maria, api(sb, 21) as eve:
        ours = find(maria).json()["data"]
        theirs = eve.get(PATH, params={"organization_id": 2}).json()["data"]
        assert [r["title"] for r in theirs] == ["Closing time", "Welcome"]
        assert eve.get(f"{PATH}/{ours[0]['id']}").status_code == 403
        assert maria.get(f"{PATH}/{theirs[0]['id']}").status_code == 403
        assert maria.get(f"{PATH}/9999").status_code == 404
        assert maria.get(f"{PATH}/{ours[0]['id']}").json() == ours[0]


def test_the_seeded_files_are_really_there(sb: RunningSandbox) -> None:
    with api(sb) as client:
        media = find(client, **{"message_type[$ne]": "text"}).json()["data"]
    files = {r["filename"]: r for r in media if r["media_url"]}
    for name, data in (("packing-guide.jpg", PARCEL_JPEG), ("returns-form.pdf", RETURNS_FORM)):
        served = httpx.get(f"{sb.media_base_url}/{files[name]['media_url']}")
        assert served.status_code == 200 and served.content == data
        assert served.headers["content-type"] == files[name]["mime_type"]


def test_create_patch_remove(sb: RunningSandbox) -> None:
    with api(sb) as client:
        made = client.post(PATH, json={"organization_id": 1, "title": "Hours", "content": "9 to 6"})
        assert made.status_code == 201
        reply = made.json()
        assert reply["created_by_user_id"] == 7 and reply["message_type"] == "text"
        patched = client.patch(f"{PATH}/{reply['id']}", json={"content": "9 to 5"}).json()
        assert patched["content"] == "9 to 5" and patched["title"] == "Hours"
        assert patched["updated_at"] >= reply["updated_at"]
        removed = client.delete(f"{PATH}/{reply['id']}")
        assert removed.status_code == 200 and removed.json()["id"] == reply["id"]
        assert client.get(f"{PATH}/{reply['id']}").status_code == 404


BASE = {"organization_id": 1, "title": "t"}
IMAGE = {**BASE, "message_type": "image"}


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"organization_id": 1}, "title", "is required"),
        ({**BASE, "title": " "}, "title", "must not be empty"),
        ({**BASE, "title": "x" * 201}, "title", "at most 200 characters, got 201"),
        ({**BASE, "bogus": 1}, "bogus", "is not a field of this service"),
        ({**BASE, "id": 3}, "id", "cannot be set here"),
        ({**BASE, "created_by_user_id": 11}, "created_by_user_id", "must be your own user id"),
        ({**BASE, "message_type": "file"}, "message_type", "must be document for a file"),
        (IMAGE, "media_url", "is required for a image message"),
        ({**BASE, "media_url": "https://x.test/a.png"}, "media_url", "a text message has none"),
        ({**IMAGE, "media_url": "org-1/../a.png"}, "media_url", "a storage key has no empty"),
        ({**IMAGE, "media_url": "org-1/nothing.png"}, "media_url", "no uploaded object of this"),
        ({"title": "t"}, "organization_id", "is required"),
    ],
)
def test_a_body_is_checked_whole(sb: RunningSandbox, body: dict[str, Any], field: str, reason: str) -> None:
    with api(sb) as client:
        answer = client.post(PATH, json=body)
        assert answer.status_code == 400 and list(answer.json()["errors"]) == [field]
        assert answer.json()["errors"][field].startswith(reason)
        assert find(client, **{"$limit": 0}).json()["total"] == 12  # nothing was written


def test_a_patch_is_checked_against_the_whole_record(sb: RunningSandbox) -> None:
    with api(sb) as client:
        photo = next(r for r in find(client).json()["data"] if r["message_type"] == "image")
        answer = client.patch(f"{PATH}/{photo['id']}", json={"media_url": None})
        assert answer.json()["errors"] == {"media_url": "is required for a image message"}
        answer = client.patch(f"{PATH}/{photo['id']}", json={"organization_id": 2})
        assert answer.json()["errors"] == {"organization_id": "cannot be set here"}
        assert client.patch(f"{PATH}/{photo['id']}", json={"title": "Packing"}).json()["media_url"]


def test_a_read_only_role_and_another_organization_are_refused(sb: RunningSandbox) -> None:
    with api(sb) as maria, api(sb, 12) as aiko, api(sb, 21) as eve:
        reply = find(maria).json()["data"][0]
        for answer in (
            aiko.post(PATH, json={"organization_id": 1, "title": "Mine"}),
            aiko.patch(f"{PATH}/{reply['id']}", json={"title": "x"}),
            aiko.delete(f"{PATH}/{reply['id']}"),
        ):
            assert answer.status_code == 403 and "role" in answer.json()["message"]
        assert eve.post(PATH, json={"organization_id": 1, "title": "x"}).status_code == 403
        assert eve.delete(f"{PATH}/{reply['id']}").status_code == 403
        assert maria.get(f"{PATH}/{reply['id']}").json() == reply  # nothing changed


def test_a_team_replys_file_uploads_with_no_conversation(sb: RunningSandbox) -> None:
    with api(sb) as client:
        signed = client.post(
            "/s3-url-signing", json={"file_name": "a.png", "file_type": "image/png", "organization_id": 1}
        ).json()
        key = signed["s3PathWithoutBucket"]
        assert key.startswith("org-1/predefined-messages/")
        assert httpx.put(signed["url"], content=PARCEL_JPEG, headers={"Content-Type": "image/png"}).is_success
        file = {
            "organization_id": 1,
            "file_name": "a.png",
            "file_type": "image/png",
            "file_size": len(PARCEL_JPEG),
            "s3_key": key,
            "s3_path": signed["s3Path"],
            "file_category": "image",
        }
        assert client.post("/conversation-files", json=file).status_code == 201
        elsewhere = {
            **file,
            "s3_key": "org-1/conversation-1/x/a.png",
            "s3_path": "s3://b/org-1/conversation-1/x/a.png",
        }
        refused = client.post("/conversation-files", json=elsewhere).json()["errors"]
        assert refused["conversation_id"].startswith("is required")
        reply = {"organization_id": 1, "title": "t", "message_type": "image", "media_url": key}
        assert client.post(PATH, json=reply).status_code == 201


def test_a_file_of_schema_6_gets_the_table_and_the_replies_once(tmp_path: Path) -> None:
    first = start_in_thread(tmp_path / "data")
    first.stop()
    db = sqlite3.connect(tmp_path / "data" / "sandbox.db")
    db.execute("DROP TABLE predefined_messages")
    db.execute("DELETE FROM meta WHERE key = 'seeded_team_replies'")
    db.execute("PRAGMA user_version = 6")
    db.commit()
    db.close()
    again = start_in_thread(tmp_path / "data")
    try:
        with api(again) as client:
            replies = find(client).json()["data"]
            assert len(replies) == 12
            client.delete(f"{PATH}/{replies[0]['id']}")
        assert again.state.store.one("PRAGMA user_version")[0] >= 7  # type: ignore[index]
    finally:
        again.stop()
    third = start_in_thread(tmp_path / "data")
    try:
        with api(third) as client:
            assert find(client, **{"$limit": 0}).json()["total"] == 11  # a deletion stays deleted
    finally:
        third.stop()
