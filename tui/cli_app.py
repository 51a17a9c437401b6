"""`switchboard` with no subcommand: the app.

Nothing here validates the config: the first frame is drawn from what `tomllib` reads
(`tui.core.first_frame`), and the app validates the whole file after it, with the CLI's sentence
and exit code 3 on a problem. A sandbox profile's child process is started here, before the
app, so it boots while the first frame is drawn.
"""

from __future__ import annotations

import argparse


def cmd_app(args: argparse.Namespace) -> int:
    from tui.core.first_frame import read_first_frame

    first = read_first_frame(args.profile)
    sandboxes = {}
    if first.sandbox:
        from tui.sandbox_process import start_sandbox_process

        process = start_sandbox_process(first.sandbox_data)
        sandboxes[process.data] = process
    try:
        from tui.app import run_app

        return run_app(profile=args.profile, first=first, sandboxes=sandboxes)
    finally:
        for process in sandboxes.values():
            process.stop()
