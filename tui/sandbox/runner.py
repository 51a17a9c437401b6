"""Starting the sandbox: in a background thread for the app, the CLI and tests, or in the
foreground for `switchboard sandbox`."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from tui.sandbox.app import create_app
from tui.sandbox.seed import HANDY_IDS, ORGANIZATION_ID

START_TIMEOUT = 15.0
INBOUND_EVERY = (5.0, 20.0)


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/switchboard/sandbox` (`~/.local/share/...` when unset)."""
    base = os.environ.get("XDG_DATA_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "switchboard" / "sandbox"


@dataclass
class RunningSandbox:
    base_url: str
    api_key: str
    organization_id: int
    media_base_url: str
    data_dir: Path
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving and wait for the thread; safe to call twice."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._server.config.app.state.sandbox.store.close()  # type: ignore[attr-defined]


def _config(app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")


def start_in_thread(
    data_dir: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    simulate_inbound: bool = False,
    **options: Any,
) -> RunningSandbox:
    """Serve on `host:port` (0 = a free port) from a daemon thread; returns once it accepts."""
    data_dir = data_dir or default_data_dir()
    every = options.pop("inbound_every", INBOUND_EVERY) if simulate_inbound else None
    app = create_app(data_dir, simulate_inbound_every=every, **options)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, host, bound_port))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # reported to the starter below
            failure.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=run, name="switchboard-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if failure or not thread.is_alive():
            raise RuntimeError(
                f"the sandbox stopped while starting ({failure[0] if failure else 'no reason'})"
            )
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the sandbox did not start within {START_TIMEOUT:g} s")
        time.sleep(0.01)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{bound_port}"
    store = app.state.sandbox.store
    return RunningSandbox(
        base_url=base,
        api_key=store.api_key,
        organization_id=ORGANIZATION_ID,
        media_base_url=base + "/media",
        data_dir=data_dir,
        _server=server,
        _thread=thread,
    )


def serve_forever(
    data_dir: Path,
    host: str,
    port: int,
    simulate_inbound: bool,
    announce: Callable[[str], None],
) -> None:
    """Run in the foreground until Ctrl-C, after printing how to connect."""
    running = start_in_thread(data_dir, host=host, port=port, simulate_inbound=simulate_inbound)
    handy = ", ".join(f"{k}={v}" for k, v in HANDY_IDS.items())
    for line in (
        f"Switchboard sandbox on {running.base_url}  (data in {data_dir})",
        f"API key: {running.api_key}  organization_id: {running.organization_id}",
        f"Handy conversation ids: {handy}",
        "A profile for it (config.toml):",
        "  [profiles.sandbox-local]",
        f'  base_url = "{running.base_url}"',
        f"  organization_id = {running.organization_id}",
        f'  api_key = "{running.api_key}"',
        '  auth = "x-api-key"',
        f'  media_base_url = "{running.media_base_url}"',
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
