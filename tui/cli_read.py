"""The read commands `show` and `templates` (`conversations` is `cli_list`)."""

from __future__ import annotations

import argparse
import shutil
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from tui.cli_common import EXIT_OK, _err, _out, backend_for
from tui.cli_output import print_json, table

#: `show` cuts a contact's or sender's name, phone and email to this many cells, a file name to
#: FILE_NAME_CELLS: a server can send a name of any length.
NAME_CELLS = 48
FILE_NAME_CELLS = 80


#: `show` prints a message's id (opaque: a Mongo-style string or a number) cut to this many cells.
ID_CELLS = 40


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
    ident = f"  · id {clip(one_line(str(m.id)), ID_CELLS)}"
    lines = [f"{when}  {clip(one_line(who), NAME_CELLS)}{status}{ident}"]
    if m.deleted_at is not None:
        lines.append("    [deleted]")
        return "\n".join(lines)
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
    from tui.core.errors import NotFoundError, SwitchboardError
    from tui.core.policy import window_state
    from tui.core.text import clip, one_line

    async with backend_for(args) as backend:
        client = backend.client
        conversation = await client.get_conversation(args.conversation_id)
        try:
            newest_first, total, more = await _messages(client, conversation, args.limit)
        except NotFoundError:
            if channel_spec(conversation.channel) is not None:
                raise
            newest_first, total, more = [], None, False  # a channel the API has no service for
        if conversation.contact is None:
            with suppress(SwitchboardError):  # the messages stand without the contact's name
                await client.fill_contacts([conversation])
        conversation = client.cache.get(conversation.id) or conversation
    messages = list(reversed(newest_first))
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
    if total is None:
        channel = clip(one_line(conversation.channel), 20)
        _out(f"(the {channel!r} channel has no message service this client knows)")
    for m in messages:
        _out(_message_line(m, now))
    bad = sum(1 for m in messages if m.unreadable)
    if more or bad:
        tail = "; --limit for more" if more else ""
        bad_words = f", {bad} of them unreadable" if bad else ""
        _out(f"({len(messages)} most recent of {total} messages{bad_words}{tail})")
    return EXIT_OK


async def _messages(client: Any, conversation: Any, limit: int) -> tuple[list[Any], int, bool]:
    """The `limit` newest messages (pages of 50, reactions left out by the query), the total,
    and whether older ones exist."""
    rows: list[Any] = []
    skip, total, more = 0, 0, False
    while len(rows) < limit:
        page = await client.list_messages(conversation.id, channel=conversation.channel, skip=skip)
        rows.extend(page.data)
        total, more = page.total, page.has_more
        skip = page.skip + len(page.data)
        if not page.data or not page.has_more:
            break
    more = more or len(rows) > limit
    return rows[:limit], total, more


async def cmd_templates(args: argparse.Namespace) -> int:
    """The templates as a table (or JSON). One beyond WhatsApp's limits has the status OVER
    LIMITS and a line below saying why; those that could not be read are counted in one line
    (on stderr with --json, so stdout stays JSON)."""
    from tui.core.template_parts import limit_problem
    from tui.core.templates import skipped_line, slots

    async with backend_for(args) as backend:
        templates = await backend.client.list_templates(status=args.status)
    skipped = skipped_line(len(templates.skipped))
    if args.json:
        print_json([t.model_dump(mode="json") for t in templates])
        if skipped:
            _err(skipped)
        return EXIT_OK
    rows, problems = [], []
    for t in templates:
        body = t.component("BODY")
        problem = limit_problem(t)
        variables = "-" if problem else ", ".join(s.label for s in slots(t)) or "-"
        status = "OVER LIMITS" if problem else t.status
        rows.append([t.name, t.language, t.category or "-", status, variables, body.text if body else ""])
        problems += [problem] if problem else []
    table(rows, ["NAME", "LANGUAGE", "CATEGORY", "STATUS", "VARIABLES", "BODY"], 5)
    _out(f"({len(templates)} templates; only APPROVED ones can be sent)")
    for line in [*problems, skipped]:
        if line:
            _out(line)
    return EXIT_OK
