"""The sandbox's clock: a restart within a working day moves no time (the agent's times stay);
a file unused longer is re-aged by its downtime, a second sandbox on one folder moves no time,
the last one to stop anchors the downtime, and a dead one (no live heartbeat) holds nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed import seed
from tui.sandbox.store import LIVE_FOR, REAGE_AFTER, Store

from .commands import WAIT

NOW = 1_800_000_000.0
#: A downtime long enough for the file to be re-aged.
DOWN = REAGE_AFTER + 3600


def times(base_url: str, key: str) -> tuple[str, str]:
    with httpx.Client(base_url=base_url, headers={"x-api-key": key}) as api:
        doc = api.get("/conversations/1").json()
    return doc["last_message_at"], doc["last_inbound_message_at"]


def times_of(running: RunningSandbox) -> tuple[str, str]:
    return times(running.base_url, running.api_key)


def inbound_at(db: Path) -> float:
    con = sqlite3.connect(db)
    try:
        return float(
            con.execute("SELECT last_inbound_message_at FROM conversations WHERE id = 1").fetchone()[0]
        )
    finally:
        con.close()


def test_two_processes_on_one_folder_keep_one_clock(tmp_path: Path, sandbox_command: Any) -> None:
    command = sandbox_command("--data", str(tmp_path), "--port", "0")
    seen = command.announcement()
    before = times(seen["base_url"], seen["api_key"])
    second = start_in_thread(tmp_path)  # the real clock has moved on since the first started
    try:
        assert times_of(second) == before
        assert times(seen["base_url"], seen["api_key"]) == before
    finally:
        second.stop()
    assert times(seen["base_url"], seen["api_key"]) == before


def test_a_second_sandbox_moves_no_time_and_the_last_to_stop_anchors(tmp_path: Path) -> None:
    now = [NOW]
    first = start_in_thread(tmp_path, clock=lambda: now[0])
    start = inbound_at(tmp_path / "sandbox.db")
    now[0] += 600  # ten minutes of running, not a write
    second = start_in_thread(tmp_path, clock=lambda: now[0])
    assert inbound_at(tmp_path / "sandbox.db") == start
    now[0] += 600
    second.stop()
    now[0] += 600
    first.stop()  # the last one: time stands still from here
    now[0] += DOWN
    third = start_in_thread(tmp_path, clock=lambda: now[0])
    third.stop()
    assert inbound_at(tmp_path / "sandbox.db") == start + DOWN


def test_a_restart_within_a_working_day_moves_no_time(tmp_path: Path) -> None:
    """An agent restarts the app at lunch: the times they saw this morning are the same."""
    now = [NOW]
    first = start_in_thread(tmp_path, clock=lambda: now[0])
    start = inbound_at(tmp_path / "sandbox.db")
    first.stop()
    now[0] += REAGE_AFTER - 60
    second = start_in_thread(tmp_path, clock=lambda: now[0])
    second.stop()
    assert inbound_at(tmp_path / "sandbox.db") == start


def crash(store: Store) -> None:
    """What kill -9 leaves: its instance row and anchor as they were, the connection gone."""
    store._db.close()


def test_a_dead_instance_holds_no_clock(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    now, wall = [NOW], [time.time()]
    first = Store(db, lambda: now[0], wall=lambda: wall[0])
    first.open(seed)
    start = inbound_at(db)
    crash(first)
    now[0] += DOWN
    wall[0] += LIVE_FOR + 1  # its heartbeat is stale: it is gone
    second = Store(db, lambda: now[0], wall=lambda: wall[0])
    second.open(seed)
    second.close()
    assert inbound_at(db) == start + DOWN


def test_an_instance_whose_process_is_gone_holds_no_clock(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    now = [NOW]
    first = Store(db, lambda: now[0])
    first.open(seed)
    start = inbound_at(db)
    first.close()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    con = sqlite3.connect(db)
    with con:
        con.execute(
            "INSERT INTO instances (id, host, pid, beat) VALUES ('killed', ?, ?, ?)",
            (first.host, int(gone.stdout), time.time()),
        )
    con.close()
    now[0] += DOWN
    second = Store(db, lambda: now[0])
    second.open(seed)
    second.close()
    assert inbound_at(db) == start + DOWN


def test_the_heartbeat_keeps_the_anchor_and_its_row_fresh(tmp_path: Path) -> None:
    now = [NOW]
    running = start_in_thread(tmp_path, clock=lambda: now[0], heartbeat_seconds=0.02)
    try:
        now[0] += 100
        deadline = time.monotonic() + WAIT
        con = sqlite3.connect(tmp_path / "sandbox.db")
        try:
            while time.monotonic() < deadline:
                anchor = float(con.execute("SELECT value FROM meta WHERE key = 'anchor'").fetchone()[0])
                if anchor == now[0]:
                    break
                time.sleep(0.02)
            assert anchor == now[0]
            assert con.execute("SELECT count(*) FROM instances").fetchone()[0] == 1
        finally:
            con.close()
    finally:
        running.stop()
    con = sqlite3.connect(tmp_path / "sandbox.db")
    try:
        assert con.execute("SELECT count(*) FROM instances").fetchone()[0] == 0  # gone on stop
    finally:
        con.close()
