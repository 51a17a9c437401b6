"""JWT login, as a Feathers server's authentication service answers it [docs: authentication].

`POST /authentication` with `{"strategy": "local", "email", "password"}`: every agent's password
is `tokens.PASSWORD` ("sandbox"); a wrong one, an unknown email or a missing field is a 401
NotAuthenticated "Invalid login", as Feathers' local strategy says it. The answer is
`{"accessToken", "authentication": {"strategy": "local"}, "user"}`, the user as `/users` has it
plus `name`. The token lasts the sandbox's `jwt_seconds` option (8 hours unless given).
`DELETE /authentication` (or `/authentication/<token>`, as older Feathers clients send it) with
`Authorization: Bearer <token>` ends that login: the token is refused from then on.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox.agents import Agent
from tui.sandbox.feathers import Fail, feathers, json_body
from tui.sandbox.state import Sandbox, state
from tui.sandbox.tokens import JWT_SECONDS, PASSWORD, agent_of_token, is_token, issue, revoke

INVALID_LOGIN = "Invalid login"


def user_json(agent: Agent) -> dict[str, Any]:
    return {**agent.json(), "name": agent.name}


def _agent_by_email(sb: Sandbox, email: str) -> Agent | None:
    wanted = email.strip().lower()
    return next((a for a in sb.agents if a.email.lower() == wanted), None)


async def create_authentication(request: Request) -> Response:
    try:
        body = await json_body(request)
        strategy = body.get("strategy")
        if strategy != "local":
            raise Fail(401, "Invalid authentication information (strategy not allowed in authStrategies)")
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
            raise Fail(401, INVALID_LOGIN)
        sb = state(request)
        agent = _agent_by_email(sb, email)
        right = hmac.compare_digest(password.encode("utf-8", "surrogateescape"), PASSWORD.encode())
        if agent is None or not right:
            raise Fail(401, INVALID_LOGIN)
        seconds = float(sb.options.get("jwt_seconds") or JWT_SECONDS)
        token = issue(sb.store.signing_secret, agent, sb.clock(), seconds)
    except Fail as fail:
        return feathers(fail.code, fail.message, fail.errors, fail.data)
    return JSONResponse(
        {"accessToken": token, "authentication": {"strategy": "local"}, "user": user_json(agent)},
        status_code=201,
    )


async def remove_authentication(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    token = token or request.path_params.get("token", "")
    sb = state(request)
    if not token or not is_token(token):
        return feathers(401, "No login to end: send its token as Authorization: Bearer")
    agent, why = agent_of_token(sb, token)
    payload = revoke(sb, token) if agent is not None else None
    if agent is None or payload is None:
        return feathers(401, why or INVALID_LOGIN)
    return JSONResponse(
        {
            "accessToken": token,
            "authentication": {"strategy": "jwt", "accessToken": token, "payload": payload},
            "user": user_json(agent),
        }
    )
