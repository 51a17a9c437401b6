"""The AchieveApex HTTP client: async httpx, auth per profile, Feathers errors -> typed errors.

Two httpx clients: one for the API (credentials attached), one for object storage (no
credentials, ever). Every failure becomes a `SwitchboardError` with one sentence; the API key is
scrubbed from any text that could reach the user.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from tui import __version__
from tui.core.config import ResolvedProfile
from tui.core.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SwitchboardError,
    TooLargeError,
    TransportError,
)
from tui.core.http import httpx
from tui.core.models import (
    Conversation,
    ConversationFile,
    Message,
    Page,
    SignedUpload,
    Template,
)
from tui.core.text import one_line, redact
from tui.core.timefmt import human_seconds

M = TypeVar("M", bound=BaseModel)

#: JSON answers larger than this are refused rather than parsed (a misrouted download, a loop).
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
USER_AGENT = f"switchboard/{__version__}"


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        chain.append(current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return chain


def transport_error(exc: httpx.TransportError, url: str, timeout: float) -> TransportError:
    """One sentence for a failure below HTTP, and whether the request provably never left."""
    parts = urlsplit(url)
    host = parts.hostname or url
    where = f"{host}:{parts.port}" if parts.port else host
    chain = _cause_chain(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return TransportError(
            f"Connecting to {where} timed out after {timeout:g} s; check the network and base_url.",
            retry_safe=True,
        )
    if isinstance(exc, httpx.PoolTimeout):
        return TransportError("Too many requests were waiting for a connection; try again.", retry_safe=True)
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, ssl.SSLError) for e in chain):
            detail = next(
                (getattr(e, "reason", None) or str(e) for e in chain if isinstance(e, ssl.SSLError)), ""
            )
            return TransportError(
                f"The secure (TLS) connection to {host} failed ({one_line(str(detail), 80)}); check "
                "the URL and the server's certificate.",
                retry_safe=True,
            )
        if any(isinstance(e, socket.gaierror) for e in chain) or "Name or service not known" in str(exc):
            return TransportError(
                f"The host {host} cannot be found (DNS lookup failed); check base_url and the network.",
                retry_safe=True,
            )
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in str(exc).lower():
            return TransportError(
                f"Nothing is answering at {where} (connection refused); check that the server is "
                "running and base_url is right.",
                retry_safe=True,
            )
        return TransportError(
            f"Cannot connect to {where} ({one_line(str(exc), 80) or 'network error'}); check the network.",
            retry_safe=True,
        )
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return TransportError(
            f"{host} did not answer within {timeout:g} s; the request may still have been processed, "
            "so check before sending again.",
            retry_safe=False,
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return TransportError(f"The URL {url!r} is not http or https; fix base_url.", retry_safe=True)
    return TransportError(
        f"The connection to {host} broke before an answer came; the request may still have been "
        "processed, so check before sending again.",
        retry_safe=False,
    )


def _retry_after(response: httpx.Response, data: Any) -> float | None:
    if isinstance(data, dict):
        value = data.get("retryAfter", data.get("retry_after"))
        if isinstance(value, int | float) and value >= 0:
            return float(value)
    header = response.headers.get("retry-after")
    if header and header.strip().isdigit():
        return float(header.strip())
    return None


def api_error(response: httpx.Response, body: bytes, *, what: str, secrets: tuple[str, ...]) -> ApiError:
    """Map an error answer (Feathers JSON, HTML, text or nothing) to a typed error."""
    status = response.status_code
    parsed: Any = None
    ctype = response.headers.get("content-type", "")
    if body.strip():
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    payload = parsed if isinstance(parsed, dict) else {}
    name = str(payload.get("name") or response.reason_phrase or "")
    server_msg = one_line(redact(str(payload.get("message") or ""), *secrets), 200)
    data = payload.get("data")
    raw_errors = payload.get("errors")
    errors = (
        {str(k): one_line(redact(str(v), *secrets), 120) for k, v in raw_errors.items()}
        if isinstance(raw_errors, dict)
        else {}
    )
    said = f": {server_msg}" if server_msg else ""
    kw = {"status": status, "name": name, "data": data, "errors": errors}

    if not payload:
        if not body.strip():
            shape = "an empty answer"
        elif "html" in ctype or body.lstrip()[:1] == b"<":
            shape = "an HTML page"
        else:
            shape = "plain text"
        if status in (401, 403):
            return AuthError(
                f"The server refused the credentials ({status}, {shape}); "
                "check the API key and auth setting.",
                **kw,
            )
        if status == 429:
            after = _retry_after(response, None)
            wait = f"; try again in {human_seconds(after)}" if after is not None else "; try again later"
            return RateLimitedError(f"The API rate limit is reached{wait}.", retry_after=after, **kw)
        if status >= 500:
            return ServerError(
                f"The server failed with {status} and {shape} instead of the API's JSON; "
                f"{_unsure_hint(what)}",
                retry_after=_retry_after(response, None),
                **kw,
            )
        return BadResponseError(
            f"The server answered {status} with {shape} instead of the API's JSON; check that base_url "
            "points at the AchieveApex API.",
            **kw,
        )

    if status == 401:
        return AuthError(
            f"The server refused the API key (401{said}); check the key and the auth setting.", **kw
        )
    if status == 403:
        return AuthError(
            f"The API key is not allowed to do this (403{said}); check organization_id and the key's rights.",
            **kw,
        )
    if status == 404:
        return NotFoundError(f"{what[:1].upper()}{what[1:]} was not found (404{said}); check the id.", **kw)
    if status == 409:
        return ConflictError(f"The server refused by channel policy (409{said}).", **kw)
    if status == 413:
        return TooLargeError(f"The server refused it as too large (413{said}); send a smaller file.", **kw)
    if status in (400, 422):
        if errors:
            fields = "; ".join(f"{k}: {v}" for k, v in list(errors.items())[:4])
            return InvalidRequestError(f"The server rejected {what} ({status}): {fields}.", **kw)
        return InvalidRequestError(f"The server rejected {what} ({status}{said}).", **kw)
    if status == 429:
        after = _retry_after(response, data)
        wait = f"; try again in {human_seconds(after)}" if after is not None else "; try again later"
        return RateLimitedError(f"The API rate limit is reached{wait}.", retry_after=after, **kw)
    if status >= 500:
        return ServerError(
            f"The server failed ({status}{said}); {_unsure_hint(what)}",
            retry_after=_retry_after(response, data),
            **kw,
        )
    return ApiError(f"The server refused {what} ({status}{said}).", **kw)


def _unsure_hint(what: str) -> str:
    if what.startswith(("the message", "the note", "the template")):
        return "it may or may not have been stored, so check the conversation before sending again."
    return "try again in a moment."


class ApiClient:
    """One profile's connection to the API. Use as an async context manager."""

    def __init__(
        self, profile: ResolvedProfile, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.profile = profile
        self.timeout = httpx.Timeout(profile.timeout_seconds, connect=min(10.0, profile.timeout_seconds))
        self._secrets = (str(profile.api_key),)
        self._http = httpx.AsyncClient(
            base_url=profile.base_url,
            headers={**profile.auth_headers(), "Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=self.timeout,
            follow_redirects=False,
            transport=transport,
        )
        self._storage_transport = transport
        self._storage: httpx.AsyncClient | None = None
        self._conversations: dict[int, tuple[float, Conversation]] = {}

    async def __aenter__(self) -> ApiClient:
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
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
    ) -> Any:
        """Send one request and return its parsed JSON, or raise a typed error (key scrubbed)."""
        try:
            return await self._request(method, path, what=what, params=params, json_body=json_body)
        except SwitchboardError as exc:
            raise self._scrub(exc) from None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None,
        json_body: dict[str, Any] | None,
    ) -> Any:
        url = str(self._http.base_url).rstrip("/") + path
        try:
            async with self._http.stream(method, path, params=params, json=json_body) as response:
                body = await self._read_capped(response)
        except httpx.TransportError as exc:
            raise transport_error(exc, url, self.profile.timeout_seconds) from None
        if response.status_code >= 400:
            raise api_error(response, body, what=what, secrets=self._secrets)
        if 300 <= response.status_code < 400:
            target = response.headers.get("location", "elsewhere")
            raise BadResponseError(
                f"The server redirected {what} to {one_line(target, 80)}; set base_url to the final address.",
                status=response.status_code,
            )
        try:
            return json.loads(body)
        except ValueError:
            shape = (
                "an HTML page"
                if body.lstrip()[:1] == b"<"
                else ("nothing" if not body.strip() else "broken JSON")
            )
            raise BadResponseError(
                f"The server answered {what} with {shape} instead of the API's JSON; check that base_url "
                "points at the AchieveApex API.",
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
        error.sentence = redact(error.sentence, *self._secrets)
        error.args = (error.sentence,)
        return error

    def _parse(self, model: type[M], data: Any, what: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"]) or "the body"
            raise BadResponseError(
                f"The server's answer for {what} is not what the API documents "
                f"({key}: {err['msg'].lower()}); check base_url and the profile's paths.",
                status=200,
            ) from None

    @property
    def paths(self):
        return self.profile.paths

    @property
    def org(self) -> int:
        return self.profile.organization_id

    # -- reads ----------------------------------------------------------------------------------

    async def list_conversations(
        self,
        *,
        channel: str | None = None,
        status: str | None = None,
        search: str | None = None,
        limit: int = 50,
        skip: int = 0,
    ) -> Page[Conversation]:
        params: dict[str, Any] = {
            "organization_id": self.org,
            "$limit": limit,
            "$skip": skip,
            "$sort[last_message_at]": -1,
        }
        if channel:
            params["channel"] = channel
        if status:
            params["status"] = status
        if search:
            params["$search"] = search
        data = await self.request(
            "GET", self.paths.conversations, what="the conversation list", params=params
        )
        return self._parse(Page[Conversation], data, "the conversation list")

    async def get_conversation(self, conversation_id: int, *, max_age: float = 0.0) -> Conversation:
        """The conversation; with `max_age`, a copy read that many seconds ago or less will do
        (a script sending many messages to one conversation need not read it before each)."""
        seen = self._conversations.get(conversation_id)
        if max_age > 0 and seen is not None and time.monotonic() - seen[0] <= max_age:
            return seen[1]
        what = f"conversation {conversation_id}"
        data = await self.request(
            "GET",
            f"{self.paths.conversations}/{conversation_id}",
            what=what,
            params={"organization_id": self.org},
        )
        conversation = self._parse(Conversation, data, what)
        self._conversations[conversation_id] = (time.monotonic(), conversation)
        return conversation

    async def list_messages(self, conversation_id: int, *, limit: int = 50, skip: int = 0) -> Page[Message]:
        what = f"the messages of conversation {conversation_id}"
        data = await self.request(
            "GET",
            self.paths.messages,
            what=what,
            params={
                "conversation_id": conversation_id,
                "$limit": limit,
                "$skip": skip,
                "$sort[created_at]": -1,
            },
        )
        return self._parse(Page[Message], data, what)

    async def list_templates(self, *, status: str | None = None, limit: int = 200) -> list[Template]:
        """Every WhatsApp template of the organization (all pages)."""
        templates: list[Template] = []
        skip = 0
        while True:
            params: dict[str, Any] = {
                "organization_id": self.org,
                "channel": "whatsapp",
                "$limit": limit,
                "$skip": skip,
            }
            if status:
                params["status"] = status
            data = await self.request("GET", self.paths.templates, what="the template list", params=params)
            page = self._parse(Page[Template], data, "the template list")
            templates.extend(page.data)
            skip += len(page.data)
            if not page.data or not page.has_more:
                return templates

    # -- upload steps ---------------------------------------------------------------------------

    async def sign_upload(self, *, file_name: str, file_type: str, conversation_id: int) -> SignedUpload:
        what = f"the upload of {file_name!r}"
        data = await self.request(
            "POST",
            self.paths.sign_upload,
            what=what,
            json_body={
                "file_name": file_name,
                "file_type": file_type,
                "conversation_id": conversation_id,
                "organization_id": self.org,
            },
        )
        return self._parse(SignedUpload, data, what)

    async def put_object(
        self, url: str, content: AsyncIterator[bytes], *, size: int, mime: str
    ) -> httpx.Response:
        """PUT raw bytes to a signed URL. Returns the response whatever its status."""
        try:
            return await self.storage.put(
                url, content=content, headers={"Content-Type": mime, "Content-Length": str(size)}
            )
        except httpx.TransportError as exc:
            raise transport_error(exc, url, self.profile.timeout_seconds) from None

    async def create_file(self, body: dict[str, Any]) -> ConversationFile:
        what = f"the upload of {body.get('file_name')!r}"
        data = await self.request("POST", self.paths.files, what=what, json_body=body)
        return self._parse(ConversationFile, data, what)

    # -- send -----------------------------------------------------------------------------------

    async def post_message(self, path: str, body: dict[str, Any], *, what: str = "the message") -> Message:
        data = await self.request("POST", path, what=what, json_body=body)
        return self._parse(Message, data, what)


ProgressFn = Callable[[int, int], None]
