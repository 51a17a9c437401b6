"""The Textual app: wiring only. Screens get data through workers that call the service layer.

The first frame never waits for the network: the inbox is drawn at once and the backend (the
embedded sandbox, or a real profile) is opened in a worker that posts `BackendReady`, started
after that frame. The HTTP client, the outbox and the sandbox are imported there, not here, so
the first frame pays only for Textual, the config and the inbox's own widgets.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tui.core.config import (
    Config,
    chosen_profile_name,
    get_profile,
    load_config,
    profile_names,
    save_config,
)
from tui.core.errors import SwitchboardError
from tui.core.paths import config_path, state_dir
from tui.keys import register_extra_sequences

if TYPE_CHECKING:
    from tui.backend import Backend
    from tui.core.models import Conversation as ApiConversation
    from tui.core.models import Message as ApiMessage
    from tui.core.outbox import Outbox
    from tui.core.sender import SendProgress
    from tui.core.store import OutboxEntry, Store
    from tui.sandbox_process import SandboxProcess

STYLES = Path(__file__).parent / "styles"
_CONFIG_WRITE = threading.Lock()


def _conversations_provider() -> type:
    from tui.commands import ConversationsProvider

    return ConversationsProvider


class BackendReady(Message):
    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend


class OutboxChanged(Message):
    """An outbox entry moved on (state, reason), with the messages the server created, if any."""

    def __init__(self, entry: OutboxEntry, created: list[ApiMessage]) -> None:
        super().__init__()
        self.entry = entry
        self.created = created


class OutboxProgress(Message):
    def __init__(self, entry_id: int, progress: SendProgress) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.progress = progress


class BackendFailed(Message):
    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence


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
        register_extra_sequences()  # alt+enter over tmux/SSH; see tui/keys.py
        super().__init__()
        self._theme_problems = self._load_themes()

    # -- start and stop -------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        from tui.themes import variable_defaults

        return variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        for sentence in self._theme_problems:
            self.notify(sentence, severity="warning", timeout=8)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        from tui.screens.inbox import InboxScreen

        self.push_screen(InboxScreen())
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
        self.exit(129)

    def save_all_drafts(self) -> None:
        """Write every open conversation's draft now (synchronously: the process may be ending)."""
        for screen in self.screen_stack:
            save = getattr(screen, "save_drafts_now", None)
            if save is not None:
                save()

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
        try:
            with _CONFIG_WRITE:  # quick changes save in turn, each the latest chosen: the last one wins
                current = load_config()
                save_config(current.model_copy(update={"theme": self.config.theme or name}))
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
        from tui.sandbox_process import sandbox_data_dir, start_sandbox_process

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
        self.outbox = Outbox(
            self.store,
            backend.client,
            self.profile_name,
            on_change=lambda entry, created: self.post_message(OutboxChanged(entry, created)),
            on_progress=lambda entry_id, p: self.post_message(OutboxProgress(entry_id, p)),
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
        for screen in self.screen_stack:
            if hasattr(screen, "backend_ready"):
                screen.backend_ready()

    @on(OutboxChanged)
    @on(OutboxProgress)
    def _outbox_news(self, message: OutboxChanged | OutboxProgress) -> None:
        for screen in self.screen_stack:
            handler = getattr(screen, "outbox_news", None)
            if handler is not None:
                handler(message)

    @on(BackendFailed)
    def _backend_failed(self, message: BackendFailed) -> None:
        self.backend_error = message.sentence
        self.sub_title = f"{self.profile_name} · not connected"
        self.notify(message.sentence, title="Not connected", severity="error", timeout=12)
        for screen in self.screen_stack:
            if hasattr(screen, "backend_failed"):
                screen.backend_failed(message.sentence)

    def switch_profile(self, name: str) -> None:
        if name == self.profile_name and self.backend is not None:
            return
        self.save_all_drafts()  # the open conversation's screen is about to go
        self.profile_name = name
        self.sub_title = f"{name} · connecting…"
        while len(self.screen_stack) > 2:
            self.pop_screen()
        for screen in self.screen_stack:
            if hasattr(screen, "backend_switching"):
                screen.backend_switching()
        self.connect()

    # -- keys and commands ----------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.save_all_drafts()
        self.exit()

    def open_conversation(self, conversation: ApiConversation) -> None:
        """Show a conversation on top of the inbox, whatever screen is up now."""
        from tui.screens.conversation import ConversationScreen

        self.save_all_drafts()  # a conversation screen on the stack is about to go
        while len(self.screen_stack) > 2:
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
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            yield from extra()

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


__all__ = ["SwitchboardApp", "config_path", "run_app"]
