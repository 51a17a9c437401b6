"""Several outboxes on one store, crashes and quits, over real loopback HTTP: a crashed instance's
send is unconfirmed at the next start, two instances never post one entry twice, a lease is kept
through a long upload, quitting is bounded by its grace, and every change reaches `on_change`.

Nothing here waits a fixed time: requests are held at gates the test opens, and outcomes are
polled for with a generous timeout."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CountingTransport, find, make_png, sandbox_profile
from tui.core.client import ApiClient
from tui.core.drafts import Draft
from tui.core.http import httpx
from tui.core.outbox import Outbox, RetryPolicy
from tui.core.store import QUIT_MID_POST, STOPPED_MID_POST, OutboxEntry, Store

FAST = RetryPolicy(base=0.01, cap=0.05, max_attempts=5)
POSTS = "/conversation-messages-"
REPO = Path(__file__).resolve().parents[2]


def is_send(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.startswith(POSTS)


async def until(check: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    """Poll for an outcome; the timeout only stops a test that would otherwise hang."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.01)


class Gate:
    """Holds matching requests until opened; `after=True` holds the answer of a request the
    server already handled (the body went out, the answer has not come back)."""

    def __init__(self, match: Callable[[httpx.Request], bool], *, after: bool = False, times: int = 1):
        self.match, self.after, self.left = match, after, times
        self.opened = asyncio.Event()
        self.waiting = 0

    async def hold(self) -> None:
        self.waiting += 1
        try:
            await self.opened.wait()
        finally:
            self.waiting -= 1


class GatedTransport(CountingTransport):
    def __init__(self, refuse: Callable[[httpx.Request], bool] = lambda r: False) -> None:
        super().__init__()
        self.gates: list[Gate] = []
        self.refuse = refuse

    def gate(self, match: Callable[[httpx.Request], bool], **kw: Any) -> Gate:
        gate = Gate(match, **kw)
        self.gates.append(gate)
        return gate

    def _gate_for(self, request: httpx.Request, after: bool) -> Gate | None:
        for gate in self.gates:
            if gate.after == after and gate.left > 0 and gate.match(request):
                gate.left -= 1
                return gate
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        before = self._gate_for(request, after=False)
        if before is not None:
            await before.hold()
        if self.refuse(request):
            self.requests.append(request)
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        response = await super().handle_async_request(request)
        after = self._gate_for(request, after=True)
        if after is not None:
            try:
                await response.aread()
                await after.hold()
            except BaseException:
                await response.aclose()
                raise
        return response

    def posts(self) -> int:
        return sum(1 for r in self.requests if is_send(r))


class Heard:
    """What `on_change` was told, by entry id."""

    def __init__(self) -> None:
        self.states: dict[int, list[str]] = {}

    def __call__(self, entry: OutboxEntry, created: list[Any]) -> None:
        self.states.setdefault(entry.id, []).append(entry.state)


@pytest.fixture
async def opened(sandbox: Any, tmp_path: Path) -> Any:
    """make(store=None, **outbox options) -> (outbox, transport, heard); all closed afterwards."""
    made: list[tuple[Outbox, Store | None, GatedTransport]] = []

    def make(store: Store | None = None, refuse: Any = lambda r: False, **kw: Any) -> Any:
        own = store is None
        store = store or Store(tmp_path / "state" / "store.sqlite3")
        transport = GatedTransport(refuse)
        heard = Heard()
        client = ApiClient(sandbox_profile(sandbox), transport=transport)
        kw.setdefault("retry", FAST)
        outbox = Outbox(store, client, "sandbox", rng=random.Random(1), on_change=heard, **kw)
        made.append((outbox, store if own else None, transport))
        return outbox, transport, heard

    yield make
    for outbox, store, transport in made:
        for gate in transport.gates:
            gate.opened.set()
        await outbox.aclose(grace=0)
        await outbox.client.aclose()
        if store is not None:
            store.close()


async def texts(client: ApiClient, conversation_id: int, text: str) -> int:
    page = await client.list_messages(conversation_id)
    return sum(1 for m in page.data if m.message_text == text)


CRASHING_INSTANCE = """
import sys, time
from pathlib import Path
from tui.core.store import Store

store = Store(Path(sys.argv[1]))
store.heartbeat("crashed-instance", "sandbox")
conv = int(sys.argv[2])
sending = store.enqueue("sandbox", conv, {"text": "mid-POST when killed"}, "mid-POST when killed")
store.claim(sending.id, "crashed-instance")
assert store.begin_post(sending.id, "crashed-instance")
queued = store.enqueue("sandbox", conv, {"text": "queued when killed"}, "queued when killed")
store.claim(queued.id, "crashed-instance")
print(sending.id, queued.id, flush=True)
time.sleep(3600)
"""


