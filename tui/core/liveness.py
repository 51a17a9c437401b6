"""Whether an app instance recorded in the store is still running.

Each open outbox writes its process id, a host identity and a heartbeat into the store. Another
instance judges it dead when its heartbeat is stale, or at once when it ran on this machine and
its process is gone (or the pid now belongs to a later process): a `kill -9` is seen at the next
start, not after a lease lapses.
"""

from __future__ import annotations

import os
import socket
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: How often a running instance beats, and after how long without a beat it counts as dead.
BEAT_SECONDS = 5.0
STALE_SECONDS = 20.0


@cache
def host_identity() -> str:
    """This machine, this boot and this pid namespace: pids mean something only within all three."""
    parts = [socket.gethostname()]
    with suppress(OSError):
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    with suppress(OSError):
        parts.append(os.readlink("/proc/self/ns/pid"))
    return "|".join(parts)


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc (Linux); None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the name may hold spaces and parentheses
    return (fields[0], fields[19]) if len(fields) > 19 else None  # fields 3 and 22 of stat


def process_token(pid: int) -> str | None:
    """The process's start time, telling a reused pid from the process that first had it; None
    where /proc cannot say."""
    stat = _stat(pid)
    return stat[1] if stat else None


def process_running(pid: int, token: str | None) -> bool:
    """Whether `pid` runs on this host and is the process that recorded `token`."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    except OSError:
        return False
    stat = _stat(pid)
    if stat is None:
        return True  # no /proc: the pid exists, which is all that can be known
    state, started = stat
    return state not in ("Z", "X") and (token is None or started == token)  # a zombie is dead


@dataclass(frozen=True)
class Instance:
    """One instance's row in the store."""

    owner: str
    pid: int
    host: str
    process_token: str | None
    beat_at: float

    def alive(self, now: float, *, stale_after: float = STALE_SECONDS) -> bool:
        if now - self.beat_at > stale_after:
            return False
        if self.host == host_identity():
            return process_running(self.pid, self.process_token)
        return True


def me() -> tuple[int, str, str | None]:
    """This process: (pid, host identity, process token)."""
    pid = os.getpid()
    return pid, host_identity(), process_token(pid)
