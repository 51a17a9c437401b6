"""`switchboard sandbox` run for real (`python -m tui sandbox ...`): its fault flags on the wire,
its refusals as one sentence with an exit code, and a quiet stderr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tui.sandbox.faults import HOSTILE_PREFIX, HOSTILE_SUFFIX
from tui.sandbox.seed import HANDY_IDS

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
    assert sent.status_code == 201 and isinstance(sent.json()["id"], int)  # POST is spared
    code, stderr = command.finish()
    assert code in (0, 130) and stderr == ""
