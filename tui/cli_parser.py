"""The `switchboard` command line: every subcommand, its options and the checks on their values.

Only argparse at import time, so `switchboard --help` starts fast. A value that could only ever
match nothing (`--channel wa`, `--status pending`, `--skip -1`) is refused with the valid ones.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from tui import __version__
from tui.cli_common import UsageError

#: The contract's values (backend-contract.md: conversations, templates).
CONVERSATION_STATUSES = ("open", "closed")
TEMPLATE_STATUSES = ("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED")
#: Commands that print JSON with --json, so print their failures as JSON too.
JSON_COMMANDS = frozenset(
    {"conversations", "show", "templates", "send", "users", "assign", "read", "unread", "close"}
    | {"login", "logout"}
    | {"reopen", "takeover", "watch", "download", "status", "replies"}
    | {"handoff", "ai-assistants", "ai-auto", "ai-cut", "block", "unblock", "automations", "automate"}
    | {"delete-message", "contact"}
)
#: Commands whose --json prints JSON Lines (one object a line), their failures included.
JSON_LINES_COMMANDS = frozenset({"watch"})
#: The one-conversation actions and what each does, for their help.
ACTIONS = {
    "read": "mark a conversation read (its unread count to 0)",
    "unread": "mark a conversation unread",
    "close": "close conversations",
    "reopen": "reopen closed conversations",
    "takeover": "take a conversation over from the AI assistant: its auto-assignment off, assigned to you",
}
#: Actions that take several conversations: one bulk request for all of them.
MANY = ("close", "reopen")
MANY_HELP = "one or more; several are one request (POST /conversations-bulk-actions)"
#: Commands a profile means nothing to: `--profile` is refused in either position.
NO_PROFILE = {
    "config": "it shows or writes the whole config file, every profile in it",
    "sandbox": "it serves the embedded sandbox itself; choose its folder with --data DIR",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse says "argument --skip: takes ..."; a check of ours reads "--skip takes ...".
        option, sep, rest = message.removeprefix("argument ").partition(": ")
        if message.startswith("argument ") and sep and rest.startswith("takes "):
            message = f"{option.split('/')[-1]} {rest}"
        raise UsageError(f"{message[:1].upper()}{message[1:]} (see `{self.prog} --help`).")


def _or(values: Sequence[str]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}")
    return number


def _skip(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"takes a whole number, 0 or more, not {value!r}")
    return number


def _one_of(values: Sequence[str], normal: Callable[[str], str]) -> Callable[[str], str]:
    """A value checked against `values`, in any case."""

    def check(value: str) -> str:
        if normal(value.strip()) not in values:
            raise argparse.ArgumentTypeError(f"takes {_or(values)}, not {value!r}")
        return normal(value.strip())

    return check


def _assignee(value: str) -> str | int:
    """`me`, `none` or a positive user id."""
    word = value.strip().lower()
    if word in ("me", "none"):
        return word
    try:
        number = int(word)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(f"takes me, none or a user id, not {value!r}")
    return number


def _channel(value: str) -> str:
    from tui.core.channels import KNOWN_CHANNELS  # pydantic: only when the option is given

    return _one_of(KNOWN_CHANNELS, str.lower)(value)


def command_of(argv: Sequence[str]) -> tuple[str | None, bool]:
    """The subcommand `argv` names and whether it gives --profile (`-p X`, `-pX`, `--profile X`,
    `--profile=X`, or an abbreviation like `--prof`), read before parsing."""
    command, profile, value_next = None, False, False
    for token in argv:
        if token == "--":
            break
        if value_next:
            value_next = False
            continue
        name = token.split("=", 1)[0]
        if name.startswith("--") and len(name) >= 4 and "--profile".startswith(name):
            profile, value_next = True, "=" not in token
        elif token.startswith("-p"):
            profile, value_next = True, token == "-p"
        elif command is None and not token.startswith("-"):
            command = token
    return command, profile


def wants_json(argv: Sequence[str]) -> bool:
    """Whether `argv` asks a JSON command for --json (also when it cannot be parsed)."""
    command, _ = command_of(argv)
    if command not in JSON_COMMANDS:
        return False
    for token in argv:
        if token == "--":
            return False
        if len(token) >= 3 and "--json".startswith(token):
            return True
    return False


def refuse_profile(argv: Sequence[str]) -> None:
    """`config` and `sandbox` take no profile: said the same way before or after the command."""
    command, profile = command_of(argv)
    if profile and command in NO_PROFILE:
        raise UsageError(f"`switchboard {command}` takes no --profile: {NO_PROFILE[command]}.")


def build_parser() -> argparse.ArgumentParser:
    from tui.cli_ai import add_ai_parsers
    from tui.cli_contact import add_contact_parser
    from tui.cli_download import add_download_parser
    from tui.cli_login import add_login_parser
    from tui.cli_replies import add_replies_parser
    from tui.cli_watch import add_watch_parser
    from tui.sandbox_cli import add_sandbox_parser

    common = _Parser(add_help=False)
    common.add_argument(
        "--profile",
        "-p",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="profile from the config (default: default_profile, else sandbox); for the app, "
        "conversations, show, templates and send, and the work-queue commands",
    )

    parser = _Parser(
        prog="switchboard",
        description="Keyboard-first inbox for AchieveApex. With no command, the app starts.",
        epilog="Every failure is one sentence on stderr; --json commands also print "
        '{"ok": false, "error": {...}} on stdout. Exit codes: 0 ok, 1 other, 2 usage, '
        "3 config, 4 refused or local file, 5 key refused, 6 network, 7 server answer, "
        "8 the conversation moved on (send --if-last), 130 interrupted.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser(
        "conversations",
        parents=[common],
        help="list conversations (the server filters them: every flag combines)",
        description="List conversations, newest interaction first. Every flag is a filter the "
        "server applies, so any combination is one request per 50 rows.",
    )
    p.add_argument(
        "--channel", type=_channel, help="whatsapp, instagram, messenger, webchat, sms or playground"
    )
    p.add_argument("--status", type=_one_of(CONVERSATION_STATUSES, str.lower), help="open or closed")
    p.add_argument("--limit", type=_positive_int, default=50, help="how many (default 50; pages of 50)")
    p.add_argument("--skip", type=_skip, default=0, help="how many to skip first (default 0)")
    p.add_argument("--mine", action="store_true", help="only open ones assigned to you")
    p.add_argument("--unassigned", action="store_true", help="only open ones assigned to nobody, not the AI")
    p.add_argument(
        "--needs-reply",
        action="store_true",
        help="only open ones waiting for a response (the customer's turn)",
    )
    p.add_argument("--unread", action="store_true", help="only open ones with unread messages")
    p.add_argument("--search", metavar="TEXT", help="the contact's name or phone contains TEXT")
    p.add_argument("--search-messages", metavar="TEXT", help="a message of the conversation contains TEXT")
    p.add_argument(
        "--sort",
        type=_one_of(("window",), str.lower),
        metavar="window",
        help="window: the rows read, reply window closing soonest first",
    )
    p.add_argument("--json", action="store_true", help="print the Feathers page as JSON")

    p = sub.add_parser(
        "status",
        parents=[common],
        help="the profile's request budget: what this machine spent in the last hour",
        description="How many requests this machine sent for the profile in the last hour, of the "
        "1,000 the API allows an organization (shared by every agent of the team), and whether the "
        "server asked to wait. Sends no request.",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")

    p = sub.add_parser("show", parents=[common], help="a conversation and its recent messages")
    p.add_argument("conversation_id", type=_positive_int, metavar="CONVERSATION_ID")
    p.add_argument("--limit", type=_positive_int, default=20, help="how many messages (default 20)")
    p.add_argument("--json", action="store_true", help="print the conversation and messages as JSON")

    p = sub.add_parser("templates", parents=[common], help="the organization's WhatsApp templates")
    p.add_argument(
        "--status",
        type=_one_of(TEMPLATE_STATUSES, str.upper),
        help="only this status: " + _or(TEMPLATE_STATUSES),
    )
    p.add_argument("--json", action="store_true", help="print the templates as JSON")

    p = sub.add_parser("send", parents=[common], help="send a reply, a note, files or a template")
    p.add_argument("conversation_id", type=_positive_int, metavar="CONVERSATION_ID")
    text = p.add_mutually_exclusive_group()
    text.add_argument("--text", help="the message text")
    text.add_argument(
        "--text-file",
        metavar="PATH",
        help="read the text from a UTF-8 file, or - for stdin (trailing newlines are dropped)",
    )
    p.add_argument("--note", action="store_true", help="an internal note, never shown to the customer")
    p.add_argument("--attach", action="append", metavar="PATH", help="a file to send (repeatable)")
    p.add_argument("--template", metavar="NAME", help="a WhatsApp template to send")
    p.add_argument("--param", action="append", metavar="VALUE", help="next positional variable value")
    p.add_argument("--param-name", "--var", action="append", metavar="KEY=VALUE", help="a variable by name")
    p.add_argument("--header-file", metavar="PATH", help="a template's image, video or document header")
    p.add_argument("--button-param", action="append", metavar="VALUE", help="next URL button's variable")
    p.add_argument("--language", metavar="CODE", help="the template's language, e.g. en_US")
    p.add_argument("--reply-to", metavar="MESSAGE_ID", help="quote this message of the conversation")
    p.add_argument(
        "--if-last",
        metavar="MESSAGE_ID",
        help="send only if this is still the conversation's newest message; else exit 8, nothing sent",
    )
    p.add_argument("--json", action="store_true", help="print the created messages as JSON")

    for name, what in ACTIONS.items():
        p = sub.add_parser(name, parents=[common], help=what, description=what[:1].upper() + what[1:] + ".")
        if name in MANY:
            p.add_argument(
                "conversation_ids", type=_positive_int, nargs="+", metavar="CONVERSATION_ID", help=MANY_HELP
            )
        else:
            p.add_argument("conversation_id", type=_positive_int, metavar="CONVERSATION_ID")
        p.add_argument("--json", action="store_true", help="print the updated conversation as JSON")

    p = sub.add_parser("assign", parents=[common], help="assign conversations to you, an agent, or nobody")
    p.add_argument(
        "conversation_ids", type=_positive_int, nargs="+", metavar="CONVERSATION_ID", help=MANY_HELP
    )
    p.add_argument(
        "--to",
        type=_assignee,
        required=True,
        metavar="me|none|USER_ID",
        help="me, none (unassign) or an agent's user id (see `switchboard users`)",
    )
    p.add_argument("--json", action="store_true", help="print the updated conversation as JSON")

    p = sub.add_parser("users", parents=[common], help="the organization's agents, with the ids assign takes")
    p.add_argument("--json", action="store_true", help="print the agents as JSON")

    add_watch_parser(sub, common, _positive_int)

    add_download_parser(sub, common, _positive_int)

    add_ai_parsers(sub, common, _positive_int)
    add_contact_parser(sub, common, _positive_int)

    add_login_parser(sub, common)

    add_replies_parser(sub, common)

    add_sandbox_parser(sub)

    p = sub.add_parser("config", help="where the config is, what it says (keys masked), or write a starter")
    p.add_argument("action", choices=["path", "show", "init"])
    p.add_argument("--force", action="store_true", help="with init: overwrite an existing file")
    return parser
