"""`switchboard` with no subcommand: the app."""

from __future__ import annotations

import argparse


def cmd_app(args: argparse.Namespace) -> int:
    from tui.core.config import chosen_profile_name, get_profile, load_config

    config = load_config()
    profile = get_profile(config, chosen_profile_name(config, args.profile))
    sandboxes = {}
    if profile.sandbox:
        # Start the sandbox now, in its own process: it boots while the app draws its first frame.
        from tui.sandbox_process import start_sandbox_process

        process = start_sandbox_process(profile.sandbox_data)
        sandboxes[process.data] = process
    try:
        from tui.app import run_app

        return run_app(profile=args.profile, config=config, sandboxes=sandboxes)
    finally:
        for process in sandboxes.values():
            process.stop()
