"""Sending an unresolved entry again, from the conversation or the outbox screen.

An unconfirmed send may have arrived: it is first looked for in the conversation, and if it
looks delivered the agent must say yes before it goes again. Nothing is resent by itself.
"""

from __future__ import annotations

import asyncio

from textual.app import App

from tui.core.errors import SwitchboardError
from tui.core.outbox import Outbox
from tui.core.timefmt import formatted
from tui.screens.confirm import ConfirmScreen


async def retry_entry(app: App[object], outbox: Outbox, entry_id: int) -> None:
    entry = await asyncio.to_thread(outbox.store.get, entry_id)
    if entry is None or entry.state not in ("failed", "unconfirmed", "held"):
        return
    if entry.state == "held":  # the agent read what came in and sends anyway: once, unchecked
        await outbox.send_anyway(entry_id)
        return
    if entry.state == "unconfirmed":
        try:
            seen = await outbox.looks_delivered(entry)
        except SwitchboardError as exc:
            app.notify(f"Could not check whether it arrived: {exc.sentence}", severity="error", timeout=8)
            return
        if seen is not None:
            stamp = formatted(seen.created_at, "%H:%M", none="recently")
            question = (
                f"A message with this text is already in the conversation (sent {stamp}); it looks "
                "delivered. Send it again anyway?"
            )
            if not await app.push_screen_wait(ConfirmScreen(question)):
                app.notify("Not sent again. Press d to discard it from the outbox.", timeout=5)
                return
    await outbox.retry_now(entry_id)
