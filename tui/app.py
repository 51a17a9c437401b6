"""The Textual app: wiring only. Screens get data through workers that call the service layer.

The first frame never waits for the network: the inbox is drawn at once and the backend (the
embedded sandbox, or a real profile) is opened in a worker that posts `BackendReady`, started
after that frame. The HTTP client, the outbox and the sandbox are imported there, not here, so
the first frame pays only for Textual, the config and the inbox's own widgets.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack, suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from tui.app_live import LiveApp
from tui.core.errors import SwitchboardError
from tui.core.first_frame import FirstFrame, read_first_frame
from tui.core.message_log import MessageLog, Notice
from tui.core.paths import config_path
from tui.core.text import one_line
from tui.keys import keymap_problems, register_extra_sequences
from tui.messages import (
    BackendFailed,
    BackendNews,
    BackendReady,
    OutboxChanged,
    OutboxNews,
    OutboxProgress,
    WorkerFailed,
)
from tui.screens.base import BaseScreen
from tui.terminal_colours import adapt_to_terminal

if TYPE_CHECKING:
    from tui.backend import Backend
    from tui.context import AppContext
    from tui.core.config import Config
    from tui.core.models import Conversation as ApiConversation
    from tui.core.outbox import Outbox
    from tui.core.queue_state import QueueState
    from tui.core.store import Store
    from tui.sandbox_process import SandboxProcess

STYLES = Path(__file__).parent / "styles"
_CONFIG_WRITE = threading.Lock()
#: After a hang-up the terminal is gone: whatever is still in flight (it is in the store) must not
#: keep the process alive longer than this.
HANGUP_EXIT_SECONDS = 3.0


def _conversations_provider() -> type:
    from tui.commands import ConversationsProvider

    return ConversationsProvider


class SwitchboardApp(LiveApp):
    TITLE = "Switchboard"
    CSS_PATH = [
        STYLES / "app.tcss",
        STYLES / "inbox.tcss",
        STYLES / "conversation.tcss",
        STYLES / "pickers.tcss",
        STYLES / "outbox.tcss",
        STYLES / "queue_pickers.tcss",
    ]
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("question_mark", "help", "Help", show=False, id="app.help_alt"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f2", "outbox", "Outbox", id="app.outbox"),
        Binding("f3", "next_unread", "Next unread", id="app.next_unread"),
        Binding("f9", "message_log", "Messages", show=False, id="app.messages"),
    ]
    COMMAND_PALETTE_BINDING = "ctrl+p"
    # Textual's own commands (themes, keys, quit) plus "Open <contact>" from the backend.
    COMMANDS = App.COMMANDS | {lambda: _conversations_provider()}
    #: The CSS variables the stylesheet was given before its first parse (see refresh_css).
    _css_variables_at_start: dict[str, str] | None = None

    def __init__(
        self,
        *,
        profile: str | None = None,
        config: Config | None = None,
        first: FirstFrame | None = None,
        clock: Callable[[], datetime] | None = None,
        sandboxes: dict[Path, SandboxProcess] | None = None,
    ) -> None:
        # The first frame is drawn from `first` (tomllib only); the whole config is validated in
        # the connect worker after it, unless a validated one is given (tests, `run_app`).
        self._config = config
        self._requested_profile = profile
        if first is None:
            first = _first_from(config, profile) if config is not None else read_first_frame(profile)
        self.first = first
        #: The app's exit code when the agent quits: 3 after a config problem (as the CLI's).
        self.exit_code = 0
        # Sandbox child processes by data folder: started early by the CLI, or on connect.
        self.sandboxes: dict[Path, SandboxProcess] = dict(sandboxes or {})
        self.profile_name = self.first.profile_name
        self.clock = clock or (lambda: datetime.now(UTC))
        #: Every notice shown, to be read again whole (f9).
        self.message_log = MessageLog()
        self.backend: Backend | None = None
        self.backend_error: str | None = None
        self._stack: AsyncExitStack | None = None
        self.store: Store | None = None
        self.outbox: Outbox | None = None
        self.last_folder: Path | None = None
        self.me = None
        self.agents = ()
        self.queue: QueueState | None = None
        #: When this app last sent into each conversation (rows say "You:" for it).
        self.own_last_at: dict[int, datetime] = {}
        self._live_init()
        register_extra_sequences()  # alt+enter over tmux/SSH; see tui/keys.py
        super().__init__()
        # What screens hear, instead of having methods called on them by name (tui/context.py).
        self.backend_signal: Signal[BackendNews] = Signal(self, "backend")
        self.outbox_signal: Signal[OutboxNews] = Signal(self, "outbox")
        adapt_to_terminal(self)  # TERM=dumb: no colour; 16 colours: modals without blending
        self._theme_problems = self._load_themes()

    # -- start and stop -------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        from tui.themes import variable_defaults

        return variable_defaults(self.current_theme)

    def get_default_screen(self) -> Screen[Any]:
        from tui.screens.inbox import InboxScreen

        return InboxScreen()

    def on_mount(self) -> None:
        for sentence in [*self._theme_problems, *keymap_problems(self.first.keymap)]:
            self.notify(sentence, severity="warning", timeout=8)
        if self.first.keymap:
            self.set_keymap(self.first.keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self._catch_hangup()
        self.set_interval(30, self._sweep_outbox)
        self.start_timers()
        # After the first frame: starting a sandbox or importing the HTTP stack must not delay it.
        self.call_after_refresh(self.connect)

    def _catch_hangup(self) -> None:
        """A dropped SSH session sends SIGHUP: save every draft, then leave cleanly."""
        # Not possible off the main thread (tests) or where there is no SIGHUP.
        with suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hangup)

    def _hangup(self) -> None:
        self.save_all_drafts()
        # The drafts and every send are in the store; nothing in flight may keep a process whose
        # terminal is gone alive (it would spin on a dead tty).
        watchdog = threading.Timer(HANGUP_EXIT_SECONDS, os._exit, args=(129,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(129)

    def _load_themes(self) -> list[str]:
        """Register the bundled and user themes and choose one. Called before the app runs, so
        the first stylesheet is built in the chosen theme instead of being parsed twice; returns
        the problems to show once the screen is up."""
        from tui.themes import DEFAULT_THEME, load_themes

        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        wanted = self.first.theme or DEFAULT_THEME
        before = self.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            problems.append(f"The theme {wanted!r} is not installed; using the default.")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        # The stylesheet was made in App.__init__ with the default theme's variables: give it
        # the chosen theme's before anything is parsed, so the refresh that setting the theme
        # queued has nothing left to do (see refresh_css).
        variables = self.get_css_variables()
        self.stylesheet.set_variables(variables)
        if self.theme != before:  # only then did setting it queue a refresh
            self._css_variables_at_start = variables
        return problems

    def refresh_css(self, animate: bool = True) -> None:
        """Skip the one refresh queued by choosing the theme in `__init__`: it would parse every
        stylesheet a second time (~30 ms of the first frame) with the variables it has already."""
        at_start, self._css_variables_at_start = self._css_variables_at_start, None
        if at_start is not None and at_start == self.get_css_variables():
            return
        super().refresh_css(animate)

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if name and name != self.first.theme:
            self.first = replace(self.first, theme=name)
            if self._config is not None:
                self._config = self._config.model_copy(update={"theme": name})
            self._save_theme(name)

    @work(thread=True, exit_on_error=False, group="config")
    def _save_theme(self, name: str) -> None:
        """Edit `theme` in the config file in place: its comments and number formats stay."""
        from tui.core.config import save_setting

        try:
            with _CONFIG_WRITE:  # quick changes save in turn, each the latest chosen: the last one wins
                save_setting("theme", self.first.theme or name)
        except (SwitchboardError, OSError) as exc:
            sentence = exc.sentence if isinstance(exc, SwitchboardError) else str(exc)
            self.call_from_thread(
                self.notify, f"The theme could not be saved: {sentence}", severity="warning"
            )

    async def on_unmount(self) -> None:
        self.save_all_drafts()
        self.restore_terminal_title()
        await self._close_backend()
        for process in self.sandboxes.values():
            await asyncio.to_thread(process.stop)
        if self.store is not None:
            self.store.close()

    @on(BackendReady)
    def _backend_ready(self, message: BackendReady) -> None:
        from tui.core.queue_state import QueueState

        self.backend = message.backend
        self.backend_error = None
        self.queue = QueueState()
        self.backend_opened(message.backend)
        self.sub_title = self.backend_title(message.backend)
        self.backend_signal.publish(message)
        for sentence in message.backend.notices:
            self.notify(sentence, severity="warning", timeout=15)

    @on(OutboxChanged)
    @on(OutboxProgress)
    def _outbox_news(self, message: OutboxChanged | OutboxProgress) -> None:
        if isinstance(message, OutboxChanged):
            for created in message.created:
                if created.created_at is not None:
                    self.own_last_at[message.entry.conversation_id] = created.created_at
        self.outbox_signal.publish(message)

    @on(BackendFailed)
    def _backend_failed(self, message: BackendFailed) -> None:
        self.backend_error = message.sentence
        self.sub_title = f"{self.profile_name} · not connected"
        self.notify(message.sentence, title="Not connected", severity="error", timeout=12)
        self.backend_signal.publish(message)

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        self._report_worker_error(message.worker, message.error)

    @on(Worker.StateChanged)
    def _own_worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self._report_worker_error(event.worker, event.worker.error)

    def _report_worker_error(self, worker: Worker[object], error: BaseException) -> None:
        """A bug, not a user's or a server's doing: one sentence, and the screen goes on."""
        if isinstance(error, SwitchboardError):
            self.notify_error(error)
            return
        task = (worker.group or worker.name or "a background task").replace("-", " ").replace("_", " ")
        detail = one_line(f"{type(error).__name__}: {error}", 120)
        self.notify(
            f"Something went wrong in {task} ({detail}); the screen is still usable. Run with "
            "SWITCHBOARD_DEBUG=1 to see more, and report it.",
            severity="error",
            timeout=12,
        )
        if os.environ.get("SWITCHBOARD_DEBUG"):
            self.log.error(worker, error)

    # -- keys and commands ----------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.save_all_drafts()
        self.restore_terminal_title()  # while the driver surely still writes
        self.exit(return_code=self.exit_code)

    def action_help_quit(self) -> None:
        """ctrl+c reflexes: say how to quit, as plain text, with the key the keymap gives."""
        keys = [
            key
            for key, active in self.active_bindings.items()
            if active.binding.action in ("quit", "app.quit")
        ]
        if keys:  # the app-wide key first (ctrl+q), then a screen's own (q in the list)
            keys.sort(key=lambda k: (len(k) == 1, k))
            self.notify(f"Press {' or '.join(dict.fromkeys(keys))} to quit.", timeout=4)

    def open_conversation(self, conversation: ApiConversation) -> None:
        """Show a conversation on top of the inbox, whatever screen is up now."""
        from tui.screens.conversation import ConversationScreen

        self.save_all_drafts()  # a conversation screen on the stack is about to go
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(ConversationScreen(conversation))

    def action_next_unread(self) -> None:
        """The next open, unsnoozed conversation with unread messages, from anywhere."""
        from tui.screens.queue_actions import open_next

        current = getattr(self.screen, "conversation", None)
        self.run_worker(open_next(self, after=getattr(current, "id", None), unread=True), group="next")

    def publish_queue(self, conversation: ApiConversation | None = None) -> None:
        """A conversation changed here (an action's answer, already in the cache), or (None)
        the snoozes did: the queue's figures move and every screen hears it."""
        from tui.messages import QueueChanged

        if conversation is not None:
            self.queue_changed([conversation.id])
        self.backend_signal.publish(QueueChanged(snoozes=conversation is None))
        self._show_unread()  # a read or a close here moves the title's count

    def action_outbox(self) -> None:
        from tui.screens.outbox import OutboxScreen

        if not isinstance(self.screen, OutboxScreen):
            self.push_screen(OutboxScreen())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_message_log(self) -> None:
        from tui.screens.message_log import MessageLogScreen

        if not isinstance(self.screen, MessageLogScreen):
            self.push_screen(MessageLogScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Message log", "Every notice shown, newest first, whole (f9)", self.action_message_log
        )
        for name in self.profile_names():
            if name != self.profile_name:
                yield SystemCommand(
                    f"Switch profile: {name}",
                    f"Connect to the {name!r} profile",
                    lambda n=name: self.switch_profile(n),
                )
        if isinstance(screen, BaseScreen):
            yield from screen.palette_commands()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications are plain text by default: our sentences quote paths, server errors and
        customer text, where "[snippets]" would vanish as markup and "[@click=...]" would act.
        Each one is also kept in the message log, whole."""
        self.message_log.add(Notice(self.clock(), severity, title, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify_plain(self, message: str, *, timeout: float | None = None) -> None:
        self.notify(message, timeout=timeout)

    def notify_error(self, error: SwitchboardError | str) -> None:
        sentence = error.sentence if isinstance(error, SwitchboardError) else error
        self.notify(sentence, severity="error", timeout=10)


def run_app(
    profile: str | None = None,
    *,
    first: FirstFrame | None = None,
    sandboxes: dict[Path, SandboxProcess] | None = None,
) -> int:
    """Start the app. The config is validated after the first frame: a problem is shown full
    screen with the CLI's sentence, and the app exits 3 when the agent quits."""
    app = SwitchboardApp(profile=profile, first=first, sandboxes=sandboxes)
    app.run()
    return app.return_code or 0


def _first_from(config: Config, profile: str | None) -> FirstFrame:
    """The first frame's settings from an already validated config."""
    from tui.core.config import chosen_profile_name

    name = chosen_profile_name(config, profile)
    chosen = config.profiles.get(name)
    sandbox = chosen.sandbox if chosen is not None else name == "sandbox"
    data = chosen.sandbox_data if chosen is not None else None
    return FirstFrame(name, sandbox, data, config.theme, dict(config.keymap))


if TYPE_CHECKING:  # the app is what its screens are promised (tui/context.py): checked here
    _implements: type[AppContext] = SwitchboardApp

__all__ = ["SwitchboardApp", "config_path", "run_app"]
