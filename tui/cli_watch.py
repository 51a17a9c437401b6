"""`switchboard watch [--json] [--conversation ID]`: every change as it happens, one line each.

Pushed over the live feed when the server has Socket.IO; re-read over REST after every connect
(the server replays nothing) and every few seconds while there is no live connection, each
change printed once (`live_watch.Tracker`). With --json each line is one JSON object (ASCII
only: no byte of a server's text can reach the terminal raw); else a line of neutralised text.
How the connection fares goes to stderr, one sentence each. Ctrl-C (or SIGTERM) ends it, exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from collections.abc import Coroutine
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.cli_common import EXIT_OK, _err, backend_for
from tui.cli_output import dumps_line

if TYPE_CHECKING:
    from tui.core.client import ApiClient
    from tui.core.live import LiveFeed
    from tui.core.live_events import LiveEvent, LiveState
    from tui.core.live_watch import Tracker

#: How often the conversations are re-read while there is no live connection.
POLL_SECONDS = 3.0
#: How often they are re-read while live all the same.
SAFETY_SECONDS = 60.0
#: What a line calls each kind.
LABELS = {"message_created": "message", "message_patched": "status", "conversation_patched": "conversation"}


def add_watch_parser(sub: Any, common: argparse.ArgumentParser, conversation_id: Any) -> None:
    """The `watch` subcommand's options (called by `cli_parser.build_parser`)."""
    p = sub.add_parser(
        "watch",
        parents=[common],
        help="print every new message, status change and conversation change as it happens",
        description="Print every change as it happens until Ctrl-C: pushed live when the server "
        f"has live updates, else re-read every {POLL_SECONDS:g} s. Connection news goes to stderr.",
    )
    p.add_argument(
        "--json", action="store_true", help="one JSON object a line: kind, conversation_id, documents"
    )
    p.add_argument(
        "--conversation",
        type=conversation_id,
        metavar="ID",
        help="only this conversation (its messages are re-read too while there is no live connection)",
    )


def json_line(event: LiveEvent, via: str) -> str:
    """One event as one line of ASCII JSON: every control, bidi or other non-ASCII character of
    a server's text escaped (json escapes C0 and, with ensure_ascii, all of non-ASCII; DEL too)."""
    data = {
        "kind": event.kind,
        "conversation_id": event.conversation_id,
        "via": via,
        "message": event.message.model_dump(mode="json") if event.message is not None else None,
        "conversation": event.conversation.model_dump(mode="json")
        if event.conversation is not None
        else None,
    }
    return dumps_line(data)


def _assignee(c: Any, me: int | None) -> str:
    if c.assigned_user_id is not None:
        return "assigned to you" if c.assigned_user_id == me else f"assigned to user {c.assigned_user_id}"
    return "with the AI assistant" if c.assigned_ai_assistant_id else "unassigned"


def human_line(
    event: LiveEvent, names: dict[int, str], now: datetime | None = None, *, me: int | None = None
) -> str:
    """One event as one line of text: time, kind, conversation, who, what; every server string
    through `one_line`, so no escape sequence, control or bidi override is printed. The agent
    `me` is "you", as in `conversations`."""
    from tui.core.text import one_line

    when = (now or datetime.now()).astimezone().strftime("%H:%M:%S")
    cid = event.conversation_id
    head = f"{when}  {LABELS[event.kind]:<12}  #{cid}"
    m, c = event.message, event.conversation
    if c is not None:
        status = one_line(c.status or "no status", 20)
        who = _assignee(c, me)
        return f"{head}  {one_line(c.contact_name, 40)}: {status}, {c.unread_count} unread, {who}"
    assert m is not None
    if event.kind == "message_patched":
        line = f"{head}  message {one_line(str(m.id), 40)} {one_line(m.status or 'no status', 20)}"
        code = one_line(str(m.error_code), 12) if m.error_code is not None else ""
        why = " ".join(part for part in (code, one_line(m.error_text, 80)) if part)
        return f"{line} ({why})" if why else line
    if m.is_inbound:
        who = (names.get(cid) if cid is not None else None) or m.sender_name or "customer"
    else:
        who = m.sender_name or "agent"
    note = " (note)" if m.is_note else ""
    text = m.unreadable or m.message_text or f"[{m.message_type}] {m.file_name or ''}".strip()
    return f"{head}  {one_line(who, 40)}{note}: {one_line(text, 120)}"


