"""Feathers errors and the request helpers every handler shares: authentication, JSON bodies,
required fields, pages, and the conversation a request names (finds read their query in `query`)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from tui.sandbox.agents import Agent
from tui.sandbox.state import state
from tui.sandbox.tokens import refusal

# Feathers error classes (name, className) by status, for every answer the sandbox can give.
CLASS_NAMES = {
    400: ("BadRequest", "bad-request"),
    401: ("NotAuthenticated", "not-authenticated"),
    402: ("PaymentError", "payment-error"),
    403: ("Forbidden", "forbidden"),
    404: ("NotFound", "not-found"),
    405: ("MethodNotAllowed", "method-not-allowed"),
    406: ("NotAcceptable", "not-acceptable"),
    408: ("Timeout", "timeout"),
    409: ("Conflict", "conflict"),
    410: ("Gone", "gone"),
    411: ("LengthRequired", "length-required"),
    413: ("PayloadTooLarge", "payload-too-large"),
    422: ("Unprocessable", "unprocessable"),
    429: ("TooManyRequests", "too-many-requests"),
    500: ("GeneralError", "general-error"),
    501: ("NotImplemented", "not-implemented"),
    502: ("BadGateway", "bad-gateway"),
    503: ("Unavailable", "unavailable"),
    504: ("GatewayTimeout", "gateway-timeout"),
}


class Fail(Exception):
    """Raised inside a handler; becomes a Feathers error answer."""

    def __init__(
        self, code: int, message: str, errors: dict[str, str] | None = None, data: Any = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.errors, self.data = code, message, errors or {}, data or {}


def feathers_body(
    code: int, message: str, errors: dict[str, str] | None = None, data: Any = None
) -> dict[str, Any]:
    """A Feathers error document, as handlers and injected faults answer it."""
    name, class_name = CLASS_NAMES.get(code, ("GeneralError", "general-error"))
    return {
        "name": name,
        "message": message,
        "code": code,
        "className": class_name,
        "data": data or {},
        "errors": errors or {},
    }


def feathers(code: int, message: str, errors: dict[str, str] | None = None, data: Any = None) -> JSONResponse:
    return JSONResponse(feathers_body(code, message, errors, data), status_code=code)


# -- request helpers -------------------------------------------------------------------------------


def authenticate(request: Request) -> Agent:
    """The agent the request's key or login token belongs to (also kept for `agent_of`); 401
    without one."""
    given = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not given:
        raise Fail(401, "No API key: send it in the x-api-key header or as a Bearer token")
    agent = state(request).agent_by_key(given)
    if agent is None:
        raise Fail(401, refusal(state(request), given))
    request.state.agent = agent
    return agent


def agent_of(request: Request) -> Agent:
    """The authenticated agent of this request."""
    agent: Agent = request.state.agent
    return agent


def check_org(request: Request, value: Any) -> None:
    """A given `organization_id` must be the key's own organization (403 otherwise)."""
    if value in (None, ""):
        return
    try:
        org = int(value)
    except (TypeError, ValueError):
        raise Fail(400, "organization_id must be a number", {"organization_id": "must be a number"}) from None
    if org != agent_of(request).organization_id:
        raise Fail(403, f"This API key has no access to organization {org}")


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise Fail(400, "The body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Fail(400, "The body must be a JSON object")
    return body


def require(body: dict[str, Any], errors: dict[str, str], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is None:
        errors[name] = "is required"
    elif kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        errors[name] = "must be a number"
    elif kind is str and not isinstance(value, str):
        errors[name] = "must be a string"
    else:
        return value
    return None


def page(total: int, limit: int, skip: int, data: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"total": total, "limit": limit, "skip": skip, "data": data})


def conversation_or_404(request: Request, conversation_id: Any) -> Any:
    """The conversation's row: 404 when there is none, 403 when it is another organization's."""
    sb = state(request)
    known = isinstance(conversation_id, int) and 0 <= conversation_id < 2**63
    row = sb.store.conversation(conversation_id) if known else None
    if row is None:
        raise Fail(404, f"No record found for id '{conversation_id}'")
    if row["organization_id"] != agent_of(request).organization_id:
        raise Fail(403, f"This API key has no access to conversation {conversation_id}")
    return row
