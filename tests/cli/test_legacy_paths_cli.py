"""An older config whose `paths.messages` is one plain path (the single messages service of an
older reading of the API) keeps working for every command, and is told once what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.conftest import point_at
from tests.cli.test_cli import run


def test_an_old_single_messages_path_is_told_once(sandbox: Any, isolated_home: Path) -> None:
    env = point_at(isolated_home, sandbox, "[profiles.local.paths]\nmessages = '/conversation-messages'\n")
    first = run("conversations", "--limit", "1", env=env)
    assert first.returncode == 0, first.stderr
    assert "reads every conversation's messages from /conversation-messages" in first.stderr
    assert "/conversation-messages-{channel}" in first.stderr
    again = run("conversations", "--limit", "1", env=env)
    assert again.returncode == 0 and again.stderr == ""  # once on this machine, not every command


def test_a_messages_path_with_another_placeholder_is_a_config_error(
    sandbox: Any, isolated_home: Path
) -> None:
    env = point_at(isolated_home, sandbox, "[profiles.local.paths]\nmessages = '/m/{conversation}'\n")
    proc = run("conversations", env=env)
    assert proc.returncode == 3
    assert "the only placeholder a messages path may hold is {channel}" in proc.stderr
