"""UI fixtures: the app on a real sandbox over loopback, isolated from the user's config."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tui.app import SwitchboardApp
from tui.core.config import Config


def sandbox_config(sandbox: Any, *, realtime: str = "off", **extra: Any) -> Config:
    """A profile on the test's sandbox. Live updates are off unless a test asks for them
    (`realtime="auto"`): the title bar then says "polling" from the start, so screens and
    snapshots do not depend on when a socket connected."""
    return Config.model_validate(
        {
            "default_profile": "local",
            "profiles": {
                "local": {
                    "base_url": sandbox.base_url,
                    "organization_id": sandbox.organization_id,
                    "api_key": sandbox.api_key,
                    "media_base_url": sandbox.media_base_url,
                    "realtime": realtime,
                }
            },
            **extra,
        }
    )


def sandbox_both_ways(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    """A sandbox serving the optional [ours] fields, or (param "documented-only") the documented
    record alone, as a server that follows the reference: main-flow modules run both ways by
    overriding their `sandbox` fixture with this one."""
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(
        data_dir=tmp_path / "sandbox", documented_fields_only=request.param == "documented-only"
    )
    try:
        yield running
    finally:
        running.stop()


BOTH_WAYS = ["with-ours", "documented-only"]


@pytest.fixture
def make_app(sandbox: Any) -> Callable[..., SwitchboardApp]:
    def make(**extra: Any) -> SwitchboardApp:
        return SwitchboardApp(config=sandbox_config(sandbox, **extra))

    return make


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `condition` holds; fail with a clear message after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the app did not reach the expected state in time")
        await pilot.pause(0.05)


def notifications(app: SwitchboardApp) -> list[str]:
    return [n.message for n in app._notifications]
