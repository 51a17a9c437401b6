"""`switchboard download` through the real command against a sandbox: the saved path printed, the
bytes as seeded, safe names, `-o` to a folder or a file (never replaced), JSON, and one-sentence
failures with their exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import store
from tests.cli.test_cli import one_sentence, run
from tests.cli.test_usage_cli import failed_json
from tui.sandbox.seed_files import HOSTILE_TEXT, parcel_png, statement_pdf


def message_id(sandbox: Any, conversation_id: int, file_name: str) -> str:
    row = store(sandbox).one(
        "SELECT coalesce(uid, id) AS id FROM messages WHERE conversation_id = ? AND file_name = ?",
        (conversation_id, file_name),
    )
    assert row is not None
    return str(row["id"])


@pytest.fixture
def env(local: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return dict(local, XDG_DOWNLOAD_DIR=str(tmp_path / "dl"))


def saved(proc: Any) -> Path:
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    return Path(lines[0])


def test_download_prints_the_saved_path(sandbox: Any, env: dict[str, str], tmp_path: Path) -> None:
    photo = message_id(sandbox, 1, "broken-parcel.png")
    path = saved(run("download", "1", photo, env=env))
    assert path == tmp_path / "dl" / "switchboard" / "broken-parcel.png"
    assert path.read_bytes() == parcel_png()
    again = saved(run("download", "1", photo, env=env))
    assert again.name == "broken-parcel (1).png" and path.read_bytes() == parcel_png()


def test_without_xdg_download_dir_it_is_downloads_in_home(
    sandbox: Any, local: dict[str, str], isolated_home: Path
) -> None:
    env = {k: v for k, v in local.items() if k != "XDG_DOWNLOAD_DIR"}
    pdf = message_id(sandbox, 14, "statement-2026-11.pdf")
    path = saved(run("download", "14", pdf, env=env))
    assert path == isolated_home / "Downloads" / "switchboard" / "statement-2026-11.pdf"
    assert path.read_bytes() == statement_pdf()


def test_json_and_a_hostile_name(sandbox: Any, env: dict[str, str], tmp_path: Path) -> None:
    hostile = message_id(sandbox, 19, "../../.bashrc")
    proc = run("download", "19", hostile, "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out == {
        "ok": True,
        "path": str(tmp_path / "dl" / "switchboard" / "_.bashrc"),
        "file_name": "../../.bashrc",
        "size": len(HOSTILE_TEXT),
    }
    assert Path(out["path"]).read_bytes() == HOSTILE_TEXT


def test_output_to_a_file_never_replaces_it_and_to_a_folder(
    sandbox: Any, env: dict[str, str], tmp_path: Path
) -> None:
    pdf = message_id(sandbox, 1, "statement-2026-11.pdf")
    target = tmp_path / "statement.pdf"
    assert saved(run("download", "1", pdf, "-o", str(target), env=env)) == target
    assert target.read_bytes() == statement_pdf()
    target.write_bytes(b"edited by the agent")
    proc = run("download", "1", pdf, "-o", str(target), env=env)
    assert proc.returncode == 4
    assert "exists already" in one_sentence(proc)
    assert target.read_bytes() == b"edited by the agent"
    folder = tmp_path / "case-1042"
    folder.mkdir()
    assert (
        saved(run("download", "1", pdf, "--output", str(folder), env=env)) == folder / "statement-2026-11.pdf"
    )


def test_unknown_message_and_a_message_without_a_file(sandbox: Any, env: dict[str, str]) -> None:
    error = failed_json(run("download", "1", "999999", "--json", env=env), 7)
    assert "has no message '999999'" in error["message"]
    text = store(sandbox).one(
        "SELECT coalesce(uid, id) AS id FROM messages WHERE conversation_id = 1 "
        "AND conversation_file_id IS NULL AND file_name IS NULL"
    )
    assert text is not None
    proc = run("download", "1", str(text["id"]), env=env)
    assert proc.returncode == 7
    assert "carries no file" in one_sentence(proc)


def test_a_bad_conversation_id_is_a_usage_error(env: dict[str, str]) -> None:
    proc = run("download", "zero", "1", env=env)
    assert proc.returncode == 2
    assert "CONVERSATION_ID" in one_sentence(proc) or "number" in one_sentence(proc)
