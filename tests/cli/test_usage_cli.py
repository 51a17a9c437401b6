"""Issue 8's command-line bugs, through the real command: `--json` on every failure, `--profile`
the same in both positions, filters that name their valid values, text files without the
trailing newline."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import free_port, one_sentence, run, write_config


def failed_json(proc: subprocess.CompletedProcess[str], code: int) -> dict[str, Any]:
    """The `{"ok": false, "error": ...}` a failed --json command prints, checked against stderr."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    sentence = one_sentence(proc)
    out = json.loads(proc.stdout)
    assert out["ok"] is False and out["error"]["message"] == sentence, out
    assert out["error"]["exit_code"] == code
    return dict(out["error"])


# -- --json on every failure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "kind"),
    [
        (["send", "1", "--text-file", "/nonexistent.txt", "--json"], 4, "LocalFileError"),
        (["send", "1", "--attach", "/nonexistent/file.png", "--json"], 4, "LocalFileError"),
        (["send", "abc", "--text", "a", "--json"], 2, "UsageError"),
        (["send", "1", "--json"], 2, "UsageError"),
        (["send", "1", "--text", "a", "--template", "x", "--json"], 2, "UsageError"),
        (["conversations", "--json", "--limit", "0"], 2, "UsageError"),
        (["show", "--json"], 2, "UsageError"),
        (["templates", "--json", "--bogus"], 2, "UsageError"),
        (["show", "99999", "--json"], 7, "NotFoundError"),
    ],
)
def test_every_json_failure_prints_ok_false(args: list[str], code: int, kind: str) -> None:
    error = failed_json(run(*args), code)
    assert error["type"] == kind
    if kind == "NotFoundError":
        assert error["status"] == 404


def test_json_failure_of_config_and_connection(isolated_home: Path) -> None:
    path = write_config(isolated_home, "[profiles.a]\norganization_id = 'x'\n")
    error = failed_json(run("templates", "--json"), 3)
    assert error["type"] == "ConfigError" and str(path) in error["message"]
    port = free_port()
    write_config(
        isolated_home,
        f"default_profile='dead'\n[profiles.dead]\nbase_url='http://127.0.0.1:{port}'\n"
        "organization_id=1\napi_key_env='SB_USAGE_KEY'\n",
    )
    proc = run("conversations", "--json", env=dict(os.environ, SB_USAGE_KEY="k-123456"))
    assert failed_json(proc, 6)["type"] == "TransportError"


def test_no_json_asked_no_json_printed() -> None:
    proc = run("send", "1", "--text-file", "/nonexistent.txt")
    assert proc.returncode == 4 and proc.stdout == ""
    proc = run("config", "path", "--json")  # config takes no --json: a plain usage error
    assert proc.returncode == 2 and proc.stdout == "" and "--json" in one_sentence(proc)


# -- --profile before or after config and sandbox --------------------------------------------------


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["--profile", "x", "config", "path"], "config"),
        (["config", "path", "--profile", "x"], "config"),
        (["-p", "x", "config", "show"], "config"),
        (["config", "show", "-px"], "config"),
        (["--profile=x", "config", "init"], "config"),
        (["--profile", "x", "sandbox", "--port", "99999"], "sandbox"),
        (["sandbox", "--port", "99999", "--profile", "x"], "sandbox"),
        (["sandbox", "--port", "99999", "-p", "x"], "sandbox"),
    ],
)
def test_profile_is_refused_the_same_way_in_both_positions(args: list[str], command: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert one_sentence(proc).startswith(f"`switchboard {command}` takes no --profile: ")


def test_profile_still_works_in_both_positions_elsewhere(isolated_home: Path) -> None:
    write_config(isolated_home, "default_profile = 'sandbox'\n")
    for args in (["--profile", "nope", "templates"], ["templates", "-p", "nope"]):
        assert "There is no profile 'nope'" in one_sentence(run(*args))


# -- filters that cannot match ---------------------------------------------------------------------

CHANNELS = "whatsapp, instagram, messenger, webchat, sms or playground"


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["conversations", "--channel", "wa"], f"--channel takes {CHANNELS}, not 'wa'"),
        (["conversations", "--status", "pending"], "--status takes open or closed, not 'pending'"),
        (
            ["templates", "--status", "nosuch"],
            "--status takes APPROVED, PENDING, REJECTED, PAUSED or DISABLED, not 'nosuch'",
        ),
        (["conversations", "--skip", "-1"], "--skip takes a whole number, 0 or more, not '-1'"),
        (["conversations", "--skip", "many"], "--skip takes a whole number, 0 or more, not 'many'"),
    ],
)
def test_filters_that_match_nothing_are_refused(args: list[str], sentence: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert one_sentence(proc).startswith(sentence), proc.stderr
    assert proc.stdout == ""


def test_filters_take_any_case(local: dict[str, str]) -> None:
    proc = run("conversations", "--channel", "WhatsApp", "--status", "OPEN", "--json", env=local)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)["data"]
    assert data and {(c["channel"], c["status"]) for c in data} == {("whatsapp", "open")}
    proc = run("templates", "--status", "Approved", "--json", env=local)
    assert {t["status"] for t in json.loads(proc.stdout)} == {"APPROVED"}


