"""The outbox over real loopback HTTP: persisted before the first request, retried only when the
message provably never arrived, unconfirmed otherwise, resumed after a restart."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FaultyTransport, find, make_png, sandbox_profile
from tui.core.client import ApiClient
from tui.core.drafts import Draft, TemplateChoice, draft_from_dict, draft_to_dict
from tui.core.errors import (
    ConflictError,
    PolicyRefusal,
    RateLimitedError,
    ServerError,
    TransportError,
)
from tui.core.outbox import Outbox, RetryPolicy, classify
from tui.core.retry import unreachable
from tui.core.sender import PartialSendError
from tui.core.store import LEASE_SECONDS, Store
from tui.core.templates import TemplateValues

FAST = RetryPolicy(base=0.01, cap=0.05, max_attempts=5)
POSTS = "/conversation-messages-"


def is_send(request: Any) -> bool:
    return request.method == "POST" and request.url.path.startswith(POSTS)


def posts(transport: FaultyTransport) -> int:
    return sum(1 for r in transport.requests if is_send(r))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "state" / "store.sqlite3")


@pytest.fixture
def make_outbox(sandbox: Any, store: Store) -> Callable[..., Any]:
    def make(plan: Callable[[Any], str | None] = lambda r: None) -> tuple[Outbox, FaultyTransport]:
        transport = FaultyTransport(plan)
        client = ApiClient(sandbox_profile(sandbox), transport=transport)
        outbox = Outbox(store, client, "sandbox", retry=FAST, rng=random.Random(1))
        return outbox, transport

    return make


async def texts(client: ApiClient, conversation_id: int, text: str) -> int:
    page = await client.list_messages(conversation_id)
    return sum(1 for m in page.data if m.message_text == text)


def test_drafts_round_trip_through_json() -> None:
    from tui.core.files import LocalFile

    picked = LocalFile(Path("/a/c.pdf"), "c.pdf", 1234, "application/pdf", 1_700_000_000_000_000_000, 42)
    draft = Draft(
        text="hi",
        note=True,
        attachments=[Path("/a/b.png"), picked],
        template=TemplateChoice("order_update", "en_US", TemplateValues(["Ana"], {"body.2": "A-1"})),
    )
    again = draft_from_dict(draft_to_dict(draft))
    assert again == draft


def test_classify() -> None:
    refused = TransportError("refused", retry_safe=True)
    reset = TransportError("reset", retry_safe=False)
    assert classify(refused, posting=True).state == "retry"
    assert classify(reset, posting=True).state == "unconfirmed"
    assert classify(reset, posting=False).state == "retry"  # before any POST: nothing to double
    assert classify(RateLimitedError("429", retry_after=7, status=429), posting=True).wait == 7
    assert classify(ServerError("503", retry_after=3, status=503), posting=True).state == "retry"
    assert classify(ServerError("500", status=500), posting=True).state == "unconfirmed"
    assert classify(ConflictError("409", status=409), posting=True).state == "failed"
    assert classify(PolicyRefusal("closed", reason="window"), posting=False).state == "failed"
    partial = PartialSendError(ServerError("500", status=500), [], 2, already=1)
    assert classify(partial, posting=True).state == "unconfirmed"
    # what `connection_back` may cut short: the network's failures, never a server's own delay
    assert unreachable(refused) and unreachable(PartialSendError(refused, [], 2, already=1))
    assert not unreachable(RateLimitedError("429", retry_after=7, status=429))
    assert not unreachable(ServerError("503", retry_after=3, status=503))


async def test_a_send_is_stored_first_then_sent_once(make_outbox: Any, store: Store, sandbox: Any) -> None:
    outbox, _transport = make_outbox()
    conv = await find(outbox.client, "webchat")
    store.save_draft("sandbox", conv.id, "reply", "Stored first", [])
    entry = await outbox.submit(conv.id, Draft(text="Stored first"), "Stored first", draft_mode="reply")
    assert store.get(entry.id) is not None  # written before any request went out
    await outbox.wait_idle()
    assert store.get(entry.id).state == "sent"  # type: ignore[union-attr]
    assert await texts(outbox.client, conv.id, "Stored first") == 1
    assert store._db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0  # confirmed: draft gone
    await outbox.client.aclose()


async def test_refused_connections_are_retried_and_deliver_exactly_once(
    make_outbox: Any, store: Store
) -> None:
    failures = iter([True, True, False])

    def plan(request: Any) -> str | None:
        return "refuse" if is_send(request) and next(failures, False) else None

    outbox, transport = make_outbox(plan)
    conv = await find(outbox.client, "sms")
    entry = await outbox.submit(conv.id, Draft(text="Third time lucky"), "Third time lucky")
    await outbox.wait_idle()
    final = store.get(entry.id)
    assert final is not None and final.state == "sent" and final.attempts == 2
    assert posts(transport) == 3
    assert await texts(outbox.client, conv.id, "Third time lucky") == 1
    await outbox.client.aclose()


async def test_an_ambiguous_failure_is_never_retried_automatically(make_outbox: Any, store: Store) -> None:
    outbox, transport = make_outbox(lambda r: "timeout_after" if is_send(r) else None)
    conv = await find(outbox.client, "webchat")
    entry = await outbox.submit(conv.id, Draft(text="Did it arrive?"), "Did it arrive?")
    await outbox.wait_idle()
    final = store.get(entry.id)
    assert final is not None and final.state == "unconfirmed"
    assert "may still have been processed" in (final.reason or "")
    assert posts(transport) == 1
    # It did arrive; the check the agent sees before retrying says so.
    assert await texts(outbox.client, conv.id, "Did it arrive?") == 1
    found = await outbox.looks_delivered(final)
    assert found is not None and found.message_text == "Did it arrive?"
    await outbox.client.aclose()


async def test_a_definite_refusal_fails_with_its_reason(make_outbox: Any, store: Store) -> None:
    outbox, transport = make_outbox()
    conv = await find(outbox.client, "whatsapp", "closed")
    entry = await outbox.submit(conv.id, Draft(text="too late"), "too late")
    await outbox.wait_idle()
    final = store.get(entry.id)
    assert final is not None and final.state == "failed" and "window" in (final.reason or "").lower()
    assert posts(transport) == 0
    await outbox.client.aclose()


async def test_retry_after_a_partial_send_posts_only_the_rest(
    make_outbox: Any, store: Store, tmp_path: Path
) -> None:
    sent_posts = 0

    def plan(request: Any) -> str | None:
        nonlocal sent_posts
        if is_send(request):
            sent_posts += 1
            return "timeout_after" if sent_posts == 2 else None
        return None

    outbox, _transport = make_outbox(plan)
    conv = await find(outbox.client, "whatsapp", "open")
    files = [make_png(tmp_path / "one.png"), make_png(tmp_path / "two.png")]
    entry = await outbox.submit(conv.id, Draft(text="Two photos", attachments=files), "Two photos")
    await outbox.wait_idle()
    final = store.get(entry.id)
    assert final is not None and final.state == "unconfirmed" and len(final.sent_ids) == 1
    # The agent checks, decides it did not arrive (here it did: the fault hid the answer), retries.
    await outbox.retry_now(entry.id)
    await outbox.wait_idle()
    again = store.get(entry.id)
    assert again is not None and again.state == "sent" and len(again.sent_ids) == 2
    page = await outbox.client.list_messages(conv.id)
    names = [m.file_name for m in page.data if m.file_name in ("one.png", "two.png")]
    assert names.count("one.png") == 1  # the first message was never sent again
    await outbox.client.aclose()


async def test_a_restart_resumes_queued_sends_and_never_resends_a_post_in_flight(
    make_outbox: Any, store: Store
) -> None:
    outbox, _transport = make_outbox()
    conv = await find(outbox.client, "webchat")
    queued = store.enqueue("sandbox", conv.id, {"text": "left queued"}, "left queued")
    in_flight = store.enqueue("sandbox", conv.id, {"text": "left mid-POST"}, "left mid-POST")
    store.claim(in_flight.id, "dead-instance", now=0)
    store.update(in_flight.id, state="sending")
    unresolved = await outbox.start()
    await outbox.wait_idle()
    assert store.get(queued.id).state == "sent"  # type: ignore[union-attr]
    assert store.get(in_flight.id).state == "unconfirmed"  # type: ignore[union-attr]
    assert {e.id for e in unresolved} >= {in_flight.id}
    assert await texts(outbox.client, conv.id, "left mid-POST") == 0
    await outbox.client.aclose()


async def test_unreachable_gives_up_after_the_bound(make_outbox: Any, store: Store) -> None:
    outbox, transport = make_outbox(lambda r: "refuse" if is_send(r) else None)
    conv = await find(outbox.client, "sms")
    entry = await outbox.submit(conv.id, Draft(text="never"), "never")
    await outbox.wait_idle()
    final = store.get(entry.id)
    assert (
        final is not None and final.state == "failed" and "Gave up after 5 attempts" in (final.reason or "")
    )
    assert posts(transport) == FAST.max_attempts
    await outbox.client.aclose()


def test_backoff_grows_with_jitter_and_respects_the_server() -> None:
    policy = RetryPolicy(base=1, factor=2, cap=10)
    rng = random.Random(3)
    delays = [policy.delay(n, rng) for n in range(1, 7)]
    for n, d in enumerate(delays, 1):
        ceiling = min(10, 2 ** (n - 1))
        assert ceiling / 2 <= d <= ceiling
    assert policy.delay(1, rng, server_hint=42) == 42


async def test_a_send_discarded_elsewhere_mid_upload_is_never_posted(
    make_outbox: Any, store: Store, tmp_path: Path
) -> None:
    """Another instance (or the agent in another window) discards the entry while this one is
    uploading its file: the check right before the POST stops it."""
    entry_ids: list[int] = []

    def plan(request: Any) -> str | None:
        if request.method == "PUT" and entry_ids:
            assert store.resolve(entry_ids[0]) is not None  # discarded while the bytes go up
        return None

    outbox, transport = make_outbox(plan)
    conv = await find(outbox.client, "webchat")
    photo = make_png(tmp_path / "late.png")
    entry = await outbox.submit(conv.id, Draft(text="Never mind", attachments=[photo]), "Never mind")
    entry_ids.append(entry.id)
    await outbox.wait_idle()
    assert store.get(entry.id).state == "discarded"  # type: ignore[union-attr]
    assert posts(transport) == 0
    assert await texts(outbox.client, conv.id, "Never mind") == 0
    await outbox.client.aclose()


def test_a_lapsed_lease_taken_over_stops_the_old_holder_before_its_post(store: Store) -> None:
    entry = store.enqueue("sandbox", 1, {"text": "x"}, "x")
    assert store.claim(entry.id, "a") is not None
    # "a" stalls past its lease (a suspended laptop, a long wait); "b" takes the entry over.
    assert store.claim(entry.id, "b", now=time.time() + LEASE_SECONDS + 1) is not None
    assert not store.begin_post(entry.id, "a")  # "a" wakes up: it must not post
    assert store.begin_post(entry.id, "b")
    assert store.resolve(entry.id) is None  # being posted: cannot be discarded now
    assert store.update(entry.id, owner="a", state="failed") is None


async def test_an_unexpected_error_fails_the_entry_once_instead_of_retrying_it(
    make_outbox: Any, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug is not a network hiccup: trying it again cannot help, so it fails at once, with
    its one sentence, and nothing is posted."""
    import tui.core.outbox as outbox_module

    calls = 0

    async def broken(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        raise RuntimeError("a bug")

    monkeypatch.setattr(outbox_module, "prepare", broken)
    outbox, transport = make_outbox()
    conv = await find(outbox.client, "webchat")
    entry = await outbox.submit(conv.id, Draft(text="hits a bug"), "hits a bug")
    await outbox.wait_idle()
    final = store.get(entry.id)
    assert final is not None and final.state == "failed" and final.attempts == 1
    assert final.reason == "An unexpected error stopped this send (RuntimeError: a bug)."
    assert calls == 1 and posts(transport) == 0
    await outbox.client.aclose()


async def test_connection_back_sends_a_waiting_send_at_once_and_only_once(sandbox: Any, store: Store) -> None:
    """Unreachable, the send waits out a long backoff; when the connection comes back it goes
    at once, once. A 429's own delay is not cut short."""
    import asyncio

    down = {"on": True}
    transport = FaultyTransport(lambda r: "refuse" if is_send(r) and down["on"] else None)
    client = ApiClient(sandbox_profile(sandbox), transport=transport)
    slow = RetryPolicy(base=60.0, cap=60.0, max_attempts=5)
    outbox = Outbox(store, client, "sandbox", retry=slow, rng=random.Random(1))
    conv = await find(client, "webchat")
    entry = await outbox.submit(conv.id, Draft(text="Back online"), "Back online")
    for _ in range(200):
        if posts(transport) == 1 and store.get(entry.id).next_attempt_at > 0:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.01)
    assert store.get(entry.id).state == "queued"  # type: ignore[union-attr]
    down["on"] = False
    started = time.monotonic()
    assert outbox.connection_back() == 1
    await asyncio.wait_for(outbox.wait_idle(), timeout=5)
    assert time.monotonic() - started < 5 and store.get(entry.id).state == "sent"  # type: ignore[union-attr]
    assert posts(transport) == 2 and await texts(client, conv.id, "Back online") == 1
    assert outbox.connection_back() == 0  # nothing waits any more
    await outbox.aclose()
    await client.aclose()
