"""The AchieveApex HTTP client: async httpx, auth per profile, Feathers errors -> typed errors.

Two httpx clients: one for the API (credentials attached), one for object storage (no
credentials, ever). Every failure becomes a `SwitchboardError` with one sentence; the API key is
scrubbed from any text that could reach the user.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from tui import __version__
from tui.core.client_deadline import Progress, deadline_seconds, storage_deadline
from tui.core.client_parse import MAX_RESPONSE_BYTES, UnreadableJson, load_json, parse_items, parse_model
from tui.core.config import Paths, ResolvedProfile
from tui.core.errors import (
    ApiError,
    BadResponseError,
    ConfigError,
    NotFoundError,
    SwitchboardError,
    TransportError,
)
from tui.core.http import httpx
from tui.core.http_errors import (
    answer_deadline_error,
    api_error,
    connect_deadline_error,
    masked,
    transport_error,
)
from tui.core.models import (
    Conversation,
    ConversationFile,
    Message,
    Page,
    SignedUpload,
    Template,
    User,
)
from tui.core.text import one_line, redact

M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"switchboard/{__version__}"


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
            # A plain-http base URL (the sandbox on loopback, or allow_insecure_http) never
            # speaks TLS on this client (relative paths only, no redirects followed): loading
            # the CA bundle for it cost ~50 ms before the first rows.
            verify=profile.base_url.startswith("https://"),
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
            failure = exc
        raise self._scrub(failure)

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
        timeout = self.profile.timeout_seconds
        progress = Progress()
        try:
            async with asyncio.timeout(deadline_seconds(timeout)):
                async with self._http.stream(
                    method, path, params=params, json=json_body, extensions={"trace": progress.trace}
                ) as response:
                    body = await self._read_capped(response)
        except TimeoutError:  # the deadline (httpx's own timeouts are httpx errors)
            await progress.abandon()
            if not progress.may_have_left:
                raise connect_deadline_error(url, timeout) from None
            raise answer_deadline_error(url, timeout, method=method, what=what) from None
        except httpx.TransportError as exc:
            raise transport_error(exc, url, timeout, method=method, what=what) from None
        if response.status_code >= 400:
            raise api_error(response, body, what=what, secrets=self._secrets, method=method)
        if 300 <= response.status_code < 400:
            target = response.headers.get("location", "elsewhere")
            raise BadResponseError(
                f"The server redirected {what} to {one_line(target, 80)}; set base_url to the final address.",
                status=response.status_code,
            )
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

    def _parse(self, model: type[M], data: Any, what: str) -> M:
        return parse_model(model, data, what)

    @property
    def paths(self) -> Paths:
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
        # Row by row: one that cannot be read stays in its place, marked (`Conversation.unreadable`).
        return parse_items(
            Conversation,
            data,
            "the conversation list",
            noun="conversation",
            fallback_id=lambda i: -(skip + i + 1),
        )

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
        # Item by item: one bad message is shown as unreadable in place, never an empty history.
        return parse_items(
            Message, data, what, noun="message", fallback_id=lambda i: f"unreadable-{i}-{skip}"
        )

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

    # -- who the agent is ----------------------------------------------------------------------

    async def get_me(self) -> User:
        """The agent this key belongs to. A server without `GET /users/me` (404) falls back to
        the profile's `user_id`; without one, a `ConfigError` says to set it."""
        what = "who you are"
        try:
            data = await self.request("GET", self.paths.users_me, what=what)
        except NotFoundError:
            if self.profile.user_id is not None:
                return User(id=self.profile.user_id)
            raise ConfigError(
                f"The server does not say who you are ({self.paths.users_me} answered 404); set "
                f"user_id = <your user id> in profiles.{self.profile.name} of the config "
                "(`switchboard users` lists the ids)."
            ) from None
        return self._parse(User, data, what)

    async def list_users(self, limit: int = 100) -> list[User]:
        """The organization's agents, every page (for "assign to…")."""
        users: list[User] = []
        skip = 0
        while True:
            params: dict[str, Any] = {"organization_id": self.org, "$limit": limit, "$skip": skip}
            data = await self.request("GET", self.paths.users, what="the list of agents", params=params)
            page = self._parse(Page[User], data, "the list of agents")
            users.extend(page.data)
            skip += len(page.data)
            if not page.data or not page.has_more:
                return users

    # -- update ---------------------------------------------------------------------------------

    async def patch_conversation(self, conversation_id: int, body: dict[str, Any]) -> Conversation:
        """Patch the conversation (a body from `payloads`); the answer, the whole patched
        conversation, is read as strictly as `get_conversation` and replaces the cached copy."""
        what = f"the update of conversation {conversation_id}"
        data = await self.request(
            "PATCH",
            f"{self.paths.conversations}/{conversation_id}",
            what=what,
            params={"organization_id": self.org},
            json_body=body,
        )
        conversation = self._parse(Conversation, data, what)
        self._conversations[conversation_id] = (time.monotonic(), conversation)
        return conversation

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

    async def create_file(self, body: dict[str, Any]) -> ConversationFile:
        what = f"the upload of {body.get('file_name')!r}"
        data = await self.request("POST", self.paths.files, what=what, json_body=body)
        return self._parse(ConversationFile, data, what)

    # -- send -----------------------------------------------------------------------------------

    async def post_message(self, path: str, body: dict[str, Any], *, what: str = "the message") -> Message:
        data = await self.request("POST", path, what=what, json_body=body)
        return self._parse(Message, data, what)


__all__ = ["MAX_RESPONSE_BYTES", "USER_AGENT", "ApiClient", "api_error", "transport_error"]
