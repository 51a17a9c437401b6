"""`GET /conversations` (find) and `GET /conversations/:id` (get), as the contract's December
reading documents them ("List conversations"); the query is read strictly (`query`).

The find takes exactly:
- `organization_id` (required: 400 without it; another organization's: 403);
- `$limit` (at most 50; 0: the count alone), `$skip`, `$sort[f]=1|-1` for f in
  `last_interaction_at` (default, newest first), `created_at`, `id`, `unread_count` (ties: `id`, in
  the direction of the first key), `$select[]=f` (the record holds only those fields, and `id`);
- `status` (`=`, `[$ne]`, `[$in]`), `channel` (`=`, `[$ne]`, `[$in]`, `[$nin]`), `id` and
  `contact_id` (`=`, `[$in]`; `id` also `[$ne]`, `[$nin]`), `assigned_user_id` and
  `assigned_ai_assistant_id` (`=`, `[$ne]`, `[$in]`; an empty value or `null` is null: unassigned),
  `unread_count` (`=`, `[$gt]`, `[$gte]`, `[$lt]`, `[$lte]`), `pipeline_id` and `pipeline_stage_id`
  (`=`, `[$in]`, null allowed), `created_at` and `last_interaction_at` (`[$gt]`, `[$gte]`, `[$lt]`,
  `[$lte]`, ISO dates), `tag_id` and `view_id` (documented, but the sandbox has no contact tags
  and no saved views: they match nothing);
- `waitingResponseOnly=true|false`: with `true`, only conversations **waiting for a response**:
  their newest message, leaving out notes, reactions and deleted messages (ties by insertion
  order), is the customer's (inbound). A conversation without such a message is not waiting;
- `searchTerm`: the contact's first name, last name, full name ("first last") or phone contains
  it; `messageSearchTerm`: the text of any message of the conversation, not a reaction and not
  deleted, contains it. Both fold case and accents with `tui.core.fold.fold` (`mul` finds
  Müller, `soren` finds Søren); an empty one filters nothing.
All filters combine (AND). Anything else (the old `$search` among them) is a 400 naming it.

Records: the documented fields, `last_interaction_at` (the newest message of any direction, notes
included, reactions not, or the creation) and `created_at`; plus the [ours] `contact`,
`last_message_text`, `last_message_at`, `last_inbound_message_at` unless the sandbox serves
documented fields only (`records`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.core.fold import fold
from tui.sandbox.feathers import agent_of, check_org, conversation_or_404, page
from tui.sandbox.query import (
    Field,
    Query,
    Schema,
    boolean,
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
from tui.sandbox.records import DOCUMENTED_FIELDS, OUR_FIELDS
from tui.sandbox.state import state

__all__ = ["WAITING", "get_conversation", "list_conversations", "schema_for"]

EQ, NE, IN, NIN = "$eq", "$ne", "$in", "$nin"
RANGE = frozenset({"$gt", "$gte", "$lt", "$lte"})
FIELDS: dict[str, Field] = {
    "organization_id": Field(integer),
    "id": Field(integer, frozenset({EQ, NE, IN, NIN})),
    "contact_id": Field(integer, frozenset({EQ, IN})),
    "status": Field(one_of("open", "closed"), frozenset({EQ, NE, IN})),
    "channel": Field(text, frozenset({EQ, NE, IN, NIN})),
    "assigned_user_id": Field(integer, frozenset({EQ, NE, IN}), nullable=True),
    "assigned_ai_assistant_id": Field(text, frozenset({EQ, NE, IN}), nullable=True),
    "unread_count": Field(integer, frozenset({EQ}) | RANGE),
    "pipeline_id": Field(integer, frozenset({EQ, IN}), nullable=True),
    "pipeline_stage_id": Field(integer, frozenset({EQ, IN}), nullable=True),
    "created_at": Field(iso_time, RANGE),
    "last_interaction_at": Field(iso_time, RANGE),
    "tag_id": Field(integer, frozenset({EQ, IN})),
    "view_id": Field(integer),
}
EXTRAS: dict[str, Callable[[str], Any]] = {
    "waitingResponseOnly": boolean,
    "searchTerm": text,
    "messageSearchTerm": text,
}
SORTS = ("last_interaction_at", "created_at", "id", "unread_count")
FULL = Schema(FIELDS, SORTS, DOCUMENTED_FIELDS + OUR_FIELDS, EXTRAS, required=("organization_id",))
DOCUMENTED = Schema(FIELDS, SORTS, DOCUMENTED_FIELDS, EXTRAS, required=("organization_id",))
#: Columns the plain filters compare (the others are handled apart).
COLUMNS = {
    name: millis(f"c.{name}") if name in ("created_at", "last_interaction_at") else f"c.{name}"
    for name in FIELDS
    if name not in ("organization_id", "tag_id", "view_id")
}
#: "Waiting for a response": the newest message that is not a note, a reaction or deleted is inbound.
WAITING = (
    "(SELECT m.direction FROM messages m WHERE m.conversation_id = c.id "
    "AND m.message_type NOT IN ('note', 'reaction') AND m.deleted_at IS NULL "
    "ORDER BY m.created_at DESC, m.id DESC LIMIT 1) = 'inbound'"
)
CONTACT_MATCH = (
    "(instr(fold(trim(coalesce(t.first_name, '') || ' ' || coalesce(t.last_name, ''))), ?) > 0 "
    "OR instr(fold(coalesce(t.phone, '')), ?) > 0)"
)
MESSAGE_MATCH = (
    "EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.message_type != 'reaction' "
    "AND m.deleted_at IS NULL AND instr(fold(m.message_text), ?) > 0)"
)


def schema_for(documented_only: bool) -> Schema:
    """The find's schema: documented-only sandboxes cannot `$select` the [ours] fields."""
    return DOCUMENTED if documented_only else FULL


