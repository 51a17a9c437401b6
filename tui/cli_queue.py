"""The work-queue commands: `read`, `unread`, `close`, `reopen`, `takeover`, `assign`, `users`,
and `conversations --mine --unassigned --needs-reply --sort window`, which lists the open
conversations of those views, computed over a scan of every open one (the API cannot filter
"the customer wrote last")."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from tui.cli_common import EXIT_OK, UsageError, _out, backend_for
from tui.cli_output import print_json, table

#: Who wrote last, as the FROM column says it.
WRITER_WORDS = {"customer": "customer", "you": "you", "agent": "agent", "ai": "AI", "nobody": "-"}


def wants_queue(args: argparse.Namespace) -> bool:
    """Whether `conversations` was asked for a work-queue view or order."""
    return bool(args.mine or args.unassigned or args.needs_reply or args.sort)


def _finish(args: argparse.Namespace, action: Any, conversation: Any, me: Any) -> int:
    from tui.core.actions import done_sentence

    if args.json:
        print_json({"ok": True, "action": str(action), "conversation": conversation.model_dump(mode="json")})
    else:
        _out(done_sentence(action, conversation, me=me))
    return EXIT_OK


async def cmd_action(args: argparse.Namespace) -> int:
    """read, unread, close, reopen, takeover: one PATCH each (takeover first asks who you are)."""
    from tui.core.actions import Action, apply

    action = Action(args.command)
    async with backend_for(args) as backend:
        me = await backend.client.get_me() if action is Action.TAKEOVER else None
        conversation = await apply(backend.client, args.conversation_id, action, me=me)
    return _finish(args, action, conversation, me)


async def cmd_assign(args: argparse.Namespace) -> int:
    """assign --to me|none|USER_ID; an id the server does not know is its refusal (exit 7)."""
    from tui.core.actions import Action, apply

    action = Action.UNASSIGN if args.to == "none" else Action.ASSIGN
    to = args.to if isinstance(args.to, int) else None
    async with backend_for(args) as backend:
        me = await backend.client.get_me() if args.to == "me" else None
        conversation = await apply(backend.client, args.conversation_id, action, me=me, to=to)
    return _finish(args, action, conversation, me)


async def cmd_users(args: argparse.Namespace) -> int:
    async with backend_for(args) as backend:
        users = await backend.client.list_users()
    if args.json:
        print_json([u.model_dump(mode="json") for u in users])
        return EXIT_OK
    table([[str(u.id), u.display_name, u.email or "-"] for u in users], ["ID", "NAME", "EMAIL"], 1)
    _out(f"({len(users)} agents; assign a conversation with `switchboard assign ID --to USER_ID`)")
    return EXIT_OK


def _assignee(c: Any) -> str | int | None:
    """The assignee as JSON gives it: the user id, "AI" for the AI assistant, or None."""
    from tui.core.queue import has_ai

    if c.assigned_user_id is not None:
        return int(c.assigned_user_id)
    return "AI" if has_ai(c) else None


def _window_cell(c: Any, now: datetime) -> str:
    from tui.core.channels import channel_spec
    from tui.core.policy import window_state
    from tui.core.timefmt import compact

    state = window_state(c, channel_spec(c.channel), now)
    if not state.applies:
        return "-"
    if state.open:
        return f"{compact(state.remaining)} left"
    return "never opened" if state.never_opened else "closed"


def _queue_json(c: Any, now: datetime) -> dict[str, Any]:
    from tui.core.queue import last_writer, urgency, window_left

    left = window_left(c, now)
    return {
        "last_writer": None if c.unreadable else str(last_writer(c)),
        "assignee": None if c.unreadable else _assignee(c),
        "window_left_seconds": None if c.unreadable or left is None else round(left.total_seconds()),
        "urgency": None if c.unreadable else str(urgency(c, now)),
    }


def _row(c: Any, me: int | None, now: datetime) -> list[str]:
    from tui.core.channels import label
    from tui.core.queue import last_writer
    from tui.core.timefmt import age

    if c.unreadable:  # kept in its place; what it says cannot be trusted
        writer = assignee = window = when = "?"
    else:
        writer = WRITER_WORDS[str(last_writer(c))]
        who = _assignee(c)
        assignee = "you" if me is not None and who == me else "-" if who is None else str(who)
        window = _window_cell(c, now)
        when = age(c.last_message_at, now, none="-")
    unread = str(c.unread_count or "")
    return [
        str(c.id),
        label(c.channel),
        c.contact_name,
        unread,
        writer,
        assignee,
        window,
        when,
        c.unreadable or c.last_message_text or "",
    ]


async def cmd_queue(args: argparse.Namespace) -> int:
    """The open conversations in every view asked for (all of them at once), newest first or
    window closing soonest; unreadable rows are kept, marked, since no view can be told for them."""
    from tui.core.queue import View, by_window, in_view
    from tui.core.queue_scan import scan_open

    if args.status == "closed":
        raise UsageError(
            "--mine, --unassigned, --needs-reply and --sort list open conversations only; "
            "leave out --status closed."
        )
    if args.mine and args.unassigned:
        raise UsageError("--mine and --unassigned together can list nothing; give one of them.")
    views = [
        v
        for v, on in (
            (View.NEEDS_REPLY, args.needs_reply),
            (View.MINE, args.mine),
            (View.UNASSIGNED, args.unassigned),
        )
        if on
    ]
    async with backend_for(args) as backend:
        me = (await backend.client.get_me()).id if args.mine else None
        scan = await scan_open(backend.client, channel=args.channel)
    now = datetime.now(UTC)
    matched = [c for c in scan.conversations if c.unreadable or all(in_view(c, v, me=me) for v in views)]
    if args.sort == "window":
        matched = by_window(matched, now)
    shown = matched[args.skip : args.skip + args.limit]
    if args.json:
        print_json(
            {
                "total": len(matched),
                "skip": args.skip,
                "limit": args.limit,
                "open_total": scan.total,
                "truncated": scan.truncated,
                "data": [{**c.model_dump(mode="json"), "queue": _queue_json(c, now)} for c in shown],
            }
        )
        return EXIT_OK
    headers = ["ID", "CHANNEL", "CONTACT", "UNREAD", "FROM", "ASSIGNEE", "WINDOW", "AGE", "LAST MESSAGE"]
    table([_row(c, me, now) for c in shown], headers, 8)
    where = f" in {', '.join(v.heading for v in views)}" if views else ""
    bad = sum(1 for c in matched if c.unreadable)
    notes = f", {bad} of them unreadable" if bad else ""
    if args.skip + len(shown) < len(matched):
        notes += f"; next page: --skip {args.skip + len(shown)}"
    if scan.truncated:
        notes += f"; only the newest {len(scan.conversations)} of {scan.total} open conversations were read"
    _out(f"({len(shown)} of {len(matched)} open conversations{where}{notes})")
    return EXIT_OK
