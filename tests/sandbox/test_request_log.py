"""`RunningSandbox.requests()`: every API request served, for tests that count a client's requests;
not the live transport, the media URL or the storage PUT; faulted requests too."""

from __future__ import annotations

from typing import Any

import httpx

from tui.sandbox.runner import RunningSandbox

from .test_live_events import listening


async def test_requests_are_logged_in_order(sandbox: RunningSandbox) -> None:
    assert sandbox.requests() == []
    async with listening(sandbox, transports=("polling",)):
        async with httpx.AsyncClient(
            base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}
        ) as api:
            await api.get(
                "/conversations", params=[("organization_id", 1), ("id[$in][]", 4), ("id[$in][]", 9)]
            )
            await api.get("/conversations/1")
            await api.patch("/conversations/1", json={"unread_count": 0})
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
            await api.get("/nope")
        async with httpx.AsyncClient() as storage:
            await storage.put(signed["url"], content=b"\x89PNG", headers={"Content-Type": "image/png"})
            await storage.get(sandbox.media_base_url + "/" + signed["s3PathWithoutBucket"])
    assert sandbox.requests() == [
        ("GET", "/conversations", "organization_id=1&id%5B%24in%5D%5B%5D=4&id%5B%24in%5D%5B%5D=9"),
        ("GET", "/conversations/1", ""),
        ("PATCH", "/conversations/1", ""),
        ("POST", "/s3-url-signing", ""),
        ("GET", "/nope", ""),
    ]
    sandbox.clear_requests()
    assert sandbox.requests() == []
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as api:
        api.get("/users/me")
    assert sandbox.requests() == [("GET", "/users/me", "")]


def test_faulted_requests_are_logged_too(start: Any) -> None:
    running = start(fail_rate=1.0, fail_status=(503,))
    with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
        assert api.get("/conversations/1").status_code == 503
    assert running.requests() == [("GET", "/conversations/1", "")]