def _conditions(request: Request, query: Query) -> tuple[str, list[Any]]:
    """The FROM and WHERE of the find, with its arguments."""
    check_org(request, query.eq("organization_id"))
    clauses, args = where(query, COLUMNS)
    clauses.insert(0, "c.organization_id = ?")
    args.insert(0, agent_of(request).organization_id)
    if "tag_id" in query.filters or "view_id" in query.filters:
        clauses.append("0")  # no contact tags, no saved views in the sandbox
    if query.extras.get("waitingResponseOnly"):
        clauses.append(WAITING)
    join = ""
    term = fold(str(query.extras.get("searchTerm") or "").strip())
    if term:
        join = " JOIN contacts t ON t.id = c.contact_id"
        clauses.append(CONTACT_MATCH)
        args.extend([term, term])
    words = fold(str(query.extras.get("messageSearchTerm") or "").strip())
    if words:
        clauses.append(MESSAGE_MATCH)
        args.append(words)
    return f"FROM conversations c{join} WHERE {' AND '.join(clauses)}", args


async def list_conversations(request: Request) -> Response:
    sb = state(request)
    query = parse_query(request.query_params.multi_items(), schema_for(sb.store.documented_only))
    base, args = _conditions(request, query)
    total = int(sb.store.query(f"SELECT count(*) {base}", args)[0][0])
    if query.limit == 0:  # the count alone: no row is read
        return page(total, 0, query.skip, [])
    order = order_by(query, ("last_interaction_at", -1), {s: f"c.{s}" for s in SORTS}, "c.id")
    rows = sb.store.query(
        f"SELECT c.* {base} ORDER BY {order} LIMIT ? OFFSET ?", [*args, query.limit, query.skip]
    )
    docs = [selected(doc, query) for doc in sb.store.conversations_json(rows)]
    return page(total, query.limit, query.skip, docs)


async def get_conversation(request: Request) -> Response:
    sb = state(request)
    check_org(request, request.query_params.get("organization_id"))
    raw = request.path_params["conversation_id"]
    row = conversation_or_404(request, int(raw) if raw.isdigit() else raw)
    return JSONResponse(sb.store.conversation_json(row))
