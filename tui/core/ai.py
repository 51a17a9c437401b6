"""The AI side of a conversation, and blocking: hand it to an AI assistant, turn the AI's
auto-assignment on or off, cut the AI's context, block or unblock it. One place for the CLI and
the app, as `tui.core.actions` is for the queue's actions: the PATCH body from `payloads_ai`, the
check that the server's answer shows the change, and the one-line confirmation both show.

The organization's AI assistants and automations are read through `directory(client)`: each
list once per `LIST_SECONDS` at most (one request, whoever asks), so the conversation head can
name the AI that holds a conversation without spending the team's budget on every screen.
"""

from __future__ import annotations

import time
import weakref
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, Field, field_validator

from tui.core.actions import Patcher, assignee_phrase
from tui.core.client_parse import parse_each
from tui.core.errors import BadResponseError, SwitchboardError
from tui.core.models import ApiModel, Conversation, User, parse_time
from tui.core.payloads_ai import ai_auto_patch, ai_cut_patch, block_patch, handoff_patch
from tui.core.query import MAX_PAGE
from tui.core.text import clip, one_line
from tui.core.timefmt import stamp

if TYPE_CHECKING:
    from tui.core.client import ApiClient

#: A list of assistants or automations read this recently is used again (seconds): they change
#: seldom, and every read is spent from the organization's 1,000 requests an hour.
LIST_SECONDS = 600.0
#: A name from the server is cut to this many cells in a sentence.
NAME_CELLS = 40


class ActionRefused(SwitchboardError):
    """Refused before or by the server for a reason the agent can act on (exit 4, as a channel
    rule is): a channel without a message service, a role that may not delete."""

    exit_code = 4

    def __init__(self, sentence: str, *, reason: str, status: int | None = None) -> None:
        super().__init__(sentence)
        self.reason = reason
        self.status = status


class Named(ApiModel):
    """A row of `GET /ai-assistants` or `GET /automations` ([ours]: `id` and `name`); the id is
    kept as the server gave it, a number or a string, and sent back as it is."""

    id: int | str = Field(validation_alias=AliasChoices("id", "_id"))
    name: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _opaque(cls, v: Any) -> Any:
        if isinstance(v, bool) or v in (None, "") or (isinstance(v, float) and not v.is_integer()):
            raise ValueError("an id must be a string or a whole number")
        return int(v) if isinstance(v, float) else v

    @property
    def key(self) -> str:
        """How ids are compared: a conversation may name assistant 42 as "42"."""
        return str(self.id).strip()

    @property
    def label(self) -> str:
        """The name as shown: neutralised, cut; the id when the server gave no name."""
        return clip(one_line(self.name), NAME_CELLS) or f"#{clip(one_line(self.key), 30)}"


def id_from_text(value: str) -> int | str:
    """An id typed on the command line: a whole number in its plain spelling goes as a number,
    anything else (`asst_support`, `007`) as the string typed."""
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() and str(int(text)) == text else text


class Directory:
    """One client's lists of AI assistants (conversation assistants only) and automations."""

    def __init__(self, client: ApiClient) -> None:
        self._client = weakref.ref(client)
        self._held: dict[str, tuple[float, tuple[Named, ...]]] = {}

    async def _read(
        self, kind: str, path: str, query: dict[str, Any], what: str, max_age: float
    ) -> tuple[Named, ...]:
        held = self._held.get(kind)
        if held is not None and time.monotonic() - held[0] <= max_age:
            return held[1]
        client = self._client()
        if client is None:
            raise SwitchboardError("The connection was closed; try again.")
        data = await client.request("GET", path, what=what, params=query)
        _, rows, _ = parse_each(Named, data, what)  # a row without an id is left out
        self._held[kind] = (time.monotonic(), tuple(rows))
        return self._held[kind][1]

    async def assistants(self, *, max_age: float = LIST_SECONDS) -> tuple[Named, ...]:
        """The conversation assistants, by name [docs: ai-assistants/list] (one page of 50)."""
        client = self._client()
        if client is None:
            raise SwitchboardError("The connection was closed; try again.")
        query = {
            "organization_id": client.org,
            "assistant_type": "conversation",
            "$limit": MAX_PAGE,
            "$sort": {"name": 1},
        }
        return await self._read("assistants", client.paths.ai_assistants, query, "the AI assistants", max_age)

    async def automations(self, *, max_age: float = LIST_SECONDS) -> tuple[Named, ...]:
        """The automations to offer ([ours] path, `Paths.automations`; one page of 50)."""
        client = self._client()
        if client is None:
            raise SwitchboardError("The connection was closed; try again.")
        query = {"organization_id": client.org, "$limit": MAX_PAGE}
        return await self._read("automations", client.paths.automations, query, "the automations", max_age)

    def assistant_names(self) -> dict[str, str]:
        """The assistants' names by id (as text), from the last read; no request."""
        held = self._held.get("assistants")
        return {a.key: a.label for a in held[1]} if held else {}

    def read_assistants(self) -> bool:
        """Whether the assistants were read (lately or not)."""
        return "assistants" in self._held


