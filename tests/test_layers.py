"""The layer boundary, enforced: the service layer never loads Textual, and nothing heavy loads
unless it is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Every module of the service layer, found on disk: a new one is checked without being listed.
SERVICE_MODULES = [
    "tui",
    "tui.cli",
    "tui.backend",
    "tui.sandbox_process",
    *sorted(f"tui.core.{p.stem}" for p in (ROOT / "tui" / "core").glob("*.py") if p.stem != "__init__"),
]


def loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('\\n'.join(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_service_layer_never_imports_textual_or_the_sandbox() -> None:
    loaded = loaded_after_import(SERVICE_MODULES)
    assert "textual" not in loaded
    assert "rich" not in loaded
    assert not {m for m in loaded if m == "tui.sandbox" or m.startswith("tui.sandbox.")}
    assert "uvicorn" not in loaded and "starlette" not in loaded


def test_the_first_frame_loads_no_http_stack_or_sandbox() -> None:
    """What the app imports before its first frame: no httpx, no client, no outbox, no sandbox
    (they load in the connect worker after the frame is drawn)."""
    loaded = loaded_after_import(["tui.app", "tui.screens.inbox", "tui.widgets.conversation_list"])
    assert "textual" in loaded
    heavy = {"httpx", "tui.core.client", "tui.backend", "tui.core.outbox", "uvicorn", "starlette"}
    assert not heavy & loaded
    assert not {m for m in loaded if m.startswith("tui.sandbox.")}


def test_sandbox_never_imports_textual() -> None:
    loaded = loaded_after_import(["tui.sandbox.app", "tui.sandbox.runner"])
    assert "textual" not in loaded and "rich" not in loaded


def test_import_contracts_hold() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports; raise SystemExit(lint_imports())"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.lower().replace("0 broken", "")
