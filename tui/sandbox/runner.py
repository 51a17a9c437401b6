"""Starting the sandbox: in a background thread for the app, the CLI and tests, or in the
foreground for `switchboard sandbox`."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from tui.core.paths import sandbox_data_dir
from tui.sandbox.agents import Agent
from tui.sandbox.app import create_app
from tui.sandbox.seed import HANDY_IDS, ORGANIZATION_ID
from tui.sandbox.sockets import base_url_of, listen
from tui.sandbox.state import Sandbox

if TYPE_CHECKING:  # loaded only when a sandbox is started with faults
    from tui.sandbox.faults import Faults
    from tui.sandbox.injector import FaultInjector

START_TIMEOUT = 15.0
INBOUND_EVERY = (5.0, 20.0)


@dataclass
class RunningSandbox:
    base_url: str
    api_key: str
    organization_id: int
    media_base_url: str
    data_dir: Path
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _app: Any = field(default=None, repr=False)
    _injector: FaultInjector | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop serving and wait for the thread; safe to call twice."""
        if self._injector is not None:
            self._injector.close()
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        app: Any = self._app if self._app is not None else self._server.config.app
        app.state.warm_up.join()
        self._sandbox.store.close()

    # -- its agents, and what customers and other agents do (for tests and the CLI) --

    @property
    def agents(self) -> tuple[Agent, ...]:
        """Every agent with its API key, the default key's agent (Maria Silva) first."""
        return self._sandbox.agents

    def agent(self, user_id: int) -> Agent:
        """The agent with this user id (KeyError if none)."""
        found = self._sandbox.agent(user_id)
        if found is None:
            raise KeyError(f"no agent {user_id}")
        return found

    def customer_writes(self, conversation_id: int, text: str) -> dict[str, Any]:
        """The conversation's customer sends `text` now: reopens it if closed, raises its unread
        count, moves `last_message_*` and `last_inbound_message_at`. Returns the message."""
        from tui.sandbox.activity import customer_writes

        return customer_writes(self._sandbox, conversation_id, text)

    def agent_writes(
        self, conversation_id: int, text: str, *, user_id: int | None = None, note: bool = False
    ) -> dict[str, Any]:
        """Agent `user_id` (default: Maria Silva) sends `text` now, or leaves it as a note, as
        another app instance with that agent's key would. Returns the message."""
        from tui.sandbox.activity import agent_writes

        return agent_writes(self._sandbox, conversation_id, text, user_id=user_id, note=note)

    @property
    def _sandbox(self) -> Sandbox:
        app: Any = self._app if self._app is not None else self._server.config.app
        sandbox: Sandbox = app.state.sandbox
        return sandbox

    # -- its records, for tests that check delivery --

    def message_counts(
        self,
        text: str | None = None,
        *,
        conversation_id: int | None = None,
        direction: str | None = "outbound",
    ) -> dict[tuple[int, str], int]:
        """How many messages the sandbox holds per `(conversation_id, message_text)` (see
        `store.message_counts`); also after `stop()`."""
        from tui.sandbox.store import message_counts

        return message_counts(
            self.data_dir / "sandbox.db", text, conversation_id=conversation_id, direction=direction
        )

    def count_messages(self, text: str, *, conversation_id: int | None = None) -> dict[int, int]:
        """How many outbound messages with exactly `text` each conversation holds."""
        counts = self.message_counts(text, conversation_id=conversation_id)
        return {cid: n for (cid, _), n in counts.items()}

    # -- faults (only when started with some, even `faults=Faults()`) --

    @property
    def faults(self) -> Faults | None:
        return self._injector.faults if self._injector is not None else None

    def set_faults(self, faults: Faults | None = None, **options: Any) -> Faults:
        """Replace the faults (a `Faults`, and/or the keyword options of `start_in_thread`);
        `set_faults(Faults())` turns them all off. The RNG restarts from the seed."""
        if self._injector is None:
            raise RuntimeError(
                "this sandbox was started without faults; pass faults=Faults() to add them later"
            )
        from tui.sandbox.faults import merge_options

        new = merge_options(faults if faults is not None else self._injector.faults, options)
        if options:
            raise TypeError(f"unknown fault options: {', '.join(sorted(options))}")
        assert new is not None
        self._injector.set(new)
        return new

    def fault_stats(self) -> dict[str, int]:
        """Requests per outcome (`requests`, `passed`, `delayed`, `rate_limited`, `fail_<code>`,
        `drop_before`, `drop_after`) and answers changed (`trickled`, `hostile`, `odd_nested`,
        `odd_range`, `echoed_key`); empty without faults."""
        return self._injector.stats() if self._injector is not None else {}

    def fault_events(self) -> list[tuple[str, str, str]]:
        """`(method, path, outcome)` of the latest requests subject to faults, oldest first."""
        return self._injector.events() if self._injector is not None else []


