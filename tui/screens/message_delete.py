"""Delete the focused message (X or shift+delete), after a question that quotes it: one request
(`tui.core.deleting`), then the message shows "(deleted)" where it was and keeps the focus. A 403
says the role or the channel does not allow it; the message stays as it was.

The request runs in a worker of the app, not of the item: the history may redraw its items
while the answer is on its way.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tui.context import context
from tui.core.errors import SwitchboardError
from tui.core.models import Conversation, Message
from tui.core.text import one_line
from tui.core.timefmt import clock
from tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from tui.widgets.history_item import HistoryItem


class DeleteQuestion(ConfirmScreen):
    """The yes/no question; back from it, the message it asked about keeps the focus."""

    KEEPS_MESSAGE_FOCUS = True


def question(message: Message, conversation: Conversation, now: datetime) -> str:
    """ "Delete this message? “Hi, where is my order?” (Ana Lima, 10:02) ..." """
    from tui.core.deleting import quoted

    if message.is_inbound:
        who = one_line(message.sender_name, 30) or one_line(conversation.contact_name, 30) or "the customer"
    else:
        who = one_line(message.sender_name, 30) or "you"
    when = clock(message.created_at, now)
    said = f"{who}, {when}" if when else who
    return (
        f"Delete this message? “{quoted(message)}” ({said}). It stays in the history, marked "
        "deleted; the customer's app may still show it."
    )


def _conversation(item: HistoryItem) -> Conversation | None:
    held = getattr(item.screen, "conversation", None)
    return held if isinstance(held, Conversation) else None


def ask_delete(item: HistoryItem) -> None:
    """Ask, then delete `item`'s message."""
    from tui.core.automations import has_message_service

    ctx = context(item)
    conversation = _conversation(item)
    if conversation is None:
        return
    if not has_message_service(conversation.channel):
        ctx.notify_error(
            f"The {one_line(conversation.channel, 20)!r} channel has no message service, so its "
            "messages cannot be deleted here."
        )
        return
    message = item.message

    def answered(yes: bool | None) -> None:
        if yes:
            item.app.run_worker(
                _delete(item, conversation, message), group="message-delete", exit_on_error=False
            )

    item.app.push_screen(DeleteQuestion(question(message, conversation, ctx.clock())), answered)


async def _delete(item: HistoryItem, conversation: Conversation, message: Message) -> None:
    from tui.core.deleting import delete_message, deleted_copy, deleted_sentence

    ctx = context(item)
    if ctx.backend is None:
        ctx.notify_error(ctx.backend_error or "Not connected to a backend yet; try again in a moment.")
        return
    try:
        answer = await delete_message(
            ctx.backend.client, conversation.id, message.id, channel=conversation.channel
        )
    except SwitchboardError as exc:
        ctx.notify_error(exc)
        return
    if item.is_mounted and item.message.key == message.key:
        item.refresh_from_server(deleted_copy(message, answer, ctx.clock()))
        item.screen.refresh_bindings()  # X is no longer offered on it
    ctx.notify_plain(deleted_sentence(conversation.id, message.id), timeout=4)
