"""The real app in a real pseudo-terminal, killed: what was typed is in the store afterwards.

`kill -9` gives the app no chance to react, so this proves the timed save; SIGHUP (a dropped SSH
session) proves the hang-up handler saves what the timer had not yet written.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tui.core.store import Store


def spawn(home: Path) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PYTEST"))}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="30")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=home,
        start_new_session=True,
    )
    os.close(slave)
    return proc, master


def read_until(master: int, needle: bytes, timeout: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{needle!r} never appeared on the screen")
        ready, _, _ = select.select([master], [], [], min(left, 0.2))
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen


def drain(master: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                return


def open_first_conversation_and_type(master: int, text: str) -> None:
    read_until(master, b"Grace Mensah")  # the first seeded row: the sandbox answered
    drain(master, 0.5)
    os.write(master, b"\r")
    read_until(master, b"REPLY")
    drain(master, 1.0)
    for ch in text:
        os.write(master, ch.encode())
        drain(master, 0.02)


def sandbox_children(home: Path) -> list[int]:
    """Pids of sandbox child processes serving this test's data folder."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"tui.sandbox.child" in argv and any(str(home).encode() in a for a in argv):
            pids.append(int(proc.name))
    return pids


def stored_reply(conversation_id: int = 19) -> str | None:
    draft = Store().drafts("sandbox", conversation_id).get("reply")
    return draft.text if draft else None


@pytest.mark.parametrize("how", ["kill -9", "SIGHUP"])
def test_typed_text_survives_the_process_dying(isolated_home: Path, how: str) -> None:
    proc, master = spawn(isolated_home)
    try:
        open_first_conversation_and_type(master, "typed before it died")
        assert sandbox_children(isolated_home), "the app runs its sandbox in a child process"
        if how == "kill -9":
            drain(master, 0.6)  # more than 0.5 s after the last keystroke
            os.kill(proc.pid, signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGHUP)  # at once: only the hang-up handler can save it
        proc.wait(timeout=15)
        deadline = time.monotonic() + 10
        while sandbox_children(isolated_home) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not sandbox_children(isolated_home), "the sandbox outlived the app"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert stored_reply() == "typed before it died"
