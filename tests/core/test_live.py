"""The live feed against a real sandbox on loopback (its Socket.IO server), and against servers
that have no Socket.IO, refuse the key, refuse the connection or never answer."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.core.loopback import Loopback, answer, silent
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.live import NO_LIVE, OFF, LiveEvent, LiveFeed, LiveState
from tui.core.live_events import Backoff

TOM = 11  # Tom Becker, another agent of the sandbox's organization, with his own key
WAIT = 20.0


def profile_for(base_url: str, key: str, **extra: Any) -> ResolvedProfile:
    base: dict[str, Any] = {
        "name": "local",
        "base_url": base_url,
        "organization_id": 1,
        "api_key": Secret(key),
        "auth": "x-api-key",
        "media_base_url": base_url + "/media",
        "timeout_seconds": 10.0,
        "paths": Paths(),
        "limits": {},
    }
    return ResolvedProfile(**{**base, **extra})


@dataclass
class Heard:
    """Everything a feed called back with."""

    events: list[LiveEvent] = field(default_factory=list)
    states: list[tuple[LiveState, str | None]] = field(default_factory=list)
    resyncs: int = 0

    def feed(self, profile: ResolvedProfile, **options: Any) -> LiveFeed:
        def resynced() -> None:
            self.resyncs += 1

        return LiveFeed(
            profile,
            on_event=self.events.append,
            on_state=lambda state, reason: self.states.append((state, reason)),
            on_resync=resynced,
            **options,
        )

    def texts(self) -> list[str | None]:
        return [e.message.message_text for e in self.events if e.message is not None]


async def until(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    """Poll `condition` until it holds (a generous bound: a failure, not a measurement)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.01)


async def send_as(sandbox: Any, user_id: int, conversation_id: int, text: str) -> None:
    """A reply through the REST API with that agent's own key, as their app would send it."""
    agent = sandbox.agent(user_id)
    async with ApiClient(profile_for(sandbox.base_url, agent.api_key)) as client:
        await client.post_message(
            client.paths.whatsapp,
            {"conversation_id": conversation_id, "message_text": text, "message_type": "text"},
        )


async def test_a_reply_sent_with_another_agents_key_arrives_live(sandbox: Any) -> None:
    heard = Heard()
    feed = heard.feed(profile_for(sandbox.base_url, sandbox.api_key))
    await feed.start()
    try:
        await until(lambda: feed.state is LiveState.LIVE)
        assert heard.states == [(LiveState.LIVE, None)] and heard.resyncs == 1
        await send_as(sandbox, TOM, 1, "Your parcel left the depot")
        await until(lambda: any(e.kind == "conversation_patched" for e in heard.events))
    finally:
        await feed.stop()
    created = [e for e in heard.events if e.kind == "message_created"]
    assert len(created) == 1 and created[0].message is not None
    assert created[0].message.message_text == "Your parcel left the depot"
    assert created[0].message.sender_name == "Tom Becker" and created[0].conversation_id == 1
    patched = next(e for e in heard.events if e.kind == "conversation_patched")
    assert patched.conversation is not None and patched.conversation.id == 1
    assert patched.conversation.last_message_text == "Your parcel left the depot"


async def test_a_bearer_token_is_accepted_in_the_handshake(sandbox: Any) -> None:
    heard = Heard()
    feed = heard.feed(profile_for(sandbox.base_url, sandbox.api_key, auth="bearer"))
    await feed.start()
    try:
        await until(lambda: feed.state is LiveState.LIVE)
        await asyncio.to_thread(sandbox.customer_writes, 3, "Is it open on Sunday?")
        await until(lambda: "Is it open on Sunday?" in heard.texts())
    finally:
        await feed.stop()


async def test_delivery_status_arrives_as_message_patched(tmp_path: Path) -> None:
    from tui.sandbox.runner import start_in_thread

    sandbox = await asyncio.to_thread(start_in_thread, data_dir=tmp_path / "sb", delivery_seconds=0.05)
    heard = Heard()
    feed = heard.feed(profile_for(sandbox.base_url, sandbox.api_key))
    try:
        await feed.start()
        await until(lambda: feed.state is LiveState.LIVE)
        await send_as(sandbox, TOM, 1, "Tracking number follows")

        def statuses() -> list[str | None]:
            return [e.message.status for e in heard.events if e.kind == "message_patched" and e.message]

        await until(lambda: "read" in statuses() or "failed" in statuses())
    finally:
        await feed.stop()
        await asyncio.to_thread(sandbox.stop)
    assert statuses()[0] in ("delivered", "failed")


