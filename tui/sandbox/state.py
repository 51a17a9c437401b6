"""The sandbox's state: its store, its objects folder and its options, one per app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request

from tui.sandbox.seed import seed
from tui.sandbox.store import Store


class Sandbox:
    """The app's state: the store, the objects folder and the options."""

    def __init__(self, data_dir: Path, clock: Callable[[], float], options: dict[str, Any]) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self.options = options
        self.store = Store(data_dir / "sandbox.db", clock)
        self.store.open(seed)
        self.objects = data_dir / "objects"
        self.objects.mkdir(parents=True, exist_ok=True)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)


def state(request: Request) -> Sandbox:
    """The sandbox serving this request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
