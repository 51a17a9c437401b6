"""Fixtures of the sandbox's own tests: sandboxes with faults, and `switchboard sandbox` as a process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.sandbox.runner import RunningSandbox, start_in_thread

from .commands import SandboxCommand, sandbox_process


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Any]:
    """`start(**faults)`: a sandbox with those faults (its own data folder), stopped after the test."""
    started: list[RunningSandbox] = []

    def run(**options: Any) -> RunningSandbox:
        running = start_in_thread(tmp_path / f"sb{len(started)}", **options)
        started.append(running)
        return running

    yield run
    for running in started:
        running.stop()


@pytest.fixture
def sandbox_command() -> Iterator[Any]:
    """`sandbox_command(*args)`: `python -m tui sandbox *args` running, ended after the test."""
    running: list[SandboxCommand] = []

    def run(*args: str) -> SandboxCommand:
        command = SandboxCommand(sandbox_process(*args))
        command.start_pumps()
        running.append(command)
        return command

    yield run
    for command in running:
        command.finish()
