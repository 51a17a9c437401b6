"""The request budget: every request counted per profile over a sliding hour, shared by the
processes of a machine through the log; a 429's `retryAfter` stops every request of the profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.core.budget import BudgetLog, RequestBudget
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.errors import RateLimitedError
from tui.core.http import httpx


def profile() -> ResolvedProfile:
    return ResolvedProfile(
        name="acme",
        base_url="https://api.example.test",
        organization_id=1,
        api_key=Secret("k"),
        auth="x-api-key",
        media_base_url="https://media.example.test",
        timeout_seconds=5,
        paths=Paths(),
        limits={},
    )


def test_a_sliding_hour_shared_through_the_log(tmp_path: Path) -> None:
    now = [1000.0]
    log = BudgetLog(tmp_path / "requests.sqlite3")
    app = RequestBudget("acme", log=log, clock=lambda: now[0])
    cli = RequestBudget("acme", log=BudgetLog(tmp_path / "requests.sqlite3"), clock=lambda: now[0])
    other = RequestBudget("demo", log=log, clock=lambda: now[0])
    for _ in range(3):
        app.spend()
    cli.spend()
    other.spend()
    assert app.used() == 3  # not flushed: this process's own
    app.flush()
    cli.flush()
    other.flush()
    app.flush()
    assert app.used() == 4 and cli.used() == 4 and other.used() == 1
    now[0] += 3601
    app.flush()
    assert app.used() == 0


def test_polling_slows_as_the_hour_fills() -> None:
    budget = RequestBudget("acme", limit=100)
    assert budget.poll_factor() == 1.0
    for _ in range(51):
        budget.spend()
    assert budget.poll_factor() == 2.0
    for _ in range(25):
        budget.spend()
    assert budget.poll_factor() == 4.0
    for _ in range(15):
        budget.spend()
    assert budget.poll_factor() is None


async def test_a_429_stops_every_request_of_the_profile_until_its_retry_after(tmp_path: Path) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        body = {
            "name": "TooManyRequests",
            "message": "Rate limit exceeded",
            "code": 429,
            "data": {"limit": 1000, "current": 1001, "window": 3600, "retryAfter": 542},
        }
        return httpx.Response(
            429, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )

    log = BudgetLog(tmp_path / "requests.sqlite3")
    budget = RequestBudget("acme", log=log)
    async with ApiClient(profile(), transport=httpx.MockTransport(answer), budget=budget) as client:
        with pytest.raises(RateLimitedError) as first:
            await client.list_conversations()
        assert first.value.retry_after == 542
        with pytest.raises(RateLimitedError, match="requests resume in 9 min") as second:
            await client.get_conversation(3)
        assert second.value.retry_safe
    assert asked == ["/conversations"]  # the second never left
    # Another process on the machine (the CLI) hears it at its first flush.
    elsewhere = RequestBudget("acme", log=BudgetLog(tmp_path / "requests.sqlite3"))
    elsewhere.flush()
    assert 500 < elsewhere.blocked_for() <= 542


async def test_every_request_is_spent() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"total": 0, "limit": 50, "skip": 0, "data": []})

    budget = RequestBudget("acme")
    async with ApiClient(profile(), transport=httpx.MockTransport(answer), budget=budget) as client:
        await client.list_conversations()
        await client.count_conversations()
    assert budget.used() == 2
