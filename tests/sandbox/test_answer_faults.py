"""The answer faults on the wire: trickled bodies, hostile ids and names, odd bodies, errors that
echo the API key; each restricted like the other faults, seen by httpx over loopback."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from typing import Any

import httpx
import pytest

from tui.sandbox.faults import HOSTILE_PREFIX, HOSTILE_SUFFIX, NESTED_DEPTH, Faults
from tui.sandbox.runner import RunningSandbox
from tui.sandbox.seed import HANDY_IDS

CID = HANDY_IDS["webchat"]
SEND = "/conversation-messages-transform-outgoing-webchat"
# What a terminal must never receive raw: OSC 52, CSI, C1 CSI, DEL, RLO (as UTF-8 on the wire;
# JSON itself escapes C0 controls such as ESC and BEL as \u001b and \u0007).
RAW_ON_THE_WIRE = (b"\\u001b]52;c;", b"\\u001b[31m", "\u009b".encode(), b"\x7f", "\u202e".encode())


def body(text: str) -> dict[str, Any]:
    return {"conversation_id": CID, "message_text": text, "message_type": "text"}


def api(running: RunningSandbox, **kw: Any) -> httpx.Client:
    return httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}, **kw)


# -- trickle ---------------------------------------------------------------------------------------


def test_a_trickled_answer_never_trips_a_per_read_timeout(start: Any) -> None:
    running = start(trickle_bytes_per_s=400, fault_methods=["GET"])
    per_read = 0.3
    with api(running, timeout=per_read) as client:
        began = time.monotonic()
        with client.stream("GET", "/conversations/1") as answer:
            pieces = list(answer.iter_raw())
        took = time.monotonic() - began
        sent = client.post(SEND, json=body("not trickled"))  # POST is spared
    whole = b"".join(pieces)
    assert answer.status_code == 200 and json.loads(whole)["id"] == 1
    assert int(answer.headers["content-length"]) == len(whole)
    # 40 bytes every 0.1 s: the body came in many pieces, over longer than the per-read timeout
    assert len(pieces) > 1 and max(len(p) for p in pieces) < len(whole)
    assert took > per_read and len(whole) > 400 * per_read
    assert sent.status_code == 201
    assert running.fault_stats()["trickled"] == 1


def test_stopping_ends_a_trickle_in_flight(start: Any) -> None:
    """At 1 byte/s the answer would take minutes; stop() sends the rest and the server ends."""
    running = start(trickle_bytes_per_s=1)
    host, port = running.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        request = f"GET /conversations/1 HTTP/1.1\r\nHost: x\r\nx-api-key: {running.api_key}\r\n\r\n"
        sock.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data:  # the headers come at once
            data += sock.recv(65536)
        stopper = threading.Thread(target=running.stop)
        stopper.start()
        stopper.join(30)  # stop() itself gives up on its server thread after 10 s
        head, rest = data.split(b"\r\n\r\n", 1)
        length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))[15:])
        sock.setblocking(False)  # the server has ended: what it sent is all here already
        with contextlib.suppress(BlockingIOError):
            while len(rest) < length and (chunk := sock.recv(65536)):
                rest += chunk
    assert not stopper.is_alive() and not running._thread.is_alive()
    assert json.loads(rest)["id"] == 1


# -- hostile ids and names -------------------------------------------------------------------------


def hostile(value: Any) -> str:
    return f"{HOSTILE_PREFIX}{value}{HOSTILE_SUFFIX}"


def test_hostile_ids_names_and_statuses(start: Any) -> None:
    running = start(hostile_ids=True)
    with api(running) as client:
        created = client.post(SEND, json=body("hostile id"))
        conversation = client.get("/conversations/1")
        missing = client.get("/conversations/999999")
        running.set_faults(Faults())
        plain = client.get("/conversation-messages-webchat", params={"conversation_id": CID, "$limit": 1})
    assert created.status_code == 201
    real_id = plain.json()["data"][0]["_id"]
    assert created.json()["_id"] == hostile(real_id) and created.json()["message_text"] == "hostile id"
    assert created.json()["status"] == hostile("sent")
    assert created.json()["sender_name"] == hostile("Maria Silva")  # the default key's agent
    for raw in RAW_ON_THE_WIRE:
        assert raw in created.content
    doc = conversation.json()
    assert doc["id"] == 1 and doc["status"] == hostile("open")
    assert doc["contact"]["first_name"].startswith(HOSTILE_PREFIX)
    assert missing.status_code == 404 and missing.json()["name"] == hostile("NotFound")
    assert missing.json()["message"].startswith(HOSTILE_PREFIX)
    assert plain.json()["data"][0]["status"] == "sent"  # what is stored stays clean
    assert running.fault_stats()["hostile"] == 3


def test_hostile_ids_only_where_asked(start: Any) -> None:
    running = start(hostile_ids=True, fault_paths=["/conversation-messages-*"])
    with api(running) as client:
        created = client.post(SEND, json=body("scoped"))
        conversation = client.get("/conversations/1")
    assert created.json()["_id"].startswith(HOSTILE_PREFIX)
    assert conversation.json()["status"] == "open"


# -- odd bodies ------------------------------------------------------------------------------------


def test_nested_bodies(start: Any) -> None:
    running = start(odd_bodies="nested", fault_methods=["GET"])
    with api(running) as client:
        answer = client.get("/conversations/1")
        sent = client.post(SEND, json=body("plain"))
    text = answer.text
    head, _, nested = text.partition(',"nested":')
    assert answer.status_code == 200 and json.loads(head + "}")["id"] == 1
    assert nested == "[" * NESTED_DEPTH + "]" * NESTED_DEPTH + "}"
    with pytest.raises(RecursionError):
        json.loads(text)
    assert sent.status_code == 201 and "nested" not in sent.json()


def test_out_of_range_timestamps(start: Any) -> None:
    running = start(odd_bodies="range")
    with api(running) as client:
        conversation = client.get("/conversations/1")
        messages = client.get("/conversation-messages-whatsapp", params={"conversation_id": 1, "$limit": 2})
    doc = conversation.json()
    assert doc["last_message_at"] == 1e300 and doc["last_inbound_message_at"] == "9999-12-31T23:59:59.999Z"
    assert b"1e+300" in conversation.content
    created = [m["created_at"] for m in messages.json()["data"]]
    assert created == [1e300, "9999-12-31T23:59:59.999Z"]
    assert running.fault_stats()["odd_range"] == 2


# -- errors that echo the key ----------------------------------------------------------------------


def test_errors_echo_the_key_in_field_names_and_data(start: Any) -> None:
    running = start(echo_key_errors=True)
    key = running.api_key
    with api(running) as client:
        missing = client.get("/conversations/999999")
        invalid = client.post(SEND, json={"conversation_id": CID})
        fine = client.get("/conversations/1")
    with httpx.Client(base_url=running.base_url) as anonymous:
        bearer = anonymous.get("/conversations/999999", headers={"Authorization": f"Bearer {key}"})
        wrong = anonymous.get("/conversations/1", headers={"x-api-key": "sbx_not_the_key"})
    for answer in (missing, invalid, bearer):
        error = answer.json()
        assert error["errors"][f"key={key}"] == "echoes the API key"
        assert error["data"]["echo"] == {"request": {"headers": {"x-api-key": key}}}
    assert invalid.status_code == 422 and invalid.json()["errors"]["message_type"] == "is required"
    assert wrong.status_code == 401 and "key=sbx_not_the_key" in wrong.json()["errors"]
    assert fine.status_code == 200 and key not in fine.text
    assert running.fault_stats()["echoed_key"] == 4


def test_injected_errors_echo_the_key_too_and_only_where_asked(start: Any) -> None:
    running = start(echo_key_errors=True, fail_rate=1.0, fail_status=(429,), fault_methods=["POST"])
    with api(running) as client:
        limited = client.post(SEND, json=body("limited"))
        missing = client.get("/conversations/999999")  # GET is spared
    assert limited.status_code == 429 and f"key={running.api_key}" in limited.json()["errors"]
    assert limited.json()["data"]["retryAfter"] == 1
    assert missing.status_code == 404 and missing.json()["errors"] == {}
