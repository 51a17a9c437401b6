"""Things said once, ever: a change an agent must hear about (an old config's messages path) is
told the first time it matters, then never again on this machine."""

from __future__ import annotations

import json
import os
import threading
from contextlib import suppress
from pathlib import Path

from tui.core.paths import state_dir

_LOCK = threading.Lock()


def told_path() -> Path:
    return state_dir() / "told.json"


def first_time(key: str, path: Path | None = None) -> bool:
    """True the first time `key` is asked about on this machine (and it is recorded then).
    A state folder that cannot be written tells every time rather than never."""
    path = path or told_path()
    with _LOCK:
        try:
            told = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            told = []
        if not isinstance(told, list):
            told = []
        if key in told:
            return False
        told.append(key)
        with suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(told), "utf-8")
            os.replace(tmp, path)
        return True


def legacy_messages_notice(profile: str, path: str) -> str:
    """What an old config's single messages path is told once."""
    return (
        f"Profile {profile!r} reads every conversation's messages from {path}; the API now has one "
        "service per channel (/conversation-messages-{channel}), so set paths.messages to that "
        "template (or remove it) unless your server really serves one path."
    )


__all__ = ["first_time", "legacy_messages_notice", "told_path"]