class Watch:
    """The loop of one `watch`: the feed's callbacks print, re-reads fill the gaps."""

    def __init__(
        self,
        client: ApiClient,
        tracker: Tracker,
        *,
        as_json: bool,
        always_poll: bool = False,
        me: int | None = None,
    ) -> None:
        self.client = client
        self.tracker = tracker
        self.as_json = as_json
        self.me = me
        #: Re-read every POLL_SECONDS even while live: the embedded sandbox pushes only its own
        #: writes, and the app's sandbox on the same file is another server.
        self.always_poll = always_poll
        self._read_at = 0.0
        self._shown: dict[int, str] = {}
        self.stop = asyncio.Event()
        self._resync = asyncio.Event()
        self._wake = asyncio.Event()
        self._connected_before = False
        self._last_problem: str | None = None
        self.feed: LiveFeed | None = None

    def print_event(self, event: LiveEvent, via: str) -> None:
        if self.as_json:
            self._emit(json_line(event, via))
            return
        line = human_line(event, self.tracker.names, me=self.me)
        if event.kind == "conversation_patched" and event.conversation_id is not None:
            # a line says status, unread count and assignee; one that would say the same as the
            # last for that conversation (only its last message moved: that has its own line) goes
            shown = line.split("  ", 1)[1]
            if self._shown.get(event.conversation_id) == shown:
                return
            self._shown[event.conversation_id] = shown
        self._emit(line)

    def _emit(self, line: str) -> None:
        """One line, flushed at once (a pipe is block-buffered: a script would hear nothing until
        4 KiB had gathered); a reader that went away (`watch | head -3`) ends the watch."""
        if self.stop.is_set():
            return
        try:
            sys.stdout.write(self.client.redact(line) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            # nothing more can be written there, also not at exit: stdout goes to /dev/null
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
            self.stop.set()

    # -- the feed's callbacks -----------------------------------------------------------------

    def on_event(self, event: LiveEvent) -> None:
        news = self.tracker.live(event)
        if news is not None:
            self.print_event(news, "live")

    def on_state(self, state: LiveState, reason: str | None) -> None:
        if state == "live":
            again = self._connected_before
            self._connected_before = True
            _err(
                "Live updates reconnected; re-reading what changed meanwhile."
                if again
                else "Live updates on."
            )
        elif reason:
            _err(reason)
        self._wake.set()

    def on_resync(self) -> None:
        self._resync.set()
        self._wake.set()

    # -- the loop -------------------------------------------------------------------------------

    async def run(self, feed: LiveFeed) -> int:
        """Until stopped. The baseline is read before the feed starts, so a refused key or a
        wrong config ends the watch with one sentence (the REST error's), not two."""
        self.feed = feed
        await self._unless_stopped(self.reread())
        await feed.start()
        try:
            while not self.stop.is_set():
                if self._due(feed):
                    self._resync.clear()
                    await self._unless_stopped(self.reread())
                await self._pause()
        finally:
            await feed.stop()
        return EXIT_OK

    def _due(self, feed: LiveFeed) -> bool:
        """Whether to re-read now: after a connect, while not live, and while live a safety
        re-read every SAFETY_SECONDS (a push lost between server and here is found)."""
        if self._resync.is_set() or not self.tracker.baselined or feed.state != "live" or self.always_poll:
            return True
        return time.monotonic() - self._read_at >= SAFETY_SECONDS

    async def _unless_stopped(self, work: Coroutine[Any, Any, None]) -> None:
        """`work`, cancelled if the watch is stopped meanwhile (Ctrl-C during a slow re-read)."""
        task = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait([task, stopped], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (task, stopped):
                if not t.done():
                    t.cancel()
            # both are awaited to their end: a task just cancelled is not `cancelled()` yet
            # (httpx takes a few turns of the loop to close its stream); awaiting it as if it
            # had ended raised CancelledError out of the watch
            await asyncio.gather(task, stopped, return_exceptions=True)
        if not task.cancelled():
            task.result()  # its failure, if it failed, is the watch's

    async def _pause(self) -> None:
        """Until the next re-read is due, a resync is asked for, or the watch is stopped."""
        self._wake.clear()
        waits = [asyncio.ensure_future(e.wait()) for e in (self.stop, self._wake)]
        try:
            await asyncio.wait(waits, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def reread(self) -> None:
        from tui.core.errors import AuthError, ConfigError, SwitchboardError
        from tui.core.live_watch import read_changes

        self._read_at = time.monotonic()
        try:
            events = await read_changes(self.client, self.tracker)
        except (AuthError, ConfigError):
            raise  # the key or the config is wrong: nothing to wait for
        except SwitchboardError as exc:
            if exc.sentence != self._last_problem:
                self._last_problem = exc.sentence
                _err(self.client.redact(exc.sentence))
            return
        if self._last_problem is not None:
            self._last_problem = None
            _err("The server answers again.")
        for event in events:
            self.print_event(event, "poll")


async def cmd_watch(args: argparse.Namespace) -> int:
    from tui.core.errors import SwitchboardError
    from tui.core.live import LiveFeed
    from tui.core.live_watch import Tracker

    async with backend_for(args) as backend:
        if args.conversation is not None:  # one that does not exist is said now, not every 3 s
            watched = await backend.client.get_conversation(args.conversation)
        embedded = backend.profile.is_sandbox and backend.sandbox is not None
        tracker = Tracker(args.conversation)
        if args.conversation is not None:
            tracker.names[watched.id] = watched.contact_name
        me = None
        if not args.json:  # lines say "assigned to you"; without knowing who, the user id
            with suppress(SwitchboardError):
                me = (await backend.client.get_me()).id
        watch = Watch(backend.client, tracker, as_json=args.json, always_poll=embedded, me=me)
        feed = LiveFeed(
            backend.profile, on_event=watch.on_event, on_state=watch.on_state, on_resync=watch.on_resync
        )
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            loop.add_signal_handler(sig, watch.stop.set)
        try:
            return await watch.run(feed)
        finally:
            for sig in signals:
                with suppress(ValueError, RuntimeError):
                    loop.remove_signal_handler(sig)
