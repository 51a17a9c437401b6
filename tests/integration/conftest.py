"""Integration fixtures: a real ApiClient on a real sandbox over loopback HTTP, which serves
each test twice: with the optional [ours] fields (contact, last message) and with the documented
record alone, as a server that follows the reference does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CountingTransport, sandbox_profile
from tui.core.client import ApiClient


@pytest.fixture(params=["with-ours", "documented-only"])
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    from tui.sandbox.runner import start_in_thread

    documented = request.param == "documented-only"
    running = start_in_thread(data_dir=tmp_path / "sandbox", documented_fields_only=documented)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
async def client(sandbox: Any, transport: CountingTransport) -> AsyncIterator[ApiClient]:
    async with ApiClient(sandbox_profile(sandbox), transport=transport) as c:
        yield c
