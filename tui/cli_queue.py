"""The work-queue commands: `read`, `unread`, `close`, `reopen`, `takeover`, `assign` and `users`
(the queue views themselves are filters of `switchboard conversations`, `tui.cli_list`)."""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli_common import EXIT_OK, _out, backend_for
from tui.cli_output import print_json, table


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
