"""Opening a saved file: `$SWITCHBOARD_OPENER` split like a shell but never run by one, the path as
one argument; xdg-open with a display, nothing over SSH without one; a program that cannot start
is one sentence. The opener returns at once (it does not wait for the program)."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from tui.core.opener import open_file, opener_command


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SWITCHBOARD_OPENER", "DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION"):
        monkeypatch.delenv(var, raising=False)


def wait_for_file(path: Path) -> str:
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)
    return path.read_text()


def recorder(tmp_path: Path) -> tuple[Path, Path]:
    """A program that records its arguments, then waits for `release` (20 s at most) and
    writes `done`: if the opener waited for it, `done` would exist when the opener returns."""
    record = tmp_path / "argv.txt"
    script = tmp_path / "my opener.sh"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}.tmp"\nmv "{record}.tmp" "{record}"\n'
        f'i=0; while [ ! -e "{tmp_path}/release" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n'
        f'touch "{tmp_path}/done"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, record


def test_the_configured_opener_gets_the_path_as_one_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, record = recorder(tmp_path)
    monkeypatch.setenv("SWITCHBOARD_OPENER", f"'{script}' --new-window")
    hostile = tmp_path / "a; touch pwned $(id) `id`.pdf"
    hostile.write_text("x")
    result = open_file(hostile)
    assert not (tmp_path / "done").exists()  # it returned while the program still runs
    assert result.opened and result.sentence == f"Opened {hostile} (saved there)."
    assert wait_for_file(record).splitlines() == ["--new-window", str(hostile)]
    (tmp_path / "release").touch()
    wait_for_file(tmp_path / "done")
    assert not (tmp_path / "pwned").exists()


def test_over_ssh_without_a_display_nothing_is_started(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    result = open_file(tmp_path / "x.pdf")
    assert not result.opened
    assert result.sentence == f"Saved to {tmp_path / 'x.pdf'}; this session has no display to open it."


def test_xdg_open_when_there_is_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")  # forwarded display: fine
    assert opener_command() == ["xdg-open"]
    monkeypatch.setattr("sys.platform", "darwin")
    monkeypatch.delenv("WAYLAND_DISPLAY")
    monkeypatch.delenv("SSH_CONNECTION")
    assert opener_command() == ["open"]


def test_no_display_without_ssh_names_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    result = open_file(tmp_path / "x.pdf")
    assert not result.opened and "$SWITCHBOARD_OPENER" in result.sentence


@pytest.mark.parametrize(
    ("value", "words"),
    [("/no/such/program", "could not be started"), ("'unclosed", "cannot be read"), ("   ", "no display")],
)
def test_a_broken_opener_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, words: str
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("SWITCHBOARD_OPENER", value)
    result = open_file(tmp_path / "x.pdf")
    assert not result.opened and words in result.sentence
    assert result.sentence.startswith(f"Saved to {tmp_path / 'x.pdf'}; ")
