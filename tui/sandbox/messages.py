"""The message services, one per channel (contract: "Messages of a conversation"):
`/conversation-messages-{channel}` for whatsapp, instagram, messenger, webchat, sms, playground.

- find `GET /conversation-messages-{channel}?conversation_id=N`: a page of that conversation's
  messages when the conversation is on this channel (another channel's: an empty page, total 0;
  an unknown one: the same; another organization's: 403). It takes exactly `conversation_id`
  (required), `organization_id` (checked), `message_type` (`=`, `[$ne]`, `[$in]`, `[$nin]`),
  `direction` (`=`), `created_at` (`[$gt]`, `[$gte]`, `[$lt]`, `[$lte]`, ISO), `$sort[created_at]`
  (1 or -1, default -1; ties by insertion order in the same direction), `$limit` (at most 50),
  `$skip`, `$select[]`; anything else is a 400 (`query`). Deleted messages stay in the page,
  with their `deleted_at`;
- get `GET /conversation-messages-{channel}/:id`: 404 when no message of this channel has that
  id (as the service spells ids: `_id` or number, `ids`), 403 for another organization's;
- remove `DELETE /conversation-messages-{channel}/:id`: a soft delete. It sets `deleted_at` and
  answers the record (a message deleted already is answered as it is, nothing changes); a
  customer's (inbound) message is 403 "Customer messages cannot be deleted". The deletion is
  pushed as `conversation-messages-{channel} patched`. It changes nothing of the conversation
  (its preview stays), but the message no longer counts for "waiting for a response" or for the
  message search (`conversations`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox import live
from tui.sandbox.feathers import Fail, agent_of, check_org, page
from tui.sandbox.ids import OBJECT_ID_CHANNELS, is_object_id
from tui.sandbox.query import (
    Field,
    Schema,
    integer,
    iso_time,
    millis,
    one_of,
    order_by,
    parse_query,
    selected,
    text,
    where,
)
from tui.sandbox.records import MESSAGE_FIELDS
from tui.sandbox.state import Sandbox, state

__all__ = ["MESSAGE_CHANNELS", "delete_message", "get_message", "list_messages", "message_or_404"]

#: Every channel with a message service.
MESSAGE_CHANNELS = ("whatsapp", "instagram", "messenger", "webchat", "sms", "playground")

Handler = Callable[[Request], Awaitable[Response]]
RANGE = frozenset({"$gt", "$gte", "$lt", "$lte"})
SCHEMA = Schema(
    fields={
        "conversation_id": Field(integer),
        "organization_id": Field(integer),
        "message_type": Field(text, frozenset({"$eq", "$ne", "$in", "$nin"})),
        "direction": Field(one_of("inbound", "outbound")),
        "created_at": Field(iso_time, RANGE),
    },
    sorts=("created_at",),
    selects=("_id", "id", *MESSAGE_FIELDS, "template_components", "s3_key"),
    required=("conversation_id",),
)
COLUMNS = {"message_type": "message_type", "direction": "direction", "created_at": millis("created_at")}


def list_messages(channel: str) -> Handler:
    """The find of `channel`'s message service."""

    async def find(request: Request) -> Response:
        sb = state(request)
        query = parse_query(request.query_params.multi_items(), SCHEMA)
        check_org(request, query.eq("organization_id"))
        cid = query.eq("conversation_id")
        conversation = sb.store.conversation(cid)
        if conversation is not None and conversation["organization_id"] != agent_of(request).organization_id:
            raise Fail(403, f"This API key has no access to conversation {cid}")
        if conversation is None or conversation["channel"] != channel:
            return page(0, query.limit, query.skip, [])
        clauses, args = where(query, COLUMNS)
        condition = " AND ".join(["conversation_id = ?", *clauses])
        args.insert(0, cid)
        total = int(sb.store.query(f"SELECT count(*) FROM messages WHERE {condition}", args)[0][0])
        if query.limit == 0:  # the count alone: no row is read
            return page(total, 0, query.skip, [])
        order = order_by(query, ("created_at", -1), {"created_at": "created_at"}, "id")
        rows = sb.store.query(
            f"SELECT * FROM messages WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",
            [*args, query.limit, query.skip],
        )
        docs = [selected(sb.store.message_json(r), query, ("_id", "id")) for r in rows]
        return page(total, query.limit, query.skip, docs)

    return find


def message_or_404(sb: Sandbox, request: Request, channel: str, raw: str) -> Any:
    """The row of `channel`'s message `raw` (its id as the service spells it): 404 when there is
    none on this channel, 403 when it is another organization's."""
    select = (
        "SELECT m.*, c.channel AS conversation_channel, c.organization_id AS conversation_organization "
        "FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE "
    )
    row = None
    if channel in OBJECT_ID_CHANNELS and is_object_id(raw):
        row = sb.store.one(select + "m.uid = ?", (raw,))
    elif channel not in OBJECT_ID_CHANNELS and raw.isdigit() and len(raw) <= 18:
        row = sb.store.one(select + "m.id = ? AND m.uid IS NULL", (int(raw),))
    if row is None or row["conversation_channel"] != channel:
        raise Fail(404, f"No record found for id '{raw[:40]}'")
    if row["conversation_organization"] != agent_of(request).organization_id:
        raise Fail(403, f"This API key has no access to message {raw}")
    return row


def get_message(channel: str) -> Handler:
    """The get of `channel`'s message service."""

    async def get(request: Request) -> Response:
        sb = state(request)
        check_org(request, request.query_params.get("organization_id"))
        row = message_or_404(sb, request, channel, request.path_params["message_id"])
        return JSONResponse(sb.store.message_json(row))

    return get


def delete_message(channel: str) -> Handler:
    """The remove of `channel`'s message service: a soft delete."""

    async def remove(request: Request) -> Response:
        sb = state(request)
        check_org(request, request.query_params.get("organization_id"))
        row = message_or_404(sb, request, channel, request.path_params["message_id"])
        if row["direction"] == "inbound":
            raise Fail(403, "Customer messages cannot be deleted")
        if row["deleted_at"] is None:
            sb.store.execute("UPDATE messages SET deleted_at = ? WHERE id = ?", (sb.clock(), row["id"]))
            sb.store.stamp()
            live.message_changed(sb, row["id"])
        return JSONResponse(sb.store.message(row["id"]))

    return remove
