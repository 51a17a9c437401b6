"""The sandbox as a child process of the app: `python -m tui.sandbox.child --data DIR`.

It serves on a free loopback port, writes one JSON line to stdout saying where (base URL, key,
organization, media URL), then runs until its stdin reaches end of file: when the app closes the
pipe, exits or dies (even by `kill -9`), the sandbox stops with it. In its own process the
sandbox's start-up and work never compete with the app's screen for the interpreter lock, and its
memory is its own. Errors go to stderr as one sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.sandbox.child")
    parser.add_argument("--data", required=True)
    args = parser.parse_args(argv)
    from tui.sandbox.runner import start_in_thread

    try:
        running = start_in_thread(Path(args.data))
    except Exception as exc:  # one sentence for the app, never a traceback
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 1
    try:
        handshake = {
            "base_url": running.base_url,
            "api_key": running.api_key,
            "organization_id": running.organization_id,
            "media_base_url": running.media_base_url,
        }
        sys.stdout.write(json.dumps(handshake) + "\n")
        sys.stdout.flush()
        sys.stdin.buffer.read()  # until the app closes the pipe, one way or another
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
