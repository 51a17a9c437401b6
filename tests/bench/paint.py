"""Rows 1, 2 and 4: spawn -> chrome, spawn -> first rows, peak RSS at first rows; the bare app beside.

Every run is a fresh process in a 100x30 pty with its own temporary XDG folders. The app's runs
use the built-in `sandbox` profile, so the app starts the embedded sandbox itself (in a thread of
its own process). Its data folder is kept across the runs of one suite run, as a user's is: the
warm-up run seeds it, the measured runs open it. Peak RSS is the process's VmHWM read the moment
the first rows are on screen (bare app: the moment it is drawn).
"""

from __future__ import annotations

from tests.bench import screens
from tests.bench.common import BARE_APP, SWITCHBOARD, Home, log, standalone_sandbox, temp_home
from tests.bench.pty_harness import PtyApp, rss_kib


def _bare(home: Home) -> dict[str, float]:
    with PtyApp(BARE_APP, home.env) as app:
        t = app.wait_for(screens.bare_drawn, what="bare app")
        hwm = rss_kib(app.pid, "VmHWM")
        return {"paint": t - app.t_spawn, "hwm": hwm}


def _app(home: Home) -> dict[str, float]:
    with PtyApp([SWITCHBOARD], home.env) as app:
        t_chrome = app.wait_for(screens.inbox_chrome_drawn, what="inbox chrome")
        t_rows = app.wait_for(screens.rows_drawn(10), what="first rows")
        hwm = rss_kib(app.pid, "VmHWM")
        return {"chrome": t_chrome - app.t_spawn, "rows": t_rows - app.t_spawn, "hwm": hwm}


def run(runs: int, warmup: int = 1) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {
        k: [] for k in ("bare_paint", "bare_hwm", "chrome", "rows", "hwm", "ext_rows", "ext_hwm")
    }
    # Row 4's second reading (ext_*): the sandbox in a child process of its own, not counted.
    with (
        temp_home() as home,
        temp_home() as ext_home,
        standalone_sandbox(ext_home.root / "sandbox-data", ext_home) as sandbox,
    ):
        ext_home.write_profile(sandbox)
        for i in range(warmup + runs):
            bare = _bare(home)
            app = _app(home)
            ext = _app(ext_home)
            if i < warmup:
                continue
            out["bare_paint"].append(bare["paint"])
            out["bare_hwm"].append(bare["hwm"])
            out["chrome"].append(app["chrome"])
            out["rows"].append(app["rows"])
            out["hwm"].append(app["hwm"])
            out["ext_rows"].append(ext["rows"])
            out["ext_hwm"].append(ext["hwm"])
            log(
                f"  paint run {i - warmup + 1}/{runs}: bare {bare['paint'] * 1e3:.0f} ms "
                f"{bare['hwm'] / 1024:.0f} MiB | app chrome {app['chrome'] * 1e3:.0f} ms rows "
                f"{app['rows'] * 1e3:.0f} ms {app['hwm'] / 1024:.0f} MiB | external-sandbox app "
                f"{ext['hwm'] / 1024:.0f} MiB"
            )
    return out
