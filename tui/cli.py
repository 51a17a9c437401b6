"""The `switchboard` command: the app with no arguments, headless subcommands for scripts.

Every failure ends as one sentence on stderr and a non-zero exit code; never a traceback
(set SWITCHBOARD_DEBUG=1 to see one for an unexpected error). Textual is imported only when the
app is started.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui import __version__
from tui.cli_common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError, _err, _json, _out
from tui.sandbox_cli import add_sandbox_parser, cmd_sandbox

# -- output helpers -------------------------------------------------------------------------------


def _table(rows: list[list[str]], headers: list[str], flexible: int) -> None:
    """Columns padded to fit; the `flexible` column absorbs what the terminal lacks."""
    from tui.core.text import cell_width, fit, one_line

    width = shutil.get_terminal_size((120, 24)).columns
    cells = [[one_line(c) for c in row] for row in rows]
    widths = [max([cell_width(h)] + [cell_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    fixed = sum(w for i, w in enumerate(widths) if i != flexible) + 2 * (len(headers) - 1)
    widths[flexible] = max(10, min(widths[flexible], width - fixed))
    for row in [headers, *cells]:
        _out("  ".join(fit(cell, widths[i]) for i, cell in enumerate(row)).rstrip())


# -- commands -------------------------------------------------------------------------------------


async def cmd_conversations(args: argparse.Namespace) -> int:
    from tui.backend import open_backend
    from tui.core.channels import channel_spec, label
    from tui.core.policy import window_state
    from tui.core.timefmt import age

    async with open_backend(args.profile) as backend:
        page = await backend.client.list_conversations(
            channel=args.channel, status=args.status, limit=args.limit, skip=args.skip
        )
    now = datetime.now(UTC)
    if args.json:
        _json(
            {
                "total": page.total,
                "skip": page.skip,
                "limit": page.limit,
                "data": [c.model_dump(mode="json") for c in page.data],
            }
        )
        return EXIT_OK
    rows = []
    for c in page.data:
        state = window_state(c, channel_spec(c.channel), now)
        rows.append(
            [
                str(c.id),
                label(c.channel),
                c.contact_name,
                c.status or "-",
                str(c.unread_count or ""),
                state.describe().removeprefix("window ") if state.applies else "-",
                age(c.last_message_at, now, none="-"),
                c.last_message_text or "",
            ]
        )
    _table(rows, ["ID", "CHANNEL", "CONTACT", "STATUS", "UNREAD", "WINDOW", "AGE", "LAST MESSAGE"], 7)
    shown_to = page.skip + len(page.data)
    more = f"; next page: --skip {shown_to}" if page.has_more else ""
    _out(f"({len(page.data)} of {page.total} conversations{more})")
    return EXIT_OK


def _message_line(m: Any, now: datetime) -> str:
    from tui.core.files import human_size
    from tui.core.text import one_line, visible
    from tui.core.timefmt import stamp

    when = stamp(m.created_at)
    if m.is_note:
        who = f"NOTE {m.sender_name or 'agent'}"
    elif m.is_inbound:
        who = f"<- {m.sender_name or 'customer'}"
    else:
        who = f"-> {m.sender_name or 'agent'}"
    status = f" [{one_line(m.status, 20)}]" if m.status and not m.is_inbound and not m.is_note else ""
    text = visible(m.message_text or "")
    lines = [f"{when}  {visible(who, multiline=False)}{status}"]
    if m.file_name or m.message_type in ("image", "audio", "video", "file"):
        size = f", {human_size(m.file_size)}" if m.file_size else ""
        name = visible(m.file_name or "attachment", multiline=False)
        kind, mime = one_line(m.message_type, 20), one_line(m.file_type, 80) or "unknown type"
        lines.append(f"    [{kind}] {name} ({mime}{size})")
    lines.extend(f"    {line}" for line in text.splitlines() if text)
    return "\n".join(lines)


async def cmd_show(args: argparse.Namespace) -> int:
    from tui.backend import open_backend
    from tui.core.channels import channel_spec, label
    from tui.core.policy import window_state
    from tui.core.text import one_line

    async with open_backend(args.profile) as backend:
        conversation = await backend.client.get_conversation(args.conversation_id)
        page = await backend.client.list_messages(args.conversation_id, limit=args.limit)
    messages = list(reversed(page.data))
    if args.json:
        _json(
            {
                "conversation": conversation.model_dump(mode="json"),
                "messages": [m.model_dump(mode="json") for m in messages],
            }
        )
        return EXIT_OK
    now = datetime.now(UTC)
    state = window_state(conversation, channel_spec(conversation.channel), now)
    contact = conversation.contact
    reach = " · ".join(one_line(x) for x in (contact.phone, contact.email) if x) if contact else ""
    _out(
        f"Conversation {conversation.id} · {one_line(label(conversation.channel), 20)} · "
        f"{one_line(conversation.contact_name)}{' · ' + reach if reach else ''}"
    )
    status = one_line(conversation.status, 20) or "-"
    _out(f"status {status} · {state.describe()} · {conversation.unread_count} unread")
    _out()
    for m in messages:
        _out(_message_line(m, now))
    if page.has_more:
        _out(f"({len(messages)} most recent of {page.total} messages; --limit for more)")
    return EXIT_OK


async def cmd_templates(args: argparse.Namespace) -> int:
    from tui.backend import open_backend
    from tui.core.templates import slots

    async with open_backend(args.profile) as backend:
        templates = await backend.client.list_templates(status=args.status)
    if args.json:
        _json([t.model_dump(mode="json") for t in templates])
        return EXIT_OK
    rows = []
    for t in templates:
        body = t.component("BODY")
        variables = ", ".join(s.label for s in slots(t)) or "-"
        rows.append([t.name, t.language, t.category or "-", t.status, variables, body.text if body else ""])
    _table(rows, ["NAME", "LANGUAGE", "CATEGORY", "STATUS", "VARIABLES", "BODY"], 5)
    _out(f"({len(templates)} templates; only APPROVED ones can be sent)")
    return EXIT_OK


def _read_text(args: argparse.Namespace) -> str:
    from tui.core.errors import LocalFileError

    if args.text is not None:
        return args.text
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
                _json({"ok": False, "error": _error_json(exc)})
            raise
    if args.json:
        _json(
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


def _error_json(exc: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(exc).__name__, "message": exc.sentence}
    for attr in ("reason", "status", "errors", "retry_after"):
        value = getattr(exc, attr, None)
        if value not in (None, {}, ""):
            data[attr] = value
    return data


def cmd_config(args: argparse.Namespace) -> int:
    import tomli_w

    from tui.core.config import load_config, masked, save_config, starter_config
    from tui.core.paths import config_path

    path = config_path()
    if args.action == "path":
        _out(str(path))
        return EXIT_OK
    if args.action == "show":
        config = load_config(path)
        if not path.exists():
            _out(f"# {path} does not exist; the built-in sandbox profile is used.")
        _out(tomli_w.dumps(masked(config)).rstrip())
        return EXIT_OK
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; pass --force to overwrite it.")
    save_config(starter_config(), path)
    _out(f"Wrote {path}; edit profiles.acme and set default_profile to use a real account.")
    return EXIT_OK


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


# -- parsing --------------------------------------------------------------------------------------


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
    common = argparse.ArgumentParser(add_help=False)
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
