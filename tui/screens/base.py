"""What every Switchboard screen shares: the app's declared interface, and no silent worker errors.

Textual posts `Worker.StateChanged` to the node that started the worker, without bubbling, so a
screen's failed worker would vanish. Each screen passes an unexpected error on to the app as
`WorkerFailed`, where one handler says it in one sentence; the screen stays usable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual import on
from textual.app import SystemCommand
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from tui.context import AppContext, context
from tui.messages import WorkerFailed

T = TypeVar("T")


class BaseScreen(Screen[T]):
    """A full screen of the app."""

    @property
    def ctx(self) -> AppContext:
        return context(self)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's own entries in the command palette (beside the app's and Textual's)."""
        return ()

    def save_state(self) -> None:
        """Write what must survive a crash or a hang-up (drafts), now, on this thread."""

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.app.post_message(WorkerFailed(worker, worker.error))


class BaseModal(BaseScreen[T], ModalScreen[T]):
    """A picker or question over the current screen."""
