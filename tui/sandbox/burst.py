"""A burst of customer messages, on demand: `burst=(count, conversation_id, per_second)` (the
`--burst` flags of `switchboard sandbox`). It starts `burst_after` seconds after the first
Socket.IO client connects (so an app is there to receive it), and writes each message exactly as
a customer's message arrives (`activity.customer_writes`: stored, counted unread, pushed).

It reproduces what a campaign reply, a bot loop or a spammer does to an open conversation, at a
rate a test or a demo chooses."""

from __future__ import annotations

import asyncio
from typing import Any

from tui.sandbox import live
from tui.sandbox.activity import customer_writes
from tui.sandbox.state import Sandbox

#: Seconds between the first Socket.IO client and the burst, unless `burst_after` says.
BURST_AFTER = 5.0


def burst_of(options: dict[str, Any]) -> tuple[int, int, float] | None:
    """The burst the options ask for: (count, conversation id, messages per second), or None."""
    raw = options.get("burst")
    if not raw:
        return None
    count, conversation_id, rate = raw
    return int(count), int(conversation_id), float(rate)


async def run_burst(sb: Sandbox, count: int, conversation_id: int, rate: float, after: float) -> None:
    """Wait for a listener, then write `count` messages at `rate` a second (as fast as the store
    allows when the rate is 0)."""
    bus = live.bus_of(sb)
    while not any(n > 0 for n in bus.listeners.values()):
        await asyncio.sleep(0.1)
    await asyncio.sleep(after)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(count):
        customer_writes(sb, conversation_id, f"Burst message {index + 1} of {count}")
        due = start + (index + 1) / rate if rate > 0 else 0.0
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif index % 25 == 0:
            await asyncio.sleep(0)  # the server answers requests and pings meanwhile


def parse_burst(text: str) -> tuple[int, int, float]:
    """`N`, `N@CONV` or `N@CONV/RATE` (e.g. `5000@1/200`): N messages into conversation CONV
    (default 1) at RATE a second (default 200; 0: as fast as possible)."""
    count_text, _, rest = text.partition("@")
    conversation_text, _, rate_text = rest.partition("/")
    try:
        count = int(count_text)
        conversation_id = int(conversation_text or 1)
        rate = float(rate_text or 200)
    except ValueError:
        raise ValueError(f"expected N, N@CONVERSATION or N@CONVERSATION/RATE, got {text!r}") from None
    if count <= 0 or conversation_id <= 0 or rate < 0:
        raise ValueError(f"expected positive numbers (a rate of 0 or more), got {text!r}")
    return count, conversation_id, rate
