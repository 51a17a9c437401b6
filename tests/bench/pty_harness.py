"""Run a program in a real pseudo-terminal and watch its screen through pyte.

Nothing is timed inside the program under test: the harness writes to the pty master, reads what
the program draws, feeds it to a pyte terminal emulator and checks the emulated screen. A figure
is the wall time between a harness action (spawn, key written) and the first moment the emulated
screen satisfies a predicate.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence

import pyte

COLUMNS, LINES = 100, 30

Predicate = Callable[["PtyApp"], bool]


class Timeout(RuntimeError):
    pass


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM = peak RSS)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def tree_pids(pid: int) -> list[int]:
    """`pid` and every descendant (from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


class PtyApp:
    """One program in a pty of COLUMNS x LINES whose output drives a pyte screen."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        cwd: str | None = None,
        columns: int = COLUMNS,
        lines: int = LINES,
    ) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.cwd = cwd
        self.columns, self.lines = columns, lines
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.proc: subprocess.Popen[bytes] | None = None
        self.master = -1
        self.t_spawn = 0.0
        self.bytes_read = 0
        self.last_read_at = 0.0

    # -- life -----------------------------------------------------------------------------------

    def spawn(self) -> float:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.lines, self.columns, 0, 0))
        env = {**self.env, "TERM": "xterm-256color", "COLUMNS": str(self.columns), "LINES": str(self.lines)}
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=self.cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        os.set_blocking(master, False)
        return self.t_spawn

    def close(self, timeout: float = 5.0) -> None:
        """Ask the program to quit (ctrl+q), then SIGTERM, then SIGKILL its process group."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                os.write(self.master, b"\x11")
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                self.pump(0.05)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                continue
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        self.proc = None

    def __enter__(self) -> PtyApp:
        self.spawn()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    # -- io -------------------------------------------------------------------------------------

    def pump(self, timeout: float) -> bool:
        """Read whatever is there (waiting up to `timeout` for the first byte); True if anything came.

        Everything already there is read before the emulator (pure Python, several ms on a full
        frame) parses any of it, and the time stamp is the last read's: a frame larger than the
        pty's buffer arrives in chunks, and parsing each before reading the next had put the
        harness's parsing into the app's figure (most on scrolling moves, row 5b)."""
        chunks: list[bytes] = []
        wait = timeout
        while True:
            ready, _, _ = select.select([self.master], [], [], wait)
            if not ready:
                break
            try:
                data = os.read(self.master, 1 << 16)
            except BlockingIOError:
                break
            except OSError:  # EIO: the program closed the pty
                break
            if not data:
                break
            chunks.append(data)
            self.last_read_at = time.perf_counter()  # when the bytes arrived, before parsing
            wait = 0.0  # drain what is already there, then parse and check the screen
        if chunks:
            data = b"".join(chunks)
            self.bytes_read += len(data)
            self.stream.feed(data)
        return bool(chunks)

    def wait_for(self, predicate: Predicate, timeout: float = 20.0, what: str = "screen") -> float:
        """perf_counter() when the bytes arrived after which `predicate` holds (the arrival of the
        frame that shows it, not the end of the harness's parsing and checking)."""
        deadline = time.perf_counter() + timeout
        if predicate(self):
            return time.perf_counter()
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise Timeout(f"timed out waiting for {what}; screen:\n{self.dump()}")
            if self.proc is not None and self.proc.poll() is not None:
                self.pump(0.05)
                raise Timeout(f"program exited ({self.proc.returncode}) waiting for {what}:\n{self.dump()}")
            if self.pump(min(left, 0.05)) and predicate(self):
                return self.last_read_at

    def write(self, data: bytes | str) -> float:
        if isinstance(data, str):
            data = data.encode()
        t = time.perf_counter()
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.master, view)
            except BlockingIOError:
                self.pump(0.01)  # the program is busy; keep its output flowing meanwhile
                continue
            view = view[n:]
        return t

    def settle(self, quiet: float = 0.3, limit: float = 5.0) -> None:
        """Read until nothing has come for `quiet` seconds (or `limit` passed)."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end and self.pump(quiet):
            pass

    # -- screen ---------------------------------------------------------------------------------

    @property
    def text(self) -> list[str]:
        return list(self.screen.display)

    def contains(self, needle: str) -> bool:
        return any(needle in line for line in self.screen.display)

    def line_bg(self, y: int, x: int) -> str:
        return self.screen.buffer[y][x].bg

    def dump(self) -> str:
        return "\n".join(f"{i:2d}|{line}" for i, line in enumerate(self.screen.display))
