"""A deadline on every request: connecting plus the whole answer, `timeout_seconds` of the profile.

httpx's timeouts are per read, so an answer trickled a byte at a time never times out by them.
The trickle comes from the sandbox's `trickle_bytes_per_s` fault and, where the exact timing
matters, from a bare loopback server. Each test runs under a generous guard (`GUARD`): without
the deadline the trickle would outlast it and the test would fail instead of hanging.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.loopback import Loopback, silent, trickle
from tests.helpers import find, sandbox_profile
from tui.core.channels import channel_spec
from tui.core.client import ApiClient
from tui.core.client_deadline import storage_deadline
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.errors import TransportError
from tui.core.payloads import build_reply

#: Far longer than any deadline here, far shorter than any trickle: a hang fails, never waits.
GUARD = 30.0
#: 1,000 bytes at 10 a second: 100 s, with a byte every 0.1 s (httpx's read timeout never trips).
SLOW_BODY = json.dumps({"id": 1, "padding": "x" * 970}).encode()


def profile(base_url: str, timeout: float) -> ResolvedProfile:
    return ResolvedProfile(
        name="t",
        base_url=base_url,
        organization_id=101,
        api_key=Secret("sk_test_deadline_00"),
        auth="x-api-key",
        media_base_url="https://media.test",
        timeout_seconds=timeout,
        paths=Paths(),
        limits={},
    )


async def test_a_trickled_answer_to_a_read_ends_at_the_deadline() -> None:
    async with Loopback(trickle(SLOW_BODY, every=0.1)) as server, ApiClient(profile(server.url, 1)) as client:
        async with asyncio.timeout(GUARD):
            with pytest.raises(TransportError) as err:
                await client.get_conversation(1)
    assert err.value.sentence == "127.0.0.1 did not answer within 1 s; try again."
    assert err.value.retry_safe  # a GET changed nothing


async def test_a_trickled_answer_to_a_send_is_unconfirmed() -> None:
    async with Loopback(trickle(SLOW_BODY, every=0.1)) as server, ApiClient(profile(server.url, 1)) as client:
        async with asyncio.timeout(GUARD):
            with pytest.raises(TransportError) as err:
                await client.post_message("/conversation-messages-sms", {"x": 1}, what="the message")
    assert err.value.sentence == (
        "127.0.0.1 did not answer within 1 s; the request may still have been processed, so check "
        "before sending again."
    )
    assert not err.value.retry_safe  # the body went out: never resent automatically


async def test_a_send_that_never_connected_by_the_deadline_is_safe_to_retry() -> None:
    # A TLS port that never answers the handshake: the request's first byte never left.
    async with Loopback(silent, scheme="https") as server, ApiClient(profile(server.url, 1)) as client:
        async with asyncio.timeout(GUARD):
            with pytest.raises(TransportError) as err:
                await client.post_message("/conversation-messages-sms", {"x": 1}, what="the message")
    assert err.value.sentence == (
        f"Connecting to 127.0.0.1:{server.port} timed out after 1 s; check the network and base_url."
    )
    assert err.value.retry_safe


async def test_an_upload_whose_answer_trickles_ends_at_its_own_deadline() -> None:
    async def one() -> AsyncIterator[bytes]:
        yield b"abc"

    async with (
        Loopback(trickle(SLOW_BODY, every=0.1)) as storage,
        ApiClient(profile("https://api.test", 0.25)) as client,
    ):
        async with asyncio.timeout(GUARD):
            with pytest.raises(TransportError) as err:
                await client.put_object(f"{storage.url}/k/a.txt?sig=1", one(), size=3, mime="text/plain")
    assert err.value.sentence == (
        "The upload to 127.0.0.1 did not finish within 1 s; try again, on a faster network if you can."
    )
    assert not err.value.retry_safe


def test_an_upload_deadline_grows_with_the_file() -> None:
    assert storage_deadline(30, 0) == 120
    assert storage_deadline(30, 16 * 1024 * 1024) == 120 + 256  # 16 MB at 64 KiB/s
    assert storage_deadline(float("inf"), 10) is None


# -- the sandbox's trickle fault ----------------------------------------------------------------------


@pytest.fixture
def trickling(tmp_path: Path) -> Iterator[Any]:
    """A sandbox whose answers to POSTs trickle at 10 bytes a second (reads answer at once)."""
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(data_dir=tmp_path / "sandbox", trickle_bytes_per_s=10, fault_methods=["POST"])
    try:
        yield running
    finally:
        running.stop()


async def test_sandbox_send_whose_answer_trickles_is_unconfirmed_and_was_stored(trickling: Any) -> None:
    base = sandbox_profile(trickling)
    fast = ApiClient(base)
    slow = ApiClient(base.model_copy(update={"timeout_seconds": 1.0}))
    async with fast, slow:
        conversation = await find(fast, "webchat")
        spec = channel_spec("webchat")
        assert spec is not None
        (outgoing,) = build_reply(spec, conversation, "trickled answer", [], base.media_base_url)
        async with asyncio.timeout(GUARD):
            with pytest.raises(TransportError) as err:
                await slow.post_message(getattr(slow.paths, outgoing.path_key), outgoing.body)
        assert "did not answer within 1 s; the request may still have been processed" in err.value.sentence
        assert not err.value.retry_safe
        history = await fast.list_messages(conversation.id)
    assert any(m.message_text == "trickled answer" for m in history.data)  # it was done: unconfirmed


async def test_sandbox_read_whose_answer_trickles_ends_at_the_deadline(tmp_path: Path) -> None:
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(data_dir=tmp_path / "sandbox", trickle_bytes_per_s=10)
    try:
        slow = sandbox_profile(running).model_copy(update={"timeout_seconds": 1.0})
        async with ApiClient(slow) as client, asyncio.timeout(GUARD):
            with pytest.raises(TransportError) as err:
                await client.list_conversations()
    finally:
        running.stop()
    assert err.value.sentence == "127.0.0.1 did not answer within 1 s; try again."
    assert err.value.retry_safe
