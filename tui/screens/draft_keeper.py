"""Keeps a conversation's composer drafts in the local store: within 0.5 s of a keystroke (not a
debounce: typing on does not postpone it), at once on leaving, quitting or hanging up, and puts
them back when the conversation opens.

Writes run on a worker thread; a newer snapshot supersedes one still waiting, and a failed
write is told once, outside the lock (the UI thread may be waiting for it).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from textual.timer import Timer

from tui.widgets.composer import Composer

if TYPE_CHECKING:
    from tui.screens.base import BaseScreen

SAVE_DELAY = 0.3  # + the write itself: on disk well within 0.5 s of the keystroke
MODES = ("reply", "note")
Snapshot = list[tuple[str, str, list[str]]]


class DraftKeeper:
    def __init__(self, host: BaseScreen[None], composer: Composer, conversation_id: int) -> None:
        self.host = host
        self.composer = composer
        self.conversation_id = conversation_id
        self.loaded = False
        self._timer: Timer | None = None
        self._seq = 0
        self._lock = threading.Lock()

    def load(self) -> None:
        """Put the stored drafts back (reply shown, note aside). A mode the agent already typed
        into before the store was ready keeps what was typed; only empty modes are filled."""
        ctx = self.host.ctx
        if ctx.store is None or self.loaded:
            return
        self.loaded = True
        drafts = ctx.store.drafts(ctx.profile_name, self.conversation_id)
        composer = self.composer
        untouched = not composer.text and not composer.attachments
        if untouched and "reply" not in drafts and "note" in drafts:
            composer.mode = "note"
        for mode, stored in drafts.items():
            text, files = composer.draft_of(mode)
            if text or files:
                continue
            paths = [Path(p) for p in stored.attachments]
            if mode == composer.mode:
                composer.load_draft(stored.text, paths)
            else:
                composer.stashed[mode] = (stored.text, paths)

    def changed(self) -> None:
        if self.loaded and self._timer is None:
            self._timer = self.host.set_timer(SAVE_DELAY, self._save_soon)

    def _snapshot(self) -> Snapshot:
        if not self.composer.is_mounted:
            return []
        return [
            (mode, text, [str(p) for p in files])
            for mode in MODES
            for text, files in [self.composer.draft_of(mode)]
        ]

    def _save_soon(self) -> None:
        self._timer = None
        self._seq += 1
        seq, snapshot = self._seq, self._snapshot()
        self.host.run_worker(
            lambda: self._write(seq, snapshot), thread=True, group="drafts", exit_on_error=False
        )

    def _write(self, seq: int, snapshot: Snapshot) -> None:
        with self._lock:
            if seq != self._seq:
                return  # a newer snapshot is on its way
            problem = self._store(snapshot)
        if problem is not None:
            self.host.app.call_from_thread(self.host.ctx.notify_error, problem)

    def _store(self, snapshot: Snapshot) -> str | None:
        """Write the drafts; the sentence to show when that failed."""
        ctx = self.host.ctx
        if ctx.store is None:
            return None
        try:
            for mode, text, files in snapshot:
                ctx.store.save_draft(ctx.profile_name, self.conversation_id, mode, text, files)
        except (OSError, sqlite3.Error) as exc:
            return f"The draft could not be saved ({exc}); it is still in the composer."
        return None

    def save_now(self) -> None:
        """On leaving the screen, quitting or hanging up: write at once, on this thread."""
        if not self.loaded:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._seq += 1
        snapshot = self._snapshot()
        with self._lock, suppress(OSError, sqlite3.Error):
            self._store(snapshot)