async def test_the_feed_reconnects_and_resyncs_after_the_sandbox_restarts(tmp_path: Path) -> None:
    from tui.sandbox.runner import start_in_thread

    data = tmp_path / "sb"
    first = await asyncio.to_thread(start_in_thread, data_dir=data)
    port = int(first.base_url.rsplit(":", 1)[1])
    heard = Heard()
    feed = heard.feed(profile_for(first.base_url, first.api_key, is_sandbox=True))
    second = None
    try:
        await feed.start()
        await until(lambda: feed.state is LiveState.LIVE)
        await asyncio.to_thread(first.stop)
        await until(lambda: feed.state is LiveState.OFFLINE)
        assert heard.resyncs == 1
        second = await asyncio.to_thread(start_in_thread, data_dir=data, port=port)
        await until(lambda: feed.state is LiveState.LIVE and heard.resyncs == 2)
        assert feed.connects == 2
        await send_as(second, TOM, 1, "After the restart")
        await until(lambda: "After the restart" in heard.texts())
    finally:
        await feed.stop()
        if second is not None:
            await asyncio.to_thread(second.stop)
    kinds = [state for state, _ in heard.states]
    assert kinds[0] is LiveState.LIVE and kinds[-1] is LiveState.LIVE
    assert LiveState.OFFLINE in kinds and LiveState.POLLING not in kinds
    reasons = [reason for state, reason in heard.states if state is LiveState.OFFLINE]
    assert all(r is not None and r.endswith(("; reconnecting.", "; retrying.")) for r in reasons)


@pytest.mark.parametrize(
    "body, status, kind",
    [
        (b'{"name":"NotFound","message":"Page not found","code":404}', 404, "application/json"),
        (b"<!doctype html><title>Inbox</title>", 200, "text/html"),
        (b'{"total":0,"data":[]}', 200, "application/json"),
    ],
)
async def test_a_server_without_socketio_means_polling_said_once(body: bytes, status: int, kind: str) -> None:
    heard = Heard()
    async with Loopback(answer(body, status=status, content_type=kind)) as server:
        feed = heard.feed(profile_for(server.url, "key-of-acme"), rare_retry_seconds=0.01)
        await feed.start()
        try:
            await until(lambda: feed.attempts >= 3)
        finally:
            await feed.stop()
    assert heard.states == [(LiveState.POLLING, NO_LIVE)]
    assert heard.resyncs == 0 and feed.connects == 0


async def test_a_server_without_socketio_is_asked_again_only_rarely() -> None:
    heard = Heard()
    async with Loopback(answer(b"{}", status=404)) as server:
        feed = heard.feed(profile_for(server.url, "key-of-acme"))
        assert feed.rare_retry_seconds == 300.0
        await feed.start()
        try:
            await until(lambda: feed.state is LiveState.POLLING)
            feed.nudge()  # the app found the server answering: ask again now
            await until(lambda: feed.attempts == 2)
        finally:
            await feed.stop()
    assert heard.states == [(LiveState.POLLING, NO_LIVE)]


async def test_a_refused_key_is_one_sentence_and_not_hammered(sandbox: Any) -> None:
    heard = Heard()
    feed = heard.feed(profile_for(sandbox.base_url, "sbx_not-a-key-of-anyone"), rare_retry_seconds=0.01)
    await feed.start()
    try:
        await until(lambda: feed.attempts >= 3)
    finally:
        await feed.stop()
    assert len(heard.states) == 1
    state, reason = heard.states[0]
    assert state is LiveState.POLLING and reason is not None
    assert reason.startswith("The server refused the API key of profile local for live updates")
    assert feed.connects == 0 and heard.resyncs == 0
    assert "sbx_not-a-key" not in reason


async def test_realtime_off_never_connects() -> None:
    heard = Heard()
    async with Loopback(answer(b"{}", status=404)) as server:
        feed = heard.feed(profile_for(server.url, "k", realtime="off"))
        await feed.start()
        await until(lambda: bool(heard.states))
        await feed.stop()
        assert server.connections == 0
    assert heard.states == [(LiveState.POLLING, OFF)] and feed.attempts == 0


