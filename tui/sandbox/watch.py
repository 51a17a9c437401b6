"""Pushes of writes made by another process on the same SQLite file.

The CLI runs its own in-thread sandbox on the app's data folder for `switchboard send` and the
like, and two `switchboard sandbox` may share a folder: without this, a process's clients would
hear only that process's own writes, and the app would have to poll. Each sandbox's connection
stamps its writes (`Store.track_changes`): a new message's `created_by`, and on every change of a
message or conversation `changed_by` and the next `change_seq`.

While a client is connected, every `WATCH_SECONDS` (option `watch_seconds`) the watcher asks
SQLite whether another connection committed since (`PRAGMA data_version`: one cheap call, no
read). When one did, it reads in one read transaction the messages past the last rowid it knew,
the messages and conversations whose change number passed the last it knew, and publishes what
this sandbox did not write itself, in this order:
- a new message created elsewhere: `conversation-messages-{channel} created` (its current state);
- a message (new or not) changed elsewhere and not just created elsewhere: `... patched`;
- a conversation changed elsewhere: `conversations patched`.
Its own writes were published when they were made (`live`), so each change is pushed once. The
cursors start where the file is when the first client connects: what happened before, a client
reads over REST after connecting, as the contract says it must.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import TYPE_CHECKING

from tui.sandbox import live

if TYPE_CHECKING:
    from tui.sandbox.state import Sandbox

__all__ = ["WATCH_SECONDS", "Watcher", "watch"]

WATCH_SECONDS = 0.5


class Watcher:
    """The cursors of one sandbox over the file, and the publishing of what others wrote."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.version: int | None = None
        self.last_message = 0
        self.message_seq = 0
        self.conversation_seq = 0

    def catch_up(self) -> None:
        """Start from the file as it is now; nothing is published."""
        store = self.sandbox.store
        self.version = store.data_version()
        messages, conversations = store.snapshot(
            [
                ("SELECT coalesce(max(id), 0), coalesce(max(change_seq), 0) FROM messages", ()),
                ("SELECT coalesce(max(change_seq), 0) FROM conversations", ()),
            ]
        )
        self.last_message, self.message_seq = int(messages[0][0]), int(messages[0][1])
        self.conversation_seq = int(conversations[0][0])

    def tick(self) -> None:
        """Publish what other connections committed since the last tick (nothing when none did)."""
        store = self.sandbox.store
        version = store.data_version()
        if version == self.version:
            return
        self.version = version
        new, changed, conversations = store.snapshot(
            [
                (
                    "SELECT id, created_by, changed_by, change_seq FROM messages WHERE id > ? ORDER BY id",
                    (self.last_message,),
                ),
                (
                    "SELECT id, changed_by, change_seq FROM messages WHERE change_seq > ? AND id <= ? "
                    "ORDER BY change_seq",
                    (self.message_seq, self.last_message),
                ),
                (
                    "SELECT id, changed_by, change_seq FROM conversations WHERE change_seq > ? "
                    "ORDER BY change_seq",
                    (self.conversation_seq,),
                ),
            ]
        )
        me = store.instance
        patched = []
        for row in new:
            if row["created_by"] != me:
                live.publish_message(self.sandbox, row["id"], "created")
            elif row["changed_by"] != me and row["change_seq"] > self.message_seq:
                patched.append(row["id"])
        patched.extend(row["id"] for row in changed if row["changed_by"] != me)
        for message_id in patched:
            live.publish_message(self.sandbox, message_id, "patched")
        for row in conversations:
            if row["changed_by"] != me:
                live.publish_conversation(self.sandbox, row["id"])
        self.last_message = max([self.last_message, *(r["id"] for r in new)])
        self.message_seq = max([self.message_seq, *(r["change_seq"] for r in (*new, *changed))])
        self.conversation_seq = max([self.conversation_seq, *(r["change_seq"] for r in conversations)])


async def watch(sandbox: Sandbox, every: float = WATCH_SECONDS) -> None:
    """The watcher's loop (a task of the app's lifespan): a tick every `every` seconds while
    somebody listens; the cursors move to the file's end when the first client connects."""
    watcher = Watcher(sandbox)
    bus = live.bus_of(sandbox)
    bus.on_first_listener = watcher.catch_up
    watcher.catch_up()
    while True:
        await asyncio.sleep(every)
        if bus.listeners:
            with contextlib.suppress(sqlite3.OperationalError):  # busy: the next tick reads it
                watcher.tick()
