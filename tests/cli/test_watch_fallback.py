"""`watch` against an API without Socket.IO: the sandbox behind a proxy that answers 404 at
/socket.io/ (as a real AchieveApex may). It says so once, polls REST, and prints each change once.
In-process, so that the proxy runs on the test's own event loop."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.core.loopback import Handler, Loopback, read_request
from tui.cli_watch import Watch
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.live import NO_LIVE, LiveFeed
from tui.core.live_watch import Tracker

NOT_FOUND = b'{"name":"NotFound","message":"Page not found","code":404}'


def without_socketio(base_url: str) -> Handler:
    """Forward every request to `base_url`, one upstream connection each, except /socket.io/."""
    parts = urlsplit(base_url)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await read_request(reader)
            if request.split(b" ", 2)[1].startswith(b"/socket.io"):
                writer.write(
                    b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(NOT_FOUND) + NOT_FOUND
                )
                await writer.drain()
                continue
            head, _, body = request.partition(b"\r\n\r\n")
            lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
            upstream_reader, upstream = await asyncio.open_connection(parts.hostname, parts.port)
            try:
                upstream.write(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body)
                await upstream.drain()
                writer.write(await upstream_reader.read())
                await writer.drain()
            finally:
                upstream.close()
                await upstream.wait_closed()

    return handler


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.02)


async def test_a_server_without_socketio_is_polled_and_each_change_printed_once(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out: list[str] = []
    err: list[str] = []

    def read() -> tuple[str, str]:
        captured = capsys.readouterr()
        out.append(captured.out)
        err.append(captured.err)
        return "".join(out), "".join(err)

    async with Loopback(without_socketio(sandbox.base_url)) as proxy:
        profile = ResolvedProfile(
            name="acme",
            base_url=proxy.url,
            organization_id=1,
            api_key=Secret(sandbox.api_key),
            auth="x-api-key",
            media_base_url=proxy.url + "/media",
            timeout_seconds=10.0,
            paths=Paths(),
            limits={},
        )
        async with ApiClient(profile) as client:
            watch = Watch(client, Tracker(1), as_json=True)
            feed = LiveFeed(
                profile, on_event=watch.on_event, on_state=watch.on_state, on_resync=watch.on_resync
            )
            task = asyncio.create_task(watch.run(feed))
            try:
                await until(lambda: NO_LIVE in read()[1])
                await asyncio.to_thread(sandbox.agent_writes, 1, "polled, not pushed", user_id=11)
                await until(lambda: "polled, not pushed" in read()[0])
                await asyncio.to_thread(sandbox.customer_writes, 1, "and the customer answers")
                await until(lambda: "and the customer answers" in read()[0])
            finally:
                watch.stop.set()
                code = await task
    assert code == 0
    stdout, stderr = read()
    docs = [json.loads(line) for line in stdout.splitlines()]
    texts = [d["message"]["message_text"] for d in docs if d["kind"] == "message_created"]
    assert texts == ["polled, not pushed", "and the customer answers"]
    assert all(d["via"] == "poll" for d in docs)
    assert stderr.count(NO_LIVE) == 1 and feed.connects == 0
