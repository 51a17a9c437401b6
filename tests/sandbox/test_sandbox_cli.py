"""`switchboard sandbox` run for real (`python -m tui sandbox ...`): its fault flags on the wire,
its refusals as one sentence with an exit code, and a quiet stderr."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.faults import HOSTILE_PREFIX, HOSTILE_SUFFIX
from tui.sandbox.seed import HANDY_IDS

from .commands import WAIT, run_sandbox_command

SEND = "/conversation-messages-transform-outgoing-webchat"


def test_answer_fault_flags_on_the_wire(tmp_path: Path, sandbox_command: Any) -> None:
    command = sandbox_command(
        "--data", str(tmp_path), "--port", "0",
        "--hostile-ids", "--echo-key-errors", "--odd-bodies", "range", "--trickle", "2000",
        "--fault-methods", "GET",
    )  # fmt: skip
    seen = command.announcement()
    assert seen["faults"] == (
        "Faults on GET: answers trickle at 2000 bytes/s; hostile ids, names and statuses; "
        "odd bodies (range); 4xx errors echo the API key"
    )
    key = seen["api_key"]
    with httpx.Client(base_url=seen["base_url"], headers={"x-api-key": key}, timeout=10) as api:
        with api.stream("GET", "/conversations/1") as answer:
            pieces = list(answer.iter_raw())
        missing = api.get("/conversations/999999")
        sent = api.post(SEND, json={"conversation_id": HANDY_IDS["webchat"], "message_text": "hi",
                                    "message_type": "text"})  # fmt: skip
    doc = json.loads(b"".join(pieces))
    assert len(pieces) > 1 and doc["status"] == f"{HOSTILE_PREFIX}open{HOSTILE_SUFFIX}"
    assert doc["last_message_at"] == 1e300 and doc["last_inbound_message_at"].startswith("9999-")
    assert missing.status_code == 404 and f"key={key}" in missing.json()["errors"]
    assert sent.status_code == 201 and len(sent.json()["_id"]) == 24  # POST is spared: a plain ObjectId
    code, stderr = command.finish()
    assert code in (0, 130) and stderr == ""


# -- refusals: one sentence and an exit code ---------------------------------------------------------


def refused(*args: str) -> tuple[int, str]:
    """Run a `switchboard sandbox` that must refuse to start: its exit code and its one line."""
    done = run_sandbox_command(*args)
    lines = done.stderr.strip().splitlines()
    assert done.stdout == "" and len(lines) == 1, done.stderr
    assert "Unexpected error" not in done.stderr and "Traceback" not in done.stderr
    return done.returncode, lines[0]


def test_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, line = refused("--data", str(tmp_path), "--port", str(port))
    assert code == 1
    assert line == (
        f"Port {port} on 127.0.0.1 is already in use; stop what listens there or choose another "
        "port with --port (0 picks a free one)."
    )


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "http"])
def test_a_port_out_of_range(tmp_path: Path, port: str) -> None:
    code, line = refused("--data", str(tmp_path), f"--port={port}")
    assert code == 2 and "--port" in line and "0-65535" in line, line


def test_an_unknown_host(tmp_path: Path) -> None:
    code, line = refused("--data", str(tmp_path), "--port", "0", "--host", "nosuch.invalid")
    assert code == 2
    assert line.startswith("--host nosuch.invalid is not a name this machine can resolve;"), line


def test_a_host_that_is_not_this_machine(tmp_path: Path) -> None:
    code, line = refused("--data", str(tmp_path), "--port", "0", "--host", "192.0.2.1")
    assert code == 2
    assert line.startswith("--host 192.0.2.1 is not an address of this machine;"), line


def test_data_naming_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("not a folder")
    code, line = refused("--data", str(afile), "--port", "0")
    assert code == 2 and line.startswith(f"--data {afile} is a file, not a folder;"), line
    code, line = refused("--data", str(afile / "inside"), "--port", "0")
    assert code == 2 and line.startswith(f"--data {afile / 'inside'} is inside a file"), line
    assert afile.read_text() == "not a folder"


def test_a_database_that_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "sandbox.db").write_bytes(b"this is not SQLite" * 100)
    code, line = refused("--data", str(tmp_path), "--port", "0")
    assert code == 1 and line.startswith(f"{tmp_path / 'sandbox.db'} is not a sandbox database"), line


# -- a quiet stderr ------------------------------------------------------------------------------------


def test_a_client_giving_up_on_a_slow_request_leaves_stderr_quiet(
    tmp_path: Path, sandbox_command: Any
) -> None:
    command = sandbox_command("--data", str(tmp_path), "--port", "0", "--latency", "1000")
    seen = command.announcement()
    send = {"conversation_id": HANDY_IDS["webchat"], "message_text": "given up", "message_type": "text"}
    headers = {"x-api-key": seen["api_key"]}
    with httpx.Client(base_url=seen["base_url"], headers=headers) as api:
        with pytest.raises(httpx.ReadTimeout):  # 0.2 s per read against 1 s of latency
            api.post(SEND, json=send, timeout=0.2)
        # Started after the first, with the same latency: when it is answered, the first one's
        # handler has run and met the closed connection.
        assert api.get("/conversations/1", timeout=WAIT).status_code == 200
    code, stderr = command.finish()
    assert stderr == "" and code in (0, 130)