async def test_a_refused_connection_is_offline_while_retrying() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    heard = Heard()
    feed = heard.feed(profile_for(f"http://127.0.0.1:{port}", "k"), backoff=Backoff(first=0.01, cap=0.02))
    await feed.start()
    try:
        await until(lambda: feed.attempts >= 4)
    finally:
        await feed.stop()
    assert heard.states == [
        (LiveState.OFFLINE, f"127.0.0.1:{port} cannot be reached for live updates; retrying.")
    ]


async def test_the_whole_connect_has_the_profiles_deadline() -> None:
    heard = Heard()
    async with Loopback(silent) as server:
        feed = heard.feed(
            profile_for(server.url, "k", timeout_seconds=0.3), backoff=Backoff(first=10, cap=10)
        )
        await feed.start()
        try:
            await until(lambda: bool(heard.states))
        finally:
            await feed.stop()
    host = server.url.removeprefix("http://")
    assert heard.states == [
        (LiveState.OFFLINE, f"{host} did not open a live connection within 0.3 s; retrying.")
    ]


async def test_stop_while_connecting_leaves_nothing_behind() -> None:
    async with Loopback(silent) as server:
        feed = Heard().feed(profile_for(server.url, "k"))
        await feed.start()
        await until(lambda: server.connections >= 1)
        await feed.stop()
        await feed.stop()  # twice is harmless
    assert feed.state is LiveState.OFFLINE


async def test_malformed_pushed_data_is_dropped_and_the_connection_kept(sandbox: Any) -> None:
    from tui.sandbox.live import CONVERSATION_PATCHED, bus_of

    MESSAGE_CREATED = "conversation-messages-whatsapp created"  # conversation 1 is WhatsApp's

    bus = bus_of(sandbox._sandbox)
    heard = Heard()
    feed = heard.feed(profile_for(sandbox.base_url, sandbox.api_key))
    await feed.start()
    try:
        await until(lambda: feed.state is LiveState.LIVE)
        deep: Any = []
        for _ in range(200):
            deep = [deep]
        hostile: list[tuple[str, Any]] = [
            (MESSAGE_CREATED, "garbage"),
            (MESSAGE_CREATED, [1, 2, 3]),
            (
                MESSAGE_CREATED,
                {"id": 1, "conversation_id": 1, "organization_id": 2, "message_text": "not ours"},
            ),
            (MESSAGE_CREATED, {"conversation_id": 1, "message_text": "no id"}),
            (MESSAGE_CREATED, {"id": 2, "conversation_id": 1, "nested": deep}),
            (CONVERSATION_PATCHED, {"id": "seven"}),
            ("conversation-messages-whatsapp removed", {"id": 3}),
            ("conversation-messages created", {"id": 5, "conversation_id": 1, "message_text": "old name"}),
        ]
        for event, data in hostile:
            bus.publish(event, data, 1)
        bus.publish(MESSAGE_CREATED, {"id": 4, "conversation_id": 1, "message_text": "the good one"}, 1)
        await until(lambda: "the good one" in heard.texts())
    finally:
        await feed.stop()
    assert heard.texts() == ["the good one"]
    assert feed.dropped == 6 and feed.connects == 1
    assert [state for state, _ in heard.states] == [LiveState.LIVE]


async def test_a_server_that_drops_every_connection_is_backed_off_on_loopback_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """127.0.0.1 may be a tunnel to a real server: a connection that drops at once is retried
    ever more slowly (here with the jitter pinned at half), not every half second."""
    from tui.core import live as live_module
    from tui.sandbox.runner import start_in_thread

    monkeypatch.setattr(live_module, "Backoff", lambda **kw: Backoff(rng=lambda: 0.5, **kw))
    running = await asyncio.to_thread(start_in_thread, data_dir=tmp_path / "sb", live_drop_after=0.3)
    heard = Heard()
    feed = heard.feed(profile_for(running.base_url, running.api_key))
    try:
        await feed.start()
        await asyncio.sleep(5.0)
        assert 2 <= feed.connects <= 5, feed.connects  # a 0.5 s cap would have made about 7
        assert feed.backoff.cap == 30.0
    finally:
        await feed.stop()
        await asyncio.to_thread(running.stop)
