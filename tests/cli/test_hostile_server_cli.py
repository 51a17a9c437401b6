"""Issue 13 through the real command against a sandbox that misbehaves on demand: no byte from a
server reaches the terminal raw (tables, sentences, errors, --json), the key never shows, odd
bodies and failed reads are one plain sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_bad_input_cli import forbidden
from tests.cli.test_cli import one_sentence, run
from tests.helpers import make_png
from tui.sandbox.faults import HOSTILE_PREFIX, HOSTILE_SUFFIX
from tui.sandbox.seed import HANDY_IDS

Start = Callable[..., tuple[Any, dict[str, str]]]
WEBCHAT = HANDY_IDS["webchat"]


def clean(proc: subprocess.CompletedProcess[str], key: str = "") -> None:
    """Nothing a terminal would act on in either stream, and not the key."""
    for name, text in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        assert not forbidden(text), (name, forbidden(text), text[:400])
        assert "\x1b" not in text and "\u200e" not in text and "\u200f" not in text, name
        assert not key or key not in text, name


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in [k, *strings(v)]]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


# -- hostile ids, names and statuses ---------------------------------------------------------------


def test_send_prints_a_hostile_id_as_data(faulty: Start) -> None:
    sandbox, env = faulty(hostile_ids=True)
    proc = run("send", str(WEBCHAT), "--text", "hi", env=env)
    assert proc.returncode == 0, proc.stderr
    clean(proc, sandbox.api_key)
    assert proc.stdout.startswith(
        f"Sent 1 message to conversation {WEBCHAT} (Webchat): id ␛]52;c;ZXZpbA==␇␛[31m"
    )

    proc = run("send", str(WEBCHAT), "--text", "hi", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    clean(proc, sandbox.api_key)
    message = json.loads(proc.stdout)["messages"][0]
    # the JSON gives back exactly what the server sent
    assert message["id"].startswith(HOSTILE_PREFIX) and message["id"].endswith(HOSTILE_SUFFIX)
    assert message["sender_name"] == f"{HOSTILE_PREFIX}Maria Silva{HOSTILE_SUFFIX}"


@pytest.mark.parametrize(
    "args",
    [
        ["conversations", "--limit", "200"],
        ["show", str(WEBCHAT)],
        ["show", str(HANDY_IDS["whatsapp_open"])],
        ["templates"],
    ],
)
def test_read_commands_print_hostile_answers_as_data(faulty: Start, args: list[str]) -> None:
    sandbox, env = faulty(hostile_ids=True)
    proc = run(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    clean(proc, sandbox.api_key)
    assert "␛]52;c;ZXZpbA==␇" in proc.stdout  # shown as placeholders, not dropped

    proc = run(*args, "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    clean(proc, sandbox.api_key)
    hostile = [s for s in strings(json.loads(proc.stdout)) if s.startswith(HOSTILE_PREFIX)]
    assert hostile and all(s.endswith(HOSTILE_SUFFIX) for s in hostile)


def test_json_escapes_controls_but_keeps_text_readable(sandbox: Any, local: dict[str, str]) -> None:
    from tests.cli.conftest import store

    name = "Zoë 愛子 👩\u200d💻 \u202eevil\u202c \u200eltr \u009b31m \x7f \u00ad"
    store(sandbox).execute("UPDATE contacts SET first_name = ?, last_name = '' WHERE id = 1", (name,))
    proc = run("show", "1", "--json", env=local)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["conversation"]["contact"]["first_name"] == name
    assert "Zoë 愛子 👩" in proc.stdout  # accents, CJK and emoji as themselves
    for escape in ("\\u202e", "\\u202c", "\\u200e", "\\u009b", "\\u007f", "\\u00ad", "\\u200d"):
        assert escape in proc.stdout, escape
    clean(proc)


def test_errors_from_a_hostile_server_are_plain_sentences(faulty: Start) -> None:
    sandbox, env = faulty(hostile_ids=True)
    for args, code in ((["show", "99999"], 7), (["send", "99999", "--text", "x"], 7)):
        proc = run(*args, env=env)
        assert proc.returncode == code and "404" in one_sentence(proc)
        clean(proc, sandbox.api_key)
        proc = run(*args, "--json", env=env)
        assert proc.returncode == code
        clean(proc, sandbox.api_key)
        assert json.loads(proc.stdout)["error"]["status"] == 404


# -- the key, echoed by the server -----------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 422, 401])
def test_an_error_echoing_the_key_never_prints_it(faulty: Start, status: int) -> None:
    sandbox, env = faulty(
        echo_key_errors=True, hostile_ids=True, fail_rate=1.0, fail_status=[status], fault_methods=["POST"]
    )
    proc = run("send", str(WEBCHAT), "--text", "hi", "--json", env=env)
    assert proc.returncode in (5, 7), proc.stderr
    clean(proc, sandbox.api_key)
    error = json.loads(proc.stdout)["error"]
    assert error["status"] == status
    assert any(k.startswith("key=") for k in error.get("errors", {})), error
    assert sandbox.api_key not in json.dumps(error)


def test_error_json_masks_the_key_in_keys_values_and_nested_data() -> None:
    from tui.cli_output import error_json
    from tui.core.errors import InvalidRequestError
    from tui.core.text import redact

    key = "sbx_secret_key_1234"
    exc = InvalidRequestError(
        "Refused.", status=422, errors={f"key={key}": f"bad {key}", "fine": "value"}, data={"k": key}
    )
    exc.retry_after = [{key: key}]  # whatever a future error carries, nested
    data = error_json(exc, f"Refused {key}.", 7, [lambda text: redact(text, key)])
    assert key not in json.dumps(data)
    assert data["errors"] == {"key=****": "bad ****", "fine": "value"}
    assert data["message"] == "Refused ****." and data["retry_after"] == [{"****": "****"}]


# -- bodies the API never sends --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("odd", "args"),
    [
        ("nested", ["conversations"]),
        ("nested", ["show", str(WEBCHAT)]),
        ("nested", ["templates"]),
        ("range", ["conversations"]),  # templates carry no timestamps
        ("range", ["show", str(WEBCHAT)]),
    ],
)
def test_odd_bodies_are_one_sentence(faulty: Start, odd: str, args: list[str]) -> None:
    """The client refuses such an answer (or, for a timestamp out of range, may show the rest);
    either way the command never ends in "Unexpected error" and prints nothing raw."""
    sandbox, env = faulty(odd_bodies=odd)
    proc = run(*args, env=env)
    assert proc.returncode in (0, 7), proc.stderr
    clean(proc, sandbox.api_key)
    if proc.returncode or odd == "nested":
        assert proc.returncode == 7
        sentence = one_sentence(proc)
        assert not sentence.startswith("Unexpected error") and "base_url" in sentence
    proc = run(*args, "--json", env=env)
    assert proc.returncode in (0, 7), proc.stderr
    clean(proc, sandbox.api_key)
    assert json.loads(proc.stdout).get("ok", True) is (proc.returncode == 0)


def test_unreadable_rows_and_messages_say_so(faulty: Start) -> None:
    """The client keeps a row or message it cannot read in its place; the CLI says which."""
    _, env = faulty(odd_bodies="range", fault_paths=["/conversations"])
    proc = run("conversations", "--limit", "5", env=env)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()[1:-1]
    assert rows and all("This conversation could not be read" in row for row in rows), proc.stdout
    assert proc.stdout.splitlines()[-1].startswith(
        f"({len(rows)} of 30 conversations, {len(rows)} of them unreadable"
    )

    _, env = faulty(odd_bodies="range", fault_paths=["/conversation-messages-*"])
    proc = run("show", str(WEBCHAT), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "    [unreadable] This message could not be read (created_at: " in proc.stdout
    assert "of them unreadable)" in proc.stdout.splitlines()[-1]


# -- no "check before sending again" where nothing was sent ----------------------------------------

RESEND_WORDS = "check before sending again"


@pytest.mark.parametrize(
    "faults",
    [
        {"drop_before": 1.0, "fault_methods": ["GET"]},
        {"drop_before": 1.0, "fault_methods": ["GET"], "drop_style": "reset"},
        {"fail_rate": 1.0, "fail_status": [500], "fault_methods": ["GET"]},
    ],
)
@pytest.mark.parametrize(
    "args", [["conversations"], ["templates"], ["show", str(WEBCHAT)], ["send", str(WEBCHAT), "--text", "hi"]]
)
def test_a_failed_read_never_says_check_before_sending(
    faulty: Start, faults: dict[str, Any], args: list[str]
) -> None:
    sandbox, env = faulty(**faults)
    proc = run(*args, "--json", env=env)
    assert proc.returncode in (6, 7), proc.stderr
    assert RESEND_WORDS not in one_sentence(proc) and RESEND_WORDS not in proc.stdout
    assert sandbox.count_messages("hi") == {}


def test_a_post_lost_after_sending_does_say_check(faulty: Start) -> None:
    sandbox, env = faulty(drop_after=1.0, fault_methods=["POST"])
    proc = run("send", str(WEBCHAT), "--text", "lost answer", env=env)
    assert proc.returncode == 6
    assert RESEND_WORDS in one_sentence(proc)
    assert sandbox.count_messages("lost answer") == {WEBCHAT: 1}


# -- an answer that trickles -----------------------------------------------------------------------


@pytest.mark.parametrize("args", [["conversations"], ["show", str(WEBCHAT)], ["templates"]])
def test_a_trickled_answer_ends_at_the_profiles_timeout(faulty: Start, args: list[str]) -> None:
    """httpx's timeout is per read; the client's deadline covers the whole answer. Without it the
    command would still be running when `run`'s 60 s are up."""
    _, env = faulty(trickle_bytes_per_s=20, profile="timeout_seconds = 2\n")
    proc = run(*args, "--json", env=env)
    assert proc.returncode == 6, proc.stderr
    sentence = one_sentence(proc)
    assert sentence.startswith("127.0.0.1 did not answer within 2 s") and RESEND_WORDS not in sentence
    assert json.loads(proc.stdout)["error"]["type"] == "TransportError"


