"""The `switchboard` command: the app with no arguments, headless subcommands for scripts.

Every failure ends as one sentence on stderr and a non-zero exit code; never a traceback
(set SWITCHBOARD_DEBUG=1 to see one for an unexpected error). Textual is imported only when the
app is started. The commands live in `cli_read` (conversations, show, templates), `cli_queue`
(read, unread, close, reopen, takeover, assign, users, the queue views), `cli_send`,
`cli_config` and `sandbox_cli`; the options in `cli_parser`; tables and JSON in `cli_output`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from tui.cli_app import cmd_app
from tui.cli_common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError, _err
from tui.cli_config import cmd_config
from tui.cli_download import cmd_download
from tui.cli_output import Mask, error_json, print_json
from tui.cli_parser import build_parser, refuse_profile, wants_json
from tui.cli_queue import cmd_action, cmd_assign, cmd_users
from tui.cli_read import cmd_conversations, cmd_show, cmd_templates
from tui.cli_send import cmd_send
from tui.cli_watch import cmd_watch
from tui.core.text import one_line
from tui.sandbox_cli import cmd_sandbox

COMMANDS: dict[str, Callable[[argparse.Namespace], Any]] = {
    "conversations": cmd_conversations,
    "show": cmd_show,
    "templates": cmd_templates,
    "send": cmd_send,
    "read": cmd_action,
    "unread": cmd_action,
    "close": cmd_action,
    "reopen": cmd_action,
    "takeover": cmd_action,
    "assign": cmd_assign,
    "users": cmd_users,
    "watch": cmd_watch,
    "download": cmd_download,
    "sandbox": cmd_sandbox,
    "config": cmd_config,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure is one sentence on stderr (and, for a command given
    --json, `{"ok": false, "error": {...}}` on stdout) with its exit code."""
    from tui.core.errors import SwitchboardError

    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = wants_json(argv)
    masks: list[Mask] = []

    def fail(exc: BaseException, sentence: str, code: int) -> int:
        sentence = one_line(sentence)
        for mask in masks:
            sentence = mask(sentence)
        _err(sentence)
        if as_json:
            print_json({"ok": False, "error": error_json(exc, sentence, code, masks)})
        return code

    try:
        refuse_profile(argv)
        args = build_parser().parse_args(argv)
        as_json = bool(getattr(args, "json", False))
        args.masks = masks
        if not hasattr(args, "profile"):
            args.profile = None
        handler = COMMANDS.get(args.command) if args.command else cmd_app
        assert handler is not None
        result = handler(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result)
    except UsageError as exc:
        return fail(exc, str(exc), EXIT_USAGE)
    except SwitchboardError as exc:
        return fail(exc, exc.sentence, exc.exit_code)
    except KeyboardInterrupt as exc:
        return fail(exc, "Interrupted.", 130)
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback for the user
        if os.environ.get("SWITCHBOARD_DEBUG"):
            raise
        sentence = (
            f"Unexpected error ({type(exc).__name__}: {str(exc)[:160]}); run again with "
            "SWITCHBOARD_DEBUG=1 for details and report it."
        )
        return fail(exc, sentence, EXIT_ERROR)
