"""`switchboard automations`, `automate CONVERSATION_ID --id AUTOMATION_ID` and `delete-message
CONVERSATION_ID MESSAGE_ID` (their options: `cli_ai.add_ai_parsers`).

`automate` reads the conversation, its contact and its newest 50 messages, then starts the run
(`tui.core.automations`: 4 requests, 3 without a contact). `delete-message` reads the
conversation and the message first (the message must be that conversation's), then deletes it:
3 requests; a 403 says the role or the channel does not allow it (exit 4).
"""

from __future__ import annotations

import argparse

from tui.cli_common import EXIT_OK, _out, backend_for


async def cmd_automations(args: argparse.Namespace) -> int:
    from tui.cli_output import print_json, table
    from tui.core.ai import directory

    async with backend_for(args) as backend:
        rows = await directory(backend.client).automations()
    if args.json:
        print_json([row.model_dump(mode="json") for row in rows])
        return EXIT_OK
    table([[row.key, row.label] for row in rows], ["ID", "NAME"], 1)
    count = f"{len(rows)} automation{'' if len(rows) == 1 else 's'}"
    _out(f"({count}; run one with `switchboard automate CONVERSATION_ID --id AUTOMATION_ID`)")
    return EXIT_OK


async def cmd_automate(args: argparse.Namespace) -> int:
    from tui.cli_output import print_json
    from tui.core.ai import id_from_text
    from tui.core.automations import run_automation, run_sentence

    automation = id_from_text(args.automation)
    async with backend_for(args) as backend:
        execution = await run_automation(backend.client, args.conversation_id, automation)
    if args.json:
        print_json(
            {
                "ok": True,
                "action": "automate",
                "conversation_id": args.conversation_id,
                "automation_id": automation,
                "execution": execution.model_dump(mode="json"),
            }
        )
    else:
        _out(run_sentence(args.conversation_id, automation, execution))
    return EXIT_OK


async def cmd_delete_message(args: argparse.Namespace) -> int:
    from tui.cli_download import find_message
    from tui.cli_output import print_json
    from tui.core.deleting import delete_message, deleted_copy, deleted_sentence, shown_id

    cid = args.conversation_id
    async with backend_for(args) as backend:
        client = backend.client
        message = await find_message(client, cid, args.message_id)
        already = message.deleted_at is not None
        if not already:
            conversation = await client.get_conversation(cid, max_age=60.0)
            answer = await delete_message(client, cid, message.id, channel=conversation.channel)
            message = deleted_copy(message, answer)
    if args.json:
        print_json(
            {
                "ok": True,
                "action": "delete-message",
                "conversation_id": cid,
                "already_deleted": already,
                "message": message.model_dump(mode="json"),
            }
        )
    elif already:
        _out(f"Message {shown_id(message.id)} of conversation {cid} was already deleted.")
    else:
        _out(deleted_sentence(cid, message.id))
    return EXIT_OK
