"""Writing a long reply in the agent's own editor (`$VISUAL`, `$EDITOR`, else `vi`).

The app is suspended while the editor runs; the text comes back without the trailing newline
editors add. A missing editor or a non-zero exit leaves the composer as it was, with a sentence.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App

from tui.core.errors import SwitchboardError


def editor_command() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        return shlex.split(editor) or ["vi"]
    except ValueError:  # an unbalanced quote in $EDITOR
        return [editor]


def edit_in_editor(app: App[object], text: str) -> str:
    """The text as the agent left it in the editor; SwitchboardError when it could not be used."""
    command = editor_command()
    shown = " ".join(command)
    with tempfile.NamedTemporaryFile("w+", suffix=".md", prefix="switchboard-", delete=False) as fh:
        fh.write(text)
        path = Path(fh.name)
    try:
        try:
            with app.suspend():
                code = subprocess.call([*command, str(path)])
        except Exception as exc:  # SuspendNotSupported, a missing editor binary, no permission
            raise SwitchboardError(
                f"The editor {shown!r} could not be opened ({type(exc).__name__}); set $EDITOR to one "
                "that is installed."
            ) from None
        if code != 0:
            raise SwitchboardError(f"The editor {shown!r} exited with {code}; the composer is unchanged.")
        try:
            return path.read_text(encoding="utf-8").rstrip("\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise SwitchboardError(
                f"What the editor saved could not be read ({type(exc).__name__}); the composer is unchanged."
            ) from None
    finally:
        path.unlink(missing_ok=True)
