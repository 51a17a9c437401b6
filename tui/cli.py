"""The `switchboard` command: the app with no arguments, headless subcommands for scripts.

Every failure ends as one sentence on stderr and a non-zero exit code; never a traceback
(set SWITCHBOARD_DEBUG=1 to see one for an unexpected error). Textual is imported only when the
app is started. The commands live in `cli_list` (conversations), `cli_read` (show, templates), `cli_queue`
(read, unread, close, reopen, takeover, assign, users), `cli_status`, `cli_send`, `cli_replies`,
`cli_ai` and `cli_automate` (the AI, automations, blocking, deleting), `cli_config` and
`sandbox_cli`; the options in `cli_parser`; tables and JSON in `cli_output`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

from tui.cli_app import cmd_app
from tui.cli_common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError, _err
from tui.cli_output import Mask, error_json, print_json
from tui.cli_parser import JSON_LINES_COMMANDS, command_of, refuse_profile, wants_json
from tui.core.text import one_line

#: Each command's handler as (module, function), imported when that command runs: the app's
#: start (no arguments) loads none of them, nor the parser (~15 ms before the first frame).
COMMANDS: dict[str, tuple[str, str]] = {
    "conversations": ("tui.cli_list", "cmd_conversations"),
    "status": ("tui.cli_status", "cmd_status"),
    "show": ("tui.cli_read", "cmd_show"),
    "templates": ("tui.cli_read", "cmd_templates"),
    "send": ("tui.cli_send", "cmd_send"),
    "read": ("tui.cli_queue", "cmd_action"),
    "unread": ("tui.cli_queue", "cmd_action"),
    "close": ("tui.cli_queue", "cmd_action"),
    "reopen": ("tui.cli_queue", "cmd_action"),
    "takeover": ("tui.cli_queue", "cmd_action"),
    "assign": ("tui.cli_queue", "cmd_assign"),
    "users": ("tui.cli_queue", "cmd_users"),
    "watch": ("tui.cli_watch", "cmd_watch"),
    "download": ("tui.cli_download", "cmd_download"),
    "handoff": ("tui.cli_ai", "cmd_handoff"),
    "ai-assistants": ("tui.cli_ai", "cmd_ai_assistants"),
    "ai-auto": ("tui.cli_ai", "cmd_ai_auto"),
    "ai-cut": ("tui.cli_ai", "cmd_change"),
    "block": ("tui.cli_ai", "cmd_change"),
    "unblock": ("tui.cli_ai", "cmd_change"),
    "automations": ("tui.cli_automate", "cmd_automations"),
    "automate": ("tui.cli_automate", "cmd_automate"),
    "delete-message": ("tui.cli_automate", "cmd_delete_message"),
    "login": ("tui.cli_login", "cmd_login"),
    "logout": ("tui.cli_login", "cmd_logout"),
    "replies": ("tui.cli_replies", "cmd_replies"),
    "contact": ("tui.cli_contact", "cmd_contact"),
    "sandbox": ("tui.sandbox_cli", "cmd_sandbox"),
    "config": ("tui.cli_config", "cmd_config"),
}


def handler_for(command: str | None) -> Callable[[argparse.Namespace], Any]:
    if not command:
        return cmd_app
    module, name = COMMANDS[command]
    handler: Callable[[argparse.Namespace], Any] = getattr(importlib.import_module(module), name)
    return handler


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line; `switchboard` alone (the app) needs no parser."""
    if not argv:
        return argparse.Namespace(command=None, profile=None)
    from tui.cli_parser import build_parser

    return build_parser().parse_args(argv)


def tolerate_any_encoding() -> None:
    """A character the terminal's encoding lacks (`LANG=C`, PYTHONIOENCODING=ascii) prints as
    "?": a server's name or an emoji must not turn a command's output into a crash."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(AttributeError, ValueError):  # not a text stream, or already closed
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure is one sentence on stderr (and, for a command given
    --json, `{"ok": false, "error": {...}}` on stdout) with its exit code."""
    from tui.core.errors import SwitchboardError

    tolerate_any_encoding()
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = wants_json(argv)
    # a failure of a command whose --json is a stream of JSON Lines is one line of that stream
    as_line = command_of(argv)[0] in JSON_LINES_COMMANDS
    masks: list[Mask] = []

    def fail(exc: BaseException, sentence: str, code: int) -> int:
        sentence = one_line(sentence)
        for mask in masks:
            sentence = mask(sentence)
        _err(sentence)
        if as_json:
            print_json({"ok": False, "error": error_json(exc, sentence, code, masks)}, line=as_line)
        return code

    try:
        refuse_profile(argv)
        args = parse(argv)
        as_json = bool(getattr(args, "json", False))
        args.masks = masks
        if not hasattr(args, "profile"):
            args.profile = None
        result = handler_for(args.command)(args)
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
