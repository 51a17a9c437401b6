"""A quoted reply through the outbox: the entry's stored draft keeps `reply_to`, so a send left
queued by an app that stopped still quotes when the next start resumes it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.helpers import find, sandbox_profile
from tui.core.client import ApiClient
from tui.core.drafts import Draft, draft_to_dict
from tui.core.outbox import Outbox, RetryPolicy
from tui.core.store import Store

FAST = RetryPolicy(base=0.01, cap=0.05, max_attempts=5)


async def newest(client: ApiClient, conversation_id: int) -> Any:
    return (await client.list_messages(conversation_id)).data[0]


async def test_a_quoted_send_left_queued_still_quotes_after_a_restart(sandbox: Any, tmp_path: Path) -> None:
    path = tmp_path / "state" / "store.sqlite3"
    async with ApiClient(sandbox_profile(sandbox)) as client:
        conv = await find(client, "webchat")
        original = (await client.list_messages(conv.id)).data[-1].id
        before = Store(path)  # the app that stored the send, then stopped before sending it
        entry = before.enqueue(
            "sandbox", conv.id, draft_to_dict(Draft("Quoted later", reply_to=original)), "x"
        )
        before.close()

        after = Store(path)
        try:
            assert after.get(entry.id).draft["reply_to"] == original  # type: ignore[union-attr]
            outbox = Outbox(after, client, "sandbox", retry=FAST, rng=random.Random(1))
            await outbox.start()
            await outbox.wait_idle()
            assert after.get(entry.id).state == "sent"  # type: ignore[union-attr]
            sent = await newest(client, conv.id)
            assert sent.message_text == "Quoted later" and sent.reply_to_message_id == original
            await outbox.aclose()
        finally:
            after.close()


async def test_submit_stores_the_quote_with_the_entry(sandbox: Any, tmp_path: Path) -> None:
    store = Store(tmp_path / "state" / "store.sqlite3")
    try:
        async with ApiClient(sandbox_profile(sandbox)) as client:
            conv = await find(client, "webchat")
            original = (await client.list_messages(conv.id)).data[-1].id
            outbox = Outbox(store, client, "sandbox", retry=FAST, rng=random.Random(1))
            entry = await outbox.submit(conv.id, Draft("Quoted now", reply_to=original), "Quoted now")
            assert store.get(entry.id).draft["reply_to"] == original  # type: ignore[union-attr]
            await outbox.wait_idle()
            assert (await newest(client, conv.id)).reply_to_message_id == original
            await outbox.aclose()
    finally:
        store.close()
