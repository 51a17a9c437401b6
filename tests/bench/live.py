"""Rows 8 and 9: live updates, read off the app's pty.

Row 8, push latency: the app (Maria's key) has conversation 1 open on a standalone sandbox
(`switchboard sandbox` in its own process); another agent (Tom's key) writes a note into it over
REST, and the figure is from just before that POST to the frame that shows the note. Beside it,
in the same run, the POST's own round trip (the floor any client pays to learn of a change).

Row 9, restart: the sandbox is killed (SIGKILL) under the running app, three customer messages
are written into its file meanwhile (as the backend's inbound path would), and it is started
again on the same port. The figure is from the restarted server's first line to the frame that
shows all three; each must be on screen exactly once, and nothing already shown doubled.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from tests.bench.common import (
    SWITCHBOARD,
    Home,
    RunningSandbox,
    log,
    median,
    p95,
    start_sandbox,
    stop_sandbox,
    temp_home,
)
from tests.bench.pty_harness import PtyApp

CONVERSATION = 1  # WhatsApp, window open; a reply first makes it the newest: the first row
NOTE_PATH = "/conversation-messages-transform-outgoing-whatsapp"


def _note(http: httpx.Client, text: str, kind: str = "note") -> None:
    r = http.post(
        NOTE_PATH, json={"conversation_id": CONVERSATION, "message_text": text, "message_type": kind}
    )
    r.raise_for_status()


def _count(app: PtyApp, needle: str) -> int:
    return sum(line.count(needle) for line in app.text)


def _open_live(app: PtyApp) -> None:
    app.wait_for(lambda a: a.contains("conversation") or a.contains("WA "), what="first rows")
    app.wait_for(lambda a: any(re.match(r"^ WA\s", line) for line in a.text[3:]), what="rows")
    time.sleep(0.3)
    app.write("\r")  # the first row: conversation 1, the newest
    app.wait_for(lambda a: f"conversation {CONVERSATION}" in a.text[0], what="conversation 1 open")
    app.wait_for(lambda a: "live" in a.text[0], timeout=30, what="the title bar saying live")


def _write_while_down(data: Path, texts: list[str]) -> None:
    from tui.sandbox.activity import customer_writes
    from tui.sandbox.state import Sandbox

    sb = Sandbox(data, time.time, {})
    try:
        for text in texts:
            customer_writes(sb, CONVERSATION, text)
    finally:
        sb.store.close()


def _pushes(app: PtyApp, http: httpx.Client, count: int, warmup: int, out: dict[str, list[float]]) -> None:
    for i in range(warmup + count):
        text = f"push-{i:04d}"
        t0 = time.perf_counter()
        _note(http, text)
        t_post = time.perf_counter()
        t_shown = app.wait_for(lambda a, t=text: a.contains(t), timeout=10, what=text)
        if i >= warmup:
            out["post"].append(t_post - t0)
            out["push"].append(max(t_shown - t0, 0.0))
        app.settle(0.05, 0.5)
    push, post = out["push"], out["post"]
    log(
        f"  live: push p50 {median(push) * 1e3:.0f} ms p95 {p95(push) * 1e3:.0f} ms; "
        f"the POST alone p50 {median(post) * 1e3:.0f} ms"
    )


def _restart(
    app: PtyApp, server: RunningSandbox, home: Home, r: int, shown: list[str]
) -> tuple[RunningSandbox, float, int]:
    """Kill, write three messages into the file, start again; (server, figure, doubled)."""
    data = home.root / "sandbox-data"
    port = int(server.base_url.rsplit(":", 1)[1])
    stop_sandbox(server.proc, kill=True)
    texts = [f"gap-{r}-{k}" for k in range(3)]
    _write_while_down(data, texts)
    server = start_sandbox(data, home, port)
    app.wait_for(lambda a: all(a.contains(t) for t in texts), timeout=30, what="the missed messages")
    figure = app.last_read_at - server.ready_at
    app.settle(0.5, 2.0)
    doubled = sum(max(_count(app, t) - 1, 0) for t in [*texts, *shown])
    log(f"  restart {r + 1}: all three shown {figure * 1e3:.0f} ms after it was back; doubled: {doubled}")
    return server, figure, doubled


def run(runs: int, warmup: int = 1) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"push": [], "post": [], "restart": [], "restart_doubled": []}
    sends = max(10, runs * 5)
    with temp_home() as home:
        server = start_sandbox(home.root / "sandbox-data", home)
        try:
            home.write_profile(server)
            tom = server.keys.get("Tom Becker") or next(iter(server.keys.values()))
            with httpx.Client(base_url=server.base_url, headers={"x-api-key": tom}, timeout=30) as http:
                _note(http, "bench: top of the list", "text")  # a reply moves it up; a note would not
                with PtyApp([SWITCHBOARD], home.env) as app:
                    _open_live(app)
                    _pushes(app, http, sends, warmup, out)
                    shown = [f"push-{i:04d}" for i in range(warmup + sends)]
                    for r in range(runs):
                        server, figure, doubled = _restart(app, server, home, r, shown)
                        out["restart"].append(figure)
                        out["restart_doubled"].append(float(doubled))
        finally:
            stop_sandbox(server.proc)
    return out
