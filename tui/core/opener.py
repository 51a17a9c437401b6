"""Opening a saved file with the desktop's program, without ever blocking or using a shell.

`$SWITCHBOARD_OPENER` (split like a shell would, the file appended as one more argument) wins;
else `xdg-open` on Linux when there is a display (`$DISPLAY` or `$WAYLAND_DISPLAY`), `open` on
macOS. Over SSH with no display nothing is tried: the sentence says where the file is. The
program starts in its own session with stdin, stdout and stderr on /dev/null, so it can neither
read the keys meant for the app nor draw over it; a thread reaps it when it exits.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from tui.core.text import one_line


@dataclass(frozen=True)
class OpenResult:
    """What happened, as one sentence; `opened` is False when nothing was started."""

    sentence: str
    opened: bool


def opener_command() -> list[str] | str:
    """The program to open files with, as argv; or, when there is none, the reason (a clause)."""
    configured = os.environ.get("SWITCHBOARD_OPENER", "").strip()
    if configured:
        try:
            argv = shlex.split(configured)
        except ValueError as exc:
            return f"$SWITCHBOARD_OPENER cannot be read ({exc})"
        return argv or "$SWITCHBOARD_OPENER is empty"
    display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if os.environ.get("SSH_CONNECTION") and not display:
        return "this session has no display to open it"
    if sys.platform == "darwin":
        return ["open"]
    if display:
        return ["xdg-open"]
    return "there is no display to open it (set $SWITCHBOARD_OPENER to choose a program)"


def open_file(path: Path) -> OpenResult:
    """Start the opener on `path` and return at once."""
    where = one_line(str(path))
    command = opener_command()
    if isinstance(command, str):
        return OpenResult(f"Saved to {where}; {command}.", opened=False)
    argv = [*command, str(Path(path).absolute())]  # absolute: never taken for an option
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        program = one_line(command[0], 60)
        reason = exc.strerror or type(exc).__name__
        return OpenResult(f"Saved to {where}; {program!r} could not be started ({reason}).", opened=False)
    threading.Thread(target=process.wait, name="opener-reaper", daemon=True).start()
    return OpenResult(f"Opened {where} (saved there).", opened=True)


__all__ = ["OpenResult", "open_file", "opener_command"]
