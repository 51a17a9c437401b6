"""What bounds rows 1, 2 and 4: a timeline and a pyinstrument profile of one start.

`python -m tests.bench.profile_start [--runs N] [--html DIR]` starts the app as the paint rows do
(100x30 pty, fresh temporary home, the built-in sandbox profile, its data seeded by a first
start), once plain and once under pyinstrument, and prints:

- the pty timeline (spawn -> chrome -> first rows) of the plain starts, medians;
- the sandbox child alone: spawn -> its handshake line -> its first answered list, medians;
- pyinstrument's text profile of the app's main thread from spawn to first rows (the app is
  quit the moment the rows are on screen, so the profile ends there).

It is a tool for reading, not a bench row: it asserts nothing and is not in `tests.bench`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.bench import screens
from tests.bench.common import PYTHON, SWITCHBOARD, Home, median, temp_home
from tests.bench.pty_harness import PtyApp, rss_kib
from tests.bench.run import compiled


def timeline(home: Home, argv: list[str]) -> dict[str, float]:
    with PtyApp(argv, home.env) as app:
        t_chrome = app.wait_for(screens.inbox_chrome_drawn, what="inbox chrome")
        t_rows = app.wait_for(screens.rows_drawn(10), what="first rows", timeout=60)
        hwm = rss_kib(app.pid, "VmHWM")
        return {"chrome": t_chrome - app.t_spawn, "rows": t_rows - app.t_spawn, "hwm_mib": hwm / 1024}


def child_alone(data: Path) -> dict[str, float]:
    """The sandbox child by itself: how soon it can answer the app's first list."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, "-m", "tui.sandbox.child", "--data", str(data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        hello = json.loads(proc.stdout.readline())
        t_line = time.perf_counter()
        request = urllib.request.Request(
            hello["base_url"]
            + f"/conversations?organization_id={hello['organization_id']}"
            + "&$limit=50&$sort[last_interaction_at]=-1",
            headers={"x-api-key": hello["api_key"]},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
        t_list = time.perf_counter()
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=10)
    return {"handshake": t_line - t0, "first_list": t_list - t0}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.profile_start")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML profile here")
    args = parser.parse_args()
    compiled()
    with temp_home("switchboard-profile-") as home:
        timeline(home, [SWITCHBOARD])  # seeds the sandbox's data, as the paint rows' warm-up
        plain = [timeline(home, [SWITCHBOARD]) for _ in range(args.runs)]
        data = home.root / "data" / "switchboard" / "sandbox"
        child = [child_alone(data) for _ in range(args.runs)] if data.is_dir() else []
        out = home.root / "profile.txt"
        profiled = [PYTHON, "-m", "pyinstrument", "--renderer", "text", "-t", "-o", str(out)]
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            profiled = [
                PYTHON,
                "-m",
                "pyinstrument",
                "--renderer",
                "html",
                "-o",
                str(args.html / "start.html"),
            ]
        timeline(home, [*profiled, "-m", "tui"])
        for key, scale, unit in (("chrome", 1e3, "ms"), ("rows", 1e3, "ms"), ("hwm_mib", 1, "MiB")):
            print(f"app {key:>10}: {median([p[key] for p in plain]) * scale:8.1f} {unit}")
        for key in ("handshake", "first_list"):
            if child:
                print(f"child {key:>10}: {median([c[key] for c in child]) * 1e3:8.1f} ms")
        if out.exists():
            print(out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
