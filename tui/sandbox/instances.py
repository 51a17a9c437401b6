"""Which sandboxes are running on one SQLite file: each registers itself, beats every
`HEARTBEAT_SECONDS` and leaves on stop. One whose beat is older than `LIVE_FOR` (wall clock), or
whose process on this host is gone (kill -9), counts as dead.

Why: a sandbox file unused for long is re-aged only while no sandbox runs on it. A sandbox starting
next to a live one must not take the other's running time for downtime and shift every stored
time (window countdowns and ages would jump on their own).
"""

from __future__ import annotations

import os
import socket
import sqlite3

HEARTBEAT_SECONDS = 2.0
LIVE_FOR = 10.0  # seconds without a beat after which an instance is taken for dead
HOST = socket.gethostname()


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (one of another user's counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists
        return True
    return True


def forget_dead(db: sqlite3.Connection, wall: float) -> int:
    """Remove the rows of dead instances; how many live ones remain."""
    for row in db.execute("SELECT id, host, pid, beat FROM instances").fetchall():
        instance, host, pid, beat = row[0], row[1], int(row[2]), float(row[3])
        if beat < wall - LIVE_FOR or (host == HOST and not process_alive(pid)):
            db.execute("DELETE FROM instances WHERE id = ?", (instance,))
    return int(db.execute("SELECT count(*) FROM instances").fetchone()[0])


def beat(db: sqlite3.Connection, instance: str, wall: float) -> None:
    """Say this instance is alive (registering it again if another took it for dead)."""
    db.execute(
        "INSERT INTO instances (id, host, pid, beat) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET beat = excluded.beat",
        (instance, HOST, os.getpid(), wall),
    )


def leave(db: sqlite3.Connection, instance: str) -> None:
    db.execute("DELETE FROM instances WHERE id = ?", (instance,))
