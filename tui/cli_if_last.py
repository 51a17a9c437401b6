"""`send --if-last MESSAGE_ID`: the check that the conversation has not moved on, made after the
draft passed every rule and before its first upload or post; its refusal is exit 8."""

from __future__ import annotations

from typing import Any

from tui.cli_common import EXIT_MOVED_ON
from tui.core.errors import SwitchboardError

#: How much of a message that arrived meanwhile the refusal of `--if-last` quotes.
ARRIVED_CELLS = 60


class MovedOnError(SwitchboardError):
    """`send --if-last`: the conversation's newest message is not the one the script last saw."""

    exit_code = EXIT_MOVED_ON
    reason = "moved_on"

    def __init__(self, sentence: str, *, newest_message_id: str | None) -> None:
        super().__init__(sentence)
        self.newest_message_id = newest_message_id


def arrival(message: Any) -> str:
    """What arrived, for a sentence: who sent it and a clipped text; all of it the server's
    data, so neutralised (one line, controls shown as placeholders) and cut."""
    from tui.core.text import clip, one_line

    if message.is_note:
        who = f"a note from {message.sender_name or 'an agent'}"
    elif message.is_inbound:
        who = f"a message from {message.sender_name or 'the customer'}"
    else:
        who = f"a message from {message.sender_name or 'an agent'}"
    text = one_line(message.message_text) or (
        f"[{one_line(message.file_name)}]" if message.file_name else f"[{one_line(message.message_type)}]"
    )
    return f'{clip(one_line(who), 48)} ("{clip(text, ARRIVED_CELLS)}")'


async def check_if_last(client: Any, conversation_id: int, expected: str) -> None:
    """Refuse (exit 8) unless message `expected` is still the conversation's newest."""
    from tui.core.text import clip, one_line

    page = await client.list_messages(conversation_id)
    newest = page.data[0] if page.data else None
    if newest is not None and newest.key == expected.strip():
        return
    given = clip(one_line(expected), 40)
    if newest is None:
        raise MovedOnError(
            f"Conversation {conversation_id} has no messages, so {given!r} is not its newest; nothing "
            f"was sent; check the id with `switchboard show {conversation_id}`.",
            newest_message_id=None,
        )
    newest_id = clip(one_line(str(newest.id)), 40)
    raise MovedOnError(
        f"Conversation {conversation_id} moved on: its newest message is now {newest_id}, "
        f"{arrival(newest)}, not {given}; nothing was sent; read it (`switchboard show "
        f"{conversation_id}`) and send again with --if-last {newest_id}.",
        newest_message_id=str(newest.id),
    )
