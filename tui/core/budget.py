"""The request budget: the API allows 1,000 requests an hour per organization, shared by every
agent of a team, so each request this client makes is spent from a colleague's budget.

`RequestBudget` counts what this machine sent for one profile over a sliding hour: the app and
every `switchboard` command on the machine share the count through a small SQLite file beside
the store (`BudgetLog`), written in batches off the event loop. It also remembers a 429's
`retryAfter`: until then no request of that profile leaves the machine (every process refuses
at once, in one sentence, instead of spending more of a budget that is spent). Polling asks
`poll_factor()` how much to slow down as the hour fills.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from tui.core.paths import state_dir

#: The documented rate limit [docs: authentication]: requests per `WINDOW_SECONDS`, per organization.
LIMIT = 1000
WINDOW_SECONDS = 3600.0
#: Above this share of the hour's budget, the title bar shows the figure.
SHOW_ABOVE = 0.5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spent (profile TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS spent_by_profile ON spent (profile, at);
CREATE TABLE IF NOT EXISTS blocked (profile TEXT PRIMARY KEY, until REAL NOT NULL, said TEXT);
"""


def default_log_path() -> Path:
    return state_dir() / "requests.sqlite3"


class BudgetLog:
    """The machine's record of requests per profile (one row a request, kept an hour) and of
    each profile's 429 block. Every call is short; callers run it off the event loop."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_log_path()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except BaseException:
            self._db.close()
            raise
        with suppress(OSError):
            self.path.chmod(0o600)

    def write(self, profile: str, stamps: list[float], now: float) -> int:
        """Record `stamps`, forget what left the window, and return the hour's count."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO spent (profile, at) VALUES (?, ?)", [(profile, s) for s in stamps]
                )
                self._db.execute("DELETE FROM spent WHERE at <= ?", (now - WINDOW_SECONDS,))
                row = self._db.execute(
                    "SELECT count(*) FROM spent WHERE profile = ? AND at > ?", (profile, now - WINDOW_SECONDS)
                ).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        return int(row[0])

    def block(self, profile: str, until: float, said: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO blocked (profile, until, said) VALUES (?, ?, ?) ON CONFLICT (profile)"
                " DO UPDATE SET until = max(until, excluded.until), said = excluded.said",
                (profile, until, said),
            )

    def blocked(self, profile: str) -> tuple[float, str]:
        with self._lock:
            row = self._db.execute("SELECT until, said FROM blocked WHERE profile = ?", (profile,)).fetchone()
        return (float(row[0]), str(row[1] or "")) if row else (0.0, "")

    def close(self) -> None:
        with self._lock:
            self._db.close()


class RequestBudget:
    """One profile's hour of requests on this machine, and its 429 block.

    `spend()` is called for every request before it leaves (cheap: memory only); `flush()`
    writes the batch and reads back the machine's count (call it from a thread). Without a log
    (it could not be opened) the count is this process's alone."""

    def __init__(
        self,
        profile: str,
        *,
        log: BudgetLog | None = None,
        clock: Callable[[], float] = time.time,
        limit: int = LIMIT,
    ) -> None:
        self.profile = profile
        self.log = log
        self.clock = clock
        self.limit = limit
        self._mine: deque[float] = deque()  # this process's stamps within the hour
        self._pending: list[float] = []
        self._machine = 0  # the log's count at the last flush (this process's flushed ones included)
        self._blocked_until = 0.0
        self._blocked_said = ""
        self._lock = threading.Lock()
        self.listeners: list[Callable[[], None]] = []

    # -- counting -----------------------------------------------------------------------------

    def spend(self) -> None:
        """One request is about to leave."""
        now = self.clock()
        with self._lock:
            self._mine.append(now)
            self._pending.append(now)
            self._forget(now)

    def _forget(self, now: float) -> None:
        while self._mine and self._mine[0] <= now - WINDOW_SECONDS:
            self._mine.popleft()

    def used(self) -> int:
        """Requests this machine sent for the profile within the last hour (as last flushed,
        plus this process's since)."""
        with self._lock:
            self._forget(self.clock())
            return max(self._machine + len(self._pending), len(self._mine))

    def share(self) -> float:
        return self.used() / self.limit if self.limit else 0.0

    def flush(self) -> None:
        """Write what was spent since the last flush and read the machine's count back, and
        any block another process recorded. Run off the event loop; a busy or broken log is
        skipped (the count stays this process's until it answers)."""
        with self._lock:
            batch, self._pending = self._pending, []
        if self.log is None:
            return
        now = self.clock()
        try:
            count = self.log.write(self.profile, batch, now)
            until, said = self.log.blocked(self.profile)
        except sqlite3.Error:
            with self._lock:
                self._pending[:0] = batch  # kept for the next flush
            return
        with self._lock:
            self._machine = count
            if until > self._blocked_until:
                self._blocked_until, self._blocked_said = until, said
        self._tell()

    # -- a 429 -------------------------------------------------------------------------------------

    def block(self, seconds: float, said: str) -> None:
        """The server said the budget is spent: nothing of this profile leaves for `seconds`
        (recorded for the other processes at the next flush, and at once when possible)."""
        until = self.clock() + max(seconds, 0.0)
        with self._lock:
            if until <= self._blocked_until:
                return
            self._blocked_until, self._blocked_said = until, said
        if self.log is not None:
            with suppress(sqlite3.Error):
                self.log.block(self.profile, until, said)
        self._tell()

    def blocked_for(self) -> float:
        """Seconds until requests may leave again (0: they may)."""
        with self._lock:
            return max(self._blocked_until - self.clock(), 0.0)

    @property
    def blocked_said(self) -> str:
        return self._blocked_said

    # -- pacing -------------------------------------------------------------------------------

    def poll_factor(self) -> float | None:
        """How much slower than usual a timed re-read should run: 1 under half the hour's budget,
        2 above it, 4 above three quarters; None (do not poll; push and the agent's own reads
        only) above nine tenths or while blocked."""
        if self.blocked_for() > 0:
            return None
        share = self.share()
        if share >= 0.9:
            return None
        if share >= 0.75:
            return 4.0
        if share >= SHOW_ABOVE:
            return 2.0
        return 1.0

    def words(self) -> str:
        """'123 of 1,000 requests in the last hour' (this machine, this profile)."""
        return f"{self.used():,} of {self.limit:,} requests in the last hour"

    def _tell(self) -> None:
        for listener in list(self.listeners):
            with suppress(Exception):
                listener()


def open_budget(profile: str, *, clock: Callable[[], float] = time.time) -> RequestBudget:
    """The profile's budget on the machine's log (in memory only when the log cannot be opened)."""
    try:
        log: BudgetLog | None = BudgetLog()
    except (OSError, sqlite3.Error):
        log = None
    budget = RequestBudget(profile, log=log, clock=clock)
    with suppress(sqlite3.Error):
        budget.flush()  # the machine's count and any block, before the first request
    return budget


__all__ = ["LIMIT", "SHOW_ABOVE", "WINDOW_SECONDS", "BudgetLog", "RequestBudget", "open_budget"]
