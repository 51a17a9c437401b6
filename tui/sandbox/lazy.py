"""Handlers whose modules load on first use, and their warm-up once the first answer is out.

The send and upload handlers need the channel rules, the templates and the pydantic models: most
of the sandbox's import time, and nothing the first list of conversations needs. So the app's
child sandbox listens and answers its first page without them; they load when a request first
needs them, or in a background thread shortly after the first answer has gone out (once the
app's first burst of reads is served, so they do not share the interpreter with the import),
whichever comes first. Python's per-module import locks make the two meet safely.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

Handler = Callable[["Request"], Awaitable["Response"]]

#: What `WarmUp` loads: every module a lazy handler lives in.
LAZY_MODULES = ("tui.sandbox.sends", "tui.sandbox.uploads", "tui.sandbox.live_server")
#: Seconds from the first answer to the warm-up.
WARM_UP_DELAY = 0.5


def lazy(module: str, name: str, *args: Any) -> Handler:
    """The handler `module.name`, or the one `module.name(*args)` makes, imported on first call."""
    found: list[Handler] = []

    async def call(request: Request) -> Response:
        if not found:
            target = getattr(importlib.import_module(module), name)
            found.append(target(*args) if args else target)
        return await found[0](request)

    return call


class WarmUp:
    """Loads `LAZY_MODULES` in a background thread, once, `delay` seconds after `start`; `join`
    (at stop) cancels a warm-up still waiting and waits for one under way."""

    def __init__(self, delay: float = WARM_UP_DELAY) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            thread = threading.Thread(target=self._run, name="switchboard-sandbox-warm-up", daemon=True)
            thread.start()
            self._thread = thread  # only once started: `join` on another thread may read it

    @property
    def started(self) -> bool:
        return self._thread is not None

    def join(self, timeout: float = 10.0) -> None:
        self._cancel.set()
        with self._lock:  # not while `start` is between making the thread and starting it
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        if self._cancel.wait(self.delay):
            return
        for module in LAZY_MODULES:
            importlib.import_module(module)
