"""`GET /users/me` (the key's agent) and `GET /users` (the organization's agents, a Feathers page).

The find takes exactly `organization_id` (checked), `id` (`=`, `[$in]`), `$limit` (at most 50; 0:
the count alone), `$skip` and `$sort[f]=1|-1` for f in `id` (default), `first_name`, `last_name`;
anything else is a 400 (`query`)."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox.agents import Agent
from tui.sandbox.feathers import agent_of, check_org, page
from tui.sandbox.query import Field, Schema, integer, parse_query
from tui.sandbox.state import state

SCHEMA = Schema(
    fields={"organization_id": Field(integer), "id": Field(integer, frozenset({"$eq", "$in"}))},
    sorts=("id", "first_name", "last_name"),
)


def _field(name: str, agent: Agent) -> Any:
    return getattr(agent, name)


async def get_me(request: Request) -> Response:
    return JSONResponse(agent_of(request).json())


async def list_users(request: Request) -> Response:
    query = parse_query(request.query_params.multi_items(), SCHEMA)
    check_org(request, query.eq("organization_id"))
    org = agent_of(request).organization_id
    every = [a for a in state(request).agents if a.organization_id == org]
    wanted = query.filters.get("id", {})
    if "$eq" in wanted:
        every = [a for a in every if a.id == wanted["$eq"]]
    if "$in" in wanted:
        every = [a for a in every if a.id in wanted["$in"]]
    every.sort(key=lambda a: a.id)
    for name, direction in reversed(query.sort):  # the first key sorts last: it wins
        every.sort(key=partial(_field, name), reverse=direction == -1)
    rows = every[query.skip : query.skip + query.limit] if query.limit else []
    return page(len(every), query.limit, query.skip, [a.json() for a in rows])
