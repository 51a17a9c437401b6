"""What the first frame needs from the config, read with `tomllib` alone: the theme, the keymap,
the profile's name and whether it is a sandbox (so its child process starts at once).

The app draws its first frame from this and validates the whole file (pydantic, in
`tui.core.config`) in a worker afterwards, so a config's models never delay the first frame.
Nothing here judges the file: anything missing or of the wrong type falls back to its default,
and the validation that follows says what is wrong, in the CLI's own sentence.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import paths

SANDBOX = "sandbox"


@dataclass(frozen=True)
class FirstFrame:
    profile_name: str = SANDBOX
    sandbox: bool = True
    sandbox_data: str | None = None
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    #: The profile's table as the file has it, and the file: the first page is read from them
    #: before the config is validated (`tui.core.first_page`).
    profile_table: dict[str, Any] = field(default_factory=dict)
    config_file: Path | None = None


def read_first_frame(requested_profile: str | None = None, path: Path | None = None) -> FirstFrame:
    """The first frame's settings from the config file (defaults where it is silent or odd)."""
    path = path or paths.config_path()
    data = _read(path)
    default = data.get("default_profile")
    name = requested_profile or (default if isinstance(default, str) and default else SANDBOX)
    profiles = data.get("profiles")
    profile = profiles.get(name) if isinstance(profiles, dict) else None
    if isinstance(profile, dict):
        sandbox = profile.get("sandbox") is True
        raw_data = profile.get("sandbox_data")
        sandbox_data = raw_data if isinstance(raw_data, str) else None
    else:
        sandbox, sandbox_data = name == SANDBOX, None
    theme = data.get("theme")
    keymap = data.get("keymap")
    return FirstFrame(
        profile_name=name,
        sandbox=sandbox,
        sandbox_data=sandbox_data if sandbox else None,
        theme=theme if isinstance(theme, str) else None,
        keymap={k: v for k, v in keymap.items() if isinstance(v, str)} if isinstance(keymap, dict) else {},
        profile_table=profile if isinstance(profile, dict) else {},
        config_file=path,
    )


def _read(path: Path) -> dict[str, Any]:
    """The file as TOML, or nothing: an unreadable or broken file is reported by validation."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
