"""`switchboard download CONVERSATION_ID MESSAGE_ID [-o PATH] [--json]`: save a message's file.

Without `-o` the file goes to the download folder (`$XDG_DOWNLOAD_DIR/switchboard`, else
`~/Downloads/switchboard`) under a safe name that never replaces a file; `-o DIR` saves into that
folder the same way, `-o FILE` saves as that file and refuses to replace one. The saved path is
printed (so `xdg-open "$(switchboard download 1 211)"` works); on a terminal, stderr shows the
progress of a large file.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tui.cli_common import EXIT_OK, backend_for

if TYPE_CHECKING:
    from tui.core.client import ApiClient
    from tui.core.models import Message

#: Progress is shown for files at least this big.
PROGRESS_FROM = 4 * 1024 * 1024


def add_download_parser(sub: Any, common: argparse.ArgumentParser, conversation_id: Any) -> None:
    """The `download` subcommand's options (called by `cli_parser.build_parser`)."""
    p = sub.add_parser(
        "download",
        parents=[common],
        help="save a message's file (to ~/Downloads/switchboard unless -o says where)",
        description="Save the file a message carries and print where it was saved. The name comes "
        "from the server and is made safe; an existing file is never replaced.",
    )
    p.add_argument("conversation_id", type=conversation_id, metavar="CONVERSATION_ID")
    p.add_argument("message_id", metavar="MESSAGE_ID", help="the message's id (see `switchboard show`)")
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="a folder to save into, or the file to save as (never replaced)",
    )
    p.add_argument("--json", action="store_true", help='print {"path", "file_name", "size"} as JSON')


async def find_message(client: ApiClient, conversation_id: int, message_id: str) -> Message:
    """The conversation's message with this id, read by its id from the conversation's channel
    service [docs] (one request, whatever page it is on)."""
    from tui.core.errors import NotFoundError
    from tui.core.text import clip, one_line

    wanted = message_id.strip()
    conversation = await client.get_conversation(conversation_id, max_age=60.0)
    try:
        message = await client.get_message(conversation_id, wanted, channel=conversation.channel)
    except NotFoundError:
        message = None
    if message is None or (message.conversation_id not in (None, conversation_id)):
        raise NotFoundError(
            f"Conversation {conversation_id} has no message {clip(one_line(wanted), 40)!r}; "
            f"`switchboard show {conversation_id}` lists its messages with their ids.",
            status=404,
        )
    return message


def _progress() -> Any:
    if not sys.stderr.isatty():
        return None

    def show(received: int, total: int | None) -> None:
        if total is None or total < PROGRESS_FROM:
            return
        sys.stderr.write(f"\r{received / 1e6:8.1f} of {total / 1e6:.1f} MB")
        if received >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


async def cmd_download(args: argparse.Namespace) -> int:
    from tui.cli_output import print_json
    from tui.core.downloads import DownloadError, download, save_to

    async with backend_for(args) as backend:
        message = await find_message(backend.client, args.conversation_id, args.message_id)
        if not (message.conversation_file_id or message.media_url or message.s3_key or message.file_name):
            raise DownloadError(
                f"Message {message.id} of conversation {args.conversation_id} carries no file; "
                "there is nothing to download."
            )
        if args.output:
            saved = await save_to(message, backend.profile, args.output, on_progress=_progress())
        else:
            saved = await download(message, backend.profile, on_progress=_progress())
    if args.json:
        size = saved.stat().st_size
        print_json({"ok": True, "path": str(saved), "file_name": message.file_name, "size": size})
    else:
        sys.stdout.write(f"{saved}\n")
    return EXIT_OK
