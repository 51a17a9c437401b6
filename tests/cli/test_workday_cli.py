"""Issue 19's working-day CLI defects, through the real command on a sandbox over loopback: output
on a terminal that is not UTF-8, `takeover` of a conversation no AI holds, the agent as `you` in
every listing, and `watch --json` failures as one JSON line."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.cli.test_cli import one_sentence, run
from tests.cli.test_queue_cli import conversation, every
from tests.cli.test_usage_cli import failed_json
from tests.cli.test_watch import Watching
from tui.core.queue import has_ai
from tui.core.text import cell_width

ME = 7  # Maria Silva, whose key the sandbox's profile holds


def ascii_env(env: dict[str, str]) -> dict[str, str]:
    """A terminal that can show ASCII only, as an old server's console or a `LANG=C` cron job."""
    return {**env, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}


# -- output in any encoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["show", "1"],
        ["show", "1", "--json"],
        ["conversations", "--limit", "200"],
        ["conversations", "--limit", "200", "--json"],
        ["templates"],
    ],
)
def test_an_ascii_terminal_gets_replacement_characters_not_a_crash(
    local: dict[str, str], args: list[str]
) -> None:
    proc = run(*args, env=ascii_env(local))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.isascii() and "?" in proc.stdout  # the middle dot, an emoji: replaced
    if "--json" in args:
        json.loads(proc.stdout)  # a replaced character is still inside its string


def test_a_failure_on_an_ascii_terminal_is_still_one_sentence(sandbox: Any, local: dict[str, str]) -> None:
    """The refusal quotes a server's text (accents, an emoji) on stderr, and as JSON on stdout."""
    sandbox.customer_writes(1, "Zoë says merci 😞")
    proc = run("send", "1", "--text", "hi", "--if-last", "nope", env=ascii_env(local))
    assert proc.returncode == 8
    sentence = one_sentence(proc)
    assert sentence.isascii() and "Zo? says merci ?" in sentence
    refused = run("send", "1", "--text", "hi", "--if-last", "nope", "--json", env=ascii_env(local))
    error = failed_json(refused, 8)
    assert error["type"] == "MovedOnError" and "Zo? says merci ?" in error["message"]
    assert sandbox.count_messages("hi", conversation_id=1) == {}


# -- takeover needs an AI to take over from ------------------------------------------------------


def test_takeover_of_a_conversation_no_ai_holds_is_refused(local: dict[str, str]) -> None:
    target = next(c for c in every(local, "--status", "open") if not has_ai(c) and c.assigned_user_id != ME)
    before = conversation(target.id, local)
    proc = run("takeover", str(target.id), env=local)
    assert proc.returncode == 4 and proc.stdout == ""
    sentence = one_sentence(proc)
    assert sentence.startswith(f"No AI assistant holds conversation {target.id}")
    assert f"switchboard assign {target.id} --to me" in sentence
    error = failed_json(run("takeover", str(target.id), "--json", env=local), 4)
    assert error["type"] == "TakeoverRefused" and error["reason"] == "no_ai"
    assert conversation(target.id, local) == before  # nothing was patched


# -- the agent is `you` in every listing ---------------------------------------------------------


def assignee_cells(table: str) -> dict[int, str]:
    """Each row's ASSIGNEE cell, by conversation id, cut at the header's cell offsets (a name
    before it may be wide: CJK, emoji)."""
    lines = table.splitlines()
    header = lines[0]
    start, end = header.index("ASSIGNEE"), header.index("WINDOW")
    cells: dict[int, str] = {}
    for line in lines[1:-1]:
        taken, cell = 0, ""
        for ch in line:
            if start <= taken < end:
                cell += ch
            taken += cell_width(ch)
        cells[int(line.split()[0])] = cell.strip()
    return cells


@pytest.mark.parametrize("view", [[], ["--needs-reply"], ["--unread"], ["--mine"], ["--sort", "window"]])
def test_every_listing_calls_the_agent_you(local: dict[str, str], view: list[str]) -> None:
    rows = every(local, *view)
    mine = {c.id for c in rows if c.assigned_user_id == ME}
    others = {c.id: str(c.assigned_user_id) for c in rows if c.assigned_user_id not in (None, ME)}
    assert mine, "the seed assigns some of these to Maria Silva"
    proc = run("conversations", "--limit", "200", *view, env={**local, "COLUMNS": "200"})
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    cells = assignee_cells(proc.stdout)
    assert {cid: cells[cid] for cid in mine} == dict.fromkeys(mine, "you")
    assert {cid: cells[cid] for cid in others} == others


def test_watch_calls_the_agent_you(local: dict[str, str]) -> None:
    watch = Watching(local, "--conversation", "1")
    try:
        watch.wait_for("Live updates on.", stream="err")
        assert run("assign", "1", "--to", "me", env=local).returncode == 0
        watch.wait_for("assigned to you")
        assert run("assign", "1", "--to", "11", env=local).returncode == 0
        watch.wait_for("assigned to user 11")
    finally:
        code = watch.interrupt()
    assert code == 0, watch.err
    assert not any(f"assigned to user {ME}" in line for line in watch.out), watch.out


# -- watch --json: a failure is one JSON line ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "kind"),
    [
        (["--conversation", "99999"], 7, "NotFoundError"),
        (["--conversation", "abc"], 2, "UsageError"),
    ],
)
def test_a_watch_json_failure_is_one_line_of_json(
    local: dict[str, str], args: list[str], code: int, kind: str
) -> None:
    proc: subprocess.CompletedProcess[str] = run("watch", "--json", *args, env=local)
    assert proc.returncode == code, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    out = json.loads(lines[0])
    assert out == {"ok": False, "error": out["error"]}
    assert out["error"]["type"] == kind and out["error"]["exit_code"] == code
    assert out["error"]["message"] == one_sentence(proc)
    other = run("show", "99999" if code == 7 else "x", "--json", env=local)  # the same failure elsewhere
    assert set(out["error"]) == set(failed_json(other, code))
