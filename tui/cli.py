"""The `switchboard` command: the app with no arguments, headless subcommands for scripts.

Every failure ends as one sentence on stderr and a non-zero exit code; never a traceback
(set SWITCHBOARD_DEBUG=1 to see one for an unexpected error). Textual is imported only when the
app is started. The commands live in `cli_read` (conversations, show, templates), `cli_send`,
`cli_config` and `sandbox_cli`; the options in `cli_parser`; tables and JSON in `cli_output`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable, Sequence
from typing import Any

from tui.cli_common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError, _err
from tui.cli_config import cmd_config
from tui.cli_parser import build_parser
from tui.cli_read import cmd_conversations, cmd_show, cmd_templates
from tui.cli_send import cmd_send
from tui.sandbox_cli import cmd_sandbox


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


COMMANDS: dict[str, Callable[[argparse.Namespace], Any]] = {
    "conversations": cmd_conversations,
    "show": cmd_show,
    "templates": cmd_templates,
    "send": cmd_send,
    "sandbox": cmd_sandbox,
    "config": cmd_config,
}


def main(argv: Sequence[str] | None = None) -> int:
    from tui.core.errors import SwitchboardError

    try:
        args = build_parser().parse_args(argv)
        if not hasattr(args, "profile"):
            args.profile = None
        handler = COMMANDS.get(args.command) if args.command else cmd_app
        assert handler is not None
        result = handler(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result)
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except SwitchboardError as exc:
        _err(exc.sentence)
        return exc.exit_code
    except KeyboardInterrupt:
        _err("Interrupted.")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback for the user
        if os.environ.get("SWITCHBOARD_DEBUG"):
            raise
        _err(
            f"Unexpected error ({type(exc).__name__}: {str(exc)[:160]}); run again with "
            "SWITCHBOARD_DEBUG=1 for details and report it."
        )
        return EXIT_ERROR
