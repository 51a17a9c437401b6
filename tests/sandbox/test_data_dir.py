"""The sandbox's data folder is decided in one place, `tui.core.paths.sandbox_data_dir`, for the
app's child process, the CLI's thread and `switchboard sandbox`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tui import sandbox_process
from tui.core.paths import sandbox_data_dir
from tui.sandbox.runner import start_in_thread


def test_the_default_and_a_configured_folder(isolated_home: Path) -> None:
    assert sandbox_data_dir() == Path(os.environ["XDG_DATA_HOME"]) / "switchboard" / "sandbox"
    assert sandbox_data_dir(None) == sandbox_data_dir("") == sandbox_data_dir()
    assert sandbox_data_dir("~/elsewhere") == isolated_home / "elsewhere"
    assert sandbox_process.sandbox_data_dir is sandbox_data_dir


def test_the_thread_uses_it() -> None:
    running = start_in_thread()
    try:
        assert running.data_dir == sandbox_data_dir()
        assert (sandbox_data_dir() / "sandbox.db").is_file()
    finally:
        running.stop()


def test_the_command_uses_it(sandbox_command: Any, tmp_path: Path) -> None:
    command = sandbox_command("--port", "0")
    command.announcement()
    assert command.seen[0].rstrip().endswith(f"(data in {sandbox_data_dir()})")
    given = sandbox_command("--port", "0", "--data", str(tmp_path / "given"))
    given.announcement()
    assert given.seen[0].rstrip().endswith(f"(data in {tmp_path / 'given'})")
