"""Run an automation on a conversation (contract: "Run an automation"): the conversation, its
contact and its newest 50 messages are read as the server sends them, and go, as they came, in
the execution's `initial_payload` (`payloads_ai.automation_run_body`). Offered only on a channel
with a message service (every known channel has one; an unknown channel does not).

Requests: the conversation (1), its contact (1, none without a `contact_id`), the newest page of
messages (1) and the run itself (1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, ConfigDict, Field

from tui.core.ai import ActionRefused, Named
from tui.core.channel_names import KNOWN_CHANNELS, label
from tui.core.client_parse import parse_model
from tui.core.errors import NotFoundError, TransportError
from tui.core.models import ApiModel, Conversation
from tui.core.payloads_ai import automation_run_body
from tui.core.query import MAX_PAGE, page_query
from tui.core.text import clip, one_line

if TYPE_CHECKING:
    from tui.core.client import ApiClient

#: The messages query's fixed part [docs: messages-list]: no reactions, newest first.
NEWEST: dict[str, Any] = {"message_type": {"$ne": "reaction"}, "$sort": {"created_at": -1}}


class Execution(ApiModel):
    """The created execution: its id and status when given ([ours]: every field optional), and
    whatever else the server answered, kept (the CLI's --json prints it all)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)
    id: int | str | None = Field(default=None, validation_alias=AliasChoices("id", "_id"))
    status: str | None = None


def has_message_service(channel: str) -> bool:
    """Whether the channel's messages can be read (and so handed to an automation)."""
    return (channel or "").lower() in KNOWN_CHANNELS


def no_service(c: Conversation) -> ActionRefused:
    return ActionRefused(
        f"Conversation {c.id} is on the {one_line(label(c.channel), 20)!r} channel, which has no "
        "message service to read, so no automation can run on it.",
        reason="no_message_service",
    )


def _rows(data: Any) -> list[dict[str, Any]]:
    """A page's rows (or a bare list), objects only, as the server sent them."""
    rows = data.get("data") if isinstance(data, dict) else data
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


async def read_payload(client: ApiClient, conversation_id: int) -> tuple[Conversation, dict[str, Any]]:
    """The conversation (read, and checked as strictly as a get) and the `initial_payload`."""
    paths, what = client.paths, f"conversation {conversation_id}"
    raw = await client.request(
        "GET", f"{paths.conversations}/{conversation_id}", what=what, params={"organization_id": client.org}
    )
    conversation = client.cache.record(parse_model(Conversation, raw, what))
    if not has_message_service(conversation.channel):
        raise no_service(conversation)
    contact: Any = None
    if conversation.contact_id is not None:
        try:
            contact = await client.request(
                "GET",
                f"{paths.contacts}/{conversation.contact_id}",
                what=f"contact {conversation.contact_id}",
                params={"organization_id": client.org},
            )
        except NotFoundError:
            contact = None  # deleted: the run goes with no contact, as for a conversation without one
    params = {"conversation_id": conversation_id, **NEWEST, **page_query(MAX_PAGE, 0)}
    page = await client.request(
        "GET",
        paths.messages_for(conversation.channel),
        what=f"the messages of conversation {conversation_id}",
        params=params,
    )
    messages = list(reversed(_rows(page)[:MAX_PAGE]))  # oldest first
    return conversation, {
        "conversation": raw,
        "contact": contact if isinstance(contact, dict) else None,
        "messages": messages,
    }


async def run_automation(client: ApiClient, conversation_id: int, automation_id: int | str) -> Execution:
    """Start the automation on the conversation; the created execution comes back."""
    conversation, payload = await read_payload(client, conversation_id)
    body = automation_run_body(
        automation_id,
        organization_id=client.org,
        conversation_id=conversation.id,
        conversation=payload["conversation"],
        contact=payload["contact"],
        messages=payload["messages"],
    )
    what = f"the automation run on conversation {conversation_id}"
    try:
        data = await client.request("POST", client.paths.automation_executions, what=what, json_body=body)
    except TransportError as exc:
        if exc.retry_safe:
            raise
        raise TransportError(
            f"{exc.sentence.rstrip('.').split(';')[0]}; the automation may have started, so check the "
            "conversation before running it again.",
            retry_safe=False,
        ) from None
    return parse_model(Execution, data, what) if isinstance(data, dict) else Execution()


def run_sentence(
    conversation_id: int, automation_id: int | str, execution: Execution, name: str | None = None
) -> str:
    """ "Automation "Send the returns label" started on conversation 3 (execution 12)." """
    shown = f"“{clip(one_line(name), 40)}”" if name else clip(one_line(str(automation_id)), 30)
    run = f" (execution {clip(one_line(str(execution.id)), 30)})" if execution.id is not None else ""
    return f"Automation {shown} started on conversation {conversation_id}{run}."


def automation_named(rows: tuple[Named, ...], automation_id: int | str) -> Named | None:
    return next((row for row in rows if row.key == str(automation_id).strip()), None)


__all__ = ["Execution", "has_message_service", "read_payload", "run_automation", "run_sentence"]
