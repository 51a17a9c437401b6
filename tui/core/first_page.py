"""The inbox's first page, read before the HTTP client and the models load.

pydantic, httpx and the config's models cost more than the rest of a start together, and the
first rows wait for none of them: as soon as the first frame is drawn, the first page of All is
asked for with the standard library (`http.client`, in a thread), from what the config file says
(read with `tomllib`, checked by the same rules `config.resolve` applies: https or loopback, the
key from its variable or from a file only its owner can read) or from the embedded sandbox's
child. The answer is drawn at once (`row_view`) and handed to the real client once it is open,
which reads it as any page (the request is spent from the budget then). Anything unusual (a
setting missing, an error, an answer not plainly a page) and this returns None: the normal path
then reads and reports as it always did.
"""

from __future__ import annotations

import http.client
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from tui import __version__
from tui.core.hosts import is_loopback
from tui.core.query import encode

#: The most the quick read accepts (a first page is a few tens of kilobytes).
MAX_BYTES = 4 * 1024 * 1024
#: The quick read gives up sooner than a real request would: the normal path follows anyway.
TIMEOUT_SECONDS = 5.0
#: The first page of All, as `ApiClient.list_conversations` asks for it (golden-tested equal).
QUERY: dict[str, Any] = {"$limit": 50, "$skip": 0, "$sort": {"last_interaction_at": -1}}


@dataclass(frozen=True)
class Target:
    """Where the first page is asked for, and with which credentials."""

    base_url: str
    organization_id: int
    headers: dict[str, str]

    def __repr__(self) -> str:  # the headers hold the key
        return f"Target({self.base_url!r}, {self.organization_id})"


def _auth(auth: Any, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if auth == "bearer" else {"x-api-key": key}


def target_from_config(profile: dict[str, Any], config_path: Path) -> Target | None:
    """A real profile's target from the config file's raw table, or None when anything the full
    validation would question is in the way (it then says what)."""
    base_url, org, auth = (
        profile.get("base_url"),
        profile.get("organization_id"),
        profile.get("auth", "x-api-key"),
    )
    if not isinstance(base_url, str) or isinstance(org, bool) or not isinstance(org, int):
        return None
    if auth not in ("x-api-key", "bearer") or profile.get("sandbox") is True:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if (
        parts.scheme == "http"
        and not is_loopback(parts.hostname or "")
        and profile.get("allow_insecure_http") is not True
    ):
        return None
    key = _key(profile, config_path)
    if not key:
        return None
    return Target(base_url.rstrip("/"), org, _auth(auth, key))


def _key(profile: dict[str, Any], config_path: Path) -> str | None:
    env = profile.get("api_key_env")
    if isinstance(env, str) and env:
        return os.environ.get(env, "").strip() or None
    key = profile.get("api_key")
    if not isinstance(key, str) or not key.strip():
        return None
    try:
        private = not stat.S_IMODE(config_path.stat().st_mode) & 0o077
    except OSError:
        return None
    return key.strip() if private else None  # a readable file's key is refused by validation


def target_for_sandbox(base_url: str, organization_id: int, api_key: str) -> Target:
    """The embedded sandbox's child, as it said where it listens."""
    return Target(base_url.rstrip("/"), organization_id, _auth("x-api-key", api_key))


def path_and_query(target: Target, conversations_path: str = "/conversations") -> str:
    """The request line's target: the same query, in the same order, the client sends."""
    pairs = encode({"organization_id": target.organization_id, **QUERY})
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    prefix = urlsplit(target.base_url).path.rstrip("/")
    return f"{prefix}{conversations_path}?{query}"


def fetch(target: Target, conversations_path: str = "/conversations") -> Any | None:
    """The first page's JSON, or None (any failure: the normal path reads it again and says
    what is wrong). Blocking: run it in a thread."""
    parts = urlsplit(target.base_url)
    port = parts.port
    connection: http.client.HTTPConnection
    try:
        if parts.scheme == "https":
            import ssl

            connection = http.client.HTTPSConnection(
                parts.hostname or "", port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname or "", port, timeout=TIMEOUT_SECONDS)
        headers = {
            **target.headers,
            "Accept": "application/json",
            "User-Agent": f"switchboard/{__version__}",
        }
        try:
            connection.request("GET", path_and_query(target, conversations_path), headers=headers)
            response = connection.getresponse()
            if response.status != 200:
                return None
            body = response.read(MAX_BYTES + 1)
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError):
        return None
    if len(body) > MAX_BYTES:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


__all__ = ["QUERY", "Target", "fetch", "path_and_query", "target_for_sandbox", "target_from_config"]
