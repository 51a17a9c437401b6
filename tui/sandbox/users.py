"""`GET /users/me` (the key's agent) and `GET /users` (the organization's agents, a Feathers page)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox.feathers import agent_of, check_org, int_param, page
from tui.sandbox.state import state


async def get_me(request: Request) -> Response:
    return JSONResponse(agent_of(request).json())


async def list_users(request: Request) -> Response:
    check_org(request, request.query_params.get("organization_id"))
    org = agent_of(request).organization_id
    limit = int_param(request, "$limit", 50, low=0, high=500)
    skip = int_param(request, "$skip", 0)
    every = sorted((a for a in state(request).agents if a.organization_id == org), key=lambda a: a.id)
    return page(len(every), limit, skip, [a.json() for a in every[skip : skip + limit]])
