"""`switchboard send --reply-to MESSAGE_ID` over a real sandbox: the created message quotes the
one named; an id of no message of the conversation is one sentence and sends nothing; a profile
with send_reply_to = false sends the text without the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import point_at, store
from tests.cli.test_cli import one_sentence, run
from tui.sandbox.seed import HANDY_IDS

WA = HANDY_IDS["whatsapp_open"]


def oldest_message(sandbox: Any, cid: int) -> int:
    row = store(sandbox).one(
        "SELECT id FROM messages WHERE conversation_id = ? ORDER BY created_at, id LIMIT 1", (cid,)
    )
    return int(row["id"])


def newest(sandbox: Any, cid: int) -> Any:
    return store(sandbox).one(
        "SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", (cid,)
    )


def test_send_reply_to_quotes_the_message(sandbox: Any, local: dict[str, str]) -> None:
    original = oldest_message(sandbox, WA)
    proc = run("send", str(WA), "--text", "About that", "--reply-to", str(original), "--json", env=local)
    assert proc.returncode == 0, proc.stderr
    (message,) = json.loads(proc.stdout)["messages"]
    assert message["reply_to_message_id"] == original
    assert newest(sandbox, WA)["reply_to_message_id"] == original

    note = run("send", str(WA), "--note", "--text", "Asked before", "--reply-to", str(original), env=local)
    assert note.returncode == 0, note.stderr
    assert newest(sandbox, WA)["reply_to_message_id"] == original


def test_reply_to_a_message_of_another_conversation_is_one_sentence(
    sandbox: Any, local: dict[str, str]
) -> None:
    elsewhere = oldest_message(sandbox, HANDY_IDS["webchat"])
    before = newest(sandbox, WA)["id"]
    sentence = one_sentence(run("send", str(WA), "--text", "hi", "--reply-to", str(elsewhere), env=local))
    assert "reply_to_message_id" in sentence
    assert newest(sandbox, WA)["id"] == before
    empty = one_sentence(run("send", str(WA), "--text", "hi", "--reply-to", " ", env=local))
    assert empty == "--reply-to takes the id of a message of the conversation."


def test_a_profile_that_refuses_the_field_sends_without_it(sandbox: Any, isolated_home: Path) -> None:
    env = point_at(isolated_home, sandbox, "send_reply_to = false\n")
    original = oldest_message(sandbox, WA)
    proc = run("send", str(WA), "--text", "Plain", "--reply-to", str(original), env=env)
    assert proc.returncode == 0, proc.stderr
    sent = newest(sandbox, WA)
    assert sent["message_text"] == "Plain" and sent["reply_to_message_id"] is None
