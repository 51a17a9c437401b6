"""The AI, automation, block and delete commands through the real command against a sandbox:
handoff, ai-assistants, ai-auto, ai-cut, block, unblock, automations, automate and
delete-message; each with --json, and each refusal (400, 403, 404) as one sentence."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.conftest import store
from tests.cli.test_cli import one_sentence, run
from tests.cli.test_queue_cli import as_json, conversation, ok
from tests.cli.test_usage_cli import failed_json
from tui.sandbox.seed import HANDY_IDS

WEBCHAT = HANDY_IDS["webchat"]  # an AI (Ava, "asst_support") holds it
MINE = HANDY_IDS["whatsapp_open_ending"]  # Maria Silva's (7)


def executions(sandbox: Any) -> list[Any]:
    return list(store(sandbox).query("SELECT * FROM automation_executions ORDER BY id"))


def test_ai_assistants_lists_the_organizations_conversation_assistants(local: dict[str, str]) -> None:
    out = ok("ai-assistants", env=local)
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME"]
    assert lines[1].split(None, 1) == ["asst_support", "Ava (returns)"]
    assert lines[2].split(None, 1) == ["42", "Orbit (billing)"]
    assert "Echo" not in out and "Nova" not in out  # a voice assistant; another organization's
    assert lines[-1].startswith("(2 AI assistants;")
    assert as_json("ai-assistants", env=local) == [
        {"id": "asst_support", "name": "Ava (returns)"},
        {"id": 42, "name": "Orbit (billing)"},
    ]


def test_handoff_to_a_numeric_and_a_string_id(local: dict[str, str]) -> None:
    assert ok("handoff", str(MINE), "--ai", "42", env=local) == (
        f"Conversation {MINE} handed to the AI assistant 42; user 7 stays assigned.\n"
    )
    held = conversation(MINE, local)
    assert held["assigned_ai_assistant_id"] == 42 and held["assigned_user_id"] == 7
    out = as_json("handoff", str(MINE), "--ai", "asst_support", "--unassign-human", env=local)
    assert out["ok"] is True and out["action"] == "handoff"
    assert out["conversation"]["assigned_ai_assistant_id"] == "asst_support"
    assert out["conversation"]["assigned_user_id"] is None
    assert ok("handoff", str(MINE), "--ai", "42", "--unassign-human", env=local) == (
        f"Conversation {MINE} handed to the AI assistant 42; no agent holds it now.\n"
    )


def test_handoff_refusals_are_one_sentence(local: dict[str, str]) -> None:
    unknown = failed_json(run("handoff", str(MINE), "--ai", "901", "--json", env=local), 7)
    assert unknown["status"] == 400 and "assigned_ai_assistant_id" in unknown["errors"]
    assert "assigned_ai_assistant_id: must be null or an AI assistant of organization 1" in unknown["message"]
    missing = one_sentence(run("handoff", "99999", "--ai", "42", env=local))
    assert "404" in missing and "99999" in missing
    usage = run("handoff", str(MINE), env=local)
    assert usage.returncode == 2 and "--ai" in one_sentence(usage)


def test_ai_auto_off_says_who_and_on_clears_it(local: dict[str, str]) -> None:
    assert ok("ai-auto", str(WEBCHAT), "off", env=local) == (
        f"AI auto-assignment turned off for conversation {WEBCHAT} (Turned off by Maria Silva).\n"
    )
    held = conversation(WEBCHAT, local)
    assert held["ai_auto_assignment_disabled"] is True
    assert held["ai_auto_assignment_disabled_reason"] == "Turned off by Maria Silva"
    out = as_json("ai-auto", str(WEBCHAT), "off", "--reason", "Refund dispute", env=local)
    assert out["conversation"]["ai_auto_assignment_disabled_reason"] == "Refund dispute"
    out = as_json("ai-auto", str(WEBCHAT), "ON", env=local)
    assert out["action"] == "ai-auto-on"
    assert out["conversation"]["ai_auto_assignment_disabled"] is False
    assert out["conversation"]["ai_auto_assignment_disabled_reason"] is None
    bad = run("ai-auto", str(WEBCHAT), "maybe", env=local)
    assert bad.returncode == 2 and "takes on or off, not 'maybe'" in one_sentence(bad)


def test_ai_cut_sets_the_context_start(local: dict[str, str]) -> None:
    said = ok("ai-cut", str(WEBCHAT), env=local)
    assert said.startswith(f"Conversation {WEBCHAT}: AI context cut at ")
    assert said.endswith("; the AI assistant forgets what came before.\n")
    cut = conversation(WEBCHAT, local)["ai_context_cut"]
    assert isinstance(cut, str) and cut.endswith("Z")
    assert as_json("ai-cut", str(WEBCHAT), env=local)["conversation"]["ai_context_cut"] >= cut


def test_block_and_unblock(local: dict[str, str]) -> None:
    assert ok("block", str(MINE), env=local) == f"Conversation {MINE} blocked.\n"
    assert conversation(MINE, local)["blocked"] is True
    out = as_json("unblock", str(MINE), env=local)
    assert out["action"] == "unblock" and out["conversation"]["blocked"] is False
    other = failed_json(run("block", "99999", "--json", env=local), 7)
    assert other["status"] == 404


def test_another_organizations_conversation_is_403_in_one_sentence(
    local: dict[str, str], sandbox: Any
) -> None:
    store(sandbox).execute("UPDATE conversations SET organization_id = 2 WHERE id = ?", (MINE,))
    refused = failed_json(run("block", str(MINE), "--json", env=local), 5)
    assert refused["status"] == 403 and "not allowed" in refused["message"]


def test_automations_and_a_run(local: dict[str, str], sandbox: Any) -> None:
    lines = ok("automations", env=local).splitlines()
    assert [line.split(None, 1)[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert "Send the returns label" in lines[1] and lines[-1].startswith("(3 automations;")
    assert [row["id"] for row in as_json("automations", env=local)] == [1, 2, 3]
    said = ok("automate", str(MINE), "--id", "1", env=local)
    assert said == f"Automation 1 started on conversation {MINE} (execution 1).\n"
    out = as_json("automate", str(MINE), "--id", "3", env=local)
    assert out["ok"] is True and out["automation_id"] == 3
    assert out["execution"]["id"] == 2 and out["execution"]["status"] == "queued"
    stored = executions(sandbox)
    payload = json.loads(stored[-1]["initial_payload"])
    assert payload["conversation"]["id"] == MINE and payload["contact"]["id"] is not None
    times = [m["created_at"] for m in payload["messages"]]
    assert times and times == sorted(times)  # oldest first


def test_automate_refusals(local: dict[str, str], sandbox: Any) -> None:
    unknown = failed_json(run("automate", str(MINE), "--id", "9", "--json", env=local), 7)
    assert unknown["status"] == 400 and "automation_id" in unknown["errors"]
    missing = failed_json(run("automate", "99999", "--id", "1", "--json", env=local), 7)
    assert missing["status"] == 404
    store(sandbox).execute("UPDATE conversations SET channel = 'carrier-pigeon' WHERE id = ?", (MINE,))
    odd = failed_json(run("automate", str(MINE), "--id", "1", "--json", env=local), 4)
    assert odd["reason"] == "no_message_service" and "'carrier-pigeon'" in odd["message"]
    assert executions(sandbox) == []


def _message_ids(cid: int, env: dict[str, str]) -> list[dict[str, Any]]:
    return list(as_json("show", str(cid), "--limit", "50", env=env)["messages"])


def test_delete_message_then_it_shows_deleted(local: dict[str, str]) -> None:
    messages = _message_ids(MINE, local)
    outbound = next(m for m in messages if m["direction"] == "outbound" and not m.get("deleted_at"))
    mid = str(outbound["id"])
    assert (
        ok("delete-message", str(MINE), mid, env=local) == f"Message {mid} of conversation {MINE} deleted.\n"
    )
    again = as_json("delete-message", str(MINE), mid, env=local)
    assert again["already_deleted"] is True and again["message"]["deleted_at"]
    shown = next(m for m in _message_ids(MINE, local) if str(m["id"]) == mid)
    assert shown["deleted_at"]


def test_delete_message_refusals(local: dict[str, str]) -> None:
    messages = _message_ids(MINE, local)
    inbound = str(next(m for m in messages if m["direction"] == "inbound")["id"])
    refused = failed_json(run("delete-message", str(MINE), inbound, "--json", env=local), 4)
    assert refused["status"] == 403 and refused["reason"] == "delete_forbidden"
    assert refused["message"] == (
        f"Message {inbound} was not deleted: your role or the WhatsApp channel does not allow "
        "deleting it (403: Customer messages cannot be deleted)."
    )
    other = failed_json(run("delete-message", str(WEBCHAT), inbound, "--json", env=local), 7)
    assert other["status"] == 404 and f"Conversation {WEBCHAT} has no message" in other["message"]
