"""Row 6: upload of a 1 GiB file to the sandbox, `tui.core.uploads.upload_file` vs `curl --upload-file`.

The sandbox runs standalone (its own process). Each run signs one URL; curl PUTs the file to it,
then our worker process runs `upload_file` (PUT streamed from disk, then the file is registered)
to that same URL. Throughput is bytes / wall time of each. RSS growth is measured inside our worker
(peak during the upload minus RSS before). The file and the uploaded objects are deleted after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.bench.common import BENCH, PYTHON, log, standalone_sandbox, temp_home

SIZE = 1 << 30
MIME = "application/octet-stream"


def make_file(path: Path, size: int = SIZE) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as fh:
        for _ in range(size // len(block)):
            fh.write(block)


def sign(sandbox, name: str) -> tuple[str, str]:
    r = httpx.post(
        sandbox.base_url + "/s3-url-signing",
        headers={"x-api-key": sandbox.api_key},
        json={"file_name": name, "file_type": MIME, "conversation_id": 19, "organization_id": 1},
        timeout=30,
    )
    r.raise_for_status()
    data = r.json()
    return data["url"], data["s3PathWithoutBucket"]


def curl(path: Path, url: str) -> float:
    t = time.perf_counter()
    subprocess.run(
        [
            "curl",
            "-sS",
            "--fail",
            "-o",
            "/dev/null",
            "-H",
            f"Content-Type: {MIME}",
            "--upload-file",
            str(path),
            url,
        ],
        check=True,
        timeout=600,
    )
    return time.perf_counter() - t


def run(runs: int, warmup: int = 1, size: int = SIZE) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"ours": [], "curl": [], "growth": []}
    with temp_home() as home:
        data = home.root / "sandbox-data"
        path = home.root / "big-upload.bin"
        try:
            make_file(path, size)
            with standalone_sandbox(data, home) as sandbox:
                config = home.write_profile(sandbox)
                for i in range(warmup + runs):
                    url, key = sign(sandbox, path.name)
                    t_curl = curl(path, url)
                    shutil.rmtree(data / "objects", ignore_errors=True)
                    res = subprocess.run(
                        [PYTHON, str(BENCH / "upload_worker.py"), str(config), url, key, str(path)],
                        capture_output=True,
                        text=True,
                        timeout=600,
                        env={**home.env},
                    )
                    if res.returncode:
                        raise RuntimeError("upload worker failed:\n" + res.stderr[-3000:])
                    ours = json.loads(res.stdout.strip().splitlines()[-1])
                    shutil.rmtree(data / "objects", ignore_errors=True)
                    if i < warmup:
                        continue
                    mib = size / (1 << 20)
                    out["curl"].append(mib / t_curl)
                    out["ours"].append(mib / ours["seconds"])
                    out["growth"].append(ours["growth"] / 1024)
                    log(
                        f"  upload run {i - warmup + 1}/{runs}: curl {mib / t_curl:.0f} MiB/s, ours "
                        f"{mib / ours['seconds']:.0f} MiB/s, RSS growth {ours['growth'] / 1024:.1f} MiB"
                    )
        finally:
            path.unlink(missing_ok=True)
    return out
