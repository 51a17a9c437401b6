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


def oldest_message(sandbox: Any, cid: int) -> str:
    """The conversation's oldest message's id as the server gives it (an opaque `_id` on WhatsApp)."""
    row = store(sandbox).one(
        "SELECT coalesce(uid, id) AS id FROM messages WHERE conversation_id = ? "
        "ORDER BY created_at, id LIMIT 1",
        (cid,),
    )
    return str(row["id"])


def newest(sandbox: Any, cid: int) -> Any:
    return store(sandbox).one(
        "SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", (cid,)
    )


def served_newest(cid: int, env: dict[str, str]) -> Any:
    """The newest message as the server serves it (`show --json`)."""
    proc = run("show", str(cid), "--limit", "1", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["messages"][-1]


def test_send_reply_to_quotes_the_message(sandbox: Any, local: dict[str, str]) -> None:
    original = oldest_message(sandbox, WA)
    proc = run("send", str(WA), "--text", "About that", "--reply-to", str(original), "--json", env=local)
    assert proc.returncode == 0, proc.stderr
    (message,) = json.loads(proc.stdout)["messages"]
    assert message["reply_to_message_id"] == original
    assert served_newest(WA, local)["reply_to_message_id"] == original

    note = run("send", str(WA), "--note", "--text", "Asked before", "--reply-to", str(original), env=local)
    assert note.returncode == 0, note.stderr
    assert served_newest(WA, local)["reply_to_message_id"] == original


def test_reply_to_a_message_of_another_conversation_is_one_sentence(
    sandbox: Any, local: dict[str, str]
) -> None:
    before = newest(sandbox, WA)["id"]
    for other in (HANDY_IDS["webchat"], HANDY_IDS["whatsapp_closed"]):  # another service, the same one
        elsewhere = oldest_message(sandbox, other)
        proc = run("send", str(WA), "--text", "hi", "--reply-to", elsewhere, env=local)
        assert proc.returncode == 7
        assert one_sentence(proc) == (
            f"Conversation {WA} has no message '{elsewhere}'; `switchboard show {WA}` lists its messages "
            "with their ids."
        )
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
