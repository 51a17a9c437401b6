"""Fixtures of the CLI tests: a config profile pointing the real command at a sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import write_config

KEY_ENV = "SB_BAD_INPUT_KEY"


def point_at(home: Path, sandbox: Any) -> dict[str, str]:
    """Make `sandbox` the default profile of the config in `home`; returns the env with its key."""
    write_config(
        home,
        f"default_profile='local'\n[profiles.local]\nbase_url='{sandbox.base_url}'\n"
        f"organization_id={sandbox.organization_id}\napi_key_env='{KEY_ENV}'\n"
        f"media_base_url='{sandbox.media_base_url}'\n",
    )
    return dict(os.environ, **{KEY_ENV: sandbox.api_key})


@pytest.fixture
def local(isolated_home: Path, sandbox: Any) -> dict[str, str]:
    """A profile on the sandbox fixture; returns the env that carries its key."""
    return point_at(isolated_home, sandbox)


def store(sandbox: Any) -> Any:
    """The sandbox's SQLite store, to plant hostile or odd data."""
    return sandbox._server.config.app.state.sandbox.store
