"""The media faults on the wire: a file cut off after half its announced bytes (a missing key and
a HEAD untouched), and hostile file links in message answers only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tui.core.payloads import public_media_url


def parcel_url(running: Any) -> str:
    key = running.state.store.one("SELECT s3_key FROM files WHERE file_name = 'broken-parcel.png'")[0]
    return public_media_url(running.media_base_url, key)


def test_a_cut_off_file_announces_the_whole_and_sends_half(start: Any) -> None:
    running = start(media_short=True)
    url = parcel_url(running)
    with httpx.Client() as plain:
        head = plain.head(url)
        assert head.status_code == 200
        with plain.stream("GET", url) as answer:
            whole = int(answer.headers["content-length"])
            got = bytearray()
            with pytest.raises(httpx.RemoteProtocolError):
                for chunk in answer.iter_raw():
                    got += chunk
        assert len(got) == whole // 2
        assert plain.get(running.media_base_url + "/org-1/none.png").status_code == 404
    assert running.fault_stats().get("media_short") == 1


def test_hostile_links_are_in_message_answers_only(start: Any) -> None:
    running = start(media_links="dots")
    with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
        page = api.get("/conversation-messages-whatsapp", params={"conversation_id": 1}).json()
        files = [m for m in page["data"] if m.get("s3_key")]
        assert files and all("/../../" in m["s3_key"] and m["media_url"] is None for m in files)
        sign = {"file_name": "a.png", "file_type": "image/png", "conversation_id": 19, "organization_id": 1}
        signed = api.post("/s3-url-signing", json=sign).json()
        put = httpx.put(signed["url"], content=b"png", headers={"Content-Type": "image/png"})
        assert put.status_code == 200
        registered = {
            **{k: sign[k] for k in ("conversation_id", "organization_id", "file_name", "file_type")},
            "file_size": 3,
            "s3_key": signed["s3PathWithoutBucket"],
            "s3_path": signed["s3Path"],
            "file_category": "image",
        }
        created = api.post("/conversation-files", json=registered)
    assert created.status_code == 201 and created.json()["s3_key"] == signed["s3PathWithoutBucket"]