class _Server(uvicorn.Server):
    """uvicorn's server, saying the moment it serves (no polling on the starter's side)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.ready.set()


def _config(app: Any, host: str, port: int, **extra: Any) -> uvicorn.Config:
    # ws="none": the sandbox serves no websockets, so none of their libraries load.
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="on", ws="none", **extra
    )


def start_in_thread(
    data_dir: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    simulate_inbound: bool = False,
    faults: Faults | None = None,
    fault_clock: Callable[[], float] = time.monotonic,
    sandbox: Sandbox | None = None,
    sock: socket.socket | None = None,
    **options: Any,
) -> RunningSandbox:
    """Serve on `host:port` (0 = a free port) from a daemon thread; returns once it accepts.

    Faults come as `faults=Faults(...)` and/or the keyword options of the table
    `tui.sandbox.fault_options.OPTIONS` (they override `faults`); `tui.sandbox.faults` says what
    each does. Without any, nothing is installed and the sandbox behaves exactly as without them.
    `fault_clock` (monotonic seconds) times the rate limit's window; tests inject one.
    `sandbox` and `sock` (from `sockets.listen`) may be made beforehand, as the child does."""
    data_dir = data_dir or (sandbox.data_dir if sandbox is not None else sandbox_data_dir())
    every = options.pop("inbound_every", INBOUND_EVERY) if simulate_inbound else None
    if faults is not None or options:
        from tui.sandbox.faults import merge_options

        faults = merge_options(faults, options)
    app = create_app(data_dir, sandbox=sandbox, simulate_inbound_every=every, **options)
    injector = None
    if faults is not None:
        from tui.sandbox.injector import FaultInjector

        injector = FaultInjector(app, faults, clock=fault_clock)
    if sock is None:
        try:
            sock = listen(host, port)
        except OSError:
            app.state.sandbox.store.close()
            raise
    host, bound_port = sock.getsockname()[:2]
    if injector is None:
        server = _Server(_config(app, host, bound_port))
    else:  # the protocol lets the injector reach connections; scope["client"] must be the real peer
        extra = {"http": injector.protocol, "proxy_headers": False}
        server = _Server(_config(injector, host, bound_port, **extra))
    failure: list[BaseException] = []
    served = sock

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[served]))
        except BaseException as exc:  # reported to the starter below
            failure.append(exc)
        finally:
            served.close()

    thread = threading.Thread(target=run, name="switchboard-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.ready.wait(0.05):
        if failure or not thread.is_alive():
            raise RuntimeError(
                f"the sandbox stopped while starting ({failure[0] if failure else 'no reason'})"
            )
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the sandbox did not start within {START_TIMEOUT:g} s")
    base = base_url_of(sock)
    store = app.state.sandbox.store
    return RunningSandbox(
        base_url=base,
        api_key=store.api_key,
        organization_id=ORGANIZATION_ID,
        media_base_url=base + "/media",
        data_dir=data_dir,
        _server=server,
        _thread=thread,
        _app=app,
        _injector=injector,
    )


def serve_forever(
    running: RunningSandbox,
    *,
    simulate_inbound: bool,
    announce: Callable[[str], None],
    faults: Faults | None = None,
) -> None:
    """Print how to connect to `running`, then serve in the foreground until Ctrl-C."""
    handy = ", ".join(f"{k}={v}" for k, v in HANDY_IDS.items())
    for line in (
        f"Switchboard sandbox on {running.base_url}  (data in {running.data_dir})",
        f"API key: {running.api_key}  organization_id: {running.organization_id}",
        "Agents (each key acts as its agent; give a second app instance another one):",
        *(
            f"  {a.name:<14} user_id {a.id:<3} organization_id {a.organization_id}  api_key {a.api_key}"
            + ("  (the default)" if a.api_key == running.api_key else "")
            for a in running.agents
        ),
        f"Handy conversation ids: {handy}",
        "A profile for it (config.toml); for another agent, copy it under another name with that",
        "agent's api_key, user_id and organization_id, and start the second app with --profile NAME:",
        "  [profiles.sandbox-local]",
        f'  base_url = "{running.base_url}"',
        f"  organization_id = {running.organization_id}",
        f'  api_key = "{running.api_key}"',
        f"  user_id = {running.agents[0].id}",
        '  auth = "x-api-key"',
        f'  media_base_url = "{running.media_base_url}"',
        *([faults.describe()] if faults is not None else []),
        "Ctrl-C stops it." + ("  Customers write every 5-20 s." if simulate_inbound else ""),
    ):
        announce(line)
    try:
        while running._thread.is_alive():
            running._thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
