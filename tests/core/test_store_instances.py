"""Instances in the store and how their liveness is decided: a stale heartbeat, or on this machine
a process that is gone (or whose pid now belongs to another process), is dead; a dead instance's
mid-POST sends are unconfirmed at once and its queued ones free to resume."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.core import liveness
from tui.core.liveness import STALE_SECONDS, host_identity, process_running, process_token
from tui.core.store import STOPPED_MID_POST, Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite3")
    yield s  # type: ignore[misc]
    s.close()


def exited_pid() -> int:
    """The pid of a process that ran and was reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def register_as(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    owner: str,
    *,
    pid: int,
    host: str | None = None,
    token: str | None = None,
    now: float,
) -> None:
    monkeypatch.setattr(liveness, "me", lambda: (pid, host or host_identity(), token))
    store.heartbeat(owner, "p", now=now)
    monkeypatch.undo()


def left_mid_post(store: Store, owner: str, now: float) -> tuple[int, int]:
    """An entry `owner` was posting and one it held queued, both with fresh leases."""
    sending = store.enqueue("p", 1, {"text": "posting"}, "posting")
    queued = store.enqueue("p", 2, {"text": "queued"}, "queued")
    assert store.claim(sending.id, owner, now=now) and store.claim(queued.id, owner, now=now)
    assert store.begin_post(sending.id, owner)
    return sending.id, queued.id


def test_an_instance_whose_process_is_gone_is_dead_at_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = store.clock()
    register_as(store, monkeypatch, "killed", pid=exited_pid(), now=now)  # its beat is fresh
    sending, queued = left_mid_post(store, "killed", now)
    recovery = store.recover("p", "me", now=now + 1)
    assert [(e.id, e.state, e.reason) for e in recovery.changed] == [
        (sending, "unconfirmed", STOPPED_MID_POST)
    ]
    assert [e.id for e in recovery.resumable] == [queued]
    assert store.claim(queued, "me", now=now + 1) is not None  # its 60 s lease no longer counts
    assert store.instances("p") == []  # judged once, then forgotten
    assert store.recover("p", "me", now=now + 2).changed == []  # nothing changes twice


def test_a_running_instance_is_alive_until_its_heartbeat_is_stale(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = store.clock()
    register_as(store, monkeypatch, "other", pid=os.getpid(), token=process_token(os.getpid()), now=now)
    sending, queued = left_mid_post(store, "other", now)
    assert store.recover("p", "me", now=now + STALE_SECONDS - 1).changed == []
    assert store.get(sending).state == "sending"  # type: ignore[union-attr]
    assert store.claim(queued, "me", now=now + 1) is None
    # Stopped (ctrl+z, a hung loop) past the stale bound: dead, though its process exists.
    changed = store.recover("p", "me", now=now + STALE_SECONDS + 1).changed
    assert [e.id for e in changed] == [sending]


def test_a_reused_pid_does_not_keep_a_dead_instance_alive(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = store.clock()
    # Recorded with this pid but another start time: the pid now belongs to a later process.
    register_as(store, monkeypatch, "reused", pid=os.getpid(), token="1", now=now)
    sending, _ = left_mid_post(store, "reused", now)
    assert [e.id for e in store.recover("p", "me", now=now + 1).changed] == [sending]


def test_another_machines_instance_is_judged_by_its_heartbeat_alone(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = store.clock()
    register_as(store, monkeypatch, "remote", pid=exited_pid(), host="elsewhere", now=now)
    sending, _ = left_mid_post(store, "remote", now)
    assert store.recover("p", "me", now=now + 1).changed == []  # its pid means nothing here
    assert [e.id for e in store.recover("p", "me", now=now + STALE_SECONDS + 1).changed] == [sending]


def test_the_caller_is_never_judged_and_its_own_posts_are_left_alone(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = store.clock()
    store.heartbeat("me", "p", now=now - 10 * STALE_SECONDS)  # a very late beat of its own
    sending, _ = left_mid_post(store, "me", now - 10 * STALE_SECONDS)
    assert store.recover("p", "me", now=now).changed == []
    assert store.get(sending).state == "sending"  # type: ignore[union-attr]
    assert [i.owner for i in store.instances("p")] == ["me"]


def test_a_clean_close_marks_what_it_cut_and_unregisters(store: Store) -> None:
    now = store.clock()
    store.heartbeat("me", "p", now=now)
    sending, queued = left_mid_post(store, "me", now)
    released = store.enqueue("p", 3, {"text": "released"}, "released")
    store.claim(released.id, "me", now=now)
    assert store.begin_post(released.id, "me")
    store.release(released.id, "me")  # a cancelled task let go of its lease mid-POST
    marked = store.close_instance("me", cut=[released.id])
    assert sorted(e.id for e in marked) == [sending, released.id]
    assert {e.state for e in marked} == {"unconfirmed"}
    assert store.claim(queued, "someone", now=now + 1) is not None
    assert store.instances("p") == []


def test_liveness_of_real_processes() -> None:
    me = os.getpid()
    assert process_running(me, process_token(me))
    assert not process_running(exited_pid(), None)
    assert not process_running(0, None)
    if process_token(me) is not None:  # Linux: a pid reused by a later process is not the same one
        assert not process_running(me, "1")
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        token = process_token(zombie.pid)
        if token is not None:  # Linux: ended but not reaped yet, the pid exists and is dead
            deadline = time.monotonic() + 30
            while not _is_zombie(zombie.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert _is_zombie(zombie.pid)
            assert not process_running(zombie.pid, token)
    finally:
        zombie.wait()


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return False
