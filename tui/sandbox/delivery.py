"""Delivery status that moves on by itself, as the channels report it back to the real API.

An outbound message to the customer (not a note) is stored `sent`; `delivery_seconds` later it
is `delivered`, or now and then (`delivery_failure_rate`) `failed` with one of WhatsApp's error
codes and texts; another `delivery_seconds` later it is `read` (SMS has no read receipts: it stays
`delivered`). Each step is written to the store, so GET reads it back, then announced (the live
bus publishes `conversation-messages-{channel} patched`). A step writes only over the status it expects:
a message whose status changed otherwise is left alone.

Off (`delivery_seconds` 0) unless asked for: statuses stay as sent, which is what tests that pin
them need. `switchboard sandbox` and the app's own sandbox turn it on (`PRODUCT_OPTIONS`).
Steps still waiting when the sandbox stops are not resumed by the next one: those messages stay
where they were.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.sandbox.state import Sandbox

__all__ = ["ERRORS", "OPTIONS", "PRODUCT_OPTIONS", "Progression", "check_options"]

#: The sandbox options this module reads, with their defaults: seconds per step (0: off), the
#: share of WhatsApp messages that fail instead of being delivered, and the seed of that draw
#: (None: a new one each start).
OPTIONS: dict[str, Any] = {"delivery_seconds": 0.0, "delivery_failure_rate": 0.0, "delivery_seed": None}
#: What `switchboard sandbox` and the app's own sandbox run with.
PRODUCT_OPTIONS: dict[str, Any] = {"delivery_seconds": 2.0, "delivery_failure_rate": 0.05}

#: WhatsApp Cloud API errors a message can fail with: (code, text).
ERRORS: tuple[tuple[int, str], ...] = (
    (131049, "This message was not delivered to maintain healthy ecosystem engagement."),
    (131026, "Message undeliverable"),
    (131047, "Re-engagement message"),
)
#: Channels whose messages can fail here (the codes above are WhatsApp's).
FAILING_CHANNELS = frozenset({"whatsapp"})
#: Channels without read receipts.
UNREAD_CHANNELS = frozenset({"sms"})


def _number(options: dict[str, Any], name: str, low: float, high: float | None = None) -> float:
    raw = options.get(name, OPTIONS[name])
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        span = f"{low:g}-{high:g}" if high is not None else f"at least {low:g}"
        raise ValueError(f"{name} must be {span}, got {raw!r}")
    return value


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    """The delivery options among `options`, checked (ValueError says which is wrong and why)."""
    _number(options, "delivery_seconds", 0.0)
    _number(options, "delivery_failure_rate", 0.0, 1.0)
    return {k: options[k] for k in OPTIONS if k in options}


class Progression:
    """The delivery steps of one sandbox, timed on its event loop; `track` from any thread."""

    def __init__(
        self,
        sandbox: Sandbox,
        options: dict[str, Any],
        loop: asyncio.AbstractEventLoop,
        announce: Callable[[int], None],
    ) -> None:
        self.sandbox = sandbox
        self.seconds = _number(options, "delivery_seconds", 0.0)
        self.failure_rate = _number(options, "delivery_failure_rate", 0.0, 1.0)
        seed = options.get("delivery_seed", OPTIONS["delivery_seed"])
        self.random = random.Random(seed)
        self.loop = loop
        self.announce = announce
        self._timers: set[asyncio.TimerHandle] = set()
        self._closed = False

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 and not self._closed

    def track(self, message_id: int) -> None:
        """A message was just stored: if it goes to the customer, its status moves from `sent`."""
        if not self.enabled:
            return
        row = self.sandbox.store.one(
            "SELECT direction, message_type, status FROM messages WHERE id = ?", (message_id,)
        )
        if row is None or row["direction"] != "outbound" or row["message_type"] == "note":
            return
        if row["status"] == "sent":
            self._later(message_id, "sent")

    def close(self) -> None:
        """No more steps (the sandbox stops); on the loop."""
        self._closed = True
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def _later(self, message_id: int, status: str) -> None:
        """The step after `status`, `seconds` from now; from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._schedule(message_id, status)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed: the sandbox is gone
                self.loop.call_soon_threadsafe(self._schedule, message_id, status)

    def _schedule(self, message_id: int, status: str) -> None:
        if self._closed:
            return
        timer: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(timer)
            self._step(message_id, status)

        timer = self.loop.call_later(self.seconds, fire)
        self._timers.add(timer)

    def _step(self, message_id: int, expected: str) -> None:
        """Move the message on from `expected`, write it, announce it, time the next step."""
        if self._closed:
            return
        store = self.sandbox.store
        row = store.one(
            "SELECT c.channel FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.id = ?",
            (message_id,),
        )
        if row is None:
            return
        channel = row["channel"]
        code: int | None = None
        text: str | None = None
        if expected == "sent":
            status = "delivered"
            if channel in FAILING_CHANNELS and self.random.random() < self.failure_rate:
                status = "failed"
                code, text = self.random.choice(ERRORS)
        elif expected == "delivered" and channel not in UNREAD_CHANNELS:
            status = "read"
        else:
            return
        moved = store.query(
            "UPDATE messages SET status = ?, error_code = ?, error_text = ? "
            "WHERE id = ? AND status = ? RETURNING id",
            (status, code, text, message_id, expected),
        )
        if not moved:
            return
        store.stamp()
        self.announce(message_id)
        if status == "delivered":
            self._schedule(message_id, status)
