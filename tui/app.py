"""The Textual app: wiring only. Screens get data through workers that call the service layer.

The first frame never waits for the network: the inbox is drawn at once and the backend (the
embedded sandbox, or a real profile) is opened in a worker that posts `BackendReady`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from tui.backend import Backend, open_backend
from tui.core.config import (
    Config,
    chosen_profile_name,
    get_profile,
    load_config,
    profile_names,
    save_config,
)
from tui.core.errors import SwitchboardError
from tui.core.paths import config_path

STYLES = Path(__file__).parent / "styles"


class BackendReady(Message):
    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend


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
    ]
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("question_mark", "help", "Help", show=False, id="app.help_alt"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]
    COMMAND_PALETTE_BINDING = "ctrl+p"

    def __init__(
        self,
        *,
        profile: str | None = None,
        config: Config | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config if config is not None else load_config()
        self.profile_name = chosen_profile_name(self.config, profile)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.backend: Backend | None = None
        self.backend_error: str | None = None
        self._stack: AsyncExitStack | None = None
        super().__init__()

    # -- start and stop -------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        from tui.themes import variable_defaults

        return variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        self._load_themes()
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        from tui.screens.inbox import InboxScreen

        self.push_screen(InboxScreen())
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.connect()

    def _load_themes(self) -> None:
        from tui.themes import DEFAULT_THEME, load_themes

        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        for sentence in problems:
            self.notify(sentence, severity="warning", timeout=8)
        wanted = self.config.theme or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.notify(f"The theme {wanted!r} is not installed; using the default.", severity="warning")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if name and name != self.config.theme:
            self.config = self.config.model_copy(update={"theme": name})
            self._save_theme(name)

    @work(thread=True, exit_on_error=False, group="config")
    def _save_theme(self, name: str) -> None:
        try:
            current = load_config()
            save_config(current.model_copy(update={"theme": name}))
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
            backend = await stack.enter_async_context(open_backend(self.profile_name, config=self.config))
        except SwitchboardError as exc:
            await stack.aclose()
            self.post_message(BackendFailed(exc.sentence))
            return
        self._stack = stack
        self.post_message(BackendReady(backend))

    async def _close_backend(self) -> None:
        self.backend = None
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def on_unmount(self) -> None:
        await self._close_backend()

    @on(BackendReady)
    def _backend_ready(self, message: BackendReady) -> None:
        self.backend = message.backend
        self.backend_error = None
        self.sub_title = message.backend.description
        for screen in self.screen_stack:
            if hasattr(screen, "backend_ready"):
                screen.backend_ready()

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
        self.profile_name = name
        self.sub_title = f"{name} · connecting…"
        while len(self.screen_stack) > 2:
            self.pop_screen()
        for screen in self.screen_stack:
            if hasattr(screen, "backend_switching"):
                screen.backend_switching()
        self.connect()

    # -- keys and commands ----------------------------------------------------------------------

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

    def notify_error(self, error: SwitchboardError | str) -> None:
        sentence = error.sentence if isinstance(error, SwitchboardError) else error
        self.notify(sentence, severity="error", timeout=10)


def run_app(profile: str | None = None) -> int:
    """Start the app; a config problem is one sentence on stderr before any screen appears."""
    try:
        config = load_config()
        get_profile(config, chosen_profile_name(config, profile))
        app = SwitchboardApp(profile=profile, config=config)
    except SwitchboardError as exc:
        sys.stderr.write(exc.sentence + "\n")
        return exc.exit_code
    app.run()
    return app.return_code or 0


__all__ = ["SwitchboardApp", "config_path", "run_app"]
