"""Soak: 500 sends (text and attachments) through the outbox while the sandbox fails a third of
all requests: 5xx and 429 answers, connections dropped before and after handling.

Checked from the sandbox's own records: every message is delivered exactly once, or shown failed
or unconfirmed; none is lost silently; no automatic retry ever created a duplicate.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import all_conversations, make_png, sandbox_profile, window_of
from tui.core.client import ApiClient
from tui.core.drafts import Draft
from tui.core.outbox import Outbox, RetryPolicy
from tui.core.store import Store
from tui.sandbox.faults import Faults
from tui.sandbox.runner import start_in_thread

SENDS = 500
FAULTS = {
    "fail_rate": 0.20,  # 500, 503 (retry delay), 429 (retry delay), nothing done
    "fail_status": (500, 503, 429),
    "drop_before": 0.07,  # connection closed, nothing done
    "drop_after": 0.06,  # the message is stored, the answer never comes
    "retry_after": 0.02,
    "fault_seed": 20261125,
}


@pytest.fixture
def faulty_sandbox(tmp_path: Path) -> Iterator[Any]:
    running = start_in_thread(tmp_path / "sandbox", faults=Faults())
    try:
        yield running
    finally:
        running.stop()


async def test_soak_500_sends_through_a_third_of_requests_failing(
    faulty_sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = make_png(tmp_path / "photo.png", 20_000)
    async with ApiClient(sandbox_profile(faulty_sandbox)) as client:
        targets = [
            c
            for c in await all_conversations(client)
            if c.channel in ("webchat", "sms", "playground")
            or (c.channel in ("whatsapp", "instagram", "messenger") and window_of(c) == "open")
        ]
        assert len(targets) >= 10
        faulty_sandbox.set_faults(**FAULTS)
        store = Store(tmp_path / "state" / "store.sqlite3")
        outbox = Outbox(
            store,
            client,
            "soak",
            retry=RetryPolicy(base=0.005, cap=0.05, max_attempts=12),
            rng=random.Random(5),
            concurrency=6,
        )
        rng = random.Random(11)
        started = time.monotonic()
        entries = []
        for i in range(SENDS):
            conv = rng.choice(targets)
            text = f"soak {i:03d} · conversation {conv.id}"
            files = [photo] if i % 8 == 0 and conv.channel in ("whatsapp", "webchat", "playground") else []
            entries.append(await outbox.submit(conv.id, Draft(text=text, attachments=files), text))
        await asyncio.wait_for(outbox.wait_idle(), timeout=240)
        elapsed = time.monotonic() - started
        stats = faulty_sandbox.fault_stats()
        faulty_sandbox.set_faults(Faults())

    records = faulty_sandbox.message_counts()
    outcome: Counter[str] = Counter()
    lost, duplicated, wrong = [], [], []
    for entry in entries:
        final = store.get(entry.id)
        assert final is not None
        delivered = records.get((entry.conversation_id, entry.preview), 0)
        outcome[final.state] += 1
        if delivered > 1:
            duplicated.append(entry.preview)
        if final.state == "sent" and delivered != 1:
            lost.append(entry.preview)
        elif final.state == "failed" and delivered != 0:
            wrong.append(f"{entry.preview}: shown failed but delivered")
        elif final.state == "unconfirmed":
            assert final.reason, "an unconfirmed message must say why"
        elif final.state not in ("sent", "failed", "unconfirmed"):
            lost.append(f"{entry.preview}: left {final.state}")
    with_files = sum(1 for e in entries if e.draft.get("attachments"))
    injected = stats["requests"] - stats.get("passed", 0)
    with capsys.disabled():
        print(
            f"\nsoak: {SENDS} sends ({with_files} with a file) in {elapsed:.1f} s; "
            f"{stats['requests']} requests, {injected} faulted ({injected / stats['requests']:.0%}); "
            f"sent {outcome['sent']}, unconfirmed {outcome['unconfirmed']}, failed {outcome['failed']}; "
            f"lost {len(lost)}, duplicated {len(duplicated)}"
        )
    assert injected / stats["requests"] > 0.28  # the faults really hit about a third of requests
    assert not lost and not duplicated and not wrong, (lost, duplicated, wrong)
    assert outcome["sent"] > SENDS * 0.6  # automatic retries carried most of them through
