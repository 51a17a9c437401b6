"""Many conversations at once: `POST /conversations-bulk-actions` [docs: conversations/bulk-actions]
with `conversation_ids`, one request instead of one PATCH each (the team's hourly budget).

The documented actions are `assign`, `update_status` and `assign_ai_assistant`; the value travels
in the field a single PATCH uses ([ours]: the page lost its example). The answer says only how
many were processed, so the cache learns the change from it: when every conversation asked for
was processed, each cached copy takes the new value at once (a live event confirms it later);
when fewer were, the cached copies are read again (batched), since which ones failed is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tui.core.actions import Action, assignee_phrase
from tui.core.conversation_cache import ConversationCache
from tui.core.errors import BadResponseError
from tui.core.models import Conversation, User

#: At most this many conversations in one request: a page of a stock Feathers server's body
#: limit is far above it, and a mistaken `*` on a huge view stays bounded.
BULK_MAX = 500

#: The actions that have a bulk form, with the documented `action` and the field they set.
BULK: dict[Action, tuple[str, str]] = {
    Action.CLOSE: ("update_status", "status"),
    Action.REOPEN: ("update_status", "status"),
    Action.ASSIGN: ("assign", "assigned_user_id"),
    Action.UNASSIGN: ("assign", "assigned_user_id"),
}
#: Handing to an AI assistant (`assign_ai_assistant`), which is not one of the row's `Action`s.
HAND_TO_AI = "assign_ai_assistant"


class BulkClient(Protocol):
    """What `apply_bulk` needs of `ApiClient`."""

    @property
    def org(self) -> int: ...

    @property
    def cache(self) -> ConversationCache: ...

    async def bulk_action(self, body: dict[str, Any]) -> int | None: ...

    async def conversations_by_id(self, ids: Sequence[int]) -> list[Conversation]: ...


def bulk_body(
    organization_id: int, action: str, conversation_ids: Sequence[int], fields: dict[str, Any]
) -> dict[str, Any]:
    """The request: the documented `action`, the `conversation_ids` target, the organization and
    the value in its PATCH field."""
    return {
        "action": action,
        "conversation_ids": list(conversation_ids),
        "organization_id": organization_id,
        **fields,
    }


def fields_for(
    action: Action, *, to: int | None = None, me: User | None = None
) -> tuple[str, dict[str, Any]]:
    """The documented action and the field it sets, for one of the row's actions."""
    if action not in BULK:
        raise ValueError(f"{action} has no bulk form")
    api_action, field = BULK[action]
    if action is Action.CLOSE:
        return api_action, {field: "closed"}
    if action is Action.REOPEN:
        return api_action, {field: "open"}
    if action is Action.UNASSIGN:
        return api_action, {field: None}
    who = to if to is not None else me.id if me is not None else None
    if who is None:
        raise ValueError("assign needs `to` or `me`")
    return api_action, {field: who}


@dataclass(frozen=True)
class BulkResult:
    """What was asked and how many the server says it processed (None: it did not say)."""

    asked: tuple[int, ...]
    processed: int | None

    @property
    def complete(self) -> bool:
        return self.processed is not None and self.processed >= len(self.asked)


async def apply_bulk(
    client: BulkClient, conversation_ids: Sequence[int], api_action: str, fields: dict[str, Any]
) -> BulkResult:
    """One request for all of them (`BULK_MAX` at most: more is refused, not split silently),
    then the cache brought in line (see the module's docstring)."""
    ids = tuple(dict.fromkeys(conversation_ids))
    if not ids:
        raise ValueError("no conversations")
    if len(ids) > BULK_MAX:
        raise BadResponseError(
            f"{len(ids):,} conversations are more than one bulk action takes ({BULK_MAX}); mark fewer.",
            status=0,
        )
    processed = await client.bulk_action(bulk_body(client.org, api_action, ids, fields))
    result = BulkResult(ids, processed)
    if result.complete:
        for cid in ids:
            known = client.cache.get(cid)
            if known is not None:
                client.cache.record(known.model_copy(update=fields))
    else:
        await client.conversations_by_id(ids)  # which ones took it is unknown: read them again
    return result


def _done(
    action: Action | str, to: int | None, me: User | None, users: tuple[User, ...], ai: str | None
) -> str:
    if action is Action.CLOSE:
        return "closed"
    if action is Action.REOPEN:
        return "reopened"
    if action is Action.UNASSIGN:
        return "unassigned"
    if action is Action.ASSIGN:
        who = to if to is not None else me.id if me is not None else None
        return f"assigned to {assignee_phrase(who, me=me, users=users)}"
    return f"handed to {ai or 'the AI assistant'}"


def bulk_sentence(
    action: Action | str,
    result: BulkResult,
    *,
    to: int | None = None,
    me: User | None = None,
    users: tuple[User, ...] = (),
    ai: str | None = None,
) -> str:
    """ "3 conversations closed." / "2 of 3 conversations assigned to you; refresh to see which
    one was not." From the server's count, not from what was asked."""
    asked = len(result.asked)
    noun = "conversation" if asked == 1 else "conversations"
    done = _done(action, to, me, users, ai)
    if result.processed is None:
        return f"{asked} {noun} sent to be {done}; the server did not say how many it processed."
    if result.complete:
        return f"{asked} {noun} {done}."
    left = asked - result.processed
    which = "one was" if left == 1 else f"{left} were"
    return f"{result.processed} of {asked} {noun} {done}; refresh to see which {which} not."
