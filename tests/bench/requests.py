"""Rows 12-14: requests per agent-hour, counted by the server (the sandbox's request log).

The API allows 1,000 requests an hour per organization, shared by every agent of a team, so
what one agent's client spends is measured like speed. Each row is a scripted hour of the real
app (headless, driven by Pilot) against a sandbox on loopback, in compressed time: every timer
that could send a request (the list's and the open conversation's polls, the queue's re-read,
the stale counts' re-read) runs `SPEED` times faster, and the hour lasts 3600 / SPEED seconds.

- 12: an idle inbox with live updates on (the app starts, connects, and sits for an hour);
- 13: an agent who opens 20 conversations one after another and sends a reply in each;
- 14: an idle inbox with live updates off (`realtime = "off"`: it polls).

Socket.IO connections are counted beside the REST requests (a connect is an HTTP request too,
though a Feathers rate limit counts service calls).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.common import log

#: How much faster than real time the scripted hour runs.
SPEED = 60.0
HOUR = 3600.0
REPLIES = 20


def _config(sandbox: Any, realtime: str) -> Any:
    from tui.core.config import Config

    config = Config.model_validate(
        {
            "default_profile": "bench",
            "profiles": {
                "bench": {
                    "base_url": sandbox.base_url,
                    "organization_id": sandbox.organization_id,
                    "api_key": sandbox.api_key,
                    "media_base_url": sandbox.media_base_url,
                    "realtime": realtime,
                }
            },
        }
    )
    if realtime != "off":
        return config  # live: nothing is polled, whatever the interval (a faster one would only
        # poll in the second before the first connect, which a real start does not)
    return config.model_copy(update={"refresh_seconds": config.refresh_seconds / SPEED})


def _compress() -> dict[tuple[Any, str], Any]:
    """Every timer that may send a request, `SPEED` times faster; the old values to restore."""
    import tui.app_queue as app_queue
    import tui.core.queue_state as queue_state
    import tui.screens.conversation as conversation

    patched: dict[tuple[Any, str], Any] = {}
    for module, name in (
        (app_queue, "QUEUE_POLL_SECONDS"),
        (queue_state, "STALE_READ_SECONDS"),
        (conversation, "FRESH_SECONDS"),
    ):
        patched[(module, name)] = getattr(module, name)
        setattr(module, name, getattr(module, name) / SPEED)
    return patched


async def _until(pilot: Any, condition: Any, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app did not reach {what or 'the expected state'} in time")
        await pilot.pause(0.05)


async def _hour(realtime: str, agent: bool) -> dict[str, Any]:
    from tui.app import SwitchboardApp
    from tui.sandbox.runner import start_in_thread
    from tui.screens.conversation import ConversationScreen
    from tui.screens.inbox import InboxScreen

    with tempfile.TemporaryDirectory(prefix="switchboard-bench-requests-") as tmp:
        for var, sub in (
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_STATE_HOME", "state"),
        ):
            os.environ[var] = str(Path(tmp) / sub)  # the budget's log, drafts: never the user's
        sandbox = start_in_thread(data_dir=Path(tmp) / "sandbox")
        try:
            app = SwitchboardApp(config=_config(sandbox, realtime))
            started = time.monotonic()
            async with app.run_test(size=(120, 40)) as pilot:
                await _until(
                    pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.list.loaded, what="rows"
                )
                if realtime != "off":
                    await _until(pilot, lambda: app.live_state == "live", what="live")
                await _until(pilot, lambda: app.queue is not None and app.queue.read_at > 0, what="counts")
                if agent:
                    for n in range(REPLIES):
                        inbox = app.screen
                        assert isinstance(inbox, InboxScreen)
                        inbox.list.cursor = n % max(inbox.list.total, 1)
                        await pilot.press("enter")
                        await _until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="open")
                        screen = app.screen
                        assert isinstance(screen, ConversationScreen)
                        await _until(pilot, lambda s=screen: s.history.loaded_count > 0, what="history")
                        if _window_shut(screen.conversation):  # a reply would be refused: a note
                            await pilot.press("ctrl+n")
                        screen.composer.set_text(f"Thanks, looking into it ({n}).")
                        await pilot.press("ctrl+j")
                        await _until(
                            pilot,
                            lambda s=screen: not s.history.local_items,
                            what="the reply sent",
                        )
                        await pilot.press("escape")
                        await _until(pilot, lambda: isinstance(app.screen, InboxScreen), what="back")
                left = HOUR / SPEED - (time.monotonic() - started)
                await pilot.pause(max(left, 0.0))
                connects = app._live.connects if app._live is not None else 0
            requests = sandbox.requests()
        finally:
            sandbox.stop()
    kinds: dict[str, int] = {}
    for method, path, _ in requests:
        key = f"{method} {path if not path.startswith('/conversations/') else '/conversations/:id'}"
        kinds[key] = kinds.get(key, 0) + 1
    if os.environ.get("BENCH_REQUESTS_VERBOSE"):
        for method, path, query in requests:
            log(f"    {method} {path}?{query}")
    return {"requests": len(requests), "connects": connects, "kinds": kinds}


def _window_shut(conversation: Any) -> bool:
    from tui.core.channels import channel_spec
    from tui.core.policy import window_state

    state = window_state(conversation, channel_spec(conversation.channel))
    return state.applies and state.known and not state.open


def run(runs: int) -> dict[str, Any]:
    """One scripted hour of each kind (the figures are counts, not timings: one run is enough)."""
    patched = _compress()
    try:
        out: dict[str, Any] = {}
        for key, realtime, agent in (
            ("idle_live", "auto", False),
            ("agent_live", "auto", True),
            ("idle_polling", "off", False),
        ):
            log(f"requests: {key} (an hour in {HOUR / SPEED:.0f} s)")
            out[key] = asyncio.run(_hour(realtime, agent))
            log(f"  {out[key]['requests']} requests, {out[key]['connects']} connects: {out[key]['kinds']}")
        return out
    finally:
        for (module, name), value in patched.items():
            setattr(module, name, value)


if __name__ == "__main__":
    import json

    print(json.dumps(run(1), indent=2))
