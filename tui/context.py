"""What screens and widgets may ask of the app: a declared interface, checked by the type checker.

`SwitchboardApp` implements `AppContext` (see the assignment at the end of `tui/app.py`); screens
reach it through `context(node)` instead of poking at attributes by name, and hear news through
its two signals instead of having methods called on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from pathlib import Path

    from textual.dom import DOMNode
    from textual.signal import Signal

    from tui.backend import Backend
    from tui.core.config import Config
    from tui.core.errors import SwitchboardError
    from tui.core.message_log import MessageLog
    from tui.core.models import Conversation, User
    from tui.core.outbox import Outbox
    from tui.core.queue_state import QueueState
    from tui.core.store import Store
    from tui.messages import BackendNews, OutboxNews


class AppContext(Protocol):
    """The app as its screens see it."""

    profile_name: str
    backend: Backend | None
    backend_error: str | None
    store: Store | None
    outbox: Outbox | None
    clock: Callable[[], datetime]
    #: Published on the app's thread: BackendReady, BackendFailed, BackendSwitching.
    backend_signal: Signal[BackendNews]
    #: Published on the app's thread: OutboxChanged, OutboxProgress.
    outbox_signal: Signal[OutboxNews]
    #: Where the file picker opened last (None: the home folder).
    last_folder: Path | None
    #: Who the agent is (None until known, or when the server does not say), and their team.
    me: User | None
    agents: tuple[User, ...]
    #: The queue's figures: the views' counts, Unread and Needs reply (next unread, close and next).
    queue: QueueState | None
    #: When this app last sent into each conversation (rows say "You:" for it).
    own_last_at: dict[int, datetime]
    #: Every notice shown this session (the message log, f9).
    message_log: MessageLog

    @property
    def live(self) -> bool:
        """Pushed news arrives (Socket.IO): polls may rest."""
        ...

    def live_label(self) -> str:
        """' · live', ' · polling', ' · offline' for a title bar ('' before the feed said)."""
        ...

    def rest_answered(self) -> None:
        """A REST read worked (a feed that is reconnecting may try at once)."""
        ...

    def poll_factor(self) -> float | None:
        """How much slower than usual timed re-reads run (None: not at all), by the budget."""
        ...

    def queue_seen(self, ids: Iterable[int]) -> None:
        """Conversations just read: what the queue's counts already hold of them."""
        ...

    def queue_changed(self, ids: Iterable[int]) -> None:
        """Conversations that changed: the queue's counts move with them."""
        ...

    def refresh_queue(self) -> object:
        """Read the queue's figures again (a worker)."""
        ...

    def queue_for_channel(self, channel: str | None) -> None:
        """Count the queue's views on this channel only (None: every channel)."""
        ...

    def take_first_page(self) -> Any:
        """The first page of All read before the backend opened, once (then None)."""
        ...

    def first_rows_shown(self) -> None:
        """The inbox drew its first rows: what waited for them (the live feed) may start."""
        ...

    @property
    def config(self) -> Config:
        """The validated config (there once the backend is ready)."""
        ...

    def notify_error(self, error: SwitchboardError | str) -> None: ...

    def notify_plain(self, message: str, *, timeout: float | None = None) -> None:
        """An information toast, as plain text."""
        ...

    def publish_queue(self, conversation: Conversation | None = None) -> None:
        """A conversation changed here (or the snoozes did): every screen hears it."""
        ...

    def action_next_unread(self) -> None: ...

    def open_conversation(self, conversation: Conversation) -> None: ...

    def reconnect(self) -> None: ...


def context(node: DOMNode) -> AppContext:
    """The app behind any mounted node, as its declared interface."""
    return cast("AppContext", node.app)
