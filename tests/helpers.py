"""Helpers shared by the integration, CLI and UI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui.core.channels import channel_spec
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.http import httpx
from tui.core.models import Conversation
from tui.core.policy import window_state


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that also remembers every request it sent."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await super().handle_async_request(request)


def sandbox_profile(sandbox: Any, **limits: Any) -> ResolvedProfile:
    return ResolvedProfile(
        name="sandbox",
        base_url=sandbox.base_url,
        organization_id=sandbox.organization_id,
        api_key=Secret(sandbox.api_key),
        auth="x-api-key",
        media_base_url=sandbox.media_base_url,
        timeout_seconds=10,
        paths=Paths(),
        limits=limits,
        is_sandbox=True,
    )


async def all_conversations(client: ApiClient) -> list[Conversation]:
    """Every conversation (the seed's 30 fit one page of 50)."""
    page = await client.list_conversations()
    return page.data


def window_of(c: Conversation) -> str:
    """ "open", "closed", "never" or "unknown" (the record does not say), by the client's rule."""
    state = window_state(c, channel_spec(c.channel))
    if not state.known:
        return "unknown"
    return "never" if state.never_opened else "open" if state.open else "closed"


async def find(client: ApiClient, channel: str, window: str | None = None) -> Conversation:
    """A seeded conversation on `channel` whose window is "open", "closed" or "never" (its
    messages read first when the server's record does not say: a documented-only server)."""
    for c in await all_conversations(client):
        if c.channel != channel:
            continue
        if window is not None and window_of(c) == "unknown":
            await client.list_messages(c.id, channel=c.channel)
            c = client.cache.get(c.id) or c
        if window is None or window_of(c) == window:
            return c
    raise LookupError(f"the sandbox seed has no {channel} conversation with window {window}")


PNG_HEAD = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def make_png(path: Path, size: int = 4096) -> Path:
    path.write_bytes(PNG_HEAD + bytes(i % 251 for i in range(size - len(PNG_HEAD))))
    return path


def make_pdf(path: Path, size: int = 8192) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + b"0" * (size - 9))
    return path


class FaultyTransport(CountingTransport):
    """A real transport with faults on demand, for the failures a real server cannot produce at
    will. `plan(request)` returns None (pass), "refuse" (a connection error before anything left),
    or "timeout_after" (the server handled the request, then the answer never came)."""

    def __init__(self, plan: Any) -> None:
        super().__init__()
        self.plan = plan

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.plan(request)
        if fault == "refuse":
            self.requests.append(request)
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        response = await super().handle_async_request(request)
        if fault == "timeout_after":
            await response.aread()
            raise httpx.ReadTimeout("timed out", request=request)
        return response
