"""Switchboard's benchmark suite: every row of issue 5, each against a baseline measured in the same run.

    .venv/bin/python -m tests.bench            # full: 7 runs after a warm-up (fewer for the long rows)
    .venv/bin/python -m tests.bench --quick    # fewer runs
    .venv/bin/python -m tests.bench --only paint,echo --json out.json

Progress goes to stderr; the table goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from tests.bench.common import ROOT, log, median, p95

GROUPS = ("paint", "echo", "inbox50k", "upload", "sends", "live", "download", "preview", "requests")
FULL = {
    "paint": 7,
    "echo": 7,
    "inbox50k": 5,
    "upload": 3,
    "sends": 7,
    "live": 7,
    "download": 5,
    "preview": 5,
    "requests": 1,
}
QUICK = {
    "requests": 1,
    "paint": 3,
    "echo": 3,
    "inbox50k": 1,
    "upload": 1,
    "sends": 3,
    "live": 2,
    "download": 1,
    "preview": 2,
}


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, {system}"


def ms(s: float) -> str:
    return f"{s * 1e3:.1f} ms"


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


Row = tuple[str, str, str, str, str, bool | None]


def rows_for(results: dict[str, dict]) -> list[Row]:
    rows: list[Row] = []
    if (r := results.get("paint")) is not None:
        bare, chrome, first = median(r["bare_paint"]), median(r["chrome"]), median(r["rows"])
        rows.append(
            (
                "1 spawn -> inbox chrome drawn",
                ms(chrome),
                ms(bare),
                f"{chrome / bare:.2f}x",
                "<= 1.3x",
                chrome / bare <= 1.3,
            )
        )
        rows.append(
            (
                "2 spawn -> first rows drawn (sandbox started by the app)",
                ms(first),
                ms(bare),
                f"{first / bare:.2f}x",
                "<= 1.6x",
                first / bare <= 1.6,
            )
        )
        b, h, e = median(r["bare_hwm"]), median(r["hwm"]), median(r["ext_hwm"])
        rows.append(
            (
                "4 peak RSS at first rows (app's own sandbox child, not counted)",
                mib(h),
                mib(b),
                f"{h / b:.2f}x",
                "<= 1.6x",
                h / b <= 1.6,
            )
        )
        rows.append(
            (
                "4b peak RSS at first rows (sandbox own process, not counted)",
                mib(e),
                mib(b),
                f"{e / b:.2f}x",
                "<= 1.6x",
                e / b <= 1.6,
            )
        )
    if (r := results.get("echo")) is not None:
        b, c = median(r["bare"]), median(r["composer"])
        rows.append(
            ("3 keystroke -> echo, 4,000-char draft", ms(c), ms(b), f"{c / b:.2f}x", "<= 1.3x", c / b <= 1.3)
        )
        rows.append(
            (
                "3' same, p95 of all keystrokes (info)",
                ms(p95(r["composer_all"])),
                ms(p95(r["bare_all"])),
                f"{p95(r['composer_all']) / p95(r['bare_all']):.2f}x",
                "-",
                None,
            )
        )
    if (r := results.get("inbox50k")) is not None:
        o = median(r["open"])
        rows.append(("5a 50k inbox: first rows after open", ms(o), "-", "-", "< 300 ms", o < 0.3))
        rows.append(
            ("5a' 50k inbox: spawn -> first rows (info)", ms(median(r["spawn_rows"])), "-", "-", "-", None)
        )
        m = p95(r["moves"])
        rows.append(("5b 50k inbox: cursor move p95", ms(m), "-", "-", "< 16 ms", m < 0.016))
        s = p95(r["echoes"])
        rows.append(("5c 50k inbox: search keystroke p95 (echo)", ms(s), "-", "-", "< 50 ms", s < 0.05))
        if r["results"]:
            rows.append(
                (
                    "5c' 50k: last key -> results, median (info; 300 ms debounce)",
                    ms(median(r["results"])),
                    "-",
                    "-",
                    "-",
                    None,
                )
            )
        h, sm, cost = median(r["hwm"]), median(r["small_hwm"]), r["model_cost"]
        growth = h - sm
        rows.append(
            (
                "5d 50k inbox: peak RSS - 30-row inbox's (same keys)",
                mib(growth),
                f"all 50k held: {mib(cost)}",
                f"{growth / cost:.2f}x",
                "< 0.25x",
                growth < 0.25 * cost,
            )
        )
    if (r := results.get("upload")) is not None:
        o, c = median(r["ours"]), median(r["curl"])
        rows.append(
            (
                "6 upload 1 GiB: throughput",
                f"{o:.0f} MiB/s",
                f"{c:.0f} MiB/s",
                f"{o / c:.2f}x",
                ">= 0.7x",
                o / c >= 0.7,
            )
        )
        g = max(r["growth"])
        rows.append(
            ("6' upload 1 GiB: RSS growth (max of runs)", f"{g:.1f} MiB", "-", "-", "< 64 MiB", g < 64)
        )
    if (r := results.get("sends")) is not None:
        o, w = median(r["ours"]), median(r["raw"])
        rows.append(
            ("7 200 headless sends, one session", ms(o), ms(w), f"{o / w:.2f}x", "<= 1.2x", o / w <= 1.2)
        )
    if (r := results.get("live")) is not None:
        push, post = p95(r["push"]), median(r["post"])
        rows.append(
            (
                "8 push: another agent's note -> drawn, p95",
                ms(push),
                f"the POST alone {ms(post)}",
                "-",
                "< 250 ms",
                push < 0.25,
            )
        )
        worst, doubled = max(r["restart"]), sum(r["restart_doubled"])
        rows.append(
            (
                "9 sandbox killed+restarted: missed messages shown (worst)",
                ms(worst),
                f"{int(doubled)} doubled",
                "-",
                "< 1 s, none doubled",
                worst < 1.0 and doubled == 0,
            )
        )
    if (r := results.get("download")) is not None:
        o, c = median(r["ours"]), median(r["curl"])
        rows.append(
            (
                "10 download 50 MiB: throughput",
                f"{o:.0f} MiB/s",
                f"curl {c:.0f} MiB/s",
                f"{o / c:.2f}x",
                ">= 0.6x",
                o / c >= 0.6,
            )
        )
        g = max(r["growth"])
        rows.append(("10' download 50 MiB: RSS growth (max)", f"{g:.1f} MiB", "-", "-", "< 64 MiB", g < 64))
    if (r := results.get("requests")) is not None:
        for key, title, target in (
            ("idle_live", "12 requests, an idle hour, live on", 10),
            ("agent_live", "13 requests, an hour: 20 opened + 20 replies, live", 120),
            ("idle_polling", "14 requests, an idle hour, live off (polling)", 240),
        ):
            figure = r[key]
            rows.append(
                (
                    title,
                    f"{figure['requests']}",
                    f"+{figure['connects']} socket connects",
                    "-",
                    f"<= {target}",
                    figure["requests"] <= target,
                )
            )
    if (r := results.get("preview")) is not None:
        cold, bc = median(r["preview_cold"]), median(r["baseline_cold"])
        warm, bw = median(r["preview_warm"]), median(r["baseline_warm"])
        rows.append(
            (
                "11 image preview 1920x1080 JPEG, first (info)",
                ms(cold),
                f"Pillow alone {ms(bc)}",
                f"{cold / bc:.2f}x",
                "-",
                None,
            )
        )
        rows.append(
            (
                "11' image preview, later ones (info)",
                ms(warm),
                f"Pillow alone {ms(bw)}",
                f"{warm / bw:.2f}x",
                "-",
                None,
            )
        )
    return rows


def table(rows: list[Row]) -> str:
    head = ("figure", "ours", "baseline", "ratio", "target", "result")
    body = [(*r[:5], "-" if r[5] is None else ("PASS" if r[5] else "FAIL")) for r in rows]
    widths = [max(len(str(x[i])) for x in (head, *body)) for i in range(6)]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in body]
    return "\n".join(lines)


def compiled() -> None:
    """Byte-compile the app's modules first (into `tui/**/__pycache__`, ignored by git), as a
    wheel install does. The runs start Python with PYTHONDONTWRITEBYTECODE, so without this
    every start of an editable install compiled every module of `tui` that had no .pyc yet
    (tens of ms), which no user's second start pays."""
    import compileall

    if not compileall.compile_dir(str(ROOT / "tui"), quiet=1):
        raise SystemExit("tests.bench: tui/ does not byte-compile; fix that first.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke run, noisier)")
    parser.add_argument(
        "--only", default=",".join(GROUPS), help=f"comma-separated subset of {','.join(GROUPS)}"
    )
    parser.add_argument("--runs", type=int, help="measured runs per group (overrides the defaults)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    args = parser.parse_args(argv)
    wanted = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = set(wanted) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    counts = QUICK if args.quick else FULL
    results: dict[str, dict] = {}
    started = time.perf_counter()
    log(machine())
    compiled()
    for group in GROUPS:
        if group not in wanted:
            continue
        runs = args.runs or counts[group]
        log(f"{group}: {runs} run(s) after a warm-up")
        module = __import__(f"tests.bench.{group}", fromlist=["run"])
        results[group] = module.run(runs)
    rows = rows_for(results)
    print(
        f"\nSwitchboard benchmarks ({machine()}; {'quick' if args.quick else 'full'} run, "
        f"{time.perf_counter() - started:.0f} s; medians after a warm-up)\n"
    )
    print(table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": machine(), "results": results}, fh, indent=1)
    return 0 if all(r[5] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
