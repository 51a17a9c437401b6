"""Integration fixtures: a real ApiClient on a real sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.helpers import CountingTransport, sandbox_profile
from tui.core.client import ApiClient


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
async def client(sandbox: Any, transport: CountingTransport) -> AsyncIterator[ApiClient]:
    async with ApiClient(sandbox_profile(sandbox), transport=transport) as c:
        yield c
