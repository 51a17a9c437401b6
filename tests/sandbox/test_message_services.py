"""One message service per channel (contract: "Messages of a conversation"): find, get and remove
at `/conversation-messages-{channel}`, ids as each service gives them, sends answering the same
records; the old single `/conversation-messages` is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.ids import OBJECT_ID_CHANNELS
from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed import HANDY_IDS

from .rest import CHANNEL_OF, messages_path, mid

WA, WEBCHAT, SMS, PG = (
    HANDY_IDS["whatsapp_open"],
    HANDY_IDS["webchat"],
    HANDY_IDS["sms"],
    HANDY_IDS["playground"],
)
CHANNELS = ("whatsapp", "instagram", "messenger", "webchat", "sms", "playground")
NOW = 1_800_000_000.0


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def every_message(api: httpx.Client, cid: int, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = api.get(
            messages_path(cid), params={"conversation_id": cid, "$skip": len(found), **params}
        ).json()
        found.extend(page["data"])
        if not page["data"] or len(found) >= page["total"]:
            return found


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_channel_serves_its_conversations_messages_only(api: httpx.Client, channel: str) -> None:
    cid = next(c for c, ch in CHANNEL_OF.items() if ch == channel)
    other = next(c for c, ch in CHANNEL_OF.items() if ch != channel)
    page = api.get(f"/conversation-messages-{channel}", params={"conversation_id": cid}).json()
    assert set(page) == {"total", "limit", "skip", "data"} and page["total"] >= 3
    assert {m["conversation_id"] for m in page["data"]} == {cid}
    elsewhere = api.get(f"/conversation-messages-{channel}", params={"conversation_id": other, "$skip": 2})
    assert elsewhere.status_code == 200
    assert elsewhere.json() == {"total": 0, "limit": 50, "skip": 2, "data": []}
    unknown = api.get(f"/conversation-messages-{channel}", params={"conversation_id": 9999})
    assert unknown.json()["total"] == 0


@pytest.mark.parametrize("channel", CHANNELS)
def test_ids_are_the_services_own(api: httpx.Client, channel: str) -> None:
    for cid in (c for c, ch in CHANNEL_OF.items() if ch == channel):
        for message in every_message(api, cid):
            if channel in OBJECT_ID_CHANNELS:
                assert "id" not in message and len(message["_id"]) == 24
                assert message["_id"] == message["_id"].lower() and int(message["_id"], 16) >= 0
            else:
                assert "_id" not in message and isinstance(message["id"], int)


def test_conversation_id_is_required_and_a_number(api: httpx.Client) -> None:
    missing = api.get(messages_path("whatsapp"))
    assert missing.status_code == 400 and missing.json()["errors"] == {"conversation_id": "is required"}
    wrong = api.get(messages_path("whatsapp"), params={"conversation_id": "one"})
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"conversation_id"}
    unknown = api.get(messages_path("whatsapp"), params={"conversation_id": WA, "$search": "x"})
    assert unknown.status_code == 400 and unknown.json()["errors"] == {"$search": "is not allowed"}


def test_another_organizations_conversation_is_403(sandbox: RunningSandbox, api: httpx.Client) -> None:
    message = every_message(api, WEBCHAT)[0]
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.agent(21).api_key}) as eve:
        assert eve.get(messages_path("webchat"), params={"conversation_id": WEBCHAT}).status_code == 403
        assert eve.get(f"{messages_path('webchat')}/{message['_id']}").status_code == 403
        assert eve.delete(f"{messages_path('webchat')}/{message['_id']}").status_code == 403
    assert (
        api.get(
            messages_path("webchat"), params={"conversation_id": WEBCHAT, "organization_id": 2}
        ).status_code
        == 403
    )


def test_message_type_filters(api: httpx.Client) -> None:
    path, base = messages_path("whatsapp"), {"conversation_id": WA}
    every = api.get(path, params=base).json()
    hidden = api.get(path, params={**base, "message_type[$ne]": "reaction"}).json()
    only = api.get(path, params={**base, "message_type": "reaction"}).json()
    assert only["total"] >= 1 and {m["message_type"] for m in only["data"]} == {"reaction"}
    assert hidden["total"] == every["total"] - only["total"]
    assert "reaction" not in {m["message_type"] for m in hidden["data"]}
    texts = api.get(path, params={**base, "message_type[$in][]": ["text", "note"]}).json()
    assert texts["total"] > 0 and {m["message_type"] for m in texts["data"]} <= {"text", "note"}
    inbound = api.get(path, params={**base, "direction": "inbound"}).json()
    assert {m["direction"] for m in inbound["data"]} == {"inbound"}


def test_sort_both_ways_with_ties_in_insertion_order(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "sb", clock=lambda: NOW)  # every new message at one instant
    try:
        with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
            sent = [
                api.post(
                    "/conversation-messages-sms", json={"conversation_id": SMS, "message_text": f"tie {i}"}
                ).json()["id"]
                for i in range(3)
            ]
            path = messages_path("sms")
            newest = api.get(
                path, params={"conversation_id": SMS, "$sort[created_at]": -1, "$limit": 3}
            ).json()
            every = api.get(
                path, params={"conversation_id": SMS, "$sort[created_at]": 1, "$limit": 50}
            ).json()
            default = api.get(path, params={"conversation_id": SMS, "$limit": 3}).json()
            bad = api.get(path, params={"conversation_id": SMS, "$sort[created_at]": "up"})
            other = api.get(path, params={"conversation_id": SMS, "$sort[message_text]": 1})
    finally:
        running.stop()
    assert [m["id"] for m in newest["data"]] == sent[::-1] == [m["id"] for m in default["data"]]
    assert [m["id"] for m in every["data"]][-3:] == sent
    times = [m["created_at"] for m in every["data"]]
    assert times == sorted(times)
    assert bad.status_code == other.status_code == 400


def test_get_one_message(api: httpx.Client) -> None:
    for cid in (WA, SMS):
        page = every_message(api, cid)
        for message in (page[0], page[-1]):
            one = api.get(f"{messages_path(cid)}/{mid(message)}")
            assert one.status_code == 200 and one.json() == message
    wa_message, sms_message = every_message(api, WA)[0], every_message(api, SMS)[0]
    for path in (
        f"{messages_path('whatsapp')}/{'0' * 24}",  # no such _id
        f"{messages_path('whatsapp')}/1",  # a rowid is not how this service names messages
        f"{messages_path('instagram')}/{wa_message['_id']}",  # WhatsApp's, asked of Instagram
        f"{messages_path('sms')}/{wa_message['_id']}",
        f"{messages_path('playground')}/{sms_message['id']}",  # SMS's, asked of the playground
        f"{messages_path('sms')}/99999999999999999999999",
    ):
        missing = api.get(path)
        assert missing.status_code == 404 and missing.json()["name"] == "NotFound", path


def test_delete_is_soft_and_customers_messages_stay(api: httpx.Client) -> None:
    sent = api.post(
        "/conversation-messages-transform-outgoing-whatsapp",
        json={"conversation_id": WA, "message_text": "oops", "message_type": "text"},
    ).json()
    gone = api.delete(f"{messages_path('whatsapp')}/{sent['_id']}")
    assert gone.status_code == 200
    record = gone.json()
    assert record["_id"] == sent["_id"] and record["deleted_at"].endswith("Z")
    assert {k: v for k, v in record.items() if k != "deleted_at"} == sent
    assert api.get(f"{messages_path('whatsapp')}/{sent['_id']}").json() == record
    listed = api.get(messages_path("whatsapp"), params={"conversation_id": WA, "$limit": 1}).json()["data"][0]
    assert listed == record  # still listed, marked deleted
    again = api.delete(f"{messages_path('whatsapp')}/{sent['_id']}")
    assert again.status_code == 200 and again.json() == record  # nothing changes twice
    customers = next(m for m in every_message(api, WA) if m["direction"] == "inbound")
    refused = api.delete(f"{messages_path('whatsapp')}/{customers['_id']}")
    assert refused.status_code == 403 and refused.json()["name"] == "Forbidden"
    assert refused.json()["message"] == "Customer messages cannot be deleted"
    assert "deleted_at" not in api.get(f"{messages_path('whatsapp')}/{customers['_id']}").json()
    note = api.post(
        "/conversation-messages-sms", json={"conversation_id": SMS, "message_text": "numbered"}
    ).json()
    removed = api.delete(f"{messages_path('sms')}/{note['id']}")
    assert removed.status_code == 200 and removed.json()["id"] == note["id"] and removed.json()["deleted_at"]
    assert api.delete(f"{messages_path('whatsapp')}/{'f' * 24}").status_code == 404


def test_the_single_message_service_is_gone(api: httpx.Client) -> None:
    old = api.get("/conversation-messages", params={"conversation_id": WA})
    assert old.status_code == 404 and old.json()["name"] == "NotFound"
    assert api.get("/conversation-messages-telegram", params={"conversation_id": WA}).status_code == 404


def test_sends_answer_the_services_records(api: httpx.Client) -> None:
    for channel, cid in (("whatsapp", WA), ("instagram", 9), ("messenger", 14), ("webchat", WEBCHAT)):
        sent = api.post(
            f"/conversation-messages-transform-outgoing-{channel}",
            json={"conversation_id": cid, "message_text": f"to {channel}", "message_type": "text"},
        )
        assert sent.status_code == 201, sent.text
        assert "id" not in sent.json() and len(sent.json()["_id"]) == 24
        assert api.get(f"{messages_path(channel)}/{sent.json()['_id']}").json() == sent.json()
    sms = api.post(
        "/conversation-messages-sms", json={"conversation_id": SMS, "message_text": "to sms"}
    ).json()
    pg = api.get(f"/conversations/{PG}").json()
    played = api.post(
        "/conversation-messages-playground",
        json={
            "conversation_id": PG,
            "organization_id": 1,
            "contact_id": pg["contact_id"],
            "message_text": "to the playground",
            "message_type": "text",
        },
    ).json()
    for channel, record in (("sms", sms), ("playground", played)):
        assert "_id" not in record and isinstance(record["id"], int)
        assert api.get(f"{messages_path(channel)}/{record['id']}").json() == record


def test_fault_paths_still_match_the_message_services(start: Any) -> None:
    running = start(fail_rate=1.0, fail_status=(503,), fault_paths=["/conversation-messages-*"])
    with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
        for channel in CHANNELS:
            assert api.get(messages_path(channel), params={"conversation_id": 1}).status_code == 503
        assert api.get("/conversations/1").status_code == 200
