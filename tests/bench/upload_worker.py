"""Row 6, our side, in a process of its own: `upload_file` of one file to a given signed URL.

Prints JSON: seconds for the three steps (sign is answered from the URL given, so the PUT goes to
exactly the URL curl used), RSS before, and the peak RSS growth during the upload (VmHWM is reset
through /proc/self/clear_refs first; where that is refused a sampler thread takes the peak).
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from pathlib import Path


def rss(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


async def main(config: str, url: str, key: str, path: str) -> dict:
    from tui.backend import open_backend
    from tui.core.files import inspect_file
    from tui.core.models import SignedUpload
    from tui.core.uploads import upload_file

    async with open_backend(config_path=Path(config)) as backend:
        client = backend.client
        conversation = await client.get_conversation(19)
        file = inspect_file(path)

        async def presigned(**_: object) -> SignedUpload:
            return SignedUpload.model_validate({"url": url, "s3PathWithoutBucket": key})

        client.sign_upload = presigned  # type: ignore[method-assign]
        before = rss()
        try:
            Path("/proc/self/clear_refs").write_text("5")
            sampled = None
        except OSError:
            sampled = [before]
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.01):
                    sampled.append(rss())

            threading.Thread(target=sample, daemon=True).start()
        t = time.perf_counter()
        await upload_file(client, conversation, file)
        seconds = time.perf_counter() - t
        peak = rss("VmHWM") if sampled is None else max(sampled)
        return {"seconds": seconds, "rss_before": before, "growth": peak - before}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:5]))))
