"""`switchboard send`: a reply, a note, files or a template, through the same sender as the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.cli_common import EXIT_MOVED_ON, EXIT_OK, UsageError, _out, backend_for
from tui.cli_output import print_json
from tui.core.errors import SwitchboardError

#: How much of a message that arrived meanwhile the refusal of `--if-last` quotes.
ARRIVED_CELLS = 60


class MovedOnError(SwitchboardError):
    """`send --if-last`: the conversation's newest message is not the one the script last saw."""

    exit_code = EXIT_MOVED_ON
    reason = "moved_on"

    def __init__(self, sentence: str, *, newest_message_id: str | None) -> None:
        super().__init__(sentence)
        self.newest_message_id = newest_message_id


def arrival(message: Any) -> str:
    """What arrived, for a sentence: who sent it and a clipped text; all of it the server's
    data, so neutralised (one line, controls shown as placeholders) and cut."""
    from tui.core.text import clip, one_line

    if message.is_note:
        who = f"a note from {message.sender_name or 'an agent'}"
    elif message.is_inbound:
        who = f"a message from {message.sender_name or 'the customer'}"
    else:
        who = f"a message from {message.sender_name or 'an agent'}"
    text = one_line(message.message_text) or (
        f"[{one_line(message.file_name)}]" if message.file_name else f"[{one_line(message.message_type)}]"
    )
    return f'{clip(one_line(who), 48)} ("{clip(text, ARRIVED_CELLS)}")'


async def check_if_last(client: Any, conversation_id: int, expected: str) -> None:
    """Refuse (exit 8) unless message `expected` is still the conversation's newest."""
    from tui.core.text import clip, one_line

    page = await client.list_messages(conversation_id, limit=1)
    newest = page.data[0] if page.data else None
    if newest is not None and str(newest.id) == expected.strip():
        return
    given = clip(one_line(expected), 40)
    if newest is None:
        raise MovedOnError(
            f"Conversation {conversation_id} has no messages, so {given!r} is not its newest; nothing "
            f"was sent; check the id with `switchboard show {conversation_id}`.",
            newest_message_id=None,
        )
    newest_id = clip(one_line(str(newest.id)), 40)
    raise MovedOnError(
        f"Conversation {conversation_id} moved on: its newest message is now {newest_id}, "
        f"{arrival(newest)}, not {given}; nothing was sent; read it (`switchboard show "
        f"{conversation_id}`) and send again with --if-last {newest_id}.",
        newest_message_id=str(newest.id),
    )


def _read_text(args: argparse.Namespace) -> str:
    """The text of --text as given, or of --text-file (a file or `-` for stdin) without its
    trailing newlines: an editor or `echo` ends a file with one, and it must not be sent."""
    from tui.core.errors import LocalFileError

    if args.text is not None:
        return str(args.text)
    if args.text_file is None:
        return ""
    if args.text_file == "-":
        return sys.stdin.read().rstrip("\r\n")
    try:
        return Path(args.text_file).expanduser().read_text(encoding="utf-8").rstrip("\r\n")
    except FileNotFoundError:
        raise LocalFileError(f"The text file {args.text_file!r} does not exist; check the path.") from None
    except UnicodeDecodeError:
        raise LocalFileError(f"The text file {args.text_file!r} is not UTF-8 text.") from None
    except OSError as exc:
        raise LocalFileError(f"The text file {args.text_file!r} cannot be read ({exc.strerror}).") from None


def _progress_printer() -> Callable[[Any], None] | None:
    """Upload progress on a terminal's stderr; the file name neutralised like any other text."""
    from tui.core.text import clip, one_line

    if not sys.stderr.isatty():
        return None

    def show(p: Any) -> None:
        if p.stage == "uploading":
            pct = 100 * p.done // max(p.total, 1)
            sys.stderr.write(f"\ruploading {clip(one_line(str(p.detail)), 60)}: {pct:3d}%")
            if p.done >= p.total:
                sys.stderr.write("\n")
        sys.stderr.flush()

    return show


async def cmd_send(args: argparse.Namespace) -> int:
    from tui.core.drafts import Draft, TemplateChoice
    from tui.core.sender import execute, prepare
    from tui.core.templates import TemplateValues

    if args.template and (args.text is not None or args.text_file is not None or args.note):
        raise UsageError("--template cannot be combined with --text, --text-file or --note.")
    if not args.template and (args.param or args.param_name or args.language):
        raise UsageError("--param, --param-name and --language go with --template.")
    if not args.template and args.text is None and args.text_file is None and not args.attach:
        raise UsageError("Give --text, --text-file, --attach or --template.")
    named: dict[str, str] = {}
    for item in args.param_name or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param-name takes KEY=VALUE, not {item!r}.")
        named[key.strip()] = value
    template = (
        TemplateChoice(args.template, args.language, TemplateValues(list(args.param or []), named))
        if args.template
        else None
    )
    draft = Draft(
        text=_read_text(args),
        note=args.note,
        attachments=[Path(p) for p in args.attach or []],
        template=template,
    )
    async with backend_for(args) as backend:
        # The rules first (a refusal is exit 4), then --if-last, then the first upload or post.
        prepared = await prepare(backend.client, args.conversation_id, draft)
        if args.if_last is not None:
            await check_if_last(backend.client, args.conversation_id, args.if_last)
        result = await execute(backend.client, prepared, progress=_progress_printer())
    if args.json:
        print_json(
            {
                "ok": True,
                "conversation_id": result.conversation.id,
                "channel": result.conversation.channel,
                "kind": draft.kind,
                "messages": [m.model_dump(mode="json") for m in result.messages],
            }
        )
        return EXIT_OK
    _out(sent_sentence(result, draft.kind))
    return EXIT_OK


def sent_sentence(result: Any, kind: str) -> str:
    """What was sent, in one line; the ids and channel are the server's, so neutralised and cut."""
    from tui.core.channels import label
    from tui.core.text import clip, one_line

    ids = clip(one_line(", ".join(str(m.id) for m in result.messages)), 200)
    count = len(result.messages)
    noun = {"reply": "message", "note": "note", "template": "template message"}[kind]
    plural = "s" if count != 1 else ""
    channel = clip(one_line(label(result.conversation.channel)), 20)
    return f"Sent {count} {noun}{plural} to conversation {result.conversation.id} ({channel}): id {ids}."
