"""The real app in a pty, with a send on the wire that the server holds: killed with `kill -9`,
the restarted app shows the send unconfirmed at once (with r/e/d), never "sending…" until a
lease lapses; hung up while quitting, the process ends within seconds instead of spinning."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_crash import drain, read_until, spawn
from tui.core.store import Store
from tui.sandbox.runner import start_in_thread

HELD = "/conversation-messages-transform-outgoing-webchat"


@pytest.fixture
def holding(tmp_path: Path, isolated_home: Path) -> Iterator[Any]:
    """A sandbox that holds every webchat send for a minute, and a profile that points at it."""
    running = start_in_thread(
        tmp_path / "held", latency_ms=60_000, fault_paths=(HELD,), fault_methods=("POST",)
    )
    config = isolated_home / ".config" / "switchboard" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        'default_profile = "held"\n[profiles.held]\n'
        f'base_url = "{running.base_url}"\norganization_id = {running.organization_id}\n'
        f'api_key = "{running.api_key}"\nmedia_base_url = "{running.media_base_url}"\n'
    )
    config.chmod(0o600)
    try:
        yield running
    finally:
        running.stop()


def send_on_first_conversation(master: int, text: str) -> None:
    read_until(master, b"Grace Mensah")  # the first row: webchat, conversation 19
    drain(master, 0.3)
    os.write(master, b"\r")
    read_until(master, b"REPLY")
    drain(master, 0.5)
    os.write(master, text.encode())
    drain(master, 0.3)
    os.write(master, b"\n")  # ctrl+j sends


def entry_states(store: Store, text: str) -> list[str]:
    return [e.state for e in store.entries("held") if e.preview == text]


def wait_state(master: int, text: str, state: str, timeout: float) -> float:
    """Seconds until the entry with `text` is in `state`. The screen is read meanwhile, as a
    terminal does (an app whose output nobody reads blocks on its next write), and the store is
    opened once: opening it every 50 ms would contend with the app's own writes."""
    started = time.monotonic()
    store = Store()
    try:
        while entry_states(store, text) != [state]:
            if time.monotonic() - started > timeout:
                found = entry_states(store, text)
                raise AssertionError(f"the send is {found}, not {state!r}, after {timeout:g} s")
            drain(master, 0.05)
    finally:
        store.close()
    return time.monotonic() - started


def test_kill_9_mid_send_then_restart_shows_it_unconfirmed_at_once(holding: Any, isolated_home: Path) -> None:
    proc, master = spawn(isolated_home)
    try:
        send_on_first_conversation(master, "held on the wire")
        wait_state(master, "held on the wire", "sending", timeout=15)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    proc, master = spawn(isolated_home)
    try:
        read_until(master, b"Grace Mensah")  # the restarted app's first rows
        assert wait_state(master, "held on the wire", "unconfirmed", timeout=1.0) <= 1.0
        drain(master, 0.3)
        os.write(master, b"\r")
        seen = read_until(master, b"r check and retry", timeout=10)
        assert b"unconfirmed" in seen
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        os.close(master)


def test_a_hang_up_while_quitting_with_a_post_in_flight_ends_the_process(
    holding: Any, isolated_home: Path
) -> None:
    proc, master = spawn(isolated_home)
    try:
        send_on_first_conversation(master, "quitting meanwhile")
        wait_state(master, "quitting meanwhile", "sending", timeout=15)
        os.write(master, b"\x11")  # ctrl+q: the outbox gives the POST its grace
        drain(master, 0.3)
        os.kill(proc.pid, signal.SIGHUP)
        started = time.monotonic()
        proc.wait(timeout=10)
        assert time.monotonic() - started < 4.5  # the hang-up bound, under the outbox's 5 s grace
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    store = Store()
    try:
        assert entry_states(store, "quitting meanwhile") in (["sending"], ["unconfirmed"])  # never lost
    finally:
        store.close()
