"""Row 5: a 50,000-conversation inbox.

The database is built with the sandbox's own code (`Store` and `seed`: the usual 30 seeded
conversations, keys and templates), then 49,970 more conversations and contacts go in by SQL, in
one transaction, into the sandbox's own schema. `switchboard sandbox --data DIR` serves it in a
process of its own and the app reaches it through a config profile.

Per run (a fresh app process in a 100x30 pty):
- first rows after open: from the inbox chrome drawn to the first rows drawn (the app opens the
  profile and fetches the first page); spawn -> rows is kept too;
- cursor move: `j` written to the pty -> the cursor background drawn one line lower (or, at the
  bottom line, the list drawn shifted up by one), over 60 moves that scroll past the first screen;
- search keystroke: `/`, then a word typed letter by letter; a keystroke is done when the search
  field shows it. The time from a word's last letter to the list showing the new total (that
  includes the screen's 150 ms debounce and the query) is kept as a side figure;
- RSS: the app's peak RSS (VmHWM) after it all, plus 20 page-downs and `G` (jump to the last of
  the 50,000) so that far pages are fetched; compared with the same app's peak on the
  30-conversation sandbox and with what holding all 50,000 conversations as models costs.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.bench import screens
from tests.bench.common import PYTHON, SWITCHBOARD, Home, log, median, p95, standalone_sandbox, temp_home
from tests.bench.pty_harness import PtyApp, rss_kib

TOTAL = 50_000
FILTERS = screens.LIST_TOP - 1  # the filter line and the search field, above the list
MOVES = 60
PAGE_DOWNS = 20
WORDS = ("nakamura", "invoice", "mensah", "portugal")
GAPS = (0.04, 0.22)  # pause after an echo: quicker than the debounce, and slower (a fetch lands)


def build_database(data_dir: Path, total: int = TOTAL) -> None:
    from tui.sandbox.seed import CONTACTS, INBOUND, OUTBOUND, PLAN, seed
    from tui.sandbox.store import Store

    store = Store(data_dir / "sandbox.db", time.time)
    store.open(seed)
    store.close()
    now = time.time()
    rnd = random.Random(50_000)
    channels = [c for c, _, _ in PLAN]
    contacts, conversations = [], []
    for cid in range(len(PLAN) + 1, total + 1):
        first, last = CONTACTS[rnd.randrange(len(CONTACTS))][0], CONTACTS[rnd.randrange(len(CONTACTS))][1]
        contacts.append((cid, first, last, f"+1555{cid:07d}", f"c{cid}@example.com"))
        at = now - 86400 * 10 - rnd.uniform(0, 86400 * 365)  # older than every seeded conversation
        inbound = at - rnd.uniform(0, 3600) if rnd.random() < 0.7 else None
        text = rnd.choice(INBOUND if inbound else OUTBOUND)
        conversations.append(
            (
                cid,
                1,
                cid,
                rnd.choice(channels),
                rnd.choice(["open", "open", "closed"]),
                rnd.randint(0, 3),
                text,
                at,
                inbound,
                at,
                at - 86400,
            )
        )
    db = sqlite3.connect(data_dir / "sandbox.db")
    with db:
        db.executemany(
            "INSERT INTO contacts (id, first_name, last_name, phone, email) VALUES (?, ?, ?, ?, ?)", contacts
        )
        db.executemany(
            "INSERT INTO conversations (id, organization_id, contact_id, channel, status, unread_count, "
            "blocked, last_message_text, last_message_at, last_inbound_message_at, last_interaction_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
            conversations,
        )
    db.close()


MODEL_COST = r"""
import json, sys
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
from tui.core.models import Conversation
rows = json.load(open(sys.argv[1]))
before = rss()
held = [Conversation.model_validate(r) for r in rows]
print(rss() - before)
"""


def model_cost_kib(sandbox, total: int) -> int:
    """What holding `total` conversations as the app's models costs (RSS of one process, KiB)."""
    import httpx

    rows: list[dict] = []
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}, timeout=60) as c:
        while len(rows) < total:
            r = c.get(
                "/conversations",
                params={
                    "organization_id": 1,
                    "$limit": 50,  # the API's most [docs]
                    "$skip": len(rows),
                    "$sort[last_interaction_at]": -1,
                },
            )
            page = r.json()["data"]
            if not page:
                break
            rows.extend(page)
    path = Path(sandbox.data_dir) / "all.json"
    path.write_text(json.dumps(rows))
    out = subprocess.run([PYTHON, "-c", MODEL_COST, str(path)], capture_output=True, text=True, check=True)
    path.unlink()
    return int(out.stdout.strip())


def _total_shown(app: PtyApp) -> str:
    line = app.screen.display[FILTERS][:59]  # the summary; the search field is right of it
    return line.split("·")[-1].strip() if line.count("·") >= 2 else ""


def _moves(app: PtyApp) -> list[float]:
    times = []
    bottom = screens.list_bottom(app)
    for _ in range(MOVES):
        y = screens.cursor_line(app)
        assert y is not None, app.dump()
        before = list(app.screen.display)

        if y < bottom:

            def moved(a: PtyApp, y: int = y) -> bool:
                return screens.cursor_line(a) == y + 1
        else:

            def moved(a: PtyApp, before: list[str] = before) -> bool:
                d = a.screen.display
                return screens.cursor_line(a) == bottom and d[bottom - 1][:-2] == before[bottom][:-2]

        t0 = app.write("j")
        times.append(app.wait_for(moved, timeout=10, what="cursor move") - t0)
        time.sleep(0.02)
    return times


