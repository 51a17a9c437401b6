"""Faults on demand: each fault of the sandbox, over a real loopback port, seen by httpx."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.faults import Faults, parse_latency, parse_rate_limit, parse_share, parse_statuses
from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed import HANDY_IDS
from tui.sandbox.store import message_counts

from .commands import WAIT

CID = HANDY_IDS["webchat"]
SEND = "/conversation-messages-transform-outgoing-webchat"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def body(text: str) -> dict[str, Any]:
    return {"conversation_id": CID, "message_text": text, "message_type": "text"}


@pytest.fixture
def uvicorn_errors() -> Iterator[list[logging.LogRecord]]:
    """What uvicorn logs at WARNING or above while the test runs (it must stay quiet)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


async def client(running: RunningSandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=running.base_url, headers={"x-api-key": running.api_key}, timeout=WAIT)


# -- nothing changes without faults ----------------------------------------------------------------


def test_without_faults_nothing_is_installed(start: Any) -> None:
    running = start()
    assert running._injector is None and running._server.config.http == "auto"
    assert running.faults is None and running.fault_stats() == {}
    with pytest.raises(RuntimeError):
        running.set_faults(fail_rate=0.5)


def raw_get(running: RunningSandbox, path: str) -> bytes:
    """One request over a plain socket: the answer's bytes, Date header left out."""
    host, port = running.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=WAIT) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nx-api-key: {running.api_key}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, rest = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        length = int(
            next(line for line in lines if line.lower().startswith(b"content-length")).split(b":")[1]
        )
        while len(rest) < length:
            rest += sock.recv(65536)
    return b"\r\n".join(line for line in lines if not line.lower().startswith(b"date:")) + b"\r\n\r\n" + rest


def test_idle_injector_changes_no_byte(tmp_path: Path) -> None:
    """Even installed (`faults=Faults()`), faults that are all off leave every answer as it was."""
    answers = []
    for faults in (None, Faults()):
        running = start_in_thread(tmp_path / "same", clock=lambda: 1_800_000_000.0, faults=faults)
        try:
            answers.append([raw_get(running, p) for p in ("/conversations/1", "/conversations/999", "/nope")])
        finally:
            running.stop()
    assert answers[0] == answers[1] and b"200 OK" in answers[0][0]


# -- failures --------------------------------------------------------------------------------------


async def test_fail_share_codes_and_no_effect(start: Any) -> None:
    running = start(fail_rate=0.4, fail_status=(500, 503, 429), fault_seed=11, retry_after=2)
    outcomes: dict[str, httpx.Response] = {}
    async with await client(running) as api:
        for i in range(80):
            text = f"fail-share-{i}"
            outcomes[text] = await api.post(SEND, json=body(text))
    statuses = Counter(r.status_code for r in outcomes.values())
    failed = {t: r for t, r in outcomes.items() if r.status_code != 201}
    assert set(statuses) <= {201, 500, 503, 429} and {500, 503, 429} <= set(statuses)
    assert 0.25 <= len(failed) / len(outcomes) <= 0.55, statuses
    counts = running.message_counts(conversation_id=CID)
    for text, response in outcomes.items():
        assert counts.get((CID, text), 0) == (1 if response.status_code == 201 else 0), text
    for response in failed.values():
        error = response.json()
        assert set(error) == {"name", "message", "code", "className", "data", "errors"}
        assert error["code"] == response.status_code
        if response.status_code in (429, 503):
            assert error["data"]["retryAfter"] == 2 and response.headers["retry-after"] == "2"
        else:
            assert error["name"] == "GeneralError" and "retry-after" not in response.headers
    names = {r.status_code: r.json()["name"] for r in failed.values()}
    assert names[429] == "TooManyRequests" and names[503] == "Unavailable"
    stats = running.fault_stats()
    assert stats["requests"] == 80 and stats["passed"] == statuses[201]
    assert sum(n for k, n in stats.items() if k.startswith("fail_")) == len(failed)


async def test_storage_put_fails_like_s3_and_stores_nothing(start: Any) -> None:
    running = start(fail_rate=1.0, fail_status=(503,), fault_paths=["/_storage/*"], retry_after=0.5)
    async with await client(running) as api:
        signed = (
            await api.post(
                "/s3-url-signing",
                json={
                    "file_name": "a.png",
                    "file_type": "image/png",
                    "conversation_id": CID,
                    "organization_id": 1,
                },
            )
        ).json()
        async with httpx.AsyncClient() as storage:
            put = await storage.put(signed["url"], content=PNG, headers={"Content-Type": "image/png"})
        register = await api.post(
            "/conversation-files",
            json={
                "conversation_id": CID,
                "organization_id": 1,
                "file_name": "a.png",
                "file_type": "image/png",
                "file_size": len(PNG),
                "s3_key": signed["s3PathWithoutBucket"],
                "s3_path": signed["s3Path"],
                "file_category": "image",
            },
        )
    assert put.status_code == 503 and "<Code>SlowDown</Code>" in put.text
    assert put.headers["retry-after"] == "1" and put.headers["content-type"] == "application/xml"
    assert register.status_code == 422 and "s3_key" in register.json()["errors"]  # nothing was stored


