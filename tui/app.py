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
import sys
import threading
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack, suppress
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

from tui.core.config import (
    Config,
    chosen_profile_name,
    get_profile,
    load_config,
    profile_names,
)
from tui.core.errors import SwitchboardError
from tui.core.paths import config_path, state_dir
from tui.core.text import one_line
from tui.keys import register_extra_sequences
from tui.messages import (
    BackendFailed,
    BackendNews,
    BackendReady,
    BackendSwitching,
    OutboxChanged,
    OutboxNews,
    OutboxProgress,
    WorkerFailed,
)
from tui.screens.base import BaseScreen

if TYPE_CHECKING:
    from tui.backend import Backend
    from tui.context import AppContext
    from tui.core.models import Conversation as ApiConversation
    from tui.core.models import Message as ApiMessage
    from tui.core.outbox import Outbox
    from tui.core.sender import SendProgress
    from tui.core.store import OutboxEntry, Store
    from tui.sandbox_process import SandboxProcess

STYLES = Path(__file__).parent / "styles"
_CONFIG_WRITE = threading.Lock()
#: After a hang-up the terminal is gone: whatever is still in flight (it is in the store) must not
#: keep the process alive longer than this.
HANGUP_EXIT_SECONDS = 3.0


def _conversations_provider() -> type:
    from tui.commands import ConversationsProvider

    return ConversationsProvider


