"""The work queue through the real command against a sandbox: read, unread, close, reopen,
takeover, assign, users, the queue views of `conversations`, and `send --if-last`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import point_at, store
from tests.cli.test_cli import one_sentence, run
from tests.cli.test_usage_cli import failed_json
from tests.helpers import make_png
from tui.core.models import Conversation
from tui.core.queue import has_ai
from tui.sandbox.seed import HANDY_IDS

WEBCHAT = HANDY_IDS["webchat"]


def ok(*args: str, env: dict[str, str]) -> str:
    proc = run(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def as_json(*args: str, env: dict[str, str]) -> Any:
    return json.loads(ok(*args, "--json", env=env))


def conversation(cid: int, env: dict[str, str]) -> dict[str, Any]:
    return dict(as_json("show", str(cid), "--limit", "1", env=env)["conversation"])


def every(env: dict[str, str], *extra: str) -> list[Conversation]:
    data = as_json("conversations", "--limit", "200", *extra, env=env)["data"]
    return [Conversation.model_validate(c) for c in data]


# -- one conversation at a time -------------------------------------------------------------------


def test_close_reopen_read_unread(local: dict[str, str]) -> None:
    cid = next(c.id for c in every(local, "--status", "open") if c.unread_count)
    assert ok("close", str(cid), env=local) == f"Conversation {cid} closed.\n"
    assert conversation(cid, local)["status"] == "closed"
    assert ok("reopen", str(cid), env=local) == f"Conversation {cid} reopened.\n"
    assert conversation(cid, local)["status"] == "open"
    assert ok("read", str(cid), env=local) == f"Conversation {cid} marked read.\n"
    assert conversation(cid, local)["unread_count"] == 0
    out = as_json("unread", str(cid), env=local)
    assert out["ok"] is True and out["action"] == "unread"
    assert out["conversation"]["id"] == cid and out["conversation"]["unread_count"] == 1
    assert conversation(cid, local)["unread_count"] == 1


def test_takeover_from_the_ai(local: dict[str, str]) -> None:
    held, other = [c for c in every(local, "--status", "open") if has_ai(c)][:2]
    out = as_json("takeover", str(held.id), env=local)["conversation"]
    stored = conversation(held.id, local)
    for c in (out, stored):
        assert c["assigned_ai_assistant_id"] is None
        assert c["ai_auto_assignment_disabled"] is True
        assert c["ai_auto_assignment_disabled_reason"] == "Taken over by Maria Silva"
        assert c["assigned_user_id"] == 7
    assert ok("takeover", str(other.id), env=local) == (
        f"Conversation {other.id} taken over from the AI assistant and assigned to you.\n"
    )
    assert run("takeover", str(held.id), env=local).returncode == 4  # the AI no longer holds it


def test_assign_to_me_an_agent_and_none(local: dict[str, str]) -> None:
    cid = WEBCHAT
    assert ok("assign", str(cid), "--to", "me", env=local) == f"Conversation {cid} assigned to you.\n"
    assert conversation(cid, local)["assigned_user_id"] == 7
    assert ok("assign", str(cid), "--to", "12", env=local) == f"Conversation {cid} assigned to user 12.\n"
    assert conversation(cid, local)["assigned_user_id"] == 12
    out = as_json("assign", str(cid), "--to", "none", env=local)
    assert out["action"] == "unassign" and out["conversation"]["assigned_user_id"] is None
    assert conversation(cid, local)["assigned_user_id"] is None


def test_assign_to_an_unknown_agent_is_the_servers_refusal(local: dict[str, str]) -> None:
    before = conversation(WEBCHAT, local)["assigned_user_id"]
    proc = run("assign", str(WEBCHAT), "--to", "999", env=local)
    assert proc.returncode == 7
    assert one_sentence(proc).startswith(
        f"The server rejected the update of conversation {WEBCHAT} (400): assigned_user_id: "
    )
    error = failed_json(run("assign", str(WEBCHAT), "--to", "999", "--json", env=local), 7)
    assert error["type"] == "InvalidRequestError" and "assigned_user_id" in error["errors"]
    assert conversation(WEBCHAT, local)["assigned_user_id"] == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["assign", "3", "--to", "bob"], "--to takes me, none or a user id, not 'bob'"),
        (["assign", "3", "--to", "0"], "--to takes me, none or a user id, not '0'"),
        (["assign", "3"], "he following arguments are required: --to"),
        (["close", "x"], "CONVERSATION_ID: expected a number, got 'x'"),
        (["takeover"], "he following arguments are required: CONVERSATION_ID"),
        (["conversations", "--mine", "--unassigned"], "--mine and --unassigned together can list nothing"),
        (["conversations", "--needs-reply", "--status", "closed"], "list open conversations only"),
        (["conversations", "--sort", "age"], "--sort takes window, not 'age'"),
    ],
)
def test_command_lines_that_mean_nothing_are_refused(
    local: dict[str, str], args: list[str], words: str
) -> None:
    error = failed_json(run(*args, "--json", env=local), 2)
    assert words in error["message"]


def test_an_unknown_conversation_is_not_found(local: dict[str, str]) -> None:
    proc = run("close", "99999", env=local)
    assert proc.returncode == 7 and "conversation 99999 was not found (404" in one_sentence(proc)


def test_a_trickled_patch_ends_at_the_timeout_and_says_try_again(faulty: Any) -> None:
    _, env = faulty(trickle_bytes_per_s=20, fault_methods=["PATCH"], profile="timeout_seconds = 2\n")
    error = failed_json(run("close", "3", "--json", env=env), 6)
    assert error["message"].endswith("try again.")


# -- who is who ---------------------------------------------------------------------------------


def test_users_lists_the_organizations_agents(sandbox: Any, local: dict[str, str]) -> None:
    out = ok("users", env=local)
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "EMAIL"]
    assert [line.split()[0] for line in lines[1:-1]] == ["7", "11", "12", "13"]
    assert "Tom Becker" in out and "Eve" not in out  # another organization's agent
    users = as_json("users", env=local)
    assert [u["id"] for u in users] == [7, 11, 12, 13]
    assert set(users[0]) == {"id", "first_name", "last_name", "email", "organization_id"}


def test_mine_is_the_keys_agent(sandbox: Any, isolated_home: Path, local: dict[str, str]) -> None:
    mine = as_json("conversations", "--mine", env=local)["data"]
    assert mine and {c["assigned_user_id"] for c in mine} == {7}
    assert {c["queue"]["assignee"] for c in mine} == {7}
    everything = every(local, "--status", "open")
    assert len(mine) == sum(1 for c in everything if c.assigned_user_id == 7)
    toms = point_at(isolated_home, sandbox)
    toms["SB_BAD_INPUT_KEY"] = sandbox.agent(11).api_key
    theirs = as_json("conversations", "--mine", env=toms)["data"]
    assert theirs and {c["assigned_user_id"] for c in theirs} == {11}


# -- the queue views ----------------------------------------------------------------------------


def test_needs_reply_is_the_servers_waiting_for_a_response(sandbox: Any, local: dict[str, str]) -> None:
    sandbox.agent_writes(HANDY_IDS["whatsapp_open"], "On it!")
    closed = next(c.id for c in every(local, "--status", "closed"))
    sandbox.customer_writes(closed, "Hello again?")  # reopens it
    listed = as_json("conversations", "--needs-reply", "--limit", "200", env=local)
    ids = [c["id"] for c in listed["data"]]
    assert ids and listed["total"] == len(ids)
    assert closed in ids and HANDY_IDS["whatsapp_open"] not in ids
    assert {c["status"] for c in listed["data"]} == {"open"}
    for cid in ids:  # the newest message that is not a note is the customer's
        messages = as_json("show", str(cid), "--limit", "50", env=local)["messages"]
        newest = next(m for m in reversed(messages) if m["message_type"] != "note")
        assert newest["direction"] == "inbound", cid
    table = ok("conversations", "--needs-reply", "--limit", "200", env=local).splitlines()
    assert table[0].split() == [
        "ID",
        "CHANNEL",
        "CONTACT",
        "STATUS",
        "UNREAD",
        "FROM",
        "ASSIGNEE",
        "WINDOW",
        "AGE",
        "LAST",
        "MESSAGE",
    ]
    assert [int(line.split()[0]) for line in table[1:-1]] == ids
    assert table[-1] == f"({len(ids)} of {len(ids)} conversations)"


def test_unassigned_has_neither_an_agent_nor_the_ai(local: dict[str, str]) -> None:
    data = as_json("conversations", "--unassigned", "--limit", "200", env=local)["data"]
    assert data
    for c in data:
        assert c["assigned_user_id"] is None and c["queue"]["assignee"] is None
        assert c["assigned_ai_assistant_id"] in (None, "")


def test_sort_window_puts_the_window_closing_soonest_first(local: dict[str, str]) -> None:
    out = as_json("conversations", "--sort", "window", "--limit", "200", env=local)
    data = out["data"]
    left = [c["queue"]["window_left_seconds"] for c in data]
    timed = [s for s in left if s is not None]
    assert len(timed) >= 3 and left[: len(timed)] == sorted(timed)  # open windows first, soonest first
    assert data[0]["id"] == HANDY_IDS["instagram_open_urgent"]  # 10 min left
    assert data[0]["queue"]["urgency"] == "urgent"
    rest = [c["last_interaction_at"] for c in data[len(timed) :]]
    assert rest == sorted(rest, reverse=True)
    assert set(out) == {"total", "skip", "limit", "data"}
    assert out["total"] == len(data)
    first = ok("conversations", "--needs-reply", "--sort", "window", "--limit", "50", env=local).splitlines()
    assert first[1].split()[0] == str(HANDY_IDS["instagram_open_urgent"]) and "m left" in first[1]


def test_views_combine_with_a_channel(local: dict[str, str]) -> None:
    data = as_json("conversations", "--needs-reply", "--channel", "whatsapp", env=local)["data"]
    assert data and {c["channel"] for c in data} == {"whatsapp"}


# -- send --if-last -------------------------------------------------------------------------------


def newest_id(cid: int, env: dict[str, str]) -> str:
    return str(as_json("show", str(cid), "--limit", "1", env=env)["messages"][-1]["id"])


def test_if_last_sends_while_nothing_arrived(sandbox: Any, local: dict[str, str]) -> None:
    last = newest_id(WEBCHAT, local)
    out = as_json("send", str(WEBCHAT), "--text", "still current", "--if-last", last, env=local)
    assert out["ok"] is True
    assert sandbox.count_messages("still current") == {WEBCHAT: 1}


def test_if_last_refuses_when_the_conversation_moved_on(
    sandbox: Any, local: dict[str, str], tmp_path: Path
) -> None:
    seen = newest_id(WEBCHAT, local)
    arrived = sandbox.customer_writes(WEBCHAT, "Actually, make it two\x1b[31m please")
    arrived["id"] = arrived.get("_id", arrived.get("id"))  # webchat's ids are opaque `_id`s
    s = store(sandbox)
    files_before = s.one("SELECT COUNT(*) FROM files")[0], s.one("SELECT COUNT(*) FROM objects")[0]
    png = make_png(tmp_path / "p.png")
    proc = run("send", str(WEBCHAT), "--text", "too late", "--attach", str(png), "--if-last", seen, env=local)
    assert proc.returncode == 8 and proc.stdout == ""
    sentence = one_sentence(proc)
    assert sentence.startswith(
        f"Conversation {WEBCHAT} moved on: its newest message is now {arrived['id']}, "
    )
    assert "a message from " in sentence and "Actually, make it two" in sentence and "\x1b" not in sentence
    assert f"not {seen}; nothing was sent" in sentence
    error = failed_json(
        run("send", str(WEBCHAT), "--text", "too late", "--if-last", seen, "--json", env=local), 8
    )
    assert error["type"] == "MovedOnError" and error["reason"] == "moved_on"
    assert error["newest_message_id"] == str(arrived["id"])
    assert sandbox.count_messages("too late") == {}
    assert (s.one("SELECT COUNT(*) FROM files")[0], s.one("SELECT COUNT(*) FROM objects")[0]) == files_before


def test_if_last_names_another_agents_note(sandbox: Any, local: dict[str, str]) -> None:
    seen = newest_id(WEBCHAT, local)
    sandbox.agent_writes(WEBCHAT, "I'll call them", user_id=11, note=True)
    proc = run("send", str(WEBCHAT), "--text", "hi", "--if-last", seen, env=local)
    assert proc.returncode == 8
    assert 'a note from Tom Becker ("I\'ll call them")' in one_sentence(proc)


def test_help_names_the_new_commands_and_exit_8() -> None:
    top = run("--help").stdout
    for name in ("read", "unread", "close", "reopen", "takeover", "assign", "users"):
        assert f"    {name} " in top or f"    {name}\n" in top, name
    assert "8 the conversation moved on" in " ".join(top.split())
    assert "--if-last MESSAGE_ID" in run("send", "--help").stdout
    assert "me, none (unassign) or an agent's user id" in " ".join(run("assign", "--help").stdout.split())
    conv = " ".join(run("conversations", "--help").stdout.split())
    for flag in ("--mine", "--unassigned", "--needs-reply", "--sort"):
        assert flag in conv


# -- what a server sends stays data ---------------------------------------------------------------


def test_hostile_names_and_texts_in_the_queue_and_the_refusal(sandbox: Any, local: dict[str, str]) -> None:
    from tests.cli.test_bad_input_cli import HOSTILE, forbidden, poison_names_and_text

    poison_names_and_text(sandbox)  # conversation 1: its contact, last text and newest message
    for args in (["conversations", "--needs-reply"], ["conversations", "--sort", "window", "--json"]):
        proc = run(*args, env=local)
        assert proc.returncode == 0, proc.stderr
        assert not forbidden(proc.stdout + proc.stderr), args
    proc = run("send", "1", "--text", "hi", "--if-last", "1", env=local)
    assert proc.returncode == 8
    sentence = one_sentence(proc)
    assert not forbidden(proc.stderr) and "[bold]Eve[/]" in sentence
    refused = run("send", "1", "--text", "hi", "--if-last", "1", "--json", env=local)
    error = failed_json(refused, 8)
    assert not forbidden(refused.stdout) and HOSTILE not in error["message"]
    assert sandbox.count_messages("hi", conversation_id=1) == {}


def test_mine_on_a_server_that_does_not_say_who_you_are(faulty: Any) -> None:
    _, env = faulty(fail_rate=1.0, fail_status=[404], fault_paths=["/users/me"])
    error = failed_json(run("conversations", "--mine", "--json", env=env), 3)
    assert "does not say who you are" in error["message"] and "profiles.local" in error["message"]
    assert failed_json(run("takeover", "3", "--json", env=env), 3)["type"] == "ConfigError"
    _, env = faulty(profile="user_id = 7\n", fail_rate=1.0, fail_status=[404], fault_paths=["/users/me"])
    mine = as_json("conversations", "--mine", env=env)["data"]
    assert mine and {c["assigned_user_id"] for c in mine} == {7}
    assert ok("assign", str(WEBCHAT), "--to", "me", env=env) == f"Conversation {WEBCHAT} assigned to you.\n"


def test_unreadable_rows_stay_in_every_view_marked(faulty: Any) -> None:
    """No view can be told for a row the client could not read: it is listed, with why, and
    the footer counts it; its window, writer and assignee are '?' (JSON: null)."""
    _, env = faulty(odd_bodies="range", fault_paths=["/conversations"])
    proc = run("conversations", "--needs-reply", "--limit", "200", env=env)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()[1:-1]
    assert rows and all("This conversation could not be read" in row for row in rows), proc.stdout
    assert all(re.search(r"  \?  +\?  +\?  +\?  ", row) for row in rows), proc.stdout
    assert f", {len(rows)} of them unreadable)" in proc.stdout.splitlines()[-1]
    data = as_json("conversations", "--sort", "window", "--limit", "200", env=env)["data"]
    assert data and all(c["unreadable"] for c in data)
    assert {tuple(c["queue"].values()) for c in data} == {(None, None, None, None, None)}


def test_the_queue_table_fits_80_columns(local: dict[str, str]) -> None:
    from tests.cli.test_table_cli import cell_width, columns_env

    proc = run("conversations", "--sort", "window", "--limit", "200", env=columns_env(local, 80))
    assert proc.returncode == 0, proc.stderr
    assert max(cell_width(line) for line in proc.stdout.splitlines()) <= 80
    assert re.search(r" \d{1,2}m left ", proc.stdout)  # Instagram's urgent window, whole


# -- many at once ---------------------------------------------------------------------------------


def test_close_reopen_and_assign_many_in_one_request_each(local: dict[str, str], sandbox: Any) -> None:
    ids = [str(c.id) for c in every(local, "--status", "open")[:3]]
    sandbox.clear_requests()
    assert ok("close", *ids, env=local) == "3 conversations closed.\n"
    assert [r[:2] for r in sandbox.requests()] == [("POST", "/conversations-bulk-actions")]
    assert all(conversation(int(cid), local)["status"] == "closed" for cid in ids)
    out = as_json("reopen", *ids, env=local)
    assert out == {
        "ok": True,
        "action": "reopen",
        "conversation_ids": [int(i) for i in ids],
        "processed_count": 3,
    }
    sandbox.clear_requests()
    assert (
        ok("assign", *ids, "--to", "12", env=local) == "3 conversations assigned to Aiko Tanaka (user 12).\n"
    )
    posts = [r for r in sandbox.requests() if r[0] == "POST"]
    assert posts == [("POST", "/conversations-bulk-actions", "")]
    assert all(conversation(int(cid), local)["assigned_user_id"] == 12 for cid in ids)
    assert ok("assign", *ids, "--to", "none", env=local) == "3 conversations unassigned.\n"


def test_one_id_is_still_one_patch_with_the_conversation(local: dict[str, str], sandbox: Any) -> None:
    cid = WEBCHAT
    sandbox.clear_requests()
    assert as_json("close", str(cid), env=local)["conversation"]["status"] == "closed"
    assert [r[0] for r in sandbox.requests()] == ["PATCH"]


def test_handoff_many_is_one_bulk_action_and_one_more_to_unassign(
    local: dict[str, str], sandbox: Any
) -> None:
    ids = [str(c.id) for c in every(local, "--status", "open")[:2]]
    sandbox.clear_requests()
    out = ok("handoff", *ids, "--ai", "asst_support", "--unassign-human", env=local)
    assert out == "2 conversations handed to AI assistant asst_support.\n"
    assert [r[:2] for r in sandbox.requests()] == [("POST", "/conversations-bulk-actions")] * 2
    for cid in ids:
        c = conversation(int(cid), local)
        assert (c["assigned_ai_assistant_id"], c["assigned_user_id"]) == ("asst_support", None)
    sandbox.clear_requests()
    doc = as_json("handoff", *ids, "--ai", "42", env=local)
    assert doc == {
        "ok": True,
        "action": "assign_ai_assistant",
        "conversation_ids": [int(i) for i in ids],
        "processed_count": 2,
    }
    assert len(sandbox.requests()) == 1
    assert conversation(int(ids[0]), local)["assigned_ai_assistant_id"] == 42
