"""Snoozes in the local store, keyed by profile like drafts and the outbox (the API has none).

Times are stored as ISO-8601 UTC text, so what comes back is exactly what was stored. Reading
never deletes: a woken snooze stays until `wake` drops it, so the caller decides (with
`tui.core.snoozes.is_awake`, which needs the conversation) and a read cannot race a decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tui.core.snoozes import Snooze, utc
from tui.core.store_db import Database


class SnoozeStore(Database):
    """The snooze half of `tui.core.store.Store`."""

    def snooze(self, key: str, conversation_id: int, until: datetime, *, now: datetime) -> None:
        """Put the conversation away until `until` (aware); replaces a snooze it already has."""
        until_at, set_at = utc(until, "until").isoformat(), utc(now, "now").isoformat()
        with self._tx() as db:
            db.execute(
                "INSERT INTO snoozes (profile, conversation_id, until, set_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (profile, conversation_id) DO UPDATE"
                " SET until=excluded.until, set_at=excluded.set_at",
                (key, conversation_id, until_at, set_at),
            )

    def unsnooze(self, key: str, conversation_id: int) -> None:
        """The agent took the conversation back before its time (nothing when it was not snoozed)."""
        with self._tx() as db:
            db.execute("DELETE FROM snoozes WHERE profile=? AND conversation_id=?", (key, conversation_id))

    def snoozes(self, key: str) -> dict[int, Snooze]:
        """Every snooze of the profile, woken ones included, by conversation id."""
        with self._lock:
            rows = self._db.execute(
                "SELECT conversation_id, until, set_at FROM snoozes WHERE profile=?", (key,)
            ).fetchall()
        return {
            r["conversation_id"]: Snooze(
                r["conversation_id"],
                datetime.fromisoformat(r["until"]),
                datetime.fromisoformat(r["set_at"]),
            )
            for r in rows
        }

    def wake(self, key: str, conversation_ids: Iterable[int]) -> None:
        """Drop the snoozes of these conversations (the caller found them awake)."""
        ids = [(key, cid) for cid in conversation_ids]
        if not ids:
            return
        with self._tx() as db:
            db.executemany("DELETE FROM snoozes WHERE profile=? AND conversation_id=?", ids)
