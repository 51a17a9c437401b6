"""httpx, imported without its command-line front end.

`httpx/__init__` imports `httpx._main` (click, rich, pygments: about 30 ms and several MB) only to
expose the `httpx` console command, and falls back gracefully when that import fails. Marking it
absent keeps the headless CLI and the first frame of the app from paying for it.
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx

__all__ = ["httpx"]
