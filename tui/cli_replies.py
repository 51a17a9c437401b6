"""`switchboard replies`: the organization's shared replies (contract: "Canned replies of the
organization"), the ones the app's snippet picker marks as the team's.

    switchboard replies [--json]                                     # every one, by title
    switchboard replies add --title T --text-file F [--attach FILE] [--json]
    switchboard replies edit ID [--title T] [--text-file F] [--json]
    switchboard replies rm ID [--json]

A list is one request per 50 replies; add, edit and rm one request each (an `--attach`ed file
two more: the upload's signing and registering, with no conversation; its bytes go to the storage
host). A role that may not change the team's replies is told so in one sentence (403, exit 5).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tui.cli_common import EXIT_OK, UsageError, _err, _out, backend_for
from tui.cli_output import print_json, table

if TYPE_CHECKING:
    from tui.core.models import TeamReply


def _text_options(p: argparse.ArgumentParser, what: str) -> None:
    words = p.add_mutually_exclusive_group()
    words.add_argument("--text", help=f"the reply's {what}")
    words.add_argument(
        "--text-file",
        metavar="PATH",
        help=f"read the reply's {what} from a UTF-8 file, or - for stdin (trailing newlines are dropped)",
    )


def _json_option(p: argparse.ArgumentParser, what: str) -> None:
    # SUPPRESS: `replies --json add` and `replies add --json` both ask for JSON.
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=what)


def add_replies_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """The `replies` command and its `add`, `edit` and `rm` (called by `cli_parser.build_parser`)."""
    p = sub.add_parser(
        "replies",
        parents=[common],
        help="the team's shared replies: list them, or add, edit and rm one",
        description="The replies your organization shares (the app's snippet picker offers them "
        "beside your own snippets). With no action, every one is listed by title.",
    )
    p.add_argument("--json", action="store_true", help="print the replies as JSON")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    add = actions.add_parser(
        "add", parents=[common], help="add a team reply", description="Add a reply the whole team shares."
    )
    add.add_argument("--title", required=True, help="its title, as the picker lists it")
    _text_options(add, "text")
    add.add_argument("--attach", metavar="PATH", help="a file that goes with it (uploaded first)")
    _json_option(add, "print the created reply as JSON")
    edit = actions.add_parser(
        "edit",
        parents=[common],
        help="change a team reply's title or text",
        description="Change a team reply's title, its text, or both (its file stays).",
    )
    edit.add_argument("reply_id", metavar="ID", help="the reply's id (see `switchboard replies`)")
    edit.add_argument("--title", help="its new title")
    _text_options(edit, "new text")
    _json_option(edit, "print the changed reply as JSON")
    rm = actions.add_parser(
        "rm", parents=[common], help="delete a team reply", description="Delete a team reply, for everyone."
    )
    rm.add_argument("reply_id", metavar="ID", help="the reply's id (see `switchboard replies`)")
    _json_option(rm, 'print {"ok": true, "id": ID} as JSON')


def _id(value: str) -> str:
    value = value.strip()
    if not value:
        raise UsageError("Give the reply's id, as `switchboard replies` lists it.")
    return value


def _title(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise UsageError("--title takes the reply's title; it cannot be empty.")
    return value.strip() if value is not None else None


def _words(args: argparse.Namespace) -> str | None:
    """--text or --text-file (None when neither is given)."""
    from tui.cli_send import _read_text

    if args.text is None and args.text_file is None:
        return None
    return _read_text(args)


def _row(reply: TeamReply) -> list[str]:
    from tui.core.team_reply_media import file_name

    return [
        str(reply.id),
        reply.name,
        reply.message_type or "text",
        file_name(reply) if reply.has_media else "-",
        reply.content,
    ]


def _said(reply: TeamReply, verb: str) -> str:
    from tui.core.text import clip, one_line

    return f"Team reply {clip(one_line(str(reply.id)), 40)} {verb}: {clip(one_line(reply.name), 60)}."


async def cmd_replies(args: argparse.Namespace) -> int:
    if args.action == "add":
        return await _add(args)
    if args.action == "edit":
        return await _edit(args)
    if args.action == "rm":
        return await _rm(args)
    from tui.core.client_parse import Skipped

    skipped: list[Skipped] = []
    async with backend_for(args) as backend:
        replies = await backend.client.list_team_replies(skipped)
    unread = (
        f"{len(skipped)} team repl{'y' if len(skipped) == 1 else 'ies'} could not be read and "
        f"{'is' if len(skipped) == 1 else 'are'} not shown."
        if skipped
        else ""
    )
    if args.json:
        print_json([r.model_dump(mode="json") for r in replies])
        if unread:
            _err(unread)
        return EXIT_OK
    table([_row(r) for r in replies], ["ID", "TITLE", "TYPE", "FILE", "TEXT"], 4)
    _out(f"({len(replies)} team replies; `switchboard replies add --title T --text-file F` adds one)")
    if unread:
        _out(unread)
    return EXIT_OK


async def _add(args: argparse.Namespace) -> int:
    from tui.core import team_replies
    from tui.core.files import inspect_file

    title = _title(args.title) or ""
    words = _words(args)
    if words is None and not args.attach:
        raise UsageError("Give the reply's words with --text-file (or --text), or a file with --attach.")
    file = inspect_file(args.attach) if args.attach else None  # a bad file: exit 4, nothing sent
    async with backend_for(args) as backend:
        reply = await team_replies.create(backend.client, title, words or "", file)
    if args.json:
        print_json(reply.model_dump(mode="json"))
    else:
        _out(_said(reply, "added"))
    return EXIT_OK


async def _edit(args: argparse.Namespace) -> int:
    from tui.core import team_replies

    reply_id, title, words = _id(args.reply_id), _title(args.title), _words(args)
    if title is None and words is None:
        raise UsageError("Give --title, --text or --text-file: what to change.")
    async with backend_for(args) as backend:
        reply = await team_replies.edit(backend.client, reply_id, title=title, content=words)
    if args.json:
        print_json(reply.model_dump(mode="json"))
    else:
        _out(_said(reply, "changed"))
    return EXIT_OK


async def _rm(args: argparse.Namespace) -> int:
    from tui.core import team_replies
    from tui.core.text import clip, one_line

    reply_id = _id(args.reply_id)
    async with backend_for(args) as backend:
        await team_replies.remove(backend.client, reply_id)
    if args.json:
        print_json({"ok": True, "id": int(reply_id) if reply_id.isdigit() else reply_id})
    else:
        _out(f"Team reply {clip(one_line(reply_id), 40)} deleted.")
    return EXIT_OK
