"""The `switchboard` command line: every subcommand, its options and the checks on their values.

Only argparse at import time, so `switchboard --help` starts fast.
"""

from __future__ import annotations

import argparse

from tui import __version__
from tui.cli_common import UsageError
from tui.sandbox_cli import add_sandbox_parser


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message[:1].upper()}{message[1:]} (see `{self.prog} --help`).")


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--profile",
        "-p",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="profile from the config (default: default_profile, else sandbox)",
    )

    parser = _Parser(
        prog="switchboard", description="Keyboard-first inbox for AchieveApex.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("conversations", parents=[common], help="list conversations")
    p.add_argument("--channel", help="whatsapp, instagram, messenger, webchat, sms or playground")
    p.add_argument("--status", help="open or closed")
    p.add_argument("--limit", type=_positive_int, default=50)
    p.add_argument("--skip", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the Feathers page as JSON")

    p = sub.add_parser("show", parents=[common], help="a conversation and its recent messages")
    p.add_argument("conversation_id", type=_positive_int, metavar="CONVERSATION_ID")
    p.add_argument("--limit", type=_positive_int, default=20)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("templates", parents=[common], help="the organization's WhatsApp templates")
    p.add_argument("--status", type=str.upper, help="only this status, e.g. APPROVED")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("send", parents=[common], help="send a reply, a note, files or a template")
    p.add_argument("conversation_id", type=_positive_int, metavar="CONVERSATION_ID")
    text = p.add_mutually_exclusive_group()
    text.add_argument("--text", help="the message text")
    text.add_argument("--text-file", metavar="PATH", help="read the text from a file, or - for stdin")
    p.add_argument("--note", action="store_true", help="an internal note, never shown to the customer")
    p.add_argument("--attach", action="append", metavar="PATH", help="a file to send (repeatable)")
    p.add_argument("--template", metavar="NAME", help="a WhatsApp template to send")
    p.add_argument("--param", action="append", metavar="VALUE", help="next positional variable value")
    p.add_argument("--param-name", action="append", metavar="KEY=VALUE", help="a named variable value")
    p.add_argument("--language", metavar="CODE", help="the template's language, e.g. en_US")
    p.add_argument("--json", action="store_true", help="print the created messages as JSON")

    add_sandbox_parser(sub)

    p = sub.add_parser("config", help="where the config is, what it says, or write a starter")
    p.add_argument("action", choices=["path", "show", "init"])
    p.add_argument("--force", action="store_true", help="with init: overwrite an existing file")
    return parser
