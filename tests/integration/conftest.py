"""Integration fixtures: a real ApiClient on a real sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.http import httpx
from tui.core.models import Conversation


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


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
async def client(sandbox: Any, transport: CountingTransport) -> AsyncIterator[ApiClient]:
    async with ApiClient(sandbox_profile(sandbox), transport=transport) as c:
        yield c


async def all_conversations(client: ApiClient) -> list[Conversation]:
    page = await client.list_conversations(limit=200)
    return page.data


async def find(client: ApiClient, channel: str, window: str | None = None) -> Conversation:
    """A seeded conversation on `channel` whose window is "open", "closed" or "never"."""
    now = datetime.now(UTC)
    for c in await all_conversations(client):
        if c.channel != channel:
            continue
        last = c.last_inbound_message_at
        state = (
            None
            if window is None
            else "never"
            if last is None
            else "open"
            if now - last < timedelta(hours=23)
            else "closed"
            if now - last > timedelta(hours=25)
            else "edge"
        )
        if window is None or state == window:
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
