"""Fixtures shared by every test.

Every test runs with HOME and the XDG directories pointed at a temporary folder, so no test can
read or write the user's real config, data or state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    # Never the developer's downloads folder, opener, image protocol, tmux or display.
    downloads = home / "Downloads"
    downloads.mkdir()
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(downloads))
    # Nor the runner's terminal size: pytest-xdist's workers export COLUMNS=80 and LINES=24, which
    # every `switchboard` a CLI test starts would take for its table width (a test that wants a
    # width passes it).
    for var in (
        "SWITCHBOARD_OPENER",
        "SWITCHBOARD_IMAGES",
        "TMUX",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "COLUMNS",
        "LINES",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # One terminal for every run, whatever the developer's: 256 colours (TERM=xterm would be 16,
    # where the app draws modals differently; tui/terminal_colours.py).
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    return home


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[object]:
    """A fresh sandbox backend on a free loopback port, with its own SQLite file and storage."""
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(data_dir=tmp_path / "sandbox")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def env_without_color() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    return env
