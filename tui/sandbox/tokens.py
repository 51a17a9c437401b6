"""The sandbox's login tokens: JWTs as a Feathers server's local strategy issues them.

A token is `header.payload.signature` in base64url, HS256-signed with a key drawn from the
sandbox's signing secret (`meta.signing_secret`, kept in the file: a restarted sandbox still
accepts what it issued). The payload is Feathers' own: `sub` (the agent's id, a string), `iat`,
`exp` (`jwt_seconds` later: the sandbox's option, 8 hours unless given), `jti`, `aud`, `iss`.
A logout (`DELETE /authentication`) revokes the token's `jti` in the file (`meta`), so every
sandbox on the file refuses it from then on. Only the standard library; the routes are `login`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.sandbox.agents import Agent
    from tui.sandbox.state import Sandbox

#: How long a login lasts unless the sandbox is started with `jwt_seconds`.
JWT_SECONDS = 8 * 3600
#: Every agent's password in the sandbox (README: "Log in with email and password").
PASSWORD = "sandbox"
AUDIENCE = "https://sandbox.switchboard.invalid"
ISSUER = "feathers"
_HEADER = {"alg": "HS256", "typ": "access"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(signing_secret: str) -> bytes:
    """Apart from the key that signs upload URLs, though drawn from the same secret."""
    return hashlib.sha256(b"switchboard-sandbox-jwt\0" + signing_secret.encode()).digest()


def _signature(signing_secret: str, signed: str) -> str:
    return _b64(hmac.new(_key(signing_secret), signed.encode("ascii"), hashlib.sha256).digest())


def is_token(key: str) -> bool:
    """Whether a credential is shaped as a JWT (an API key has no dots)."""
    return key.count(".") == 2


def issue(signing_secret: str, agent: Agent, now: float, seconds: float = JWT_SECONDS) -> str:
    payload = {
        "iat": int(now),
        "exp": int(now + seconds),
        "aud": AUDIENCE,
        "iss": ISSUER,
        "sub": str(agent.id),
        "jti": str(uuid.uuid4()),
    }
    compact = (",", ":")
    signed = (
        _b64(json.dumps(_HEADER, separators=compact).encode())
        + "."
        + _b64(json.dumps(payload, separators=compact).encode())
    )
    return signed + "." + _signature(signing_secret, signed)


def claims(signing_secret: str, token: str, now: float) -> tuple[dict[str, Any] | None, str]:
    """The token's payload, or None and why it is refused, in the words of Feathers' JWT
    strategy ("invalid signature", "jwt expired", "jwt malformed")."""
    head, _, rest = token.partition(".")
    body, _, signature = rest.partition(".")
    try:
        expected = _signature(signing_secret, f"{head}.{body}")
    except UnicodeEncodeError:
        return None, "jwt malformed"
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogateescape")):
        return None, "invalid signature"
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return None, "jwt malformed"
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        return None, "jwt malformed"
    if now >= payload["exp"]:
        return None, "jwt expired"
    return payload, ""


def _revoked_key(payload: dict[str, Any]) -> str:
    return f"revoked_jwt:{payload.get('jti')}"


def agent_of_token(sb: Sandbox, token: str) -> tuple[Agent | None, str]:
    """The agent a token of this sandbox acts as, or None and why it is refused."""
    payload, why = claims(sb.store.signing_secret, token, sb.clock())
    if payload is None:
        return None, why
    if sb.store.meta(_revoked_key(payload)) is not None:
        return None, "This login has ended (logged out); log in again"
    try:
        agent = sb.agent(int(payload.get("sub", "")))
    except (TypeError, ValueError):
        agent = None
    return (agent, "") if agent is not None else (None, "The login's user no longer exists")


def refusal(sb: Sandbox, key: str) -> str:
    """The 401's message for a credential nobody holds: a token's own reason, else an unknown key."""
    return agent_of_token(sb, key)[1] if is_token(key) else "Invalid API key"


def revoke(sb: Sandbox, token: str) -> dict[str, Any] | None:
    """End a valid token's login (its payload), or None when it was not one."""
    payload, _ = claims(sb.store.signing_secret, token, sb.clock())
    if payload is None:
        return None
    sb.store.set_meta(_revoked_key(payload), str(payload["exp"]))
    return payload