class SwitchboardApp(App[int]):
    TITLE = "Switchboard"
    CSS_PATH = [
        STYLES / "app.tcss",
        STYLES / "inbox.tcss",
        STYLES / "conversation.tcss",
        STYLES / "pickers.tcss",
        STYLES / "outbox.tcss",
    ]
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("question_mark", "help", "Help", show=False, id="app.help_alt"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f2", "outbox", "Outbox", id="app.outbox"),
    ]
    COMMAND_PALETTE_BINDING = "ctrl+p"
    # Textual's own commands (themes, keys, quit) plus "Open <contact>" from the backend.
    COMMANDS = App.COMMANDS | {lambda: _conversations_provider()}

    def __init__(
        self,
        *,
        profile: str | None = None,
        config: Config | None = None,
        clock: Callable[[], datetime] | None = None,
        sandboxes: dict[Path, SandboxProcess] | None = None,
    ) -> None:
        self.config = config if config is not None else load_config()
        # Sandbox child processes by data folder: started early by the CLI, or on connect.
        self.sandboxes: dict[Path, SandboxProcess] = dict(sandboxes or {})
        self.profile_name = chosen_profile_name(self.config, profile)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.backend: Backend | None = None
        self.backend_error: str | None = None
        self._stack: AsyncExitStack | None = None
        self.store: Store | None = None
        self.outbox: Outbox | None = None
        self.last_folder: Path | None = None
        register_extra_sequences()  # alt+enter over tmux/SSH; see tui/keys.py
        super().__init__()
        # What screens hear, instead of having methods called on them by name (tui/context.py).
        self.backend_signal: Signal[BackendNews] = Signal(self, "backend")
        self.outbox_signal: Signal[OutboxNews] = Signal(self, "outbox")
        self._theme_problems = self._load_themes()

    # -- start and stop -------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        from tui.themes import variable_defaults

        return variable_defaults(self.current_theme)

    def get_default_screen(self) -> Screen[Any]:
        from tui.screens.inbox import InboxScreen

        return InboxScreen()

    def on_mount(self) -> None:
        for sentence in self._theme_problems:
            self.notify(sentence, severity="warning", timeout=8)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self._catch_hangup()
        self.set_interval(30, self._sweep_outbox)
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

    def save_all_drafts(self) -> None:
        """Write every open conversation's draft now (synchronously: the process may be ending)."""
        for screen in self.screen_stack:
            if isinstance(screen, BaseScreen):
                screen.save_state()

    def _load_themes(self) -> list[str]:
        """Register the bundled and user themes and choose one. Called before the app runs, so
        the first stylesheet is built in the chosen theme instead of being parsed twice; returns
        the problems to show once the screen is up."""
        from tui.themes import DEFAULT_THEME, load_themes

        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        wanted = self.config.theme or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            problems.append(f"The theme {wanted!r} is not installed; using the default.")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        return problems

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if name and name != self.config.theme:
            self.config = self.config.model_copy(update={"theme": name})
            self._save_theme(name)

    @work(thread=True, exit_on_error=False, group="config")
    def _save_theme(self, name: str) -> None:
        """Edit `theme` in the config file in place: its comments and number formats stay."""
        from tui.core.config import save_setting

        try:
            with _CONFIG_WRITE:  # quick changes save in turn, each the latest chosen: the last one wins
                save_setting("theme", self.config.theme or name)
        except (SwitchboardError, OSError) as exc:
            sentence = exc.sentence if isinstance(exc, SwitchboardError) else str(exc)
            self.call_from_thread(
                self.notify, f"The theme could not be saved: {sentence}", severity="warning"
            )

    @work(exclusive=True, exit_on_error=False, group="backend")
    async def connect(self) -> None:
        """Open the profile (start the sandbox if it is one) without blocking the first frame."""
        await self._close_backend()
        stack = AsyncExitStack()
        try:
            from tui.backend import open_backend

            process = await asyncio.to_thread(self._sandbox_for, self.profile_name)
            backend = await stack.enter_async_context(
                open_backend(self.profile_name, config=self.config, sandbox_process=process)
            )
        except SwitchboardError as exc:
            await stack.aclose()
            self.post_message(BackendFailed(exc.sentence))
            return
        self._stack = stack
        await self._open_outbox(backend)
        self.post_message(BackendReady(backend))
        if self.outbox is not None:
            waiting = await self.outbox.start()
            if waiting:
                noun = "message is" if len(waiting) == 1 else "messages are"
                self.notify(f"{len(waiting)} {noun} in the outbox; f2 shows them.", timeout=8)

    def _sandbox_for(self, name: str) -> SandboxProcess | None:
        """The running child process for a sandbox profile (started if need be), else None."""
        from tui.core.paths import sandbox_data_dir
        from tui.sandbox_process import start_sandbox_process

        profile = get_profile(self.config, name)
        if not profile.sandbox:
            return None
        data = sandbox_data_dir(profile.sandbox_data)
        process = self.sandboxes.get(data)
        if process is None or not process.alive:
            if process is not None:
                process.stop()  # reap the dead one and close its pipes
            process = self.sandboxes[data] = start_sandbox_process(profile.sandbox_data)
        return process

    async def _open_outbox(self, backend: Backend) -> None:
        """The local store and this profile's outbox (in memory when the state folder cannot be
        written: sending still works, unsaved)."""
        import sqlite3

        from tui.core.outbox import Outbox
        from tui.core.store import Store

        if self.store is None:
            try:
                self.store = await asyncio.to_thread(Store)
            except (OSError, sqlite3.Error) as exc:
                self.store = Store(memory=True)  # sending still works; nothing survives a restart
                self.notify(
                    f"Drafts and the outbox cannot be saved to disk ({exc}), so they last only until "
                    f"you quit; check that {state_dir()} is writable.",
                    severity="warning",
                    timeout=12,
                )

        def changed(entry: OutboxEntry, created: list[ApiMessage]) -> None:
            self.post_message(OutboxChanged(entry, created))

        def progress(entry_id: int, p: SendProgress) -> None:
            self.post_message(OutboxProgress(entry_id, p))

        self.outbox = Outbox(
            self.store,
            backend.client,
            self.profile_name,
            on_change=changed,
            on_progress=progress,
            now=self.clock,
        )

    async def _sweep_outbox(self) -> None:
        if self.outbox is not None:
            await self.outbox.sweep()

    async def _close_backend(self) -> None:
        self.backend = None
        if self.outbox is not None:
            outbox, self.outbox = self.outbox, None
            await outbox.aclose()
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def on_unmount(self) -> None:
        self.save_all_drafts()
        await self._close_backend()
        for process in self.sandboxes.values():
            await asyncio.to_thread(process.stop)
        if self.store is not None:
            self.store.close()

    @on(BackendReady)
    def _backend_ready(self, message: BackendReady) -> None:
        self.backend = message.backend
        self.backend_error = None
        self.sub_title = message.backend.description
        self.backend_signal.publish(message)

    @on(OutboxChanged)
    @on(OutboxProgress)
    def _outbox_news(self, message: OutboxChanged | OutboxProgress) -> None:
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

    def switch_profile(self, name: str) -> None:
        if name == self.profile_name and self.backend is not None:
            return
        self.save_all_drafts()  # the open conversation's screen is about to go
        self.profile_name = name
        self.sub_title = f"{name} · connecting…"
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.backend_signal.publish(BackendSwitching(name))
        self.connect()

    def reconnect(self) -> None:
        """Try the profile again (after it failed to open)."""
        self.connect()

    # -- keys and commands ----------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.save_all_drafts()
        self.exit()

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

    def action_outbox(self) -> None:
        from tui.screens.outbox import OutboxScreen

        if not isinstance(self.screen, OutboxScreen):
            self.push_screen(OutboxScreen())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for name in profile_names(self.config):
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
        customer text, where "[snippets]" would vanish as markup and "[@click=...]" would act."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify_error(self, error: SwitchboardError | str) -> None:
        sentence = error.sentence if isinstance(error, SwitchboardError) else error
        self.notify(sentence, severity="error", timeout=10)


def run_app(
    profile: str | None = None,
    *,
    config: Config | None = None,
    sandboxes: dict[Path, SandboxProcess] | None = None,
) -> int:
    """Start the app; a config problem is one sentence on stderr before any screen appears."""
    try:
        config = config if config is not None else load_config()
        get_profile(config, chosen_profile_name(config, profile))
        app = SwitchboardApp(profile=profile, config=config, sandboxes=sandboxes)
    except SwitchboardError as exc:
        sys.stderr.write(exc.sentence + "\n")
        return exc.exit_code
    app.run()
    return app.return_code or 0


if TYPE_CHECKING:  # the app is what its screens are promised (tui/context.py): checked here
    _implements: type[AppContext] = SwitchboardApp

__all__ = ["SwitchboardApp", "config_path", "run_app"]