def test_a_trickled_send_is_unconfirmed(faulty: Start) -> None:
    sandbox, env = faulty(trickle_bytes_per_s=20, fault_methods=["POST"], profile="timeout_seconds = 2\n")
    proc = run("send", str(WEBCHAT), "--text", "trickled", env=env)
    assert proc.returncode == 6, proc.stderr
    assert RESEND_WORDS in one_sentence(proc)
    assert sandbox.count_messages("trickled") == {WEBCHAT: 1}


# -- upload progress on a terminal ------------------------------------------------------------------


def test_upload_progress_shows_a_hostile_file_name_as_data(
    tmp_path: Path, sandbox: Any, local: dict[str, str]
) -> None:
    """Progress is drawn only when stderr is a terminal: give it one (a pty)."""
    png = make_png(tmp_path / "x.png")
    hostile = png.with_name("\x1b]52;c;ZXZpbA==\x07\x1b[2Jphoto\u202e.png")
    png.rename(hostile)
    master, slave = os.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "send", str(WEBCHAT), "--attach", str(hostile)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=local,
            timeout=60,
        )
        os.close(slave)
        slave = -1
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the writer is gone
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    assert proc.returncode == 0, seen
    terminal = seen.decode("utf-8", "replace")
    assert "uploading " in terminal and "100%" in terminal
    assert "\x1b" not in terminal and "\u202e" not in terminal, repr(terminal)
    assert "␛]52;c;ZXZpbA==␇" in terminal
