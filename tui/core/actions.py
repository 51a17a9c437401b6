"""What an agent does to a conversation (mark read or unread, close, reopen, assign, take over
from the AI), in one place for the CLI and the app: the PATCH body from `payloads`, the check
that the server's answer says it was done, and the one-line confirmation both show.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from tui.core.errors import BadResponseError
from tui.core.models import Conversation, User
from tui.core.payloads import (
    assign_patch,
    close_patch,
    read_patch,
    reopen_patch,
    takeover_patch,
    unassign_patch,
    unread_patch,
)
from tui.core.queue import has_ai, is_open
from tui.core.text import clip, one_line

#: A name from the server is cut to this many cells in a confirmation.
NAME_CELLS = 40


class Patcher(Protocol):
    """What `apply` needs of `ApiClient` (a protocol, so tests and the app can pass their own)."""

    async def patch_conversation(self, conversation_id: int, body: dict[str, object]) -> Conversation: ...


class Action(StrEnum):
    READ = "read"
    UNREAD = "unread"
    CLOSE = "close"
    REOPEN = "reopen"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    TAKEOVER = "takeover"


def takeover_reason(me: User) -> str:
    """Why the AI's auto-assignment is off, as a teammate reads it on the conversation."""
    return f"Taken over by {me.display_name}"


def body_for(action: Action, *, me: User | None = None, to: int | None = None) -> dict[str, object]:
    """The PATCH body of `action`. ASSIGN goes to `to`, or to `me` when `to` is None; TAKEOVER
    needs `me`. Asking for either without them is a programming error (ValueError)."""
    if action is Action.READ:
        return read_patch()
    if action is Action.UNREAD:
        return unread_patch()
    if action is Action.CLOSE:
        return close_patch()
    if action is Action.REOPEN:
        return reopen_patch()
    if action is Action.UNASSIGN:
        return unassign_patch()
    if action is Action.ASSIGN:
        if to is None and me is None:
            raise ValueError("assign needs `to` or `me`")
        return assign_patch(to if to is not None else me.id if me else None)
    if me is None:
        raise ValueError("takeover needs `me`")
    return takeover_patch(me.id, takeover_reason(me))


def _took(action: Action, c: Conversation, body: dict[str, object]) -> bool:
    """Whether the answered conversation shows the patch done."""
    if action is Action.READ:
        return c.unread_count == 0
    if action is Action.UNREAD:
        return c.unread_count > 0
    if action is Action.CLOSE:
        return not is_open(c)
    if action is Action.REOPEN:
        return is_open(c)
    if action is Action.TAKEOVER:
        return not has_ai(c) and c.assigned_user_id == body["assigned_user_id"]
    return c.assigned_user_id == body["assigned_user_id"]


async def apply(
    client: Patcher,
    conversation_id: int,
    action: Action,
    *,
    me: User | None = None,
    to: int | None = None,
) -> Conversation:
    """Do `action` and return the conversation as the server answered it. An answer that does
    not show the change is a `BadResponseError`: the app must not show a close that did not happen."""
    body = body_for(action, me=me, to=to)
    conversation = await client.patch_conversation(conversation_id, body)
    if not _took(action, conversation, body):
        raise BadResponseError(
            f"The server accepted the update of conversation {conversation_id} but its answer does "
            f"not show it {_past(action)}; refresh and try again.",
            status=200,
        )
    return conversation


def _past(action: Action) -> str:
    return {
        Action.READ: "marked read",
        Action.UNREAD: "marked unread",
        Action.CLOSE: "closed",
        Action.REOPEN: "reopened",
        Action.ASSIGN: "assigned",
        Action.UNASSIGN: "unassigned",
        Action.TAKEOVER: "taken over",
    }[action]


def assignee_phrase(user_id: int | None, *, me: User | None = None, users: tuple[User, ...] = ()) -> str:
    """ "you", an agent's name (from `users`, neutralised and cut), or "user 9"."""
    if user_id is None:
        return "nobody"
    if me is not None and user_id == me.id:
        return "you"
    for user in users:
        if user.id == user_id:
            return f"{clip(one_line(user.display_name), NAME_CELLS)} (user {user_id})"
    return f"user {user_id}"


def done_sentence(
    action: Action, conversation: Conversation, *, me: User | None = None, users: tuple[User, ...] = ()
) -> str:
    """The confirmation the CLI prints and the app notifies: "Conversation 3 closed.",
    "Conversation 3 assigned to you." Built from the server's answer, not from what was asked."""
    head = f"Conversation {conversation.id}"
    if action is Action.ASSIGN:
        return f"{head} assigned to {assignee_phrase(conversation.assigned_user_id, me=me, users=users)}."
    if action is Action.TAKEOVER:
        who = assignee_phrase(conversation.assigned_user_id, me=me, users=users)
        return f"{head} taken over from the AI assistant and assigned to {who}."
    return f"{head} {_past(action)}."


__all__ = [
    "Action",
    "Patcher",
    "apply",
    "assignee_phrase",
    "body_for",
    "done_sentence",
    "takeover_reason",
]