# -- dropped connections ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "error"), [("close", httpx.RemoteProtocolError), ("reset", httpx.ReadError)]
)
async def test_drop_before_no_answer_no_effect(
    start: Any, style: str, error: type[Exception], uvicorn_errors: list[logging.LogRecord]
) -> None:
    running = start(drop_before=1.0, drop_style=style, fault_methods=["POST"])
    async with await client(running) as api:
        with pytest.raises(error):
            await api.post(SEND, json=body(f"drop-before-{style}"))
        # the next request on the same client gets a fresh connection and works (GET is spared)
        listed = await api.get("/conversation-messages-webchat", params={"conversation_id": CID})
    assert listed.status_code == 200
    assert running.count_messages(f"drop-before-{style}") == {}
    assert running.fault_stats() == {"requests": 1, "drop_before": 1}
    assert uvicorn_errors == []


@pytest.mark.parametrize(
    ("style", "error"), [("close", httpx.RemoteProtocolError), ("reset", httpx.ReadError)]
)
async def test_drop_after_no_answer_but_effect(
    start: Any, style: str, error: type[Exception], uvicorn_errors: list[logging.LogRecord]
) -> None:
    running = start(
        drop_after=1.0, drop_style=style, fault_paths=["/conversation-messages-*"], fault_methods=["POST"]
    )
    async with await client(running) as api:
        with pytest.raises(error):
            await api.post(SEND, json=body(f"drop-after-{style}"))
        latest = (
            await api.get("/conversation-messages-webchat", params={"conversation_id": CID, "$limit": 1})
        ).json()
    assert latest["data"][0]["message_text"] == f"drop-after-{style}"
    assert running.count_messages(f"drop-after-{style}") == {CID: 1}
    assert uvicorn_errors == []


async def test_drop_before_a_streamed_upload(start: Any) -> None:
    running = start(drop_before=1.0, fault_paths=["/_storage/*"])
    async with await client(running) as api:
        signed = (
            await api.post(
                "/s3-url-signing",
                json={
                    "file_name": "b.png",
                    "file_type": "image/png",
                    "conversation_id": CID,
                    "organization_id": 1,
                },
            )
        ).json()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield PNG

    async with httpx.AsyncClient() as storage:
        with pytest.raises(httpx.TransportError):
            await storage.put(
                signed["url"],
                content=chunks(),
                headers={"Content-Type": "image/png", "Content-Length": str(64 * len(PNG))},
            )
    assert not (running.data_dir / "objects").joinpath(signed["s3PathWithoutBucket"]).exists()


async def test_mixed_faults_concurrently_account_exactly(start: Any) -> None:
    """Under concurrency, each request's fate is known: created iff it passed or was dropped after."""
    running = start(
        drop_before=0.2,
        fail_rate=0.2,
        drop_after=0.2,
        fault_seed=5,
        fault_methods=["POST"],
        latency_ms=(0, 20),
    )
    texts = [f"mixed-{i}" for i in range(60)]
    async with await client(running) as api:

        async def one(text: str) -> str:
            try:
                response = await api.post(SEND, json=body(text))
            except httpx.TransportError:
                return "dropped"
            return str(response.status_code)

        seen = dict(zip(texts, await asyncio.gather(*(one(t) for t in texts)), strict=True))
    counts = running.message_counts(conversation_id=CID)
    stats = running.fault_stats()
    created = [t for t in texts if counts.get((CID, t), 0)]
    assert all(counts.get((CID, t), 0) <= 1 for t in texts)
    assert len(created) == stats["passed"] + stats["drop_after"]
    assert all(seen[t] in ("201", "dropped") for t in created)
    assert all(seen[t] != "201" for t in texts if t not in created)
    assert Counter(seen.values())["dropped"] == stats["drop_before"] + stats["drop_after"]
    assert stats["drop_before"] and stats["drop_after"] and stats["passed"]


# -- latency and the rate limit --------------------------------------------------------------------


async def test_latency(start: Any) -> None:
    """A delayed answer cannot come sooner than its latency: a client that waits less per read
    times out; the spared requests are not delayed (not even subject)."""
    running = start(latency_ms=1500, fault_methods=["GET"])
    async with await client(running) as api:
        assert (await api.post(SEND, json=body("spared"))).status_code == 201
        with pytest.raises(httpx.ReadTimeout):
            await api.get("/conversations/1", timeout=0.2)
        slow = await api.get("/conversations/1", timeout=WAIT)
    assert slow.status_code == 200
    assert running.fault_stats()["delayed"] == 2
    assert [(m, outcome) for m, _, outcome in running.fault_events()] == [("GET", "passed")] * 2


