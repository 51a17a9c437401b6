"""The local store: drafts by conversation and mode, outbox rows, leases, crash recovery, and two
processes on one file."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

from tui.core.store import LEASE_SECONDS, STOPPED_MID_POST, Store


def test_drafts_are_per_conversation_and_mode(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.save_draft("p", 1, "reply", "Hello Ana", ["/tmp/a.png"])
    store.save_draft("p", 1, "note", "Called her", [])
    store.save_draft("p", 2, "reply", "Other", [])
    store.save_draft("q", 1, "reply", "Other profile", [])
    got = store.drafts("p", 1)
    assert {m: (d.text, d.attachments) for m, d in got.items()} == {
        "reply": ("Hello Ana", ["/tmp/a.png"]),
        "note": ("Called her", []),
    }
    assert store.draft_conversations("p") == {1, 2}
    store.save_draft("p", 1, "note", "   ", [])  # emptied: gone
    assert set(store.drafts("p", 1)) == {"reply"}


def test_a_draft_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).save_draft("p", 7, "reply", "typed before the crash", [])
    # No close(): a killed process never closes its connection.
    assert Store(path).drafts("p", 7)["reply"].text == "typed before the crash"
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_the_draft_handed_to_a_send_is_deleted_only_when_sent(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.save_draft("p", 1, "reply", "On its way", [])
    entry = store.enqueue("p", 1, {"text": "On its way", "note": False}, "On its way", draft_mode="reply")
    # The composer empties; the stored draft is kept (tied to the entry) but not offered again.
    store.save_draft("p", 1, "reply", "", [])
    assert store.drafts("p", 1) == {}
    assert store._db.execute("SELECT outbox_id FROM drafts").fetchone()[0] == entry.id
    store.update(entry.id, state="failed", reason="x")
    assert store._db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1
    store.update(entry.id, state="sent")
    assert store._db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0


def test_typing_anew_detaches_the_draft_from_the_send(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    entry = store.enqueue("p", 1, {"text": "first"}, "first", draft_mode="reply")
    store.save_draft("p", 1, "reply", "second", [])
    store.update(entry.id, state="sent")
    assert store.drafts("p", 1)["reply"].text == "second"


def test_only_one_owner_holds_an_entry(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    entry = store.enqueue("p", 1, {"text": "x"}, "x")
    now = time.time()
    assert store.claim(entry.id, "a", now=now) is not None
    assert store.claim(entry.id, "b", now=now + 1) is None
    assert store.claim(entry.id, "b", now=now + LEASE_SECONDS + 1) is not None
    store.update(entry.id, state="sending")
    assert store.claim(entry.id, "b", now=now + 10 * LEASE_SECONDS) is None  # never resumed mid-POST


def test_recover_marks_a_dead_instances_post_unconfirmed(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    queued = store.enqueue("p", 1, {"text": "a"}, "a")
    sending = store.enqueue("p", 1, {"text": "b"}, "b")
    live = store.enqueue("p", 2, {"text": "c"}, "c")
    store.claim(sending.id, "dead", now=time.time() - 2 * LEASE_SECONDS)
    store.update(sending.id, state="sending")
    store.claim(live.id, "alive")
    store.update(live.id, state="sending")
    recovery = store.recover("p")
    assert [e.id for e in recovery.resumable] == [queued.id]
    assert [(e.id, e.state) for e in recovery.changed] == [(sending.id, "unconfirmed")]
    after = store.get(sending.id)
    assert after is not None and after.state == "unconfirmed" and after.reason == STOPPED_MID_POST
    assert store.get(live.id).state == "sending"  # type: ignore[union-attr]  # its owner still holds it


def _hammer(path: str, who: int, n: int) -> None:
    store = Store(Path(path))
    for i in range(n):
        store.save_draft("p", who, "reply", f"{who}-{i}", [])
        store.enqueue("p", who, {"text": f"{who}-{i}"}, f"{who}-{i}")


def test_two_processes_on_one_store_never_corrupt_it(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(str(path), who, 150)) for who in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 300
    drafts = dict(db.execute("SELECT conversation_id, text FROM drafts").fetchall())
    assert drafts == {1: "1-149", 2: "2-149"}


def test_a_memory_store_works_without_a_writable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "no-write" / "store.sqlite3"
    store = Store(locked, memory=True)
    store.save_draft("p", 1, "reply", "kept for this run", [])
    entry = store.enqueue("p", 1, {"text": "x"}, "x")
    assert store.drafts("p", 1)["reply"].text == "kept for this run"
    assert store.get(entry.id) is not None
    assert not locked.parent.exists()
