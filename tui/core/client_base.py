"""The HTTP plumbing under `ApiClient`: async httpx, auth per profile, one deadline per request,
bounded JSON, Feathers errors -> typed errors, and the request budget.

Two httpx clients: one for the API (credentials attached), one for object storage (no
credentials, ever). Every failure becomes a `SwitchboardError` with one sentence; the API key is
scrubbed from any text that could reach the user. Every API request is spent from the profile's
`RequestBudget` before it leaves, and none leaves while a 429's `retryAfter` runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from tui import __version__
from tui.core.budget import RequestBudget
from tui.core.client_deadline import Progress, deadline_seconds, storage_deadline
from tui.core.client_parse import MAX_RESPONSE_BYTES, UnreadableJson, load_json, parse_model
from tui.core.config import Paths, ResolvedProfile
from tui.core.errors import ApiError, BadResponseError, RateLimitedError, SwitchboardError, TransportError
from tui.core.http import httpx
from tui.core.http_errors import (
    answer_deadline_error,
    api_error,
    connect_deadline_error,
    masked,
    transport_error,
)
from tui.core.logins import explain_refusal
from tui.core.query import Query, encode
from tui.core.text import one_line, redact
from tui.core.timefmt import human_duration

M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"switchboard/{__version__}"
#: How long an idle connection is kept for the next request: under the servers' own idle limits.
KEEPALIVE_SECONDS = 4.0
#: A 429 without a delay still stops the profile's requests this long.
DEFAULT_BLOCK_SECONDS = 60.0


class HttpApi:
    """One profile's connection to the API: the plumbing every endpoint uses. Use the
    subclass `ApiClient` as an async context manager."""

    def __init__(
        self,
        profile: ResolvedProfile,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        budget: RequestBudget | None = None,
    ) -> None:
        """`budget`: the profile's shared count (`open_budget`); without one, this client's own."""
        self.profile = profile
        self.budget = budget or RequestBudget(profile.name)
        self.timeout = httpx.Timeout(profile.timeout_seconds, connect=min(10.0, profile.timeout_seconds))
        self._secrets = (str(profile.api_key),)
        self._http = httpx.AsyncClient(
            base_url=profile.base_url,
            headers={**profile.auth_headers(), "Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=self.timeout,
            follow_redirects=False,
            transport=transport,
            # A plain-http base URL (the sandbox on loopback, or allow_insecure_http) never
            # speaks TLS on this client (relative paths only, no redirects followed): loading
            # the CA bundle for it cost ~50 ms before the first rows.
            verify=profile.base_url.startswith("https://"),
            # Idle connections are dropped before a server drops them (Node's default, which a
            # Feathers server has, is 5 s; the sandbox keeps it): a request then rarely meets a
            # connection closed under it, and `Progress.stale` retries a read that does.
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
        )
        #: Requests sent again because a pooled connection had been closed under them.
        self.stale_retries = 0
        self._storage_transport = transport
        self._storage: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._storage is not None:
            await self._storage.aclose()

    @property
    def storage(self) -> httpx.AsyncClient:
        """The client for signed upload URLs: no API credentials, no cookies, no redirects."""
        if self._storage is None:
            self._storage = httpx.AsyncClient(
                headers={"User-Agent": USER_AGENT},
                timeout=httpx.Timeout(self.profile.timeout_seconds * 4, connect=10.0),
                follow_redirects=False,
                transport=self._storage_transport,
            )
        return self._storage

    # -- plumbing -------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Query | None = None,
        json_body: dict[str, Any] | None = None,
        allow_empty: bool = False,
    ) -> Any:
        """Send one request and return its parsed JSON, or raise a typed error (key scrubbed).
        `params` is a Feathers query, written in the `qs` bracket form (`tui.core.query`);
        `allow_empty`: an empty answer (a DELETE's) is None, not an error."""
        try:
            self._check_budget()
            self.budget.spend()
            return await self._request(
                method,
                path,
                what=what,
                params=encode(params) if params else None,
                json_body=json_body,
                allow_empty=allow_empty,
            )
        except RateLimitedError as exc:
            if exc.status == 429:  # the server's word: every request of the profile waits
                wait = exc.retry_after if exc.retry_after is not None else DEFAULT_BLOCK_SECONDS
                self.budget.block(wait, exc.sentence)
            failure: SwitchboardError = exc
        except SwitchboardError as exc:
            failure = exc
        raise self._scrub(explain_refusal(failure, self.profile))  # a 401 on a login: log in again

    def _check_budget(self) -> None:
        """Nothing leaves while the server's `retryAfter` runs (in any process of this machine)."""
        wait = self.budget.blocked_for()
        if wait > 0:
            raise RateLimitedError(
                f"The organization's API budget is spent (the server refused more); requests resume in "
                f"{human_duration(timedelta(seconds=wait))}. Nothing was sent.",
                retry_after=wait,
                status=0,
            )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: list[tuple[str, str]] | None,
        json_body: dict[str, Any] | None,
        allow_empty: bool = False,
    ) -> Any:
        url = str(self._http.base_url).rstrip("/") + path
        timeout = self.profile.timeout_seconds
        for attempt in (1, 2):
            progress = Progress()
            try:
                async with asyncio.timeout(deadline_seconds(timeout)):
                    async with self._http.stream(
                        method,
                        path,
                        params=httpx.QueryParams(tuple(params or ())),
                        json=json_body,
                        extensions={"trace": progress.trace},
                    ) as response:
                        body = await self._read_capped(response)
                break
            except TimeoutError:  # the deadline (httpx's own timeouts are httpx errors)
                await progress.abandon()
                if not progress.may_have_left:
                    raise connect_deadline_error(url, timeout) from None
                raise answer_deadline_error(url, timeout, method=method, what=what) from None
            except httpx.TransportError as exc:
                if attempt == 1 and progress.stale(exc, method):
                    self.stale_retries += 1
                    continue  # a keep-alive connection closed under us: once more, on a new one
                raise transport_error(exc, url, timeout, method=method, what=what) from None
        if response.status_code >= 400:
            raise api_error(response, body, what=what, secrets=self._secrets, method=method)
        if 300 <= response.status_code < 400:
            target = response.headers.get("location", "elsewhere")
            raise BadResponseError(
                f"The server redirected {what} to {one_line(target, 80)}; set base_url to the final address.",
                status=response.status_code,
            )
        if allow_empty and not body.strip():
            return None
        try:
            return load_json(body)
        except UnreadableJson as exc:
            raise BadResponseError(
                f"The server answered {what} with {exc.shape} instead of the API's JSON; check that "
                "base_url points at the AchieveApex API.",
                status=response.status_code,
            ) from None

    async def _read_capped(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise BadResponseError(
                    f"The server's answer is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB, far more "
                    "than the API sends; check base_url.",
                    status=response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def redact(self, text: str) -> str:
        """`text` with this profile's key masked: for anything shown that a server could echo."""
        return redact(text, *self._secrets)

    def _scrub(self, error: SwitchboardError) -> SwitchboardError:
        """The key masked in every part of `error`, and its chain cut: the httpx error it replaced
        holds the request, and so the key in its headers."""
        error.sentence = redact(error.sentence, *self._secrets)
        error.args = (error.sentence,)
        if isinstance(error, ApiError):
            error.name = redact(error.name, *self._secrets)
            error.errors = masked(error.errors, self._secrets)
            error.data = masked(error.data, self._secrets)
        error.__cause__ = error.__context__ = None
        error.__suppress_context__ = False
        return error

    async def put_object(
        self, url: str, content: AsyncIterator[bytes], *, size: int, mime: str
    ) -> httpx.Response:
        """PUT raw bytes to a signed URL. Returns the response whatever its status. The whole PUT
        is bounded by `storage_deadline` (4 x timeout + the time `size` takes at 64 KiB/s)."""
        timeout = self.profile.timeout_seconds
        limit = storage_deadline(timeout, size)
        progress = Progress()
        try:
            async with asyncio.timeout(limit):
                return await self.storage.put(
                    url,
                    content=content,
                    headers={"Content-Type": mime, "Content-Length": str(size)},
                    extensions={"trace": progress.trace},
                )
        except TimeoutError:  # the deadline (httpx's own timeouts are httpx errors)
            await progress.abandon()
            if not progress.may_have_left:
                raise connect_deadline_error(url, timeout) from None
            host = urlsplit(url).hostname or "storage"
            raise TransportError(
                f"The upload to {host} did not finish within {limit:.0f} s; try again, on a faster "
                "network if you can.",
                retry_safe=False,
            ) from None
        except httpx.TransportError as exc:
            raise transport_error(exc, url, timeout, method="PUT", what="the upload") from None

    def _parse(self, model: type[M], data: Any, what: str) -> M:
        return parse_model(model, data, what)

    @property
    def paths(self) -> Paths:
        return self.profile.paths

    @property
    def org(self) -> int:
        return self.profile.organization_id


__all__ = [
    "DEFAULT_BLOCK_SECONDS",
    "MAX_RESPONSE_BYTES",
    "USER_AGENT",
    "HttpApi",
    "api_error",
    "transport_error",
]
