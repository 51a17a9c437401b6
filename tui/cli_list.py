"""`switchboard conversations`: a page of conversations as the server filters them.

Every flag is a documented filter of `GET /conversations` [contract: "List conversations"], so
any combination is one query: `--needs-reply` is `waitingResponseOnly`, `--mine` the agent's
`assigned_user_id`, `--unassigned` no agent and no AI, `--unread` `unread_count[$gt]=0`,
`--search` the contact's name or phone, `--search-messages` the messages' text. Pages hold at
most 50 rows; a larger `--limit` reads as many pages. Names come from `/contacts` (20 at a time)
when the server's records do not carry them; `--sort window` orders the rows read.
"""

from __future__ import annotations

import argparse
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from tui.cli_common import EXIT_OK, UsageError, _out, backend_for
from tui.cli_output import print_json, table

#: Who wrote last, as the FROM column says it.
WRITER_WORDS = {"customer": "customer", "you": "you", "agent": "agent", "ai": "AI", "nobody": "-"}


def _filter(args: argparse.Namespace, me: int | None) -> Any:
    from tui.core.filters import ConversationFilter

    queue = bool(args.mine or args.unassigned or args.needs_reply or args.unread)
    if queue and args.status == "closed":
        raise UsageError(
            "--mine, --unassigned, --needs-reply and --unread list open conversations only; "
            "leave out --status closed."
        )
    if args.mine and args.unassigned:
        raise UsageError("--mine and --unassigned together can list nothing; give one of them.")
    return ConversationFilter(
        status="open" if queue else args.status,
        channel=args.channel,
        assigned_user_id=me if args.mine else None,
        unassigned=bool(args.unassigned),
        no_ai=bool(args.unassigned),
        unread_only=bool(args.unread),
        waiting_only=bool(args.needs_reply),
        search_term=(args.search or "").strip() or None,
        message_search_term=(args.search_messages or "").strip() or None,
    )


async def _read(client: Any, filters: Any, skip: int, limit: int) -> tuple[list[Any], int, Any]:
    """`limit` rows from `skip` on, in pages of at most 50; the server's total; the last page."""
    from tui.core.query import MAX_PAGE

    rows: list[Any] = []
    total, page = 0, None
    while len(rows) < limit:
        page = await client.list_conversations(filters, limit=min(MAX_PAGE, limit - len(rows)), skip=skip)
        rows.extend(page.data)
        total = page.total
        skip = page.skip + len(page.data)
        if not page.data or not page.has_more:
            break
    return rows[:limit], total, page


def assignee(c: Any) -> str | int | None:
    """The assignee as JSON gives it: the user id, "AI" for the AI assistant, or None."""
    from tui.core.queue import has_ai

    if c.assigned_user_id is not None:
        return int(c.assigned_user_id)
    return "AI" if has_ai(c) else None


def window_cell(c: Any, now: datetime) -> str:
    from tui.core.channels import channel_spec
    from tui.core.policy import window_state
    from tui.core.timefmt import compact

    state = window_state(c, channel_spec(c.channel), now)
    if not state.applies:
        return "-"
    if not state.known:
        return "unknown"
    if state.open:
        return f"{compact(state.remaining)} left"
    return "never opened" if state.never_opened else "closed"


def queue_json(c: Any, now: datetime) -> dict[str, Any]:
    """What the client can tell of a row beyond the server's record (None where it cannot)."""
    from tui.core.channels import channel_spec
    from tui.core.policy import window_state
    from tui.core.queue import last_writer, urgency, window_left

    state = window_state(c, channel_spec(c.channel), now)
    left = window_left(c, now)
    known = c.last_message_at is not None and not c.unreadable
    return {
        "last_writer": str(last_writer(c)) if known else None,
        "assignee": None if c.unreadable else assignee(c),
        "window_known": None if c.unreadable or not state.applies else state.known,
        "window_left_seconds": None if c.unreadable or left is None else round(left.total_seconds()),
        "urgency": None if c.unreadable else str(urgency(c, now)),
    }


def _row(c: Any, me: int | None, now: datetime) -> list[str]:
    from tui.core.channels import label
    from tui.core.queue import last_writer
    from tui.core.timefmt import age

    if c.unreadable:  # kept in its place; what it says cannot be trusted
        writer = who = window = when = "?"
    else:
        writer = WRITER_WORDS[str(last_writer(c))] if c.last_message_at is not None else "?"
        held = assignee(c)
        who = "you" if me is not None and held == me else "-" if held is None else str(held)
        window = window_cell(c, now)
        when = age(c.active_at, now, none="-")
    return [
        str(c.id),
        label(c.channel),
        c.contact_name,
        c.status or "-",
        str(c.unread_count or ""),
        writer,
        who,
        window,
        when,
        c.unreadable or c.last_message_text or "",
    ]


async def cmd_conversations(args: argparse.Namespace) -> int:
    from tui.core.errors import SwitchboardError
    from tui.core.queue import by_window

    async with backend_for(args) as backend:
        client = backend.client
        me = (await client.get_me()).id if args.mine else None
        filters = _filter(args, me)
        rows, total, page = await _read(client, filters, args.skip, args.limit)
        with suppress(SwitchboardError):  # the rows stand without names ("Contact 4")
            await client.fill_contacts(rows)
        if me is None and not args.json and any(c.assigned_user_id is not None for c in rows):
            with suppress(SwitchboardError):  # every view says `you`, as --mine does; else ids
                me = (await client.get_me()).id
        rows = [client.cache.get(c.id) or c if not c.unreadable else c for c in rows]
    now = datetime.now(UTC)
    if args.sort == "window":
        rows = by_window(rows, now)
    if args.json:
        print_json(
            {
                "total": total,
                "skip": args.skip,
                "limit": args.limit,
                "data": [{**c.model_dump(mode="json"), "queue": queue_json(c, now)} for c in rows],
            }
        )
        return EXIT_OK
    headers = [
        "ID",
        "CHANNEL",
        "CONTACT",
        "STATUS",
        "UNREAD",
        "FROM",
        "ASSIGNEE",
        "WINDOW",
        "AGE",
        "LAST MESSAGE",
    ]
    table([_row(c, me, now) for c in rows], headers, 9)
    bad = sum(1 for c in rows if c.unreadable)
    notes = f", {bad} of them unreadable" if bad else ""
    shown_to = args.skip + len(rows)
    if page is not None and shown_to < total:
        notes += f"; next page: --skip {shown_to}"
    _out(f"({len(rows)} of {total:,} conversations{notes})")
    return EXIT_OK
