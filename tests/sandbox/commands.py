"""`switchboard sandbox` as a real process (`python -m tui sandbox ...`), for the sandbox's tests."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field

WAIT = 20.0  # seconds: generous, for a loaded machine; tests poll, they never sleep this long


def sandbox_process(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@dataclass
class SandboxCommand:
    """A running `python -m tui sandbox ...`: its stdout lines as they come, stderr at the end."""

    proc: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pumps: list[threading.Thread] = field(default_factory=list)

    def line(self, timeout: float = WAIT) -> str:
        """The next stdout line ("" at end of output)."""
        text = self.lines.get(timeout=timeout)
        self.seen.append(text)
        return text

    def announcement(self) -> dict[str, str]:
        """Read up to the "Ctrl-C stops it." line: the base URL, the key and the faults line."""
        while not (text := self.line()).startswith("Ctrl-C") and text:
            pass
        assert text, f"the sandbox stopped: {self.seen} {self.finish()}"
        base = self.seen[0].split()[3]
        key = next(t.split()[2] for t in self.seen if t.startswith("API key:"))
        faults = next((t.strip() for t in self.seen if t.startswith("Faults")), "")
        return {"base_url": base, "api_key": key, "faults": faults}

    def finish(self, timeout: float = WAIT) -> tuple[int, str]:
        """Ctrl-C if still running; its exit code and all it wrote to stderr. Safe twice."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pump in self.pumps:
            pump.join(timeout)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return self.proc.returncode, "".join(self.errors)

    def start_pumps(self) -> None:
        stdout, stderr = self.proc.stdout, self.proc.stderr
        assert stdout is not None and stderr is not None

        def pump_out() -> None:
            for text in iter(stdout.readline, ""):
                self.lines.put(text)
            self.lines.put("")

        def pump_err() -> None:
            for text in iter(stderr.readline, ""):
                self.errors.append(text)

        self.pumps = [threading.Thread(target=f, daemon=True) for f in (pump_out, pump_err)]
        for pump in self.pumps:
            pump.start()


def run_sandbox_command(*args: str, timeout: float = WAIT) -> subprocess.CompletedProcess[str]:
    """`python -m tui sandbox *args` that is expected to end by itself (e.g. refusing to start)."""
    return subprocess.run(
        [sys.executable, "-m", "tui", "sandbox", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