# -- text from a file or stdin ---------------------------------------------------------------------


def last_text(env: dict[str, str], cid: int) -> str:
    messages = json.loads(run("show", str(cid), "--json", "--limit", "1", env=env).stdout)["messages"]
    return str(messages[-1]["message_text"])


def webchat(env: dict[str, str]) -> int:
    proc = run("conversations", "--channel", "webchat", "--json", env=env)
    return int(json.loads(proc.stdout)["data"][0]["id"])


def test_trailing_newlines_of_a_text_file_or_stdin_are_not_sent(
    tmp_path: Path, local: dict[str, str]
) -> None:
    cid = webchat(local)
    path = tmp_path / "reply.txt"
    path.write_text("Line one\n\nline two\n\n", encoding="utf-8")
    assert run("send", str(cid), "--text-file", str(path), env=local).returncode == 0
    assert last_text(local, cid) == "Line one\n\nline two"
    path.write_bytes(b"Windows line\r\n")
    assert run("send", str(cid), "--text-file", str(path), env=local).returncode == 0
    assert last_text(local, cid) == "Windows line"
    proc = run("send", str(cid), "--note", "--text-file", "-", stdin="from a pipe\n", env=local)
    assert proc.returncode == 0, proc.stderr
    assert last_text(local, cid) == "from a pipe"


def test_a_text_file_of_only_newlines_is_empty(tmp_path: Path, local: dict[str, str]) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("\n\n", encoding="utf-8")
    proc = run("send", str(webchat(local)), "--text-file", str(path), env=local)
    assert proc.returncode in (2, 4), proc.stderr
    assert one_sentence(proc).startswith("There is nothing to send")


def test_help_names_the_values_the_checks_take() -> None:
    from tui.cli_parser import TEMPLATE_STATUSES
    from tui.core.channels import KNOWN_CHANNELS

    conversations = " ".join(run("conversations", "--help").stdout.split())
    assert all(channel in conversations for channel in KNOWN_CHANNELS)
    assert "open or closed" in conversations
    templates = " ".join(run("templates", "--help").stdout.split())
    assert all(status in templates for status in TEMPLATE_STATUSES)
    top = " ".join(run("--help").stdout.split())
    assert (
        '{"ok": false, "error": {...}}' in top
        and "for the app, conversations, show, templates and send" in top
    )


def test_an_unknown_param_name_is_refused_in_one_sentence(local: dict[str, str]) -> None:
    """The check is the core's (check_template); the CLI shows its sentence and sends nothing."""
    closed = json.loads(run("conversations", "--channel", "whatsapp", "--json", env=local).stdout)["data"][-1]
    args = ["send", str(closed["id"]), "--template", "order_update", "--param", "Ana", "--param", "A-7"]
    proc = run(*args, "--param-name", "nosuch=x", "--json", env=local)
    assert proc.returncode == 4, proc.stderr
    assert "nosuch" in one_sentence(proc)
    assert json.loads(proc.stdout)["ok"] is False
