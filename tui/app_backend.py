"""The app's backend lifecycle, apart from its screens' wiring (`tui/app.py`): validate the
config after the first frame, open the profile (starting the sandbox child if it is one), the
local store and the outbox, switch profiles, close everything on the way out.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App

from tui.core.errors import ConfigError, SwitchboardError
from tui.core.first_frame import FirstFrame
from tui.core.paths import sandbox_data_dir, state_dir
from tui.messages import (
    AgentKnown,
    BackendFailed,
    BackendReady,
    BackendSwitching,
    FirstRows,
    OutboxChanged,
    OutboxOpened,
    OutboxProgress,
)
from tui.screens.base import BaseScreen

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from textual.signal import Signal

    from tui.backend import Backend
    from tui.core.config import Config
    from tui.core.hold import People
    from tui.core.models import Message as ApiMessage
    from tui.core.models import User
    from tui.core.outbox import Outbox
    from tui.core.queue_state import QueueState
    from tui.core.sender import SendProgress
    from tui.core.store import OutboxEntry, Store
    from tui.messages import BackendNews, OutboxNews
    from tui.sandbox_process import SandboxProcess


#: How long the outbox and the agent lookup wait for the first rows before going on anyway.
ROWS_WAIT_SECONDS = 1.5


class BackendApp(App[int]):
    """What `SwitchboardApp` does with its backend; its attributes are set by that app's
    `__init__`."""

    _config: Config | None
    _requested_profile: str | None
    _stack: AsyncExitStack | None
    first: FirstFrame
    exit_code: int
    sandboxes: dict[Path, SandboxProcess]
    profile_name: str
    clock: Callable[[], datetime]
    backend: Backend | None
    backend_error: str | None
    store: Store | None
    outbox: Outbox | None
    backend_signal: Signal[BackendNews]
    outbox_signal: Signal[OutboxNews]
    #: Who the agent is on this backend (None until known, or when the server does not say).
    me: User | None
    #: The organization's agents, for names in rows and the "assign to…" picker.
    agents: tuple[User, ...]
    #: The queue's figures: the views' counts, Unread and Needs reply (next unread, close and next).
    queue: QueueState | None
    #: Set when the inbox has drawn the first rows of the backend being opened.
    _rows_drawn: asyncio.Event | None = None

    @property
    def live(self) -> bool:
        """Pushed news arrives (`LiveApp` says when)."""
        return False

    def save_all_drafts(self) -> None:
        """Write every open conversation's draft now (synchronously: the process may be ending)."""
        for screen in self.screen_stack:
            if isinstance(screen, BaseScreen):
                screen.save_state()

    @work(exclusive=True, exit_on_error=False, group="backend")
    async def connect(self) -> None:
        """Open the profile (start the sandbox if it is one) without blocking the first frame.
        At the app's first connect, the first page is read before anything heavy loads."""
        await self._close_backend()
        if not self._first_page_asked:
            self._first_page_asked = True
            await self._read_first_page()
        if self._config is None:
            try:
                self._config = await asyncio.to_thread(_validated, self._requested_profile)
            except ConfigError as exc:
                self._config_failed(exc)
                return
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
        await self._open_store()
        self._rows_drawn = asyncio.Event()
        self.post_message(BackendReady(backend))
        # The outbox's modules and the agent lookup's requests wait until the first rows are on
        # screen (or a moment has passed): nobody can send or assign before there are rows, and
        # on the way to them they cost ~70 ms (bench row 2). Sends until then say "try again".
        with suppress(TimeoutError):
            async with asyncio.timeout(ROWS_WAIT_SECONDS):
                await self._rows_drawn.wait()
        if self.backend is not backend:
            return  # switched or closed meanwhile
        self._open_outbox(backend)
        self.outbox_signal.publish(OutboxOpened())
        self._learn_who(backend)
        if self.outbox is not None:
            waiting = await self.outbox.start()
            if waiting:
                noun = "message is" if len(waiting) == 1 else "messages are"
                self.notify(f"{len(waiting)} {noun} in the outbox; f2 shows them.", timeout=8)

    @work(exclusive=True, exit_on_error=False, group="who")
    async def _learn_who(self, backend: Backend) -> None:
        """Who the agent is and who their teammates are, after the first rows were asked for:
        "assign to me", "Mine" and the names in rows need them; nothing else waits on them."""
        self.me, self.agents = None, ()
        try:
            self.me = await backend.client.get_me()
        except SwitchboardError as exc:
            # A network problem is said once, by the list; only "the server does not say who you
            # are" (set user_id) is news of its own.
            if isinstance(exc, ConfigError):
                self.notify(
                    f"Assigning to yourself and the Mine view are off: {exc.sentence}",
                    severity="warning",
                    timeout=10,
                )
        try:
            self.agents = tuple(await backend.client.list_users())
        except SwitchboardError:
            self.agents = (self.me,) if self.me is not None else ()
        if self.backend is backend:
            self.backend_signal.publish(AgentKnown(backend))
            self.agent_known()

    #: Whether the first page was asked for before the backend opened (once per app), and its answer.
    _first_page_asked: bool = False
    _first_page: Any = None

    async def _read_first_page(self) -> None:
        """The first page of All with the standard library, from the raw config or the sandbox
        child's address (`tui.core.first_page`); its rows are drawn at once (`FirstRows`)."""
        from tui.core.first_page import Target, fetch, target_for_sandbox, target_from_config
        from tui.core.row_view import row_views

        first = self.first
        if first.profile_name != self.profile_name:
            return
        table = first.profile_table
        target: Target | None = None
        if first.sandbox:
            process = self.sandboxes.get(sandbox_data_dir(first.sandbox_data))
            if process is None:
                return
            try:
                address = await asyncio.to_thread(process.wait_ready)
            except SwitchboardError:
                return  # the normal path says why
            target = target_for_sandbox(address.base_url, address.organization_id, address.api_key)
        elif first.config_file is not None:
            target = target_from_config(table, first.config_file)
        paths = table.get("paths")
        path = paths.get("conversations") if isinstance(paths, dict) else None
        path = path if isinstance(path, str) and path.startswith("/") else None
        data = await asyncio.to_thread(fetch, target, path or "/conversations") if target else None
        read = row_views(data) if data is not None else None
        if read is None:
            return
        self._first_page = data
        self.backend_signal.publish(FirstRows(*read))
        # The rows reach the screen before the heavy imports below hold the interpreter.
        drawn = asyncio.Event()
        self.call_after_refresh(drawn.set)
        with suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await drawn.wait()

    def take_first_page(self) -> Any:
        """The first page read before the backend opened, once (None after, or when none was)."""
        data, self._first_page = self._first_page, None
        return data

    def _config_failed(self, error: ConfigError) -> None:
        """A config the CLI would refuse: the same sentence, full screen; quitting exits 3."""
        from tui.screens.config_problem import ConfigProblemScreen

        self.exit_code = error.exit_code
        self.backend_error = error.sentence
        self.sub_title = f"{self.profile_name} · config problem"
        self.push_screen(ConfigProblemScreen(error.sentence))

    def profile_names(self) -> list[str]:
        """The profiles to switch to (none until the config is validated)."""
        from tui.core.config import profile_names

        return profile_names(self._config) if self._config is not None else []

    @property
    def config(self) -> Config:
        """The validated config; screens ask for it only once the backend is ready."""
        if self._config is None:
            raise RuntimeError("the config is read before it was validated")
        return self._config

    def _sandbox_for(self, name: str) -> SandboxProcess | None:
        """The running child process for a sandbox profile (started if need be), else None."""
        from tui.core.config import get_profile
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

    def refresh_queue(self) -> object:
        """Read the queue's figures (a worker of `QueueApp`'s)."""
        raise NotImplementedError

    def agent_known(self) -> None:
        """Who the agent is was asked (`QueueApp` reads the figures that need it)."""

    def rows_drawn(self) -> None:
        """The inbox drew its first rows: what waited for them (outbox, agent lookup) goes on."""
        if self._rows_drawn is not None:
            self._rows_drawn.set()

    async def _open_store(self) -> None:
        """The local store: drafts and snoozes mark the first rows (in memory when the state
        folder cannot be written: sending still works, unsaved)."""
        import sqlite3

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

    def _open_outbox(self, backend: Backend) -> None:
        """This profile's outbox, on the store."""
        from tui.core.outbox import Outbox

        assert self.store is not None

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
            record_age=self._record_age,
            people=self._people,
        )

    def _people(self) -> People:
        """Who is who, for a hold's sentence ("Reassigned to Tom Becker since you looked")."""
        from tui.core.hold import People

        return People(self.me.id if self.me else None, {u.id: u.display_name for u in self.agents})

    def _record_age(self) -> float:
        """How old the cache's copy of a conversation may be for the outbox's checks: while every
        change is pushed it is current; else it is read."""
        return 24 * 3600.0 if self.live else 0.0

    async def _sweep_outbox(self) -> None:
        if self.outbox is not None:
            await self.outbox.sweep()

    async def _close_backend(self) -> None:
        self.backend = None
        self.me, self.agents, self.queue = None, (), None
        if self.outbox is not None:
            outbox, self.outbox = self.outbox, None
            await outbox.aclose()
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

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


def _validated(profile: str | None) -> Config:
    """The whole config, validated as the CLI does, and the chosen profile checked to exist."""
    from tui.core.config import chosen_profile_name, get_profile, load_config

    config = load_config()
    get_profile(config, chosen_profile_name(config, profile))
    return config
