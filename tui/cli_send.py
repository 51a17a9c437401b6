"""`switchboard send`: a reply, a note, files or a template, through the same sender as the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.cli_common import EXIT_OK, UsageError, _out, backend_for
from tui.cli_output import print_json


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


def _reply_to(value: str | None) -> str | None:
    """--reply-to: a message id as `switchboard show` prints it (opaque: checked with the server,
    which gives it back as it spells it, number or string)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise UsageError("--reply-to takes the id of a message of the conversation.")
    return value


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
    from tui.cli_if_last import check_if_last
    from tui.core.drafts import Draft, TemplateChoice
    from tui.core.sender import execute, prepare
    from tui.core.templates import TemplateValues

    if args.template and (args.text is not None or args.text_file is not None or args.note):
        raise UsageError("--template cannot be combined with --text, --text-file or --note.")
    if not args.template and (args.param or args.param_name or args.language):
        raise UsageError("--param, --param-name (--var) and --language go with --template.")
    if not args.template and (args.header_file or args.button_param):
        raise UsageError("--header-file and --button-param go with --template.")
    if not args.template and args.text is None and args.text_file is None and not args.attach:
        raise UsageError("Give --text, --text-file, --attach or --template.")
    named: dict[str, str] = {}
    for item in args.param_name or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param-name and --var take KEY=VALUE, not {item!r}.")
        named[key.strip()] = value
    template = (
        TemplateChoice(
            args.template,
            args.language,
            TemplateValues(list(args.param or []), named, list(args.button_param or [])),
            Path(args.header_file) if args.header_file else None,
        )
        if args.template
        else None
    )
    draft = Draft(
        text=_read_text(args),
        note=args.note,
        attachments=[Path(p) for p in args.attach or []],
        template=template,
        reply_to=_reply_to(args.reply_to),
    )
    async with backend_for(args) as backend:
        if draft.reply_to is not None:  # the quoted message, read by its id: its id as the server has it
            from dataclasses import replace

            from tui.cli_download import find_message

            quoted = await find_message(backend.client, args.conversation_id, str(draft.reply_to))
            draft = replace(draft, reply_to=quoted.id)
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
