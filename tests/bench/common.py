"""Shared plumbing: throw-away XDG homes, a standalone sandbox process, profiles, statistics."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))
BARE_APP = [PYTHON, str(BENCH / "apps" / "bare_app.py")]
BARE_TEXTAREA = [PYTHON, str(BENCH / "apps" / "bare_textarea.py")]


@dataclass
class Home:
    """A temporary HOME with its own XDG config/data/state folders (never the user's)."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL") if k in os.environ}
        return {
            **keep,
            "LANG": os.environ.get("LANG") or "C.UTF-8",
            "HOME": str(self.root),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
            "TERM": "xterm-256color",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    @property
    def config_file(self) -> Path:
        return self.root / "config" / "switchboard" / "config.toml"

    def write_profile(self, sandbox: RunningSandbox, name: str = "bench") -> Path:
        """A default profile that points at a standalone sandbox (mode 0600, it holds the key)."""
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(
            f'default_profile = "{name}"\n\n[profiles.{name}]\n'
            f'base_url = "{sandbox.base_url}"\norganization_id = {sandbox.organization_id}\n'
            f'api_key = "{sandbox.api_key}"\nauth = "x-api-key"\n'
            f'media_base_url = "{sandbox.base_url}/media"\ntimeout_seconds = 120\n'
        )
        os.chmod(self.config_file, 0o600)
        return self.config_file


@contextlib.contextmanager
def temp_home(prefix: str = "switchboard-bench-") -> Iterator[Home]:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield Home(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningSandbox:
    proc: subprocess.Popen[str]
    base_url: str
    api_key: str
    organization_id: int
    data_dir: Path
    #: Every agent's key by name, as the sandbox printed them.
    keys: dict[str, str] = field(default_factory=dict)
    #: perf_counter() when it said where it listens.
    ready_at: float = 0.0

    @property
    def pid(self) -> int:
        return self.proc.pid


AGENT = re.compile(r"^\s+(.+?)\s+user_id (\d+)\s+organization_id (\d+)\s+api_key (\S+)")


def start_sandbox(
    data_dir: Path, home: Home, port: int | None = None, timeout: float = 60.0
) -> RunningSandbox:
    """`switchboard sandbox --data DIR --port N` in its own process group, on loopback, once it
    has printed its address and every agent's key."""
    port = port or free_port()
    proc = subprocess.Popen(
        [SWITCHBOARD, "sandbox", "--host", "127.0.0.1", "--port", str(port), "--data", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**home.env, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    assert proc.stdout is not None
    base = key = None
    org, ready, keys, seen = 1, 0.0, {}, []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if m := re.search(r"sandbox on (http://\S+)", line):
            base, ready = m.group(1), time.perf_counter()
        if m := re.search(r"API key: (\S+)\s+organization_id: (\d+)", line):
            key, org = m.group(1), int(m.group(2))
        if m := AGENT.match(line):
            keys[m.group(1).strip()] = m.group(4)
        if line.startswith("Handy conversation ids"):
            break
    if base is None or key is None:
        stop_sandbox(proc, kill=True)
        raise RuntimeError("the standalone sandbox did not start:\n" + "".join(seen))
    return RunningSandbox(proc, base, key, org, data_dir, keys, ready)


def stop_sandbox(proc: subprocess.Popen[str], *, kill: bool = False) -> None:
    """Ctrl-C (or SIGKILL, as a crash would) to its process group, then reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    if proc.stdout is not None:
        proc.stdout.close()


@contextlib.contextmanager
def standalone_sandbox(data_dir: Path, home: Home, timeout: float = 60.0) -> Iterator[RunningSandbox]:
    """A standalone sandbox for the block's lifetime; stopped with Ctrl-C."""
    running = start_sandbox(data_dir, home, timeout=timeout)
    try:
        yield running
    finally:
        stop_sandbox(running.proc)


# -- statistics -------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)
