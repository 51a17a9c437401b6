"""A pooled keep-alive connection that the server closes just as a request goes out (its idle
timeout, a load balancer's): a read is sent once more on a new connection, silently; a write the
server may have taken is not (nothing is ever sent twice by an automatic retry)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.core.loopback import Loopback, read_request
from tui.core.client import ApiClient
from tui.core.client_deadline import Progress
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.errors import TransportError

PAGE = b'{"total": 0, "limit": 50, "skip": 0, "data": []}'


def profile(url: str) -> ResolvedProfile:
    return ResolvedProfile(
        name="p",
        base_url=url,
        organization_id=1,
        api_key=Secret("k" * 20),
        auth="x-api-key",
        media_base_url=url + "/media",
        timeout_seconds=5.0,
        paths=Paths(),
        limits={},
    )


def closes_after_first(requests: list[bytes]) -> Any:
    """Answer the first request of each connection and keep it alive; read the second and hang
    up without a word, as a server whose idle timeout fired as the request arrived."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await read_request(reader))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(PAGE)
        )
        writer.write(PAGE)
        await writer.drain()
        requests.append(await read_request(reader))
        writer.transport.abort()

    return handler


async def test_a_read_on_a_connection_closed_under_it_is_sent_again_once() -> None:
    requests: list[bytes] = []
    async with Loopback(closes_after_first(requests)) as server, ApiClient(profile(server.url)) as client:
        await client.list_conversations()
        page = await client.list_conversations()  # the pooled connection: closed under it
        assert page.total == 0
        assert client.stale_retries == 1 and server.connections == 2
        assert client.budget.used() == 2  # the lost try reached nobody


async def test_a_write_the_server_may_have_taken_is_not_sent_again() -> None:
    requests: list[bytes] = []
    async with Loopback(closes_after_first(requests)) as server, ApiClient(profile(server.url)) as client:
        await client.list_conversations()
        with pytest.raises(TransportError) as caught:
            await client.request("POST", "/conversation-messages-sms", what="the send", json_body={"x": 1})
        assert client.stale_retries == 0 and server.connections == 1
        assert "broke before an answer came" in caught.value.sentence
    assert sum(r.startswith(b"POST") for r in requests) == 1


@pytest.mark.parametrize(
    ("traced", "method", "error", "stale"),
    [
        ("reused", "GET", httpx.RemoteProtocolError("Server disconnected"), True),
        ("reused", "GET", httpx.ReadError("reset"), True),
        ("reused", "POST", httpx.RemoteProtocolError("Server disconnected"), False),
        ("reused", "POST", httpx.WriteError("broken pipe"), True),  # never written whole
        ("new", "GET", httpx.RemoteProtocolError("Server disconnected"), False),  # not a stale one
        ("answered", "GET", httpx.ReadError("reset"), False),  # part of an answer came
        ("untraced", "GET", httpx.ReadError("reset"), False),  # a transport that says nothing
    ],
)
async def test_what_counts_as_a_stale_connection(
    traced: str, method: str, error: Exception, stale: bool
) -> None:
    progress = Progress()
    if traced != "untraced":
        if traced == "new":
            await progress.trace("connection.connect_tcp.complete", {})
        await progress.trace("http11.send_request_headers.started", {})
        if traced == "answered":
            await progress.trace("http11.receive_response_headers.complete", {})
    assert progress.stale(error, method) is stale
