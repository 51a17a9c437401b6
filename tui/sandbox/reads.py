"""`GET /message-templates`: the organization's WhatsApp templates, a Feathers page.

It takes exactly `organization_id` (checked), `channel` (only `whatsapp` has templates: any other
answers an empty page), `status` (APPROVED, PENDING, REJECTED, PAUSED, DISABLED; any case),
`name`, `language`, `$limit` (at most 50; 0: the count alone), `$skip` and `$sort[f]=1|-1` for f
in `id` (default), `name`; anything else is a 400 (`query`). The templates the fault options add
(`template_faults`) are read with the stored ones."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tui.sandbox.feathers import check_org, page
from tui.sandbox.query import Field, Schema, integer, order_by, parse_query, text, where
from tui.sandbox.state import state
from tui.sandbox.template_faults import source

SCHEMA = Schema(
    fields={
        "organization_id": Field(integer),
        "channel": Field(text),
        "status": Field(lambda v: v.upper(), frozenset({"$eq", "$ne", "$in"})),
        "name": Field(text, frozenset({"$eq", "$in"})),
        "language": Field(text),
    },
    sorts=("id", "name"),
)
COLUMNS = {"status": "status", "name": "name", "language": "language"}


async def list_templates(request: Request) -> Response:
    sb = state(request)
    query = parse_query(request.query_params.multi_items(), SCHEMA)
    check_org(request, query.eq("organization_id"))
    channel = query.eq("channel")
    if channel and channel.lower() != "whatsapp":
        return page(0, query.limit, query.skip, [])
    clauses, args = where(query, COLUMNS)
    condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    table, extra = source(sb.extra_templates)
    args = [*extra, *args]
    total = int(sb.store.query(f"SELECT count(*) FROM {table} {condition}", args)[0][0])
    if query.limit == 0:  # the count alone: no row is read
        return page(total, 0, query.skip, [])
    order = order_by(query, ("id", 1), {"id": "id", "name": "name"}, "id")
    rows = sb.store.query(
        f"SELECT * FROM {table} {condition} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, query.limit, query.skip],
    )
    return page(total, query.limit, query.skip, [sb.store.template_json(r) for r in rows])
