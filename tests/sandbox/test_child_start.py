"""The child sandbox's start: the file opened and the socket listening before the web stack loads,
the first page served without the send modules (pydantic among them), which load on demand or
in the warm-up after the first answer, and a connection made before serving starts answered."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tui.core.models import iso
from tui.sandbox.runner import start_in_thread
from tui.sandbox.sockets import listen
from tui.sandbox.state import Sandbox
from tui.sandbox.store import _ts

WAIT = 30.0


def run_python(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_what_comes_before_the_handshake_loads_no_web_stack(tmp_path: Path) -> None:
    seen = run_python(
        f"""
        import json, sys, time
        from pathlib import Path
        from tui.sandbox.sockets import listen
        from tui.sandbox.state import Sandbox
        sandbox = Sandbox(Path({str(tmp_path / "data")!r}), time.time, {{}})
        sock = listen()
        heavy = ("uvicorn", "starlette", "pydantic", "httpx", "asyncio")
        loaded = [m for m in heavy if m in sys.modules]
        print(json.dumps({{"loaded": loaded, "key": sandbox.default_agent.api_key}}))
        sock.close()
        sandbox.store.close()
        """
    )
    assert seen["loaded"] == []
    assert str(seen["key"]).startswith("sbx_")


def test_the_first_page_needs_no_send_modules_which_load_on_demand_or_after(tmp_path: Path) -> None:
    seen = run_python(
        f"""
        import json, sys, time
        from pathlib import Path
        import httpx
        from tui.sandbox.runner import start_in_thread
        running = start_in_thread(Path({str(tmp_path / "data")!r}))
        out = {{}}
        try:
            with httpx.Client(base_url=running.base_url, headers={{"x-api-key": running.api_key}}) as api:
                out["list"] = api.get("/conversations", params={{"organization_id": 1}}).status_code
                out["after_list"] = [m for m in ("pydantic", "tui.sandbox.sends") if m in sys.modules]
                deadline = time.monotonic() + {WAIT}
                lazy = ("tui.sandbox.sends", "tui.sandbox.uploads")
                while not all(m in sys.modules for m in lazy) and time.monotonic() < deadline:
                    time.sleep(0.02)
                out["warmed"] = all(m in sys.modules for m in lazy)
                sent = api.post(
                    "/conversation-messages-transform-outgoing-webchat",
                    json={{"conversation_id": 19, "message_text": "warm", "message_type": "text"}},
                )
                out["send"] = sent.status_code
        finally:
            running.stop()
        print(json.dumps(out))
        """
    )
    assert seen == {"list": 200, "after_list": [], "warmed": True, "send": 201}


def test_a_send_before_any_warm_up_loads_its_module_on_demand(tmp_path: Path) -> None:
    seen = run_python(
        f"""
        import json, sys
        from pathlib import Path
        import httpx
        from tui.sandbox.runner import start_in_thread
        running = start_in_thread(Path({str(tmp_path / "data")!r}))
        try:
            with httpx.Client(base_url=running.base_url, headers={{"x-api-key": running.api_key}}) as api:
                before = "tui.sandbox.sends" in sys.modules
                sent = api.post(
                    "/conversation-messages-transform-outgoing-webchat",
                    json={{"conversation_id": 19, "message_text": "first thing", "message_type": "text"}},
                )
        finally:
            running.stop()
        who = sent.json().get("sender_name")
        print(json.dumps({{"before": before, "send": sent.status_code, "who": who}}))
        """
    )
    assert seen == {"before": False, "send": 201, "who": "Maria Silva"}


def test_a_request_made_before_serving_starts_is_answered(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "data", time.time, {})
    sock = listen()
    port = sock.getsockname()[1]
    early = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"x-api-key": sandbox.default_agent.api_key}
    )
    # The connection is made now, while nothing serves: it waits in the socket's backlog.
    raw = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    key = sandbox.default_agent.api_key
    head = (
        f"GET /conversations?organization_id=1&$limit=1 HTTP/1.1\r\nHost: x\r\nx-api-key: {key}\r\n"
        "Connection: close"
    )
    raw.sendall(f"{head}\r\n\r\n".encode())
    running = start_in_thread(sandbox.data_dir, sandbox=sandbox, sock=sock)
    try:
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["total"] == 30
        assert early.get("/users/me").json()["id"] == 7
        assert running.base_url == f"http://127.0.0.1:{port}"
    finally:
        raw.close()
        early.close()
        running.stop()


def test_the_child_says_its_user_id(tmp_path: Path) -> None:
    from tui.sandbox_process import start_sandbox_process

    process = start_sandbox_process(str(tmp_path / "data"))
    try:
        address = process.wait_ready()
        assert address.user_id == 7
        with httpx.Client(base_url=address.base_url, headers={"x-api-key": address.api_key}) as api:
            assert api.get("/users/me").json()["id"] == 7
    finally:
        process.stop()


def test_timestamps_are_written_as_the_client_writes_them() -> None:
    for at in (0.0, 1_764_000_000.0, 1_764_000_000.9996, 1_764_000_123.0405):
        assert _ts(at) == iso(datetime.fromtimestamp(at, tz=UTC))
    assert _ts(None) is None


def test_listed_conversations_carry_the_same_contact_as_one_read(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "data")
    try:
        with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
            listed = api.get("/conversations", params={"organization_id": 1, "$limit": 50}).json()["data"]
            for conversation in listed:
                one = api.get(f"/conversations/{conversation['id']}").json()
                assert conversation == one
    finally:
        running.stop()
