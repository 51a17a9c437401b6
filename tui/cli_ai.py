"""The AI, automation and block commands: `handoff`, `ai-assistants`, `ai-auto`, `ai-cut`,
`block`, `unblock` here; `automations`, `automate` and `delete-message` in `cli_automate`. Their
options are added by `add_ai_parsers` (called by `cli_parser.build_parser`). Each change is one
PATCH (`tui.core.ai`); `ai-auto ... off` without `--reason` first asks who you are, for the
reason a teammate reads ("Turned off by Maria Silva").
"""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli_common import EXIT_OK, _out, backend_for


def _on_off(value: str) -> str:
    word = value.strip().lower()
    if word not in ("on", "off"):
        raise argparse.ArgumentTypeError(f"takes on or off, not {value!r}")
    return word


def _json(p: argparse.ArgumentParser, what: str = "print the updated conversation as JSON") -> None:
    p.add_argument("--json", action="store_true", help=what)


def add_ai_parsers(sub: Any, common: argparse.ArgumentParser, conversation_id: Any) -> None:
    """The subcommands of this module and `cli_automate`."""
    p = sub.add_parser(
        "handoff",
        parents=[common],
        help="hand conversations to an AI assistant (see `switchboard ai-assistants`)",
        description="Hand a conversation to an AI assistant: one update of the conversation; "
        "several at once: one bulk action (and one more with --unassign-human).",
    )
    p.add_argument("conversation_id", type=conversation_id, nargs="+", metavar="CONVERSATION_ID")
    p.add_argument("--ai", required=True, metavar="ASSISTANT_ID", help="the AI assistant's id")
    p.add_argument(
        "--unassign-human", action="store_true", help="also clear the agent the conversation is assigned to"
    )
    _json(p)

    p = sub.add_parser(
        "ai-assistants", parents=[common], help="the organization's AI assistants for conversations"
    )
    _json(p, "print the assistants as JSON")

    p = sub.add_parser(
        "ai-auto",
        parents=[common],
        help="turn a conversation's AI auto-assignment on or off",
        description="Turn the AI's auto-assignment of a conversation on or off; off says why "
        "(by default 'Turned off by <you>').",
    )
    p.add_argument("conversation_id", type=conversation_id, metavar="CONVERSATION_ID")
    p.add_argument("state", type=_on_off, metavar="on|off")
    p.add_argument("--reason", metavar="TEXT", help="with off: why, as teammates read it")
    _json(p)

    p = sub.add_parser(
        "ai-cut",
        parents=[common],
        help="cut the AI's context: the AI assistant forgets the messages before now",
    )
    p.add_argument("conversation_id", type=conversation_id, metavar="CONVERSATION_ID")
    _json(p)

    for name, what in (("block", "block a conversation"), ("unblock", "unblock a blocked conversation")):
        p = sub.add_parser(name, parents=[common], help=what, description=what[:1].upper() + what[1:] + ".")
        p.add_argument("conversation_id", type=conversation_id, metavar="CONVERSATION_ID")
        _json(p)

    p = sub.add_parser("automations", parents=[common], help="the organization's automations")
    _json(p, "print the automations as JSON")

    p = sub.add_parser(
        "automate",
        parents=[common],
        help="run an automation on a conversation (see `switchboard automations`)",
        description="Run an automation on a conversation; it is given the conversation, its "
        "contact and its newest 50 messages.",
    )
    p.add_argument("conversation_id", type=conversation_id, metavar="CONVERSATION_ID")
    p.add_argument(
        "--id", required=True, metavar="AUTOMATION_ID", dest="automation", help="the automation's id"
    )
    _json(p, "print the created execution as JSON")

    p = sub.add_parser(
        "delete-message",
        parents=[common],
        help="delete a message of a conversation (the role or channel may refuse)",
    )
    p.add_argument("conversation_id", type=conversation_id, metavar="CONVERSATION_ID")
    p.add_argument("message_id", metavar="MESSAGE_ID", help="the message's id (see `switchboard show`)")
    _json(p, "print the deleted message as JSON")


def _finish(args: argparse.Namespace, change: Any, conversation: Any, sentence: str) -> int:
    from tui.cli_output import print_json

    if args.json:
        print_json({"ok": True, "action": str(change), "conversation": conversation.model_dump(mode="json")})
    else:
        _out(sentence)
    return EXIT_OK


async def cmd_handoff(args: argparse.Namespace) -> int:
    from tui.core.ai import Change, apply_change, change_sentence, id_from_text

    assistant = id_from_text(args.ai)
    ids = list(dict.fromkeys(args.conversation_id))
    if len(ids) > 1:
        return await _handoff_many(args, ids, assistant)
    async with backend_for(args) as backend:
        conversation = await apply_change(
            backend.client,
            ids[0],
            Change.HANDOFF,
            assistant=assistant,
            unassign_human=args.unassign_human,
        )
    return _finish(args, Change.HANDOFF, conversation, change_sentence(Change.HANDOFF, conversation))


async def _handoff_many(args: argparse.Namespace, ids: list[int], assistant: int | str) -> int:
    """One `assign_ai_assistant` bulk action, and one `assign` to nobody when asked."""
    from tui.cli_queue import bulk_out
    from tui.core.bulk import HAND_TO_AI, apply_bulk, bulk_sentence

    async with backend_for(args) as backend:
        result = await apply_bulk(backend.client, ids, HAND_TO_AI, {"assigned_ai_assistant_id": assistant})
        if args.unassign_human:
            await apply_bulk(backend.client, ids, "assign", {"assigned_user_id": None})
    return bulk_out(args, HAND_TO_AI, result, bulk_sentence(HAND_TO_AI, result, ai=f"AI assistant {args.ai}"))


async def cmd_ai_auto(args: argparse.Namespace) -> int:
    from tui.core.ai import Change, apply_change, auto_off_reason, change_sentence

    change = Change.AI_ON if args.state == "on" else Change.AI_OFF
    async with backend_for(args) as backend:
        reason = None
        if change is Change.AI_OFF:
            reason = args.reason or auto_off_reason(await backend.client.get_me())
        conversation = await apply_change(backend.client, args.conversation_id, change, reason=reason)
    return _finish(args, change, conversation, change_sentence(change, conversation))


async def cmd_change(args: argparse.Namespace) -> int:
    """ai-cut, block, unblock: one PATCH each."""
    from tui.core.ai import Change, apply_change, change_sentence

    change = Change(args.command)
    async with backend_for(args) as backend:
        conversation = await apply_change(backend.client, args.conversation_id, change)
    return _finish(args, change, conversation, change_sentence(change, conversation))


async def cmd_ai_assistants(args: argparse.Namespace) -> int:
    from tui.cli_output import print_json, table
    from tui.core.ai import directory

    async with backend_for(args) as backend:
        rows = await directory(backend.client).assistants()
    if args.json:
        print_json([row.model_dump(mode="json") for row in rows])
        return EXIT_OK
    table([[row.key, row.label] for row in rows], ["ID", "NAME"], 1)
    count = f"{len(rows)} AI assistant{'' if len(rows) == 1 else 's'}"
    _out(f"({count}; hand a conversation to one with `switchboard handoff ID --ai ASSISTANT_ID`)")
    return EXIT_OK