async def test_a_send_left_mid_post_by_a_killed_instance_is_unconfirmed_at_the_next_start(
    opened: Any, tmp_path: Path
) -> None:
    """kill -9 while a POST is on the wire, then start again: the send is unconfirmed at once
    (its lease has 60 s to run), the screen hears it, it is never resent; what the dead instance
    had queued goes out now."""
    outbox, transport, heard = opened()
    conv = await find(outbox.client, "webchat")
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_INSTANCE, str(outbox.store.path), str(conv.id)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        sending_id, queued_id = map(int, child.stdout.readline().split())
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert outbox.store.get(sending_id).state == "sending"  # type: ignore[union-attr]

    unresolved = await outbox.start()
    after = outbox.store.get(sending_id)
    assert after is not None and after.state == "unconfirmed" and after.reason == STOPPED_MID_POST
    assert heard.states[sending_id] == ["unconfirmed"]  # the open screen is told, not only F2
    assert sending_id in {e.id for e in unresolved}
    await outbox.wait_idle()
    assert outbox.store.get(queued_id).state == "sent"  # type: ignore[union-attr]
    assert transport.posts() == 1  # the queued one; the one mid-POST is never resent
    assert await texts(outbox.client, conv.id, "mid-POST when killed") == 0
    assert [i.owner for i in outbox.store.instances("sandbox")] == [outbox.owner]


async def test_a_live_instances_send_is_left_alone(opened: Any) -> None:
    a, a_transport, _ = opened()
    b, _, b_heard = opened(store=a.store)
    await a.start()
    conv = await find(a.client, "webchat")
    held = a_transport.gate(is_send, after=True)
    entry = await a.submit(conv.id, Draft(text="Still going"), "Still going")
    await until(lambda: held.waiting == 1, "the POST is on the wire")
    await b.start()  # another instance starts while the first is mid-POST
    assert a.store.get(entry.id).state == "sending"  # type: ignore[union-attr]
    assert entry.id not in b_heard.states
    held.opened.set()
    await a.wait_idle()
    assert a.store.get(entry.id).state == "sent"  # type: ignore[union-attr]


async def test_two_outboxes_racing_for_the_same_entries_post_each_exactly_once(
    opened: Any, tmp_path: Path
) -> None:
    path = tmp_path / "shared.sqlite3"
    stores = [Store(path), Store(path)]
    try:
        (a, a_transport, _), (b, b_transport, _) = opened(store=stores[0]), opened(store=stores[1])
        conv = await find(a.client, "webchat")
        words = [f"Raced {i}" for i in range(6)]
        ids = [stores[0].enqueue("sandbox", conv.id, {"text": w}, w).id for w in words]
        await asyncio.gather(a.start(), b.start())  # both find every entry queued
        await asyncio.gather(a.wait_idle(), b.wait_idle())
        assert [stores[1].get(i).state for i in ids] == ["sent"] * 6  # type: ignore[union-attr]
        assert a_transport.posts() + b_transport.posts() == 6
        for w in words:
            assert await texts(a.client, conv.id, w) == 1
    finally:
        for store in stores:
            store.close()


async def test_a_long_upload_keeps_its_lease(opened: Any, tmp_path: Path) -> None:
    """The lease is renewed while the upload runs, so another instance cannot take the entry once
    the first lease would have lapsed; the send goes out once."""
    path = tmp_path / "lease.sqlite3"
    stores = [Store(path, lease_seconds=0.3), Store(path, lease_seconds=0.3)]
    try:
        a, transport, _ = opened(store=stores[0])
        conv = await find(a.client, "webchat")
        held = transport.gate(lambda r: r.method == "PUT")
        photo = make_png(tmp_path / "big.png")
        entry = await a.submit(conv.id, Draft(text="Slow upload", attachments=[photo]), "Slow upload")
        await until(lambda: held.waiting == 1, "the upload is under way")
        first = lease_until(stores[1], entry.id)
        await until(lambda: lease_until(stores[1], entry.id) > first + 0.05, "the lease is renewed")
        # At a moment past the first lease and within the renewed one, another instance is refused.
        assert stores[1].claim(entry.id, "other", now=first + 0.01) is None
        held.opened.set()
        await a.wait_idle()
        assert stores[1].get(entry.id).state == "sent"  # type: ignore[union-attr]
        assert transport.posts() == 1
    finally:
        for store in stores:
            store.close()


def lease_until(store: Store, entry_id: int) -> float:
    return float(store._db.execute("SELECT lease_until FROM outbox WHERE id=?", (entry_id,)).fetchone()[0])


