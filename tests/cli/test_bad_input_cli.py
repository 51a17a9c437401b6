"""The `switchboard` command meets hostile text and bad input: one sentence, no raw escapes, no key.

Runs against the `sandbox` fixture (poisoned with hostile names and text) or tiny loopback servers,
through a real subprocess, as a user would.
"""

from __future__ import annotations

import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import KEY_ENV, store
from tests.cli.test_cli import one_sentence, run, write_config
from tests.helpers import make_png

HOSTILE = "[bold]Eve[/] \x1b]52;c;aGk=\x07\x1b[2J\u202eevE \x9b31m\x00\x7f 👩\u200d💻"


def forbidden(text: str) -> list[str]:
    return sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if (ord(c) < 0x20 and c != "\n")
            or 0x7F <= ord(c) <= 0x9F
            or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        }
    )


def poison_names_and_text(sandbox: Any) -> None:
    s = store(sandbox)
    s.execute("UPDATE contacts SET first_name = ?, email = ? WHERE id = 1", (HOSTILE, HOSTILE))
    s.execute("UPDATE conversations SET last_message_text = ? WHERE id = 1", (HOSTILE,))
    s.add_message(
        conversation_id=1,
        direction="inbound",
        message_type="text",
        message_text=HOSTILE + "\nsecond line",
        created_at=s.clock(),
        sender_name=HOSTILE,
    )
    s.add_message(
        conversation_id=1,
        direction="outbound",
        message_type="file",
        message_text="",
        created_at=s.clock(),
        status="sent",
        sender_name="Agent",
        file_name=HOSTILE + ".pdf",
        file_type="application/pdf",
        file_size=10,
    )


def test_show_and_conversations_emit_no_raw_escapes(sandbox: Any, local: dict[str, str]) -> None:
    poison_names_and_text(sandbox)
    for args in (["show", "1"], ["conversations", "--limit", "200"], ["templates"]):
        proc = run(*args, env=local)
        assert proc.returncode == 0, proc.stderr
        assert not forbidden(proc.stdout), (args, forbidden(proc.stdout))
        assert not forbidden(proc.stderr)
        assert sandbox.api_key not in proc.stdout + proc.stderr
    shown = run("show", "1", env=local).stdout
    assert "[bold]Eve[/]" in shown and "👩\u200d💻" in shown and "␛" in shown  # literal, placeholders
    # --json keeps the data exact: JSON escapes the controls, so nothing raw reaches the terminal
    data = json.loads(run("show", "1", "--json", env=local).stdout)
    assert data["conversation"]["contact"]["first_name"] == HOSTILE


def test_show_with_hostile_status_type_and_channel(sandbox: Any, local: dict[str, str]) -> None:
    s = store(sandbox)
    s.execute("UPDATE conversations SET status = ? WHERE id = 1", ("\x1b[31mopen",))
    s.execute("UPDATE conversations SET channel = ? WHERE id = 2", ("tele\x1b[5mgram",))
    s.add_message(
        conversation_id=1,
        direction="outbound",
        message_type="\x1b]52;c;aGk=\x07image",
        message_text="x",
        created_at=s.clock(),
        status="\x1b[2Jsent",
        file_name="a.png",
        file_type="image/\x1b[31mpng",
    )
    proc = run("show", "1", env=local)
    assert proc.returncode == 0, proc.stderr
    assert not forbidden(proc.stdout), forbidden(proc.stdout)
    other = run("show", "2", env=local)  # a channel with no message service: said, not leaked
    assert other.returncode == 0, other.stderr
    assert not forbidden(other.stdout + other.stderr) and "no message service" in other.stdout


def test_unknown_channel_is_shown_and_refused_in_one_sentence(sandbox: Any, local: dict[str, str]) -> None:
    store(sandbox).execute("UPDATE conversations SET channel = 'telegram' WHERE id = 2")
    assert run("show", "2", env=local).returncode == 0
    proc = run("send", "2", "--text", "hello", env=local)
    assert proc.returncode == 4
    assert "'telegram'" in one_sentence(proc)


