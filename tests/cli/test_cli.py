"""The `switchboard` command through a subprocess: output, --json, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_pdf, make_png

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or dict(os.environ),
        timeout=60,
    )


def one_sentence(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def write_config(home: Path, text: str) -> Path:
    path = home / ".config" / "switchboard" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


def conversations(*extra: str) -> list[dict[str, Any]]:
    proc = run("conversations", "--limit", "200", "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["data"]


def pick(channel: str, window: str) -> int:
    from tests.helpers import window_of
    from tui.core.models import Conversation

    for c in conversations("--channel", channel):
        if window in ("any", window_of(Conversation.model_validate(c))):
            return int(c["id"])
    raise LookupError(channel + " " + window)


# -- the quick start path: no config, the sandbox --------------------------------------------------


def test_conversations_table_on_the_sandbox() -> None:
    proc = run("conversations")
    assert proc.returncode == 0, proc.stderr
    header = proc.stdout.splitlines()[0]
    assert header.split()[:4] == ["ID", "CHANNEL", "CONTACT", "STATUS"]
    for label in ("WhatsApp", "Instagram", "Messenger", "Webchat", "SMS", "Playground"):
        assert label in proc.stdout
    assert "conversations" in proc.stdout.splitlines()[-1]


def test_filters_and_json() -> None:
    data = conversations("--channel", "sms")
    assert data and {c["channel"] for c in data} == {"sms"}
    closed = conversations("--status", "closed")
    assert {c["status"] for c in closed} <= {"closed"}


def test_show_and_templates() -> None:
    cid = pick("whatsapp", "open")
    proc = run("show", str(cid))
    assert proc.returncode == 0, proc.stderr
    assert f"Conversation {cid} · WhatsApp" in proc.stdout and "window open" in proc.stdout
    shown = json.loads(run("show", str(cid), "--json").stdout)
    assert shown["conversation"]["id"] == cid and shown["messages"]
    proc = run("templates")
    assert proc.returncode == 0 and "order_update" in proc.stdout and "PENDING" in proc.stdout
    assert {t["status"] for t in json.loads(run("templates", "--status", "approved", "--json").stdout)} == {
        "APPROVED"
    }


def test_send_text_note_image_pdf_template_and_mms(tmp_path: Path) -> None:
    wa = pick("whatsapp", "open")
    proc = run("send", str(wa), "--text", "On its way!")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Sent 1 message to conversation {wa} (WhatsApp): id ")

    proc = run("send", str(wa), "--note", "--text-file", "-", stdin="VIP customer\nsecond line")
    assert proc.returncode == 0, proc.stderr
    assert "Sent 1 note" in proc.stdout

    png, pdf = make_png(tmp_path / "photo.png"), make_pdf(tmp_path / "invoice.pdf")
    out = json.loads(run("send", str(wa), "--text", "Photo", "--attach", str(png), "--json").stdout)
    assert out["ok"] and out["messages"][0]["message_type"] == "image"
    out = json.loads(run("send", str(wa), "--attach", str(pdf), "--json").stdout)
    assert out["messages"][0]["file_type"] == "application/pdf"

    closed = pick("whatsapp", "closed")
    proc = run(
        "send", str(closed), "--template", "order_update", "--param", "Ana", "--param", "A-7", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["messages"][0]["message_text"] == "Hi Ana, your order A-7 has shipped."

    sms = pick("sms", "any")
    out = json.loads(run("send", str(sms), "--text", "MMS!", "--attach", str(png), "--json").stdout)
    assert out["messages"][0]["media_url"].endswith("/photo.png")

    history = json.loads(run("show", str(wa), "--json", "--limit", "4").stdout)["messages"]
    assert [m["message_type"] for m in history] == ["text", "note", "image", "file"]


def test_refusals_send_nothing(tmp_path: Path) -> None:
    closed = pick("whatsapp", "closed")

    def ids(cid: int) -> list[int]:
        return [m["id"] for m in json.loads(run("show", str(cid), "--json").stdout)["messages"]]

    before = ids(closed)
    sentence = one_sentence(run("send", str(closed), "--text", "hello?"))
    assert sentence.startswith("The WhatsApp reply window closed ")
    assert sentence.endswith("leave a note or send an approved template.")

    wa = pick("whatsapp", "open")
    big = make_png(tmp_path / "big.png", size=6 * 1024 * 1024)
    proc = run("send", str(wa), "--attach", str(big), "--json")
    assert proc.returncode == 4
    assert json.loads(proc.stdout)["error"]["reason"] == "file_too_big"
    assert "over the 5 MB WhatsApp allows" in one_sentence(proc)
    assert ids(closed) == before


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["send", "1"], 2, "Give --text, --text-file, --attach or --template."),
        (["send", "1", "--text", "a", "--template", "x"], 2, "--template cannot be combined"),
        (["send", "abc", "--text", "a"], 2, "CONVERSATION_ID: expected a number, got 'abc'"),
        (["send", "0", "--text", "a"], 2, "expected a positive number, got '0'"),
        (["bogus"], 2, "invalid choice"),
        (["show", "99999"], 7, "Conversation 99999 was not found (404"),
        (["send", "1", "--attach", "/nonexistent/file.png"], 4, "does not exist"),
        (["send", "1", "--text-file", "/nonexistent.txt"], 4, "does not exist"),
    ],
)
def test_usage_and_input_errors(args: list[str], code: int, words: str) -> None:
    proc = run(*args)
    assert proc.returncode == code
    assert words in one_sentence(proc)


# -- config and profiles ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_config(isolated_home: Path) -> None:
    path = write_config(isolated_home, "[profiles.a]\norganization_id = 'x'\n")
    proc = run("conversations")
    assert proc.returncode == 3
    assert one_sentence(proc) == f"In {path}, profiles.a.organization_id must be a whole number, not 'x'."


def test_unknown_profile(isolated_home: Path) -> None:
    write_config(isolated_home, "default_profile = 'sandbox'\n")
    assert "There is no profile 'nope'" in one_sentence(run("--profile", "nope", "conversations"))
    # --profile works after the subcommand too
    assert "There is no profile 'nope'" in one_sentence(run("conversations", "--profile", "nope"))


def test_unset_key_env(isolated_home: Path) -> None:
    write_config(
        isolated_home,
        "default_profile='acme'\n[profiles.acme]\nbase_url='https://api.achieveapex.com'\n"
        "organization_id=101\napi_key_env='SB_TEST_UNSET_KEY'\n",
    )
    env = dict(os.environ)
    env.pop("SB_TEST_UNSET_KEY", None)
    proc = run("conversations", env=env)
    assert proc.returncode == 3
    assert "$SB_TEST_UNSET_KEY, which is not set" in one_sentence(proc)


def test_wrong_key_against_a_real_server(isolated_home: Path, sandbox: Any) -> None:
    write_config(
        isolated_home,
        f"default_profile='local'\n[profiles.local]\nbase_url='{sandbox.base_url}'\n"
        "organization_id=1\napi_key_env='SB_TEST_KEY'\n",
    )
    env = dict(os.environ, SB_TEST_KEY="sbx_wrong_key_000")
    proc = run("conversations", env=env)
    assert proc.returncode == 5
    sentence = one_sentence(proc)
    assert "refused the API key (401" in sentence and "sbx_wrong_key_000" not in sentence
    env["SB_TEST_KEY"] = sandbox.api_key
    ok = run("conversations", "--json", env=env)
    assert ok.returncode == 0, ok.stderr


def test_unreachable_server(isolated_home: Path) -> None:
    port = free_port()
    write_config(
        isolated_home,
        f"default_profile='dead'\n[profiles.dead]\nbase_url='http://127.0.0.1:{port}'\n"
        "organization_id=1\napi_key_env='SB_TEST_KEY'\n",
    )
    proc = run("conversations", env=dict(os.environ, SB_TEST_KEY="k-123456"))
    assert proc.returncode == 6
    assert one_sentence(proc).startswith(f"Nothing is answering at 127.0.0.1:{port} (connection refused)")


def test_config_path_init_show(isolated_home: Path) -> None:
    path = isolated_home / ".config" / "switchboard" / "config.toml"
    assert run("config", "path").stdout.strip() == str(path)
    assert "does not exist" in run("config", "show").stdout
    assert run("config", "init").returncode == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "already exists" in one_sentence(run("config", "init"))
    text = path.read_text().replace('api_key_env = "ACME_API_KEY"', 'api_key = "sekret-value-1"')
    path.write_text(text)
    shown = run("config", "show")
    assert shown.returncode == 0 and "sekret-value-1" not in shown.stdout and "****" in shown.stdout