async def test_rate_limit(start: Any) -> None:
    now = [1000.0]
    running = start(rate_limit=(3, 0.5), fault_clock=lambda: now[0])
    async with await client(running) as api:
        first = [await api.post(SEND, json=body(f"rl-{i}")) for i in range(3)]
        over = await api.post(SEND, json=body("rl-over"))
        now[0] += 0.5  # the window has slid past the first three
        again = await api.post(SEND, json=body("rl-again"))
    assert [r.status_code for r in first] == [201, 201, 201]
    assert over.status_code == 429 and over.headers["retry-after"] == "1"
    assert over.json() == {
        "name": "TooManyRequests",
        "message": "Rate limit exceeded",
        "code": 429,
        "className": "too-many-requests",
        "data": {"limit": 3, "current": 4, "window": 0.5, "retryAfter": 1},
        "errors": {},
    }
    assert again.status_code == 201
    assert running.count_messages("rl-over") == {} and running.count_messages("rl-again") == {CID: 1}


# -- scope, seed, runtime changes ------------------------------------------------------------------


async def test_scope_by_method_and_path_and_media_spared(start: Any) -> None:
    running = start(
        fail_rate=1.0, fail_status=(500,), fault_methods=["POST"], fault_paths=["/conversation-*"]
    )
    async with await client(running) as api:
        get = await api.get("/conversations/1")
        sign = await api.post(
            "/s3-url-signing",
            json={
                "file_name": "c.png",
                "file_type": "image/png",
                "conversation_id": CID,
                "organization_id": 1,
            },
        )
        send = await api.post(SEND, json=body("scoped"))
    assert (get.status_code, sign.status_code, send.status_code) == (200, 200, 500)
    assert Faults(fail_rate=1).applies("GET", "/media/x.png") is False
    assert Faults(fail_rate=1).applies("GET", "/conversations") is True


async def test_seed_reproduces_the_run(start: Any) -> None:
    runs = []
    for _ in range(2):
        running = start(fail_rate=0.5, fault_seed=42)
        async with await client(running) as api:
            runs.append([(await api.get("/conversations/1")).status_code for _ in range(20)])
    assert runs[0] == runs[1] and len(set(runs[0])) > 1


async def test_set_faults_at_runtime(start: Any) -> None:
    running = start(faults=Faults())
    async with await client(running) as api:
        assert (await api.get("/conversations/1")).status_code == 200
        running.set_faults(fail_rate=1.0, fail_status=(502,))
        assert (await api.get("/conversations/1")).status_code == 502
        running.set_faults(Faults())
        assert (await api.get("/conversations/1")).status_code == 200
    assert running.faults == Faults()


def test_invalid_faults_are_refused() -> None:
    for bad in (
        {"fail_rate": 1.5},
        {"fail_rate": 0.6, "drop_after": 0.6},
        {"fail_status": (200,)},
        {"drop_style": "explode"},
        {"rate_limit": (0, 1)},
        {"latency_ms": (50, 10)},
    ):
        with pytest.raises(ValueError):
            Faults(**bad)


def test_parsers() -> None:
    assert parse_share("33%") == pytest.approx(0.33) and parse_share("0.5") == 0.5
    assert parse_latency("50") == 50 and parse_latency("20-80") == (20, 80)
    assert parse_statuses("500, 503,429") == (500, 503, 429)
    assert parse_rate_limit("1000/h") == (1000, 3600) and parse_rate_limit("5/1s") == (5, 1)
    assert parse_rate_limit("60/min") == (60, 60) and parse_rate_limit("3/0.5") == (3, 0.5)
    with pytest.raises(ValueError):
        parse_rate_limit("fast")


# -- the records, and the CLI ----------------------------------------------------------------------


async def test_counts_from_the_file_after_stop(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "sb")
    async with await client(running) as api:
        for text in ("twice", "twice", "once"):
            assert (await api.post(SEND, json=body(text))).status_code == 201
    running.stop()
    counts = message_counts(tmp_path / "sb" / "sandbox.db", conversation_id=CID)
    assert counts[(CID, "twice")] == 2 and counts[(CID, "once")] == 1
    assert running.count_messages("twice") == {CID: 2}


@pytest.mark.parametrize(
    "flags",
    [
        ["--fail-rate", "2"],
        ["--rate-limit", "lots"],
        ["--fail-rate", ".7", "--drop-after", ".7"],
        ["--trickle", "-5"],
        ["--odd-bodies", "deep"],
    ],
)
def test_cli_refuses_bad_fault_flags(tmp_path: Path, flags: list[str]) -> None:
    from tui.cli import main

    assert main(["sandbox", "--data", str(tmp_path), "--port", "0", *flags]) == 2


def test_cli_sandbox_serves_faults(tmp_path: Path, sandbox_command: Any) -> None:
    command = sandbox_command(
        "--data", str(tmp_path / "cli"), "--port", "0",
        "--fail-rate", "100%", "--fail-status", "503", "--fault-methods", "GET", "--fault-seed", "3",
    )  # fmt: skip
    seen = command.announcement()
    assert seen["faults"] == "Faults on GET: fail 100% with 503 (seed 3)"
    with httpx.Client(base_url=seen["base_url"], headers={"x-api-key": seen["api_key"]}) as api:
        answer = api.get("/conversations/1", timeout=WAIT)
    assert answer.status_code == 503 and answer.json()["data"]["retryAfter"] == 1
    assert command.finish()[1] == ""
