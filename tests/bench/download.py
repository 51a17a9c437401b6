"""Download of a 50 MB file from the sandbox: `tui.core.downloads.download` vs `curl -o`, same URL.

The object is planted in the sandbox's data folder (a customer's file on webchat 19, generated
bytes streamed to disk) before the sandbox starts in its own process. Each run, curl fetches the
public media URL to a file, then our worker process (`python -m tests.bench.download --worker`)
reads the message through the API client, as `switchboard download` and the app do before any
download (so the HTTP stack is loaded, ~60 ms of imports that no real download pays), and runs
`download` of it into a folder on the same disk. Throughput is MiB / wall time of each, our time
measured around `download()` alone (no interpreter start-up). RSS growth is the worker's peak
during the download minus before (VmHWM reset through /proc/self/clear_refs).

Run it alone: `.venv/bin/python -m tests.bench.download [--runs N] [--mib 50]`; from run.py, as
group "download": `run(runs)` returns {"ours": [MiB/s], "curl": [MiB/s], "growth": [MiB]}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.common import PYTHON, ROOT, log, median, standalone_sandbox, temp_home

SIZE = 50 * 1024 * 1024
CONVERSATION = 19
NAME = "bench-download.bin"
MIME = "application/octet-stream"


def plant(data_dir: Path, size: int) -> dict[str, Any]:
    """Seed the sandbox's file and add the big object and its message; the message."""
    from tui.sandbox.seed_files import add_file_message
    from tui.sandbox.state import Sandbox

    sb = Sandbox(data_dir, time.time, {})
    try:
        return add_file_message(sb.store, CONVERSATION, NAME, MIME, at=time.time() - 60, size=size)
    finally:
        sb.store.close()


def curl(url: str, target: Path) -> float:
    t = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", "-o", str(target), url], check=True, timeout=600)
    return time.perf_counter() - t


def run(runs: int, warmup: int = 1, size: int = SIZE) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"ours": [], "curl": [], "growth": []}
    has_curl = shutil.which("curl") is not None
    if not has_curl:
        log("  download: curl not found; only our figure is measured")
    with temp_home() as home:
        data = home.root / "sandbox-data"
        message = plant(data, size)
        with standalone_sandbox(data, home) as sandbox:
            from tui.core.payloads import public_media_url

            media = sandbox.base_url + "/media"
            url = public_media_url(media, message["s3_key"])
            mib = size / (1 << 20)
            for i in range(warmup + runs):
                folder = home.root / f"dl-{i}"
                folder.mkdir()
                t_curl = curl(url, folder / "curl.bin") if has_curl else 0.0
                (folder / "curl.bin").unlink(missing_ok=True)
                res = subprocess.run(
                    [
                        PYTHON,
                        "-m",
                        "tests.bench.download",
                        "--worker",
                        media,
                        json.dumps(message),
                        str(folder),
                        sandbox.api_key,
                    ],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    cwd=ROOT,
                    env={**home.env},
                )
                if res.returncode:
                    raise RuntimeError("download worker failed:\n" + res.stderr[-3000:])
                ours = json.loads(res.stdout.strip().splitlines()[-1])
                if ours["size"] != size:
                    raise RuntimeError(f"the worker saved {ours['size']} bytes, not {size}")
                shutil.rmtree(folder, ignore_errors=True)
                if i < warmup:
                    continue
                out["ours"].append(mib / ours["seconds"])
                if has_curl:
                    out["curl"].append(mib / t_curl)
                out["growth"].append(ours["growth"] / 1024)
                curl_words = f"curl {mib / t_curl:.0f} MiB/s, " if has_curl else ""
                log(
                    f"  download run {i - warmup + 1}/{runs}: {curl_words}ours {mib / ours['seconds']:.0f} "
                    f"MiB/s, RSS growth {ours['growth'] / 1024:.1f} MiB"
                )
    return out


def _rss(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


async def _worker(media_base_url: str, message_json: str, folder: str, api_key: str) -> dict[str, Any]:
    from tui.core.client import ApiClient
    from tui.core.config import Paths, ResolvedProfile, Secret
    from tui.core.downloads import download

    planted = json.loads(message_json)
    profile = ResolvedProfile(
        name="bench",
        base_url=media_base_url.removesuffix("/media"),
        organization_id=1,
        api_key=Secret(api_key),
        auth="x-api-key",
        media_base_url=media_base_url,
        timeout_seconds=120,
        paths=Paths(),
        limits={},
    )
    async with ApiClient(profile) as client:  # as `switchboard download` finds the message
        page = await client.list_messages(CONVERSATION)
    message = next(m for m in page.data if str(m.id) == str(planted.get("_id", planted.get("id"))))
    before = _rss()
    Path("/proc/self/clear_refs").write_text("5")
    t = time.perf_counter()
    saved = await download(message, profile, Path(folder))
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "growth": _rss("VmHWM") - before, "size": saved.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.download", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mib", type=int, default=SIZE >> 20, help="the object's size in MiB")
    parser.add_argument("--worker", nargs=4, metavar=("MEDIA_BASE_URL", "MESSAGE_JSON", "FOLDER", "API_KEY"))
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(asyncio.run(_worker(*args.worker))))
        return 0
    result = run(args.runs, size=args.mib << 20)
    ours = median(result["ours"])
    line = f"download {args.mib} MiB: ours {ours:.0f} MiB/s"
    if result["curl"]:
        theirs = median(result["curl"])
        line += f", curl {theirs:.0f} MiB/s, ratio {ours / theirs:.2f}x"
    print(f"{line}; RSS growth max {max(result['growth']):.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
