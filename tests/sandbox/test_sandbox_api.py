"""The sandbox backend on its own: the contract's endpoints, straight over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tui.sandbox.runner import start_in_thread
from tui.sandbox.seed import HANDY_IDS

from .rest import listed, messages_path, mid

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16


@pytest.fixture
async def api(sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as c:
        yield c


async def upload(api: httpx.AsyncClient, cid: int, data: bytes, name: str, mime: str) -> dict[str, Any]:
    signed = (
        await api.post(
            "/s3-url-signing",
            json={"file_name": name, "file_type": mime, "conversation_id": cid, "organization_id": 1},
        )
    ).json()
    async with httpx.AsyncClient() as storage:
        put = await storage.put(signed["url"], content=data, headers={"Content-Type": mime})
    assert put.status_code == 200, put.text
    created = await api.post(
        "/conversation-files",
        json={
            "conversation_id": cid,
            "organization_id": 1,
            "file_name": name,
            "file_type": mime,
            "file_size": len(data),
            "s3_key": signed["s3PathWithoutBucket"],
            "s3_path": signed["s3Path"],
            "file_category": mime.split("/")[0]
            if mime.startswith(("image/", "audio/", "video/"))
            else "file",
        },
    )
    assert created.status_code == 201, created.text
    return {**created.json(), **signed}


async def test_auth(sandbox: Any) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as c:
        none = await c.get("/conversations")
        wrong = await c.get("/conversations", headers={"x-api-key": "nope"})
        bearer = await c.get(
            "/conversations", params=listed(), headers={"Authorization": f"Bearer {sandbox.api_key}"}
        )
    assert none.status_code == wrong.status_code == 401
    assert none.json()["name"] == "NotAuthenticated" and none.json()["className"] == "not-authenticated"
    assert set(wrong.json()) == {"name", "message", "code", "className", "data", "errors"}
    assert bearer.status_code == 200


async def test_pages_filters_sort_search(api: httpx.AsyncClient) -> None:
    first = (await api.get("/conversations", params=listed(**{"$limit": 10, "$skip": 0}))).json()
    second = (await api.get("/conversations", params=listed(**{"$limit": 10, "$skip": 10}))).json()
    assert first["total"] == 30 and (first["limit"], second["skip"]) == (10, 10)
    ids = [c["id"] for c in first["data"] + second["data"]]
    assert len(set(ids)) == 20
    times = [c["last_interaction_at"] for c in first["data"]]
    assert times == sorted(times, reverse=True)
    oldest = (
        await api.get("/conversations", params=listed(**{"$sort[last_interaction_at]": 1, "$limit": 3}))
    ).json()
    assert oldest["data"][0]["last_interaction_at"] <= oldest["data"][1]["last_interaction_at"]
    sms = (await api.get("/conversations", params=listed(channel="sms", **{"$limit": 50}))).json()
    assert sms["total"] == 5 and {c["channel"] for c in sms["data"]} == {"sms"}
    closed = (await api.get("/conversations", params=listed(status="closed"))).json()
    assert closed["total"] > 0 and {c["status"] for c in closed["data"]} == {"closed"}
    found = (await api.get("/conversations", params=listed(searchTerm="müller"))).json()
    assert [c["contact"]["last_name"] for c in found["data"]] == ["Müller"]
    forbidden = await api.get("/conversations", params={"organization_id": 2})
    assert forbidden.status_code == 403


async def test_conversation_fields_and_messages(api: httpx.AsyncClient) -> None:
    c = (await api.get(f"/conversations/{HANDY_IDS['whatsapp_open']}")).json()
    for field in (
        "id",
        "organization_id",
        "contact_id",
        "channel",
        "status",
        "unread_count",
        "assigned_user_id",
        "assigned_ai_assistant_id",
        "pipeline_id",
        "pipeline_stage_id",
        "ai_context_cut",
        "ai_auto_assignment_disabled",
        "ai_auto_assignment_disabled_reason",
        "blocked",
        "last_interaction_at",
        "created_at",
        "contact",
        "last_message_text",
        "last_message_at",
        "last_inbound_message_at",
    ):
        assert field in c
    assert c["last_message_at"].endswith("Z")
    assert (await api.get("/conversations/999")).status_code == 404
    messages = (
        await api.get(messages_path("whatsapp"), params={"conversation_id": c["id"], "$limit": 2})
    ).json()
    assert messages["total"] >= 3 and len(messages["data"]) == 2
    assert messages["data"][0]["created_at"] >= messages["data"][1]["created_at"]
    never = (await api.get(f"/conversations/{HANDY_IDS['whatsapp_never']}")).json()
    assert never["last_inbound_message_at"] is None


async def test_templates(api: httpx.AsyncClient) -> None:
    every = (await api.get("/message-templates", params={"channel": "whatsapp"})).json()["data"]
    statuses = {t["status"] for t in every}
    assert {"APPROVED", "PENDING", "REJECTED"} <= statuses
    approved = (await api.get("/message-templates", params={"status": "APPROVED"})).json()["data"]
    assert approved and {t["status"] for t in approved} == {"APPROVED"}
    header = next(t for t in every if t["components"][0]["type"] == "HEADER")
    assert "{{1}}" in header["components"][0]["text"]


async def test_upload_roundtrip_and_media(api: httpx.AsyncClient, sandbox: Any) -> None:
    data = PNG * 300  # ~1.2 MB, streamed
    done = await upload(api, HANDY_IDS["webchat"], data, "big photo ü.png", "image/png")
    assert len(done["_id"]) == 24
    key = done["s3PathWithoutBucket"]
    from tui.core.payloads import public_media_url

    async with httpx.AsyncClient() as plain:
        served = await plain.get(public_media_url(sandbox.media_base_url, key))
        missing = await plain.get(sandbox.media_base_url + "/nope/x.png")
    assert served.content == data and served.headers["content-type"] == "image/png"
    assert missing.status_code == 404 and "<Code>NoSuchKey</Code>" in missing.text


async def test_storage_put_refusals(api: httpx.AsyncClient) -> None:
    signed = (
        await api.post(
            "/s3-url-signing",
            json={
                "file_name": "a.png",
                "file_type": "image/png",
                "conversation_id": 19,
                "organization_id": 1,
            },
        )
    ).json()
    url = signed["url"]
    async with httpx.AsyncClient() as s:
        creds = await s.put(url, content=PNG, headers={"Content-Type": "image/png", "x-api-key": "k"})
        bearer = await s.put(
            url, content=PNG, headers={"Content-Type": "image/png", "Authorization": "Bearer k"}
        )
        wrong_type = await s.put(url, content=PNG, headers={"Content-Type": "image/jpeg"})
        tampered = await s.put(
            url.replace("signature=", "signature=0"), content=PNG, headers={"Content-Type": "image/png"}
        )
    assert creds.status_code == bearer.status_code == 400 and "credentials" in creds.text
    assert wrong_type.status_code == 403 and "SignatureDoesNotMatch" in wrong_type.text
    assert tampered.status_code == 403


async def test_expired_url(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "sb", signed_url_seconds=-1)
    try:
        async with httpx.AsyncClient(
            base_url=running.base_url, headers={"x-api-key": running.api_key}
        ) as api:
            signed = (
                await api.post(
                    "/s3-url-signing",
                    json={
                        "file_name": "a.png",
                        "file_type": "image/png",
                        "conversation_id": 19,
                        "organization_id": 1,
                    },
                )
            ).json()
        async with httpx.AsyncClient() as s:
            put = await s.put(signed["url"], content=PNG, headers={"Content-Type": "image/png"})
        assert put.status_code == 403 and "expired" in put.text
    finally:
        running.stop()


async def test_conversation_file_validation(api: httpx.AsyncClient) -> None:
    empty = await api.post("/conversation-files", json={})
    assert empty.status_code == 422
    assert set(empty.json()["errors"]) >= {"conversation_id", "file_name", "file_size", "s3_key"}
    wrong = await api.post(
        "/conversation-files",
        json={
            "conversation_id": "7",
            "organization_id": 1,
            "file_name": "a",
            "file_type": "image/png",
            "file_size": 3,
            "s3_key": "none",
            "s3_path": "s3://b/none",
            "file_category": "image",
        },
    )
    assert wrong.json()["errors"]["conversation_id"] == "must be a number"
    done = await upload(api, 19, PNG, "a.png", "image/png")
    mismatch = await api.post(
        "/conversation-files",
        json={
            "conversation_id": 19,
            "organization_id": 1,
            "file_name": "a.png",
            "file_type": "image/jpeg",
            "file_size": 1,
            "s3_key": done["s3_key"],
            "s3_path": done["s3_path"],
            "file_category": "file",
        },
    )
    errors = mismatch.json()["errors"]
    assert mismatch.status_code == 422 and {"file_size", "file_type", "file_category"} <= set(errors)


WA = "/conversation-messages-transform-outgoing-whatsapp"


async def test_window_enforced_by_the_server(api: httpx.AsyncClient) -> None:
    closed = HANDY_IDS["whatsapp_closed"]
    text = await api.post(WA, json={"conversation_id": closed, "message_text": "hi", "message_type": "text"})
    assert text.status_code == 409 and text.json()["name"] == "Conflict"
    note = await api.post(WA, json={"conversation_id": closed, "message_text": "fyi", "message_type": "note"})
    assert note.status_code == 201 and note.json()["message_type"] == "note" and note.json()["status"] is None
    template = await api.post(
        WA,
        json={
            "conversation_id": closed,
            "message_text": "Hi Ana, your order 7 has shipped.",
            "message_type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "7"}],
                    }
                ],
            },
        },
    )
    assert template.status_code == 201, template.text
    for channel, cid in (("instagram", 11), ("messenger", HANDY_IDS["messenger_closed"])):
        r = await api.post(
            f"/conversation-messages-transform-outgoing-{channel}",
            json={"conversation_id": cid, "message_text": "hi", "message_type": "text"},
        )
        assert r.status_code == 409


async def test_template_refusals(api: httpx.AsyncClient) -> None:
    def body(name: str, params: int) -> dict[str, Any]:
        return {
            "conversation_id": 1,
            "message_text": "x",
            "message_type": "template",
            "template": {
                "name": name,
                "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "v"}] * params}],
            },
        }

    pending = await api.post(WA, json=body("payment_due", 2))
    assert pending.status_code == 422 and "PENDING" in pending.json()["errors"]["template"]
    count = await api.post(WA, json=body("order_update", 1))
    assert count.status_code == 422 and "takes 2 parameters" in count.json()["errors"]["template"]
    elsewhere = await api.post(
        "/conversation-messages-transform-outgoing-messenger", json=body("order_update", 2)
    )
    assert elsewhere.status_code == 422


async def test_sizes_types_channels(api: httpx.AsyncClient) -> None:
    big = await upload(api, 1, PNG + b"\x00" * (5 * 1024 * 1024), "big.png", "image/png")
    too_big = await api.post(
        WA,
        json={
            "conversation_id": 1,
            "message_text": "",
            "message_type": "image",
            "s3_path": big["s3_path"],
            "conversation_file_id": big["_id"],
            "file_size": big["file_size"],
        },
    )
    assert too_big.status_code == 413 and too_big.json()["name"] == "PayloadTooLarge"
    mismatch = await api.post(
        WA, json={"conversation_id": HANDY_IDS["instagram_open"], "message_text": "x", "message_type": "text"}
    )
    assert mismatch.status_code == 422 and "is on instagram" in mismatch.json()["errors"]["conversation_id"]
    long_ig = await api.post(
        "/conversation-messages-transform-outgoing-instagram",
        json={"conversation_id": 9, "message_text": "é" * 501, "message_type": "text"},
    )
    assert long_ig.status_code == 422 and "bytes" in long_ig.json()["errors"]["message_text"]
    bad_type = await api.post(WA, json={"conversation_id": 1, "message_text": "x", "message_type": "sticker"})
    assert bad_type.status_code == 422
    not_json = await api.post(WA, content=b"{oops", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["name"] == "BadRequest"
    unknown = await api.get("/nope")
    assert unknown.status_code == 404 and unknown.json()["name"] == "NotFound"


async def test_sms_and_playground(api: httpx.AsyncClient, sandbox: Any) -> None:
    sms = HANDY_IDS["sms"]
    text = await api.post("/conversation-messages-sms", json={"conversation_id": sms, "message_text": "hi"})
    assert text.status_code == 201
    done = await upload(api, sms, PNG, "p.png", "image/png")
    from tui.core.payloads import public_media_url

    url = public_media_url(sandbox.media_base_url, done["s3PathWithoutBucket"])
    mms = await api.post(
        "/conversation-messages-sms", json={"conversation_id": sms, "message_text": "", "media_url": url}
    )
    assert mms.status_code == 201 and mms.json()["message_type"] == "image" and mms.json()["media_url"] == url
    bogus = await api.post(
        "/conversation-messages-sms",
        json={"conversation_id": sms, "message_text": "", "media_url": "https://evil.test/x.png"},
    )
    assert bogus.status_code == 422 and "media_url" in bogus.json()["errors"]
    pg = (await api.get(f"/conversations/{HANDY_IDS['playground']}")).json()
    wrong = await api.post(
        "/conversation-messages-playground",
        json={
            "conversation_id": pg["id"],
            "organization_id": 1,
            "contact_id": pg["contact_id"] + 1,
            "message_text": "x",
            "message_type": "text",
        },
    )
    assert wrong.status_code == 422 and "contact_id" in wrong.json()["errors"]


async def test_persistence_clock_and_key(tmp_path: Path) -> None:
    data = tmp_path / "sb"
    now = [1_800_000_000.0]
    first = start_in_thread(data, clock=lambda: now[0])
    async with httpx.AsyncClient(base_url=first.base_url, headers={"x-api-key": first.api_key}) as api:
        before = (await api.get("/conversations/1")).json()
        sent = (
            await api.post(WA, json={"conversation_id": 1, "message_text": "kept", "message_type": "text"})
        ).json()
    first.stop()
    now[0] += 3 * 86400  # three days pass while it is stopped
    second = start_in_thread(data, clock=lambda: now[0])
    try:
        assert second.api_key == first.api_key
        async with httpx.AsyncClient(base_url=second.base_url, headers={"x-api-key": second.api_key}) as api:
            after = (await api.get("/conversations/1")).json()
            latest = (
                await api.get(messages_path("whatsapp"), params={"conversation_id": 1, "$limit": 1})
            ).json()
        assert mid(latest["data"][0]) == sent["_id"]
        for field in ("last_inbound_message_at", "created_at"):
            moved = when(after[field]) - when(before[field])
            assert moved.total_seconds() == pytest.approx(3 * 86400, abs=1), field
        moved = when(after["last_interaction_at"]) - when(sent["created_at"])  # the send was the last
        assert moved.total_seconds() == pytest.approx(3 * 86400, abs=1)
    finally:
        second.stop()


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_simulated_inbound(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "sb", simulate_inbound=True, inbound_every=(0.05, 0.1))
    try:
        async with httpx.AsyncClient(
            base_url=running.base_url, headers={"x-api-key": running.api_key}
        ) as api:
            top = (await api.get("/conversations", params=listed(**{"$limit": 1}))).json()["data"][0]
            deadline = time.monotonic() + 20  # generous: polled, not slept
            while time.monotonic() < deadline:
                newest = (await api.get("/conversations", params=listed(**{"$limit": 1}))).json()["data"][0]
                if newest["last_message_at"] > top["last_message_at"]:
                    break
                await asyncio.sleep(0.05)
            assert newest["last_message_at"] > top["last_message_at"]
            assert newest["last_inbound_message_at"] == newest["last_message_at"]
            messages = (
                await api.get(
                    messages_path(newest["channel"]), params={"conversation_id": newest["id"], "$limit": 1}
                )
            ).json()
            assert messages["data"][0]["direction"] == "inbound"
    finally:
        running.stop()


def test_signed_url_shape(sandbox: Any) -> None:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as api:
        signed = api.post(
            "/s3-url-signing",
            json={
                "file_name": "a b.pdf",
                "file_type": "application/pdf",
                "conversation_id": 19,
                "organization_id": 1,
            },
        ).json()
    parts = urlsplit(signed["url"])
    query = parse_qs(parts.query)
    assert parts.path.startswith("/_storage/org-1/conversation-19/") and parts.path.endswith("/a%20b.pdf")
    assert query["content_type"] == ["application/pdf"] and len(query["signature"][0]) == 64
    assert signed["s3Path"] == "s3://sandbox-bucket/" + signed["s3PathWithoutBucket"]
