"""The live feed alone (no app, no screen): how long a change takes from a REST send to the
feed's `on_event`, and from a restarted sandbox to the feed's `on_resync`.

    .venv/bin/python -m tests.bench.live_feed [--sends 50] [--restarts 5]

Push latency: a sandbox in this process's thread (loopback); Maria's feed listens while Tom
Becker, with his own key, sends `sends` replies over REST one after another; each figure is from
just before the POST to the `message_created` of that reply reaching `on_event`. Beside it, the
POST's own round trip, the floor any client pays to learn of a change. Restart: the sandbox is
stopped and started again on its port; the figure is from `start_in_thread` returning to
`on_resync` (the feed's backoff is capped at 0.5 s on loopback).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.common import median, p95
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.live import LiveFeed, LiveState

TOM = 11


def _profile(base_url: str, key: str) -> ResolvedProfile:
    return ResolvedProfile(
        name="bench",
        base_url=base_url,
        organization_id=1,
        api_key=Secret(key),
        auth="x-api-key",
        media_base_url=base_url + "/media",
        timeout_seconds=10.0,
        paths=Paths(),
        limits={},
    )


async def _until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the bench's condition did not hold in 30 s")
        await asyncio.sleep(0.001)


async def _measure(data: Path, sends: int, restarts: int) -> dict[str, list[float]]:
    from tui.sandbox.runner import start_in_thread

    sandbox = await asyncio.to_thread(start_in_thread, data_dir=data)
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    arrived: dict[str, float] = {}
    resyncs: list[float] = []

    def on_event(event: Any) -> None:
        if event.kind == "message_created" and event.message is not None:
            arrived.setdefault(event.message.message_text or "", time.perf_counter())

    feed = LiveFeed(
        _profile(sandbox.base_url, sandbox.api_key),
        on_event=on_event,
        on_state=lambda state, reason: None,
        on_resync=lambda: resyncs.append(time.perf_counter()),
    )
    push: list[float] = []
    post: list[float] = []
    back: list[float] = []
    try:
        await feed.start()
        await _until(lambda: feed.state is LiveState.LIVE)
        async with ApiClient(_profile(sandbox.base_url, sandbox.agent(TOM).api_key)) as tom:
            for i in range(sends + 3):  # the first three warm the connection and are not counted
                text = f"bench reply {i}"
                start = time.perf_counter()
                await tom.post_message(
                    tom.paths.whatsapp, {"conversation_id": 1, "message_text": text, "message_type": "text"}
                )
                posted = time.perf_counter()
                await _until(lambda text=text: text in arrived)
                if i >= 3:
                    push.append(arrived[text] - start)
                    post.append(posted - start)
        for _ in range(restarts):
            count = len(resyncs)
            await asyncio.to_thread(sandbox.stop)
            await _until(lambda: feed.state is not LiveState.LIVE)
            sandbox = await asyncio.to_thread(start_in_thread, data_dir=data, port=port)
            ready = time.perf_counter()
            await _until(lambda count=count: len(resyncs) > count)
            back.append(resyncs[-1] - ready)
    finally:
        await feed.stop()
        await asyncio.to_thread(sandbox.stop)
    return {"push": push, "post": post, "restart": back}


def bench_live_feed(sends: int = 50, restarts: int = 5) -> dict[str, list[float]]:
    """Seconds per sample: `push` (POST to on_event), `post` (the POST alone), `restart`
    (sandbox serving again to on_resync)."""
    with tempfile.TemporaryDirectory(prefix="switchboard-bench-live-") as tmp:
        return asyncio.run(_measure(Path(tmp) / "sandbox", sends, restarts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=50)
    parser.add_argument("--restarts", type=int, default=5)
    args = parser.parse_args()
    result = bench_live_feed(args.sends, args.restarts)
    for name in ("push", "post", "restart"):
        values = result[name]
        if values:
            print(
                f"{name:8} n={len(values):3}  p50 {median(values) * 1e3:7.1f} ms  "
                f"p95 {p95(values) * 1e3:7.1f} ms  max {max(values) * 1e3:7.1f} ms"
            )


if __name__ == "__main__":
    main()
