"""The work-queue commands: `read`, `unread`, `close`, `reopen`, `takeover`, `assign` and `users`
(the queue views themselves are filters of `switchboard conversations`, `tui.cli_list`). `close`,
`reopen` and `assign` take several conversations: one bulk request for all (`tui.core.bulk`)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tui.cli_common import EXIT_OK, _out, backend_for
from tui.cli_output import print_json, table

if TYPE_CHECKING:
    from tui.core.bulk import BulkResult


def _finish(args: argparse.Namespace, action: Any, conversation: Any, me: Any) -> int:
    from tui.core.actions import done_sentence

    if args.json:
        print_json({"ok": True, "action": str(action), "conversation": conversation.model_dump(mode="json")})
    else:
        _out(done_sentence(action, conversation, me=me))
    return EXIT_OK


async def cmd_action(args: argparse.Namespace) -> int:
    """read, unread, close, reopen, takeover: one PATCH each. Takeover first asks who you are,
    then reads the conversation: as in the app, one no AI holds is refused, nothing patched."""
    from tui.core.actions import Action, apply
    from tui.core.errors import TakeoverRefused
    from tui.core.queue import has_ai

    action = Action(args.command)
    ids = getattr(args, "conversation_ids", None) or [args.conversation_id]
    if len(ids) > 1:
        return await _bulk(args, action, ids)
    cid = ids[0]
    async with backend_for(args) as backend:
        me = None
        if action is Action.TAKEOVER:
            me = await backend.client.get_me()
            if not has_ai(await backend.client.get_conversation(cid)):
                raise TakeoverRefused(
                    f"No AI assistant holds conversation {cid}, so there is nothing to take over; "
                    f"assign it to yourself instead with `switchboard assign {cid} --to me`."
                )
        conversation = await apply(backend.client, cid, action, me=me)
    return _finish(args, action, conversation, me)


async def cmd_assign(args: argparse.Namespace) -> int:
    """assign --to me|none|USER_ID; an id the server does not know is its refusal (exit 7)."""
    from tui.core.actions import Action, apply

    action = Action.UNASSIGN if args.to == "none" else Action.ASSIGN
    to = args.to if isinstance(args.to, int) else None
    if len(args.conversation_ids) > 1:
        return await _bulk(args, action, args.conversation_ids, to=to)
    async with backend_for(args) as backend:
        me = await backend.client.get_me() if args.to == "me" else None
        conversation = await apply(backend.client, args.conversation_ids[0], action, me=me, to=to)
    return _finish(args, action, conversation, me)


async def _bulk(args: argparse.Namespace, action: Any, ids: list[int], *, to: int | None = None) -> int:
    """Several conversations: one `POST /conversations-bulk-actions`, the server's count said."""
    from tui.core.bulk import apply_bulk, bulk_sentence, fields_for

    async with backend_for(args) as backend:
        me = await backend.client.get_me() if getattr(args, "to", None) == "me" else None
        users = tuple(await backend.client.list_users()) if to is not None and not args.json else ()
        api_action, fields = fields_for(action, to=to, me=me)
        result = await apply_bulk(backend.client, ids, api_action, fields)
    return bulk_out(args, str(action), result, bulk_sentence(action, result, to=to, me=me, users=users))


def bulk_out(args: argparse.Namespace, action: str, result: BulkResult, sentence: str) -> int:
    """A bulk action's outcome: the sentence, or with --json what was asked and the server's count."""
    if args.json:
        print_json(
            {
                "ok": result.complete,
                "action": action,
                "conversation_ids": list(result.asked),
                "processed_count": result.processed,
            }
        )
    else:
        _out(sentence)
    return EXIT_OK


async def cmd_users(args: argparse.Namespace) -> int:
    async with backend_for(args) as backend:
        users = await backend.client.list_users()
    if args.json:
        print_json([u.model_dump(mode="json") for u in users])
        return EXIT_OK
    table([[str(u.id), u.display_name, u.email or "-"] for u in users], ["ID", "NAME", "EMAIL"], 1)
    _out(f"({len(users)} agents; assign a conversation with `switchboard assign ID --to USER_ID`)")
    return EXIT_OK
