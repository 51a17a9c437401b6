"""`switchboard send`: a reply, a note, files or a template, through the same sender as the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.cli_common import EXIT_OK, UsageError, _out
from tui.cli_output import error_json, print_json


def _read_text(args: argparse.Namespace) -> str:
    from tui.core.errors import LocalFileError

    if args.text is not None:
        return str(args.text)
    if args.text_file is None:
        return ""
    if args.text_file == "-":
        return sys.stdin.read()
    try:
        return Path(args.text_file).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LocalFileError(f"The text file {args.text_file!r} does not exist; check the path.") from None
    except UnicodeDecodeError:
        raise LocalFileError(f"The text file {args.text_file!r} is not UTF-8 text.") from None
    except OSError as exc:
        raise LocalFileError(f"The text file {args.text_file!r} cannot be read ({exc.strerror}).") from None


def _progress_printer() -> Callable[[Any], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(p: Any) -> None:
        if p.stage == "uploading":
            pct = 100 * p.done // max(p.total, 1)
            sys.stderr.write(f"\ruploading {p.detail}: {pct:3d}%")
            if p.done >= p.total:
                sys.stderr.write("\n")
        sys.stderr.flush()

    return show


async def cmd_send(args: argparse.Namespace) -> int:
    from tui.backend import open_backend
    from tui.core.channels import label
    from tui.core.drafts import Draft, TemplateChoice
    from tui.core.errors import SwitchboardError
    from tui.core.sender import send_draft
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
    async with open_backend(args.profile) as backend:
        try:
            result = await send_draft(
                backend.client, args.conversation_id, draft, progress=_progress_printer()
            )
        except SwitchboardError as exc:
            if args.json:
                print_json({"ok": False, "error": error_json(exc)})
            raise
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
    ids = ", ".join(str(m.id) for m in result.messages)
    count = len(result.messages)
    noun = {"reply": "message", "note": "note", "template": "template message"}[draft.kind]
    plural = "s" if count != 1 else ""
    _out(
        f"Sent {count} {noun}{plural} to conversation {result.conversation.id} "
        f"({label(result.conversation.channel)}): id {ids}."
    )
    return EXIT_OK