def expected_totals(sandbox) -> dict[str, str]:
    """What the filter line shows once each word's results are in, asked of the sandbox directly:
    the contacts' and the messages' searches merged (their first pages), "N+" while either has
    more than its first page."""
    import httpx

    out = {}
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}, timeout=60) as c:
        for word in WORDS:
            pages = [
                c.get("/conversations", params={"organization_id": 1, "$limit": 50, key: word}).json()
                for key in ("searchTerm", "messageSearchTerm")
            ]
            ids = {row["id"] for page in pages for row in page["data"]}
            more = any(page["total"] > len(page["data"]) for page in pages)
            count = max([len(ids), *(page["total"] for page in pages)]) if more else len(ids)
            out[word] = f"{count:,}{'+' if more else ''} conversations"
    return out


def _search(app: PtyApp, totals: dict[str, str]) -> tuple[list[float], list[float]]:
    echoes, results = [], []
    for n, word in enumerate(WORDS):
        app.write("/")
        app.settle(0.15, 2)
        typed = ""
        for i, ch in enumerate(word):
            typed += ch

            def echoed(a: PtyApp, typed: str = typed) -> bool:
                return a.screen.display[FILTERS][59:].strip() == typed

            t0 = app.write(ch)
            echoes.append(app.wait_for(echoed, timeout=10, what=f"search echo {typed!r}") - t0)
            time.sleep(GAPS[(i + n) % 2])
        # The results for the whole word: the filter line shows its total. Timed from the last
        # letter, only when a prefix's results did not already show the same total.
        t_last = time.perf_counter()
        already = _total_shown(app) == totals[word]
        t = app.wait_for(lambda a, want=totals[word]: _total_shown(a) == want, timeout=15, what="results")
        if not already:
            results.append(t - t_last)
        app.write("\x1b")  # clear the search and go back to the list
        app.wait_for(lambda a: "50,000" in a.screen.display[FILTERS], timeout=15, what="search cleared")
        app.settle(0.2, 3)
    return echoes, results


def _session(home: Home, totals: dict[str, str]) -> dict[str, object]:
    with PtyApp([SWITCHBOARD], home.env) as app:
        t_chrome = app.wait_for(screens.inbox_chrome_drawn, what="inbox chrome")
        t_rows = app.wait_for(screens.rows_drawn(10), what="first rows")
        app.wait_for(lambda a: "50,000" in a.screen.display[FILTERS], what="total")
        app.settle(0.3)
        moves = _moves(app)
        echoes, results = _search(app, totals)
        for _ in range(PAGE_DOWNS):
            app.write("\x1b[6~")
            time.sleep(0.05)
        app.settle(0.3)
        app.write("G")
        app.wait_for(lambda a: screens.cursor_line(a) is not None and not a.contains("loading…"), what="end")
        app.settle(0.5)
        return {
            "open": t_rows - t_chrome,
            "spawn_rows": t_rows - app.t_spawn,
            "moves": moves,
            "echoes": echoes,
            "results": results,
            "hwm": rss_kib(app.pid, "VmHWM"),
        }


def run(runs: int, warmup: int = 1) -> dict[str, object]:
    out: dict[str, list] = {
        k: [] for k in ("open", "spawn_rows", "moves", "echoes", "results", "hwm", "small_hwm")
    }
    with temp_home() as home, temp_home() as small:
        data = home.root / "sandbox-50k"
        t = time.perf_counter()
        build_database(data)
        log(f"  built the {TOTAL:,}-conversation database in {time.perf_counter() - t:.1f} s")
        with (
            standalone_sandbox(data, home) as big,
            standalone_sandbox(small.root / "sandbox-30", small) as little,
        ):
            home.write_profile(big)
            small.write_profile(little)
            cost = model_cost_kib(big, TOTAL)
            totals = expected_totals(big)
            for i in range(warmup + runs):
                s = _session(home, totals)
                small_hwm = _small_session(small)
                if i < warmup:
                    continue
                for k in ("open", "spawn_rows", "hwm"):
                    out[k].append(s[k])
                out["small_hwm"].append(small_hwm)
                for k in ("moves", "echoes", "results"):
                    out[k].extend(s[k])  # type: ignore[arg-type]
                log(
                    f"  50k run {i - warmup + 1}/{runs}: rows after open {s['open'] * 1e3:.0f} ms, move p95 "
                    f"{p95(s['moves']) * 1e3:.1f} ms, search echo p95 "
                    f"{p95(s['echoes']) * 1e3:.1f} ms, results "
                    f"median {median(s['results']) * 1e3:.0f} ms, peak RSS {s['hwm'] / 1024:.0f} MiB "
                    f"(30-row inbox {small_hwm / 1024:.0f} MiB)"
                )
    return {**out, "model_cost": cost}


def _small_session(home: Home) -> int:
    """The same app on the 30-conversation sandbox, same keys; its peak RSS (KiB)."""
    with PtyApp([SWITCHBOARD], home.env) as app:
        app.wait_for(screens.rows_drawn(10), what="first rows")
        app.settle(0.3)
        for _ in range(MOVES):
            app.write("j")
            time.sleep(0.01)
        for word in WORDS:
            app.write("/" + word)
            app.settle(0.3, 3)
            app.write("\x1b")
            app.settle(0.2, 3)
        for _ in range(PAGE_DOWNS):
            app.write("\x1b[6~")
            time.sleep(0.05)
        app.write("G")
        app.settle(0.5)
        return rss_kib(app.pid, "VmHWM")