async def test_a_retry_asked_during_a_backoff_goes_at_once(opened: Any) -> None:
    refused = iter([True])
    outbox, transport, heard = opened(
        refuse=lambda r: is_send(r) and next(refused, False),
        retry=RetryPolicy(base=3600, cap=3600, max_attempts=5),
    )
    conv = await find(outbox.client, "sms")
    entry = await outbox.submit(conv.id, Draft(text="Not in an hour"), "Not in an hour")
    await until(lambda: "Retrying in" in (outbox.store.get(entry.id).reason or ""), "a backoff")  # type: ignore[union-attr]
    await outbox.retry_now(entry.id)
    await until(lambda: outbox.store.get(entry.id).state == "sent", "the retry went out")  # type: ignore[union-attr]
    assert transport.posts() == 2
    assert heard.states[entry.id][-1] == "sent"


async def test_a_retry_asked_while_a_try_runs_is_kept(opened: Any) -> None:
    """Asked while the first try still reads the conversation: that try's refusal then ends in
    a backoff of an hour, which the retry cuts short."""
    refused = iter([True])
    outbox, transport, _ = opened(
        refuse=lambda r: is_send(r) and next(refused, False),
        retry=RetryPolicy(base=3600, cap=3600, max_attempts=5),
    )
    conv = await find(outbox.client, "sms")
    outbox.client.cache.forget()  # the try reads the conversation (not the list's fresh copy)
    reading = transport.gate(lambda r: r.method == "GET" and r.url.path.endswith(f"/{conv.id}"))
    entry = await outbox.submit(conv.id, Draft(text="Asked mid-try"), "Asked mid-try")
    await until(lambda: reading.waiting == 1, "the try is reading the conversation")
    await outbox.retry_now(entry.id)
    reading.opened.set()
    await until(lambda: outbox.store.get(entry.id).state == "sent", "the retry went out")  # type: ignore[union-attr]
    assert transport.posts() == 2


async def test_quitting_gives_a_slow_post_its_grace(opened: Any) -> None:
    outbox, transport, _ = opened()
    await outbox.start()
    conv = await find(outbox.client, "webchat")
    held = transport.gate(is_send, after=True)
    entry = await outbox.submit(conv.id, Draft(text="Answer comes late"), "Answer comes late")
    await until(lambda: held.waiting == 1, "the POST is on the wire")
    closing = asyncio.create_task(outbox.aclose(grace=120))
    await until(lambda: outbox._closed, "the quit began")
    assert not closing.done()  # waiting for the answer
    held.opened.set()
    await asyncio.wait_for(closing, 60)
    assert outbox.store.get(entry.id).state == "sent"  # type: ignore[union-attr]
    assert outbox.store.instances("sandbox") == []  # a clean quit unregisters


async def test_quitting_cuts_a_stuck_post_at_its_grace_and_it_is_never_resent(
    opened: Any,
) -> None:
    outbox, transport, heard = opened()
    await outbox.start()
    conv = await find(outbox.client, "webchat")
    transport.gate(is_send, after=True)  # never opened: the answer never comes
    entry = await outbox.submit(conv.id, Draft(text="Answer never comes"), "Answer never comes")
    await until(lambda: transport.posts() == 1, "the POST is on the wire")
    await asyncio.wait_for(outbox.aclose(grace=0.2), 30)  # the guard only stops a hang
    cut = outbox.store.get(entry.id)
    assert cut is not None and cut.state == "unconfirmed" and cut.reason == QUIT_MID_POST
    assert heard.states[entry.id][-1] == "unconfirmed"

    again, again_transport, _ = opened(store=outbox.store)
    unresolved = await again.start()
    await again.wait_idle()
    assert [e.state for e in unresolved if e.id == entry.id] == ["unconfirmed"]
    assert again_transport.posts() == 0
    assert await texts(again.client, conv.id, "Answer never comes") == 1  # the server had it


async def test_the_sweep_reports_every_change_it_makes(opened: Any) -> None:
    """An entry left mid-POST by an instance that never registered (an older version) is still
    found once its lease lapses, and the change is heard."""
    outbox, _, heard = opened()
    store = outbox.store
    entry = store.enqueue("sandbox", 1, {"text": "old"}, "old")
    store.claim(entry.id, "unregistered", now=0)
    store.update(entry.id, state="sending")
    await outbox.sweep()
    assert heard.states[entry.id] == ["unconfirmed"]
    assert store.get(entry.id).state == "unconfirmed"  # type: ignore[union-attr]


async def test_submit_stores_the_client_id(opened: Any) -> None:
    outbox, transport, heard = opened()
    conv = await find(outbox.client, "webchat")
    entry = await outbox.submit(conv.id, Draft(text="Keyed"), "Keyed", client_id="press-42")
    twice = await outbox.submit(conv.id, Draft(text="Keyed"), "Keyed", client_id="press-42")
    await outbox.wait_idle()
    assert entry.client_id == "press-42" and twice.id == entry.id
    assert outbox.store.get(entry.id).client_id == "press-42"  # type: ignore[union-attr]
    assert transport.posts() == 1
    assert heard.states[entry.id][-1] == "sent"