_directories: weakref.WeakKeyDictionary[Any, Directory] = weakref.WeakKeyDictionary()


def directory(client: ApiClient) -> Directory:
    """The client's lists (one `Directory` per client: the app's screens share it)."""
    found = _directories.get(client)
    if found is None:
        found = _directories[client] = Directory(client)
    return found


# -- the changes ----------------------------------------------------------------------------------


class Change(StrEnum):
    HANDOFF = "handoff"
    AI_ON = "ai-auto-on"
    AI_OFF = "ai-auto-off"
    AI_CUT = "ai-cut"
    BLOCK = "block"
    UNBLOCK = "unblock"


def auto_off_reason(me: User | None) -> str:
    """Why the AI's auto-assignment is off, as a teammate reads it on the conversation."""
    return f"Turned off by {me.display_name}" if me is not None else "Turned off in Switchboard"


def change_body(
    change: Change,
    *,
    assistant: int | str | None = None,
    unassign_human: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The PATCH body of `change`. HANDOFF needs `assistant` (ValueError without it)."""
    if change is Change.HANDOFF:
        if assistant is None:
            raise ValueError("a handoff needs the assistant's id")
        return handoff_patch(assistant, unassign_human=unassign_human)
    if change in (Change.AI_ON, Change.AI_OFF):
        return ai_auto_patch(change is Change.AI_ON, reason)
    if change is Change.AI_CUT:
        return ai_cut_patch(now or datetime.now(UTC))
    return block_patch(change is Change.BLOCK)


def _took(change: Change, c: Conversation, body: dict[str, Any]) -> bool:
    if change is Change.HANDOFF:
        same = str(c.assigned_ai_assistant_id) == str(body["assigned_ai_assistant_id"])
        return same and ("assigned_user_id" not in body or c.assigned_user_id is None)
    if change is Change.AI_ON:
        return not c.ai_auto_assignment_disabled
    if change is Change.AI_OFF:
        return bool(c.ai_auto_assignment_disabled)
    if change is Change.AI_CUT:
        return c.ai_context_cut not in (None, "")
    return bool(c.blocked) == (change is Change.BLOCK)


PAST = {
    Change.HANDOFF: "handed to the AI assistant",
    Change.AI_ON: "given AI auto-assignment",
    Change.AI_OFF: "taken out of AI auto-assignment",
    Change.AI_CUT: "given a new AI context",
    Change.BLOCK: "blocked",
    Change.UNBLOCK: "unblocked",
}


async def apply_change(
    client: Patcher,
    conversation_id: int,
    change: Change,
    *,
    assistant: int | str | None = None,
    unassign_human: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Do `change` (one PATCH) and return the conversation as the server answered it; an answer
    that does not show the change is a `BadResponseError`."""
    body = change_body(change, assistant=assistant, unassign_human=unassign_human, reason=reason, now=now)
    conversation = await client.patch_conversation(conversation_id, body)
    if not _took(change, conversation, body):
        raise BadResponseError(
            f"The server accepted the update of conversation {conversation_id} but its answer does "
            f"not show it {PAST[change]}; refresh and try again.",
            status=200,
        )
    return conversation


def cut_time(c: Conversation) -> str:
    """When the AI's context starts, as the CLI writes a time; the server's text if unreadable."""
    try:
        when = parse_time(c.ai_context_cut)
    except ValueError:
        when = None
    return stamp(when) if when is not None else one_line(str(c.ai_context_cut), 40)


def change_sentence(
    change: Change,
    c: Conversation,
    *,
    names: dict[str, str] | None = None,
    me: User | None = None,
    users: tuple[User, ...] = (),
) -> str:
    """The confirmation, built from the server's answer: "Conversation 3 handed to the AI
    assistant Ava (returns); nobody else holds it." `names`: the assistants' by id."""
    head = f"Conversation {c.id}"
    if change is Change.HANDOFF:
        key = str(c.assigned_ai_assistant_id)
        name = (names or {}).get(key) or clip(one_line(key), 30)
        if c.assigned_user_id is None:
            return f"{head} handed to the AI assistant {name}; no agent holds it now."
        who = assignee_phrase(c.assigned_user_id, me=me, users=users)
        stays = "you stay" if who == "you" else f"{who} stays"
        return f"{head} handed to the AI assistant {name}; {stays} assigned."
    if change is Change.AI_ON:
        return f"AI auto-assignment turned on for conversation {c.id}."
    if change is Change.AI_OFF:
        why = one_line(c.ai_auto_assignment_disabled_reason, 60)
        return f"AI auto-assignment turned off for conversation {c.id}{f' ({why})' if why else ''}."
    if change is Change.AI_CUT:
        return f"{head}: AI context cut at {cut_time(c)}; the AI assistant forgets what came before."
    return f"{head} {PAST[change]}."


__all__ = [
    "LIST_SECONDS",
    "ActionRefused",
    "Change",
    "Directory",
    "Named",
    "apply_change",
    "auto_off_reason",
    "change_body",
    "change_sentence",
    "directory",
    "id_from_text",
]
