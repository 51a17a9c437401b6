"""Where Switchboard keeps things, following the XDG base directories."""

from __future__ import annotations

import os
from pathlib import Path

APP = "switchboard"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def config_path() -> Path:
    """`$SWITCHBOARD_CONFIG`, else `$XDG_CONFIG_HOME/switchboard/config.toml`."""
    explicit = os.environ.get("SWITCHBOARD_CONFIG")
    return Path(explicit).expanduser() if explicit else config_dir() / "config.toml"


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / APP


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / APP


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/switchboard`: what can be fetched again (a team reply's file)."""
    return _xdg("XDG_CACHE_HOME", ".cache") / APP


def sandbox_data_dir(configured: str | None = None) -> Path:
    """The embedded sandbox's folder: `configured` (a profile's `sandbox_data`, or `switchboard
    sandbox --data`) with `~` expanded, else `$XDG_DATA_HOME/switchboard/sandbox`. The one
    place that decides it, for the app, the CLI and the sandbox itself."""
    return Path(configured).expanduser() if configured else data_dir() / "sandbox"