def webchat_id(env: dict[str, str]) -> int:
    proc = run("conversations", "--channel", "webchat", "--json", env=env)
    return int(json.loads(proc.stdout)["data"][0]["id"])


def test_bad_attachments_are_one_sentence_and_send_nothing(
    sandbox: Any, local: dict[str, str], tmp_path: Path
) -> None:
    cid = webchat_id(local)
    before = json.loads(run("show", str(cid), "--json", env=local).stdout)["messages"]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"%PDF-1.7\nnot an image")
    cases = [
        (tmp_path, "is a directory"),
        (empty, "is empty (0 bytes)"),
        (fake, "is named like image/png but its content is application/pdf"),
        (tmp_path / "gone.png", "does not exist"),
    ]
    for path, words in cases:
        proc = run("send", str(cid), "--text", "x", "--attach", str(path), env=local)
        assert proc.returncode == 4, proc.stderr
        assert words in one_sentence(proc)
    big = make_png(tmp_path / "big.png", size=26 * 1024 * 1024)
    proc = run("send", str(cid), "--attach", str(big), env=local)
    assert proc.returncode == 4 and "big.png" in one_sentence(proc)
    after = json.loads(run("show", str(cid), "--json", env=local).stdout)["messages"]
    assert after == before


# -- config and connection problems --------------------------------------------------------------------------


def test_config_is_a_directory(isolated_home: Path) -> None:
    path = isolated_home / ".config" / "switchboard" / "config.toml"
    path.mkdir(parents=True)
    proc = run("conversations")
    assert proc.returncode == 3
    assert one_sentence(proc) == f"The config path {path} is a directory; point it at a TOML file."


def test_key_in_a_readable_config_is_refused_with_the_fix(isolated_home: Path) -> None:
    path = write_config(
        isolated_home,
        "default_profile='a'\n[profiles.a]\nbase_url='https://api.achieveapex.com'\n"
        "organization_id=1\napi_key='sk_live_cli_leak_9999'\n",
    )
    path.chmod(0o644)
    proc = run("conversations")
    assert proc.returncode == 3
    sentence = one_sentence(proc)
    assert f"run `chmod 600 {path}`" in sentence
    assert "sk_live_cli_leak_9999" not in proc.stdout + proc.stderr
    shown = run("config", "show")
    assert "sk_live_cli_leak_9999" not in shown.stdout + shown.stderr


def test_plain_http_to_a_remote_host_is_refused(isolated_home: Path) -> None:
    write_config(
        isolated_home,
        "default_profile='a'\n[profiles.a]\nbase_url='http://api.achieveapex.com'\n"
        f"organization_id=1\napi_key_env='{KEY_ENV}'\n",
    )
    proc = run("conversations", env=dict(os.environ, **{KEY_ENV: "k-12345678"}))
    assert proc.returncode == 3
    sentence = one_sentence(proc)
    assert "allow_insecure_http = true" in sentence and "k-12345678" not in sentence


class _Html(http.server.BaseHTTPRequestHandler):
    body = b"<!doctype html><html><body><h1>Sign in</h1></body></html>"
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def html_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_html_answer_and_tls_failure(isolated_home: Path, html_server: str) -> None:
    env = dict(os.environ, **{KEY_ENV: "k-12345678"})
    for scheme, code, words in (
        ("http", 7, "with an HTML page instead of the API's JSON"),
        ("https", 6, "The secure (TLS) connection to 127.0.0.1 failed"),
    ):
        write_config(
            isolated_home,
            f"default_profile='a'\n[profiles.a]\nbase_url='{scheme}://{html_server}'\n"
            f"organization_id=1\napi_key_env='{KEY_ENV}'\n",
        )
        proc = run("conversations", env=env)
        assert proc.returncode == code, proc.stderr
        assert words in one_sentence(proc)
        assert "k-12345678" not in proc.stdout + proc.stderr
