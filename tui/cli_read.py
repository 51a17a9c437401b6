"""The read commands: `conversations`, `show` and `templates`."""

from __future__ import annotations

import argparse
import shutil
from datetime import UTC, datetime
from typing import Any

from tui.cli_common import EXIT_OK, _out, backend_for
from tui.cli_output import print_json, table
from tui.cli_queue import cmd_queue, wants_queue

#: `show` cuts a contact's or sender's name, phone and email to this many cells, a file name to
#: FILE_NAME_CELLS: a server can send a name of any length.
NAME_CELLS = 48
FILE_NAME_CELLS = 80


def unreadable(page: Any) -> str:
    """The footer's note on rows the client kept in place but could not read."""
    count = page.unreadable_count
    return f", {count} of them unreadable" if count else ""


async def cmd_conversations(args: argparse.Namespace) -> int:
    from tui.core.channels import channel_spec, label
    from tui.core.policy import window_state
    from tui.core.timefmt import age

    if wants_queue(args):
        return await cmd_queue(args)
    async with backend_for(args) as backend:
        page = await backend.client.list_conversations(
            channel=args.channel, status=args.status, limit=args.limit, skip=args.skip
        )
    now = datetime.now(UTC)
    if args.json:
        print_json(
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
        window = state.describe().removeprefix("window ") if state.applies else "-"
        when = age(c.last_message_at, now, none="-")
        if c.unreadable:  # kept in its place; what it says about time cannot be trusted
            window, when = "?", "?"
        rows.append(
            [
                str(c.id),
                label(c.channel),
                c.contact_name,
                c.status or "-",
                str(c.unread_count or ""),
                window,
                when,
                c.unreadable or c.last_message_text or "",
            ]
        )
    table(rows, ["ID", "CHANNEL", "CONTACT", "STATUS", "UNREAD", "WINDOW", "AGE", "LAST MESSAGE"], 7)
    shown_to = page.skip + len(page.data)
    more = f"; next page: --skip {shown_to}" if page.has_more else ""
    _out(f"({len(page.data)} of {page.total} conversations{unreadable(page)}{more})")
    return EXIT_OK


def _message_line(m: Any, now: datetime) -> str:
    from tui.core.files import human_size
    from tui.core.text import clip, one_line, visible
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
    lines = [f"{when}  {clip(one_line(who), NAME_CELLS)}{status}"]
    if m.file_name or m.message_type in ("image", "audio", "video", "file"):
        size = f", {human_size(m.file_size)}" if m.file_size else ""
        name = clip(one_line(m.file_name or "attachment"), FILE_NAME_CELLS)
        kind, mime = one_line(m.message_type, 20), one_line(m.file_type, 80) or "unknown type"
        lines.append(f"    [{kind}] {name} ({mime}{size})")
    if m.unreadable:
        lines.append(f"    [unreadable] {one_line(m.unreadable)}")
    lines.extend(f"    {line}" for line in text.splitlines() if text)
    return "\n".join(lines)


async def cmd_show(args: argparse.Namespace) -> int:
    from tui.core.channels import channel_spec, label
    from tui.core.policy import window_state
    from tui.core.text import clip, one_line

    async with backend_for(args) as backend:
        conversation = await backend.client.get_conversation(args.conversation_id)
        page = await backend.client.list_messages(args.conversation_id, limit=args.limit)
    messages = list(reversed(page.data))
    if args.json:
        print_json(
            {
                "conversation": conversation.model_dump(mode="json"),
                "messages": [m.model_dump(mode="json") for m in messages],
            }
        )
        return EXIT_OK
    now = datetime.now(UTC)
    state = window_state(conversation, channel_spec(conversation.channel), now)
    contact = conversation.contact
    reach = [clip(one_line(x), NAME_CELLS) for x in (contact.phone, contact.email) if x] if contact else []
    header = " · ".join(
        [
            f"Conversation {conversation.id}",
            clip(one_line(label(conversation.channel)), 20),
            clip(one_line(conversation.contact_name), NAME_CELLS),
            *reach,
        ]
    )
    _out(clip(header, max(shutil.get_terminal_size((120, 24)).columns, 40)))
    status = one_line(conversation.status, 20) or "-"
    _out(f"status {status} · {state.describe()} · {conversation.unread_count} unread")
    _out()
    for m in messages:
        _out(_message_line(m, now))
    if page.has_more or page.unreadable_count:
        more = "; --limit for more" if page.has_more else ""
        _out(f"({len(messages)} most recent of {page.total} messages{unreadable(page)}{more})")
    return EXIT_OK


async def cmd_templates(args: argparse.Namespace) -> int:
    from tui.core.templates import slots

    async with backend_for(args) as backend:
        templates = await backend.client.list_templates(status=args.status)
    if args.json:
        print_json([t.model_dump(mode="json") for t in templates])
        return EXIT_OK
    rows = []
    for t in templates:
        body = t.component("BODY")
        variables = ", ".join(s.label for s in slots(t)) or "-"
        rows.append([t.name, t.language, t.category or "-", t.status, variables, body.text if body else ""])
    table(rows, ["NAME", "LANGUAGE", "CATEGORY", "STATUS", "VARIABLES", "BODY"], 5)
    _out(f"({len(templates)} templates; only APPROVED ones can be sent)")
    return EXIT_OK
