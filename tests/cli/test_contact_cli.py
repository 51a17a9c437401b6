"""`switchboard contact CONVERSATION_ID [--json]`: the contact's fields and conversations,
three requests, the server's text printed as data, a missing conversation one sentence."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.test_cli import one_sentence, run
from tests.cli.test_queue_cli import ok


def test_the_card_in_a_table_and_as_json(local: dict[str, str], sandbox: Any) -> None:
    sandbox.clear_requests()
    out = ok("contact", "24", env=local)  # Ana Lima's SMS conversation; she writes on WhatsApp too
    assert [r[:2] for r in sandbox.requests()] == [
        ("GET", "/conversations/24"),
        ("GET", "/contacts"),
        ("GET", "/conversations"),
    ]
    lines = out.splitlines()
    assert lines[0].split() == ["Name", "Ana", "Lima"]
    assert "+55 22021890 (BR)" in lines[1]
    assert any(line.split()[:2] == ["Owner", "Tom"] for line in lines)
    assert any(line.startswith("Customer tier") and line.endswith("Silver") for line in lines)
    rows = [line.split() for line in lines if line[:1].isdigit()]
    assert {r[0] for r in rows} == {"1", "24"} and next(r for r in rows if r[0] == "24")[-2:] == [
        "this",
        "one",
    ]
    assert lines[-1] == "(2 conversations; open one with `switchboard show ID`)"
    doc = json.loads(ok("contact", "24", "--json", env=local))
    assert doc["contact"]["id"] == 1 and doc["contact"]["custom_fields_by_name"]["Customer tier"] == "Silver"
    assert doc["contact"]["owner"]["first_name"] == "Tom" and doc["total"] == 2
    times = [c["last_interaction_at"] for c in doc["conversations"]]
    assert times == sorted(times, reverse=True)  # newest interaction first
    assert {c["id"] for c in doc["conversations"]} == {1, 24}


def test_a_conversation_that_does_not_exist_is_one_sentence(local: dict[str, str]) -> None:
    proc = run("contact", "9999", env=local)
    assert "9999" in one_sentence(proc)
