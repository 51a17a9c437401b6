"""The sandbox as a child process of the app: `python -m tui.sandbox.child --data DIR`
(`--documented-fields-only`: conversations without the contract's [ours] fields).

It serves on a free loopback port, writes one JSON line to stdout saying where (base URL,
key, organization, media URL, the key's user id), then runs until its stdin reaches end of
file: when the app closes the pipe, exits or dies (even by `kill -9`), the sandbox stops with
it. In its own process the sandbox's start-up and work never compete with the app's screen for
the interpreter lock, and its memory is its own. Errors go to stderr as one sentence.

The line is written once the data file is open and the socket listens, before the web stack
(uvicorn, Starlette) loads: the app's first request waits in the socket's backlog and is answered
as soon as serving starts; the send and upload handlers load after that first answer (`lazy`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.sandbox.child")
    parser.add_argument("--data", required=True)
    parser.add_argument("--documented-fields-only", action="store_true")
    args = parser.parse_args(argv)
    options = {"documented_fields_only": True} if args.documented_fields_only else {}
    # Before the web stack loads: the file opened (seeded the first time) and the socket
    # listening, then the handshake, so the app connects while uvicorn and Starlette load.
    try:
        from tui.sandbox.sockets import base_url_of, listen
        from tui.sandbox.state import Sandbox

        sandbox = Sandbox(Path(args.data), time.time, options)
    except Exception as exc:  # one sentence for the app, never a traceback
        return _failed(exc)
    try:
        sock = listen()
    except Exception as exc:
        sandbox.store.close()
        return _failed(exc)
    base = base_url_of(sock)
    agent = sandbox.default_agent
    handshake = {
        "base_url": base,
        "api_key": agent.api_key,
        "organization_id": agent.organization_id,
        "media_base_url": base + "/media",
        "user_id": agent.id,
    }
    try:
        sys.stdout.write(json.dumps(handshake) + "\n")
        sys.stdout.flush()
        from tui.sandbox.delivery import PRODUCT_OPTIONS
        from tui.sandbox.runner import start_in_thread

        running = start_in_thread(sandbox.data_dir, sandbox=sandbox, sock=sock, **PRODUCT_OPTIONS)
    except BrokenPipeError:  # the app is gone already
        sock.close()
        sandbox.store.close()
        return 0
    except Exception as exc:
        sock.close()
        sandbox.store.close()
        return _failed(exc)
    try:
        sys.stdin.buffer.read()  # until the app closes the pipe, one way or another
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        running.stop()
    return 0


def _failed(exc: BaseException) -> int:
    sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
