"""The send endpoints share one preamble: the same checks, in the same order, with the same answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tui.sandbox.seed import HANDY_IDS

# (path, a conversation on its channel, one on another channel, the endpoint's other fields)
ENDPOINTS = [
    *[
        (
            f"/conversation-messages-transform-outgoing-{channel}",
            HANDY_IDS[key],
            HANDY_IDS["sms"],
            {"message_type": "text"},
        )
        for channel, key in (
            ("whatsapp", "whatsapp_open"),
            ("instagram", "instagram_open"),
            ("messenger", "messenger_open"),
            ("webchat", "webchat"),
        )
    ],
    ("/conversation-messages-sms", HANDY_IDS["sms"], HANDY_IDS["webchat"], {}),
    (
        "/conversation-messages-playground",
        HANDY_IDS["playground"],
        HANDY_IDS["webchat"],
        {"message_type": "text", "organization_id": 1, "contact_id": 0},
    ),
]


@pytest.fixture
async def api(sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as c:
        yield c


@pytest.mark.parametrize(("path", "own", "other", "extra"), ENDPOINTS, ids=lambda v: str(v))
async def test_every_send_checks_the_same_things_first(
    api: httpx.AsyncClient, path: str, own: int, other: int, extra: dict[str, Any]
) -> None:
    not_object = await api.post(path, json=["hi"])
    assert not_object.status_code == 400 and not_object.json()["message"] == "The body must be a JSON object"

    missing = await api.post(path, json={"message_text": "hi"})
    assert missing.status_code == 422 and missing.json()["errors"]["conversation_id"] == "is required"
    assert set(missing.json()["errors"]) == {"conversation_id", *extra}

    not_text = await api.post(path, json={**extra, "conversation_id": own, "message_text": 5})
    assert not_text.status_code == 422
    assert not_text.json()["errors"] == {"message_text": "must be a string"}

    unknown = await api.post(path, json={**extra, "conversation_id": 999_999, "message_text": "hi"})
    assert unknown.status_code == 404 and unknown.json()["name"] == "NotFound"

    elsewhere = await api.post(path, json={**extra, "conversation_id": other, "message_text": "hi"})
    assert elsewhere.status_code == 422 and elsewhere.json()["message"] == "Wrong channel"
    assert "conversation_id" in elsewhere.json()["errors"]
