"""`switchboard replies` through the real command against a sandbox: the list (a table, --json),
`add` (text from a file or stdin, a file attached through the three upload steps), `edit`, `rm`,
each with --json; a role that may not change them, an unknown id and a bad command line, each one
sentence with its exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.cli.conftest import KEY_ENV
from tests.cli.test_cli import one_sentence, run
from tests.cli.test_usage_cli import failed_json
from tests.helpers import make_pdf

TITLES = [
    "Address change",
    "Apology for the delay",
    "Cancel an order",
    "How to pack a return",
    "Opening hours",
    "Order status",
    "Refund policy",
    "Returns form",
    "Store location",
    "Thanks and goodbye",
    "Warranty",
    "Wrong item received",
]


def listed(env: dict[str, str]) -> list[dict[str, Any]]:
    proc = run("replies", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stdout))


def test_the_list_as_a_table_and_as_json(local: dict[str, str]) -> None:
    proc = run("replies", env=local)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "TYPE", "FILE", "TEXT"]
    assert "How to pack a return" in lines[4] and "image" in lines[4] and "packing-guide.jpg" in lines[4]
    assert lines[-1].startswith("(12 team replies; `switchboard replies add")
    replies = listed(local)
    assert [r["title"] for r in replies] == TITLES
    form = replies[TITLES.index("Returns form")]
    assert {k: form[k] for k in ("message_type", "filename", "mime_type", "organization_id")} == {
        "message_type": "document",
        "filename": "returns-form.pdf",
        "mime_type": "application/pdf",
        "organization_id": 1,
    }


def test_add_edit_rm_with_json(local: dict[str, str], tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("We're closed on Sunday.\n", encoding="utf-8")
    proc = run("replies", "add", "--title", "Sunday", "--text-file", str(words), "--json", env=local)
    assert proc.returncode == 0, proc.stderr
    made = json.loads(proc.stdout)
    assert (made["title"], made["content"], made["message_type"]) == (
        "Sunday",
        "We're closed on Sunday.",
        "text",
    )
    proc = run(
        "replies", "edit", str(made["id"]), "--text-file", "-", "--json", stdin="Open on Sunday!\n", env=local
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["content"] == "Open on Sunday!"
    proc = run("replies", "edit", str(made["id"]), "--title", "Sundays", env=local)
    assert proc.stdout == f"Team reply {made['id']} changed: Sundays.\n"
    assert [r["content"] for r in listed(local) if r["title"] == "Sundays"] == ["Open on Sunday!"]
    proc = run("replies", "rm", str(made["id"]), "--json", env=local)
    assert proc.returncode == 0 and json.loads(proc.stdout) == {"ok": True, "id": made["id"]}
    assert [r["title"] for r in listed(local)] == TITLES


def test_add_without_json_says_what_it_did(local: dict[str, str]) -> None:
    proc = run("replies", "add", "--title", "Hi", "--text", "Hello!", env=local)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("Team reply ") and proc.stdout.endswith(" added: Hi.\n")
    reply_id = proc.stdout.split()[2]
    assert run("replies", "rm", reply_id, env=local).stdout == f"Team reply {reply_id} deleted.\n"


def test_add_with_a_file_uploads_it_and_the_file_is_served(
    local: dict[str, str], sandbox: Any, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "care guide.pdf")
    proc = run(
        "replies",
        "add",
        "--title",
        "Care",
        "--text",
        "Our care guide",
        "--attach",
        str(pdf),
        "--json",
        env=local,
    )
    assert proc.returncode == 0, proc.stderr
    made = json.loads(proc.stdout)
    assert (made["message_type"], made["filename"], made["mime_type"]) == (
        "document",
        "care guide.pdf",
        "application/pdf",
    )
    assert made["media_url"].startswith("org-1/predefined-messages/")
    served = httpx.get(f"{sandbox.media_base_url}/{made['media_url'].replace(' ', '%20')}")
    assert served.content == pdf.read_bytes()
    posts = [path for method, path, _ in sandbox.requests() if method == "POST"]
    assert posts[-3:] == ["/s3-url-signing", "/conversation-files", "/conversation-predefined-messages"]


def test_a_role_that_may_not_change_them(local: dict[str, str], sandbox: Any) -> None:
    as_aiko = dict(local, **{KEY_ENV: sandbox.agent(12).api_key})
    assert len(listed(as_aiko)) == 12  # reading is allowed
    proc = run("replies", "rm", "1", "--json", env=as_aiko)
    error = failed_json(proc, 5)
    assert error["message"].startswith("Your account may not delete from the team's replies (403")
    sentence = one_sentence(run("replies", "add", "--title", "x", "--text", "y", env=as_aiko))
    assert sentence.startswith("Your account may not add to the team's replies (403")
    assert len(listed(local)) == 12


def test_failures_are_one_sentence(local: dict[str, str], tmp_path: Path) -> None:
    gone = run("replies", "edit", "999", "--title", "x", "--json", env=local)
    assert failed_json(gone, 7)["message"].startswith("Team reply 999 was not found (404")
    assert one_sentence(run("replies", "rm", "999", env=local)).startswith("Team reply 999 was not found")
    nothing = run("replies", "edit", "3", env=local)
    assert (
        nothing.returncode == 2
        and one_sentence(nothing) == "Give --title, --text or --text-file: what to change."
    )
    bare = run("replies", "add", "--title", "x", "--json", env=local)
    assert failed_json(bare, 2)["message"].startswith("Give the reply's words with --text-file")
    untitled = run("replies", "add", "--text", "y", env=local)
    assert untitled.returncode == 2 and "--title" in one_sentence(untitled)
    empty = run("replies", "add", "--title", " ", "--text", "y", env=local)
    assert one_sentence(empty) == "--title takes the reply's title; it cannot be empty."
    missing = run("replies", "add", "--title", "x", "--attach", str(tmp_path / "no.pdf"), env=local)
    assert missing.returncode == 4 and one_sentence(missing).startswith("The file ")
    assert len(listed(local)) == 12  # nothing was created
