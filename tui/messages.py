"""The app's messages: what workers and the service layer tell the app, and what the app tells
every screen (through the signals of `tui.context.AppContext`).

A screen never learns news by having a method of a given name called on it: it subscribes to
`backend_signal` or `outbox_signal`, or handles a message that bubbled from its own widgets.
Only the standard library and Textual's `Message` are imported here, so any module can use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.worker import Worker

    from tui.backend import Backend
    from tui.core.live import LiveEvent, LiveState
    from tui.core.models import Message as ApiMessage
    from tui.core.row_view import RowView
    from tui.core.sender import SendProgress
    from tui.core.store import OutboxEntry


class BackendReady(Message):
    """The profile is open: a client, the store and the outbox can be used."""

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend


class FirstRows(Message):
    """The first page of All, read before the backend opened (`tui.core.first_page`): its rows
    (`RowView`s) are drawn now; the models replace them once the backend is ready."""

    def __init__(self, rows: list[RowView], total: int) -> None:
        super().__init__()
        self.rows = rows
        self.total = total


class BackendFailed(Message):
    """The profile could not be opened; `sentence` says why and what to do."""

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence


class BackendSwitching(Message):
    """Another profile is being opened: rows of the old one must go at once."""

    def __init__(self, profile: str) -> None:
        super().__init__()
        self.profile = profile


class AgentKnown(Message):
    """Who the agent is (and their teammates) became known, or stayed unknown, for a backend."""

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend


class ConversationsChanged(Message):
    """What the profile's `ConversationCache` holds about these conversations changed (a read, a
    push, an action's answer, a contact's name): whoever shows them draws them again."""

    def __init__(self, ids: frozenset[int]) -> None:
        super().__init__()
        self.ids = ids


class QueueChanged(Message):
    """The work queue's figures moved (`QueueState`: the views' counts, Unread and Needs reply),
    or (`snoozes`) a snooze was set or ended here."""

    def __init__(self, *, snoozes: bool = False) -> None:
        super().__init__()
        self.snoozes = snoozes


class LiveEvents(Message):
    """The server pushed changes (messages created or patched, conversations patched), in one
    batch: a burst is handed over once a frame, never event by event."""

    def __init__(self, events: tuple[LiveEvent, ...]) -> None:
        super().__init__()
        self.events = events


class LiveStatus(Message):
    """The live connection moved on: live, polling (with why) or offline."""

    def __init__(self, state: LiveState, reason: str | None) -> None:
        super().__init__()
        self.state = state
        self.reason = reason


class LiveResynced(Message):
    """The live connection (re)connected: events missed meanwhile are not replayed, so every
    screen re-reads what it shows (the list's first page, the open conversation's newest)."""


class OutboxChanged(Message):
    """An outbox entry moved on (state, reason), with the messages the server created, if any."""

    def __init__(self, entry: OutboxEntry, created: list[ApiMessage]) -> None:
        super().__init__()
        self.entry = entry
        self.created = created


class OutboxProgress(Message):
    """Upload progress of an entry's files."""

    def __init__(self, entry_id: int, progress: SendProgress) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.progress = progress


class OutboxOpened(Message):
    """The outbox is open (it opens once the first rows are drawn): a screen that found none
    shows what it holds now."""


class WorkerFailed(Message):
    """A worker ended with an error nobody handled: the app says so in one sentence."""

    def __init__(self, worker: Worker[object], error: BaseException) -> None:
        super().__init__()
        self.worker = worker
        self.error = error


BackendNews = (
    BackendReady
    | FirstRows
    | BackendFailed
    | BackendSwitching
    | AgentKnown
    | ConversationsChanged
    | QueueChanged
    | LiveEvents
    | LiveStatus
    | LiveResynced
)
OutboxNews = OutboxChanged | OutboxProgress | OutboxOpened

__all__ = [
    "AgentKnown",
    "BackendFailed",
    "BackendNews",
    "BackendReady",
    "BackendSwitching",
    "ConversationsChanged",
    "FirstRows",
    "LiveEvents",
    "LiveResynced",
    "LiveStatus",
    "OutboxChanged",
    "OutboxNews",
    "OutboxOpened",
    "OutboxProgress",
    "QueueChanged",
    "WorkerFailed",
]
