"""Delete one message of a conversation [docs: messages-delete]: `DELETE
/conversation-messages-{channel}/:id` (`ApiClient.delete_message`), a soft delete. The answer is
the record with `deleted_at`, or nothing; either way the message is shown deleted from then on.
A 403 is the role's or the channel's refusal, said so in one sentence.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tui.core.ai import ActionRefused
from tui.core.channel_names import label
from tui.core.errors import AuthError
from tui.core.models import Message
from tui.core.text import clip, one_line

if TYPE_CHECKING:
    from tui.core.client import ApiClient

#: What the server said in a 403's sentence (`http_errors.api_error`: "... (403: <message>); ...").
_SAID = re.compile(r"\(403: (?P<said>.*)\); ")


def shown_id(message_id: int | str) -> str:
    return clip(one_line(str(message_id)), 40)


async def delete_message(
    client: ApiClient, conversation_id: int, message_id: int | str, *, channel: str
) -> Message | None:
    """Delete it (one request); the server's record, or None for an empty answer."""
    try:
        return await client.delete_message(conversation_id, message_id, channel=channel)
    except AuthError as exc:
        if exc.status != 403:
            raise
        found = _SAID.search(exc.sentence)
        said = f" (403: {found['said']})" if found else " (403)"
        raise ActionRefused(
            f"Message {shown_id(message_id)} was not deleted: your role or the "
            f"{one_line(label(channel), 20)} channel does not allow deleting it{said}.",
            reason="delete_forbidden",
            status=403,
        ) from None


def deleted_copy(message: Message, answer: Message | None, now: datetime | None = None) -> Message:
    """The message as shown after its deletion: the server's record when it says `deleted_at`,
    else the message marked deleted now (an empty answer is a done deletion too)."""
    if answer is not None and answer.deleted_at is not None:
        return message.model_copy(update={"deleted_at": answer.deleted_at})
    return message.model_copy(update={"deleted_at": now or datetime.now(UTC)})


def deleted_sentence(conversation_id: int, message_id: int | str) -> str:
    return f"Message {shown_id(message_id)} of conversation {conversation_id} deleted."


def quoted(message: Message, cells: int = 60) -> str:
    """The message as a confirmation quotes it: its text (or its file's name), on one line."""
    words = (
        one_line(message.message_text)
        or one_line(message.file_name)
        or f"a {one_line(message.message_type)} message"
    )
    return clip(words, cells)


__all__ = ["delete_message", "deleted_copy", "deleted_sentence", "quoted"]
