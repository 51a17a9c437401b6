"""Fixtures of the CLI tests: a config profile pointing the real command at a sandbox."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import write_config

KEY_ENV = "SB_BAD_INPUT_KEY"


def point_at(home: Path, sandbox: Any, extra: str = "") -> dict[str, str]:
    """Make `sandbox` the default profile of the config in `home` (`extra`: more TOML lines for
    the profile); returns the env with its key."""
    write_config(
        home,
        f"default_profile='local'\n[profiles.local]\nbase_url='{sandbox.base_url}'\n"
        f"organization_id={sandbox.organization_id}\napi_key_env='{KEY_ENV}'\n"
        f"media_base_url='{sandbox.media_base_url}'\n{extra}",
    )
    return dict(os.environ, **{KEY_ENV: sandbox.api_key})


@pytest.fixture
def local(isolated_home: Path, sandbox: Any) -> dict[str, str]:
    """A profile on the sandbox fixture; returns the env that carries its key."""
    return point_at(isolated_home, sandbox)


@pytest.fixture
def faulty(isolated_home: Path, tmp_path: Path) -> Iterator[Callable[..., tuple[Any, dict[str, str]]]]:
    """Start a sandbox that misbehaves as asked (`start_in_thread`'s fault options; `profile=`
    adds TOML lines to the profile) and point the config at it; returns it and the env."""
    from tui.sandbox.runner import start_in_thread

    running: list[Any] = []

    def start(profile: str = "", **faults: Any) -> tuple[Any, dict[str, str]]:
        sandbox = start_in_thread(data_dir=tmp_path / f"faulty{len(running)}", **faults)
        running.append(sandbox)
        return sandbox, point_at(isolated_home, sandbox, profile)

    try:
        yield start
    finally:
        for sandbox in running:
            sandbox.stop()


def store(sandbox: Any) -> Any:
    """The sandbox's SQLite store, to plant hostile or odd data."""
    return sandbox.state.store
