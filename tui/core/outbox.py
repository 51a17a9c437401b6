"""The outbox: every send is written to the store before its first request, then worked through
policy -> uploads -> posts, with its state recorded at each step.

Retry rules, the heart of "nothing lost, nothing doubled" (`retry.classify`):
- A failure where the message provably never reached the server (DNS, refused, connect timeout,
  429, 503 with a retry delay) is retried automatically, with bounded exponential backoff and
  jitter, and resumes after a restart.
- Before the first message is posted nothing the customer sees can exist yet, so any transport or
  server failure while reading the conversation or uploading is retried the same way (uploads
  are safe to redo: re-sign, re-PUT from the file on disk).
- Once a POST may have left (read timeout, reset after the body went out, another 5xx, an answer
  that cannot be read) the entry becomes `unconfirmed` and is never retried automatically; the
  agent decides, helped by `looks_delivered`.
- A definite refusal (policy, a bad file, 4xx) is `failed` with its reason; nothing went out.
Messages of a multi-message send that went out are recorded one by one and never sent again.

A reply (never a note or template) submitted with what the screen showed (`Seen`) is checked
(`tui.core.hold.check`) at the start of each try until its first message is posted: when the
conversation moved on meanwhile, the entry is `held` with the sentence saying what came in. A
held entry is never claimed, resumed or retried; only `send_anyway` (the agent's word) queues it
again, unchecked.

An open outbox beats in the store every few seconds; another one that starts (or sweeps) finds a
crashed instance's sends at once (`Store.recover`) and reports every change it makes.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from tui.core.client import ApiClient
from tui.core.drafts import Draft, draft_from_dict, draft_to_dict
from tui.core.errors import SwitchboardError
from tui.core.hold import People, Seen, check
from tui.core.liveness import BEAT_SECONDS
from tui.core.models import Message
from tui.core.retry import RetryPolicy, UnexpectedSendError, Verdict, classify, unreachable
from tui.core.sender import ProgressFn, SendProgress, execute, prepare
from tui.core.store import OutboxEntry, Store
from tui.core.text import one_line

#: What the app hears: the entry after each change, and the messages the server created.
ChangeFn = Callable[[OutboxEntry, list[Message]], None]


class Outbox:
    """Works through one profile's entries: per conversation in order, across conversations at
    once (bounded). Several instances may share a store: an entry is worked on by the holder of
    its lease only."""

    def __init__(
        self,
        store: Store,
        client: ApiClient,
        profile: str,
        *,
        retry: RetryPolicy | None = None,
        on_change: ChangeFn | None = None,
        on_progress: Callable[[int, SendProgress], None] | None = None,
        now: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
        concurrency: int = 4,
        beat_seconds: float = BEAT_SECONDS,
        people: Callable[[], People] | None = None,
        record_age: Callable[[], float] = lambda: 0.0,
    ) -> None:
        """`people` (asked at each collision check) names a new assignee in a hold's sentence;
        `record_age`, how old a cached copy of the conversation may be (large while live)."""
        self.store = store
        self.client = client
        self.profile = profile
        self.retry = retry or RetryPolicy()
        self.on_change = on_change
        self.on_progress = on_progress
        self.now = now or (lambda: datetime.now(UTC))
        self.rng = rng or random.Random()
        self.beat_seconds = beat_seconds
        self.people = people
        self.record_age = record_age
        self.owner = uuid.uuid4().hex
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._wake: dict[int, asyncio.Event] = {}  # set by a retry asked while the entry's task runs
        self._conversation_locks: dict[int, asyncio.Lock] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._posting: set[int] = set()  # entries whose POST may be on the wire: never cancelled
        #: Entries waiting out a backoff because the server could not be reached (not because it
        #: said how long to wait): `connection_back` sends them at once.
        self._unreachable: set[int] = set()
        self._beat: asyncio.Task[None] | None = None
        self._closed = False

    # -- public ---------------------------------------------------------------------------------

    async def start(self) -> list[OutboxEntry]:
        """Register this instance (its heartbeat runs until `aclose`), then resume what earlier
        runs left: queued and uploading entries go again; one a dead instance left mid-POST
        becomes unconfirmed at once. Returns every unresolved entry."""
        if self._beat is None and not self._closed:
            with suppress(sqlite3.Error):  # unregistered, its sends still follow the lease rule
                await asyncio.to_thread(self.store.heartbeat, self.owner, self.profile)
            self._beat = asyncio.get_running_loop().create_task(self._beat_forever())
        return await self.sweep()

    async def unresolved(self, conversation_id: int | None = None) -> list[OutboxEntry]:
        return await asyncio.to_thread(self.store.entries, self.profile, conversation_id=conversation_id)

    async def submit(
        self,
        conversation_id: int,
        draft: Draft,
        preview: str,
        *,
        draft_mode: str | None = None,
        client_id: str | None = None,
        seen: Seen | None = None,
    ) -> OutboxEntry:
        """Persist the send, then work on it in the background. Not interrupted by a cancelled
        caller (a screen closed meanwhile): a stored entry is always scheduled. `client_id` (made
        when the agent pressed send) is stored with it; submitting it again returns that entry.
        `seen` (what the screen showed; for replies) asks for the collision check before the
        first request; None sends without it (notes, templates, CLI sends)."""

        async def store_and_schedule() -> OutboxEntry:
            entry = await asyncio.to_thread(
                self.store.enqueue,
                self.profile,
                conversation_id,
                draft_to_dict(draft),
                preview,
                draft_mode=draft_mode,
                client_id=client_id,
                seen=seen,
            )
            if entry.state in ("queued", "uploading"):
                self._schedule(entry.id)
            return entry

        return await asyncio.shield(store_and_schedule())

    async def retry_now(self, entry_id: int) -> OutboxEntry | None:
        """The agent asked to send a failed or unconfirmed entry again, or a queued one now. Asked
        while a try runs, it is kept: a backoff that try ends in is cut short."""
        entry = await asyncio.to_thread(self.store.get, entry_id)
        if entry is None or entry.state not in ("failed", "unconfirmed", "queued"):
            return entry
        entry = await asyncio.to_thread(
            self.store.update, entry_id, state="queued", reason=None, attempts=0, next_attempt_at=0
        )
        self._notify(entry, [])
        wake = self._wake.get(entry_id)
        if wake is not None:
            wake.set()
        self._schedule(entry_id)
        return entry

    def connection_back(self) -> int:
        """The server is reachable again: sends waiting out a backoff because it could not be
        reached (provably unsent, so none goes twice) go now; a 429's or 503's delay is kept."""
        woken = 0
        for entry_id in list(self._unreachable):
            wake = self._wake.get(entry_id)
            if wake is not None:
                wake.set()
                woken += 1
        self._unreachable.clear()
        return woken

    async def send_anyway(self, entry_id: int) -> OutboxEntry | None:
        """The agent saw what a hold said and sends regardless: the held entry is queued again
        without the check, an ordinary send from then on. Anything not held is returned as it is
        (asked twice, the second finds it queued already: one send)."""
        moved = await asyncio.to_thread(self.store.send_anyway, entry_id)
        if moved is None:
            return await asyncio.to_thread(self.store.get, entry_id)
        self._notify(moved, [])
        self._schedule(entry_id)
        return moved

    async def discard(self, entry_id: int, *, state: str = "discarded") -> bool:
        """Drop an entry the agent gave up on (or took back to edit). An entry whose POST may be
        on the wire cannot be: returns False, and it finishes first."""
        if entry_id in self._posting:
            return False
        resolved = await asyncio.to_thread(self.store.resolve, entry_id, state)
        if resolved is None:
            return False  # another instance is posting it, or it went out
        task = self._tasks.pop(entry_id, None)
        if task is not None and entry_id not in self._posting:
            task.cancel()
        self._notify(resolved, [])
        return True

    async def sweep(self) -> list[OutboxEntry]:
        """Pick up what dead instances left: mid-POST entries become unconfirmed (each change
        told to `on_change`), queued ones resume here."""
        recovery = await asyncio.to_thread(self.store.recover, self.profile, self.owner)
        for changed in recovery.changed:
            self._notify(changed, [])
        for entry in recovery.resumable:
            if entry.id not in self._tasks:  # a running task carries on by itself
                self._schedule(entry.id)
        return await self.unresolved()

    async def looks_delivered(self, entry: OutboxEntry) -> Message | None:
        """A recent outbound message in the conversation with the entry's text, created since the
        entry was: a sign that an unconfirmed send did arrive (one page of the newest)."""
        text = (entry.draft.get("text") or entry.preview or "").strip()
        page = await self.client.list_messages(entry.conversation_id)
        since = datetime.fromtimestamp(entry.created_at, UTC) - timedelta(minutes=5)
        for m in page.data:
            if m.is_inbound or m.key in entry.sent_ids:
                continue
            if (m.message_text or "").strip() == text and (m.created_at is None or m.created_at >= since):
                return m
        return None

    async def wait_idle(self) -> None:
        """Until no entry is being worked on (tests and the headless soak use it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def aclose(self, grace: float = 5.0) -> None:
        """Stop within `grace` seconds. A POST on the wire gets most of it to be answered (a quit
        must not leave a good send unconfirmed); one still unanswered is cut and marked
        unconfirmed (never resent), in the last quarter (at most a second)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(grace, 0.0)
        self._closed = True
        if self._beat is not None:
            self._beat.cancel()
        posting = [self._tasks[i] for i in self._posting if i in self._tasks]
        if posting:
            await asyncio.wait(posting, timeout=max(grace - min(grace / 4, 1.0), 0.0))
        cut = set(self._posting)
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:  # cancelled tasks release their leases; those that cannot in time are left
            await asyncio.wait(tasks, timeout=max((deadline - loop.time()) / 2, 0.0))
        try:
            marked = await asyncio.wait_for(
                asyncio.to_thread(self.store.close_instance, self.owner, cut),
                timeout=max(deadline - loop.time(), 0.001),
            )
        except (TimeoutError, sqlite3.Error):
            return  # the store is busy: the next start finds this instance dead and does the same
        for entry in marked:
            self._notify(entry, [])

    # -- work -----------------------------------------------------------------------------------

    def _schedule(self, entry_id: int) -> None:
        if self._closed:
            return
        running = self._tasks.get(entry_id)
        if running is not None:
            # Still finishing its last try (a retry asked for at that moment): go again after it.
            def again(_task: asyncio.Task[None]) -> None:
                self._schedule(entry_id)

            running.add_done_callback(again)
            return
        task = asyncio.get_running_loop().create_task(self._run(entry_id))
        self._tasks[entry_id] = task

        def forget(_task: asyncio.Task[None]) -> None:
            if self._tasks.get(entry_id) is _task:
                del self._tasks[entry_id]

        task.add_done_callback(forget)

    def _notify(self, entry: OutboxEntry | None, created: list[Message]) -> None:
        if entry is not None and self.on_change is not None:
            self.on_change(entry, created)

    def _lock(self, conversation_id: int) -> asyncio.Lock:
        return self._conversation_locks.setdefault(conversation_id, asyncio.Lock())

    async def _run(self, entry_id: int) -> None:
        entry = await asyncio.to_thread(self.store.get, entry_id)
        if entry is None:
            return
        wake = self._wake.setdefault(entry_id, asyncio.Event())
        try:
            async with self._lock(entry.conversation_id):
                await self._work(entry_id, wake)
        finally:
            if self._wake.get(entry_id) is wake:
                del self._wake[entry_id]

    async def _work(self, entry_id: int, wake: asyncio.Event) -> None:
        while True:
            # A slot first, then the lease: a lease never lapses while its holder waits.
            async with self._slots:
                entry = await asyncio.to_thread(self.store.claim, entry_id, self.owner)
                if entry is None:
                    return  # resolved, or another instance holds it
                wait = 0.0 if wake.is_set() else entry.next_attempt_at - self.store.clock()
                wake.clear()
                if wait <= 0:
                    beat = asyncio.get_running_loop().create_task(self._keep_lease(entry_id))
                    try:
                        again = await self._attempt(entry)
                    finally:
                        beat.cancel()
                        # Also on cancellation (quit): an entry left mid-POST is then found
                        # unconfirmed at the next start, never resent.
                        await asyncio.to_thread(self.store.release, entry_id, self.owner)
                    if not again:
                        return
                    continue
            await asyncio.to_thread(self.store.release, entry_id, self.owner)
            with suppress(TimeoutError):  # then claim again: it may have been discarded meanwhile
                await asyncio.wait_for(wake.wait(), timeout=wait)

    async def _keep_lease(self, entry_id: int) -> None:
        """Keep the lease while a long upload or a slow server keeps the entry busy."""
        while True:
            await asyncio.sleep(self.store.lease_seconds / 3)
            await asyncio.to_thread(self.store.renew, entry_id, self.owner)

    async def _beat_forever(self) -> None:
        """This instance's heartbeat in the store, so others can tell it from a crashed one."""
        while True:
            await asyncio.sleep(self.beat_seconds)
            with suppress(sqlite3.Error):  # a busy store: the next beat comes soon enough
                await asyncio.to_thread(self.store.heartbeat, self.owner, self.profile)

    async def _attempt(self, entry: OutboxEntry) -> bool:
        """One try; True when it should be tried again after its delay."""
        draft = draft_from_dict(entry.draft)
        posting = False
        sent_ids = list(entry.sent_ids)

        async def before_post(index: int) -> None:
            nonlocal posting
            # Checked in the store right before every POST: still ours and still wanted.
            if not await asyncio.to_thread(self.store.begin_post, entry.id, self.owner):
                raise _Abandoned
            posting = True
            self._posting.add(entry.id)
            if index == len(entry.sent_ids):
                self._notify(await asyncio.to_thread(self.store.get, entry.id), [])

        async def after_post(index: int, message: Message) -> None:
            sent_ids.append(str(message.id))
            await asyncio.to_thread(self.store.update, entry.id, owner=self.owner, sent_ids=sent_ids)
            self._notify(await asyncio.to_thread(self.store.get, entry.id), [message])

        def progress(p: SendProgress) -> None:
            if self.on_progress is not None:
                self.on_progress(entry.id, p)

        try:
            seen = entry.seen if entry.kind == "reply" and not entry.sent_ids else None
            if seen is not None and await self._held(entry, seen):
                return False
            if draft.attachments or (draft.template is not None and draft.template.header_file):
                moved = await asyncio.to_thread(
                    self.store.update, entry.id, owner=self.owner, state="uploading"
                )
                if moved is None:
                    return False  # no longer ours
                self._notify(moved, [])
            prepared = await prepare(
                self.client, entry.conversation_id, draft, now=self.now(), record_age=self.record_age()
            )
            await execute(
                self.client,
                prepared,
                progress=progress,
                skip=len(entry.sent_ids),
                before_post=before_post,
                after_post=after_post,
            )
        except _Abandoned:
            return False  # discarded by the agent, or taken over: nothing was posted this time
        except SwitchboardError as exc:
            return await self._failed(entry, exc, posting=posting)
        except Exception as exc:  # a bug must not leave the entry stuck or vanish silently
            detail = one_line(f"{type(exc).__name__}: {exc}", 160)
            error = UnexpectedSendError(f"An unexpected error stopped this send ({detail}).")
            return await self._failed(entry, error, posting=posting)
        finally:
            self._posting.discard(entry.id)
        done = await asyncio.to_thread(
            self.store.update, entry.id, owner=self.owner, state="sent", reason=None
        )
        self._notify(done or await asyncio.to_thread(self.store.get, entry.id), [])
        return False

    async def _held(self, entry: OutboxEntry, seen: Seen) -> bool:
        """Check for a collision; when there is one, hold the entry (True). A credential the
        server refuses is raised, and fails the send as it would have."""
        own = await asyncio.to_thread(self.store.own_message_ids, self.profile, entry.conversation_id)
        people = self.people() if self.people else None
        hold = await check(self.client, seen, own, people=people, record_age=self.record_age())
        if hold is None:
            return False
        moved = await asyncio.to_thread(
            self.store.update, entry.id, owner=self.owner, state="held", reason=hold.sentence
        )
        self._notify(moved, [])
        return True

    async def _failed(self, entry: OutboxEntry, exc: SwitchboardError, *, posting: bool) -> bool:
        verdict = classify(exc, posting=posting)
        attempts = entry.attempts + 1
        if verdict.state == "retry" and attempts < self.retry.max_attempts:
            delay = self.retry.delay(attempts, self.rng, verdict.wait)
            if verdict.wait is None and unreachable(exc):
                self._unreachable.add(entry.id)
            moved = await asyncio.to_thread(
                self.store.update,
                entry.id,
                owner=self.owner,
                state="queued",
                reason=f"{verdict.reason} Retrying in {max(delay, 1):.0f} s.",
                attempts=attempts,
                next_attempt_at=self.store.clock() + delay,
            )
            self._notify(moved, [])
            return moved is not None
        state = "failed" if verdict.state == "retry" else verdict.state
        reason = verdict.reason
        if verdict.state == "retry":
            reason = f"{reason} Gave up after {attempts} attempts."
        moved = await asyncio.to_thread(
            self.store.update, entry.id, owner=self.owner, state=state, reason=reason, attempts=attempts
        )
        self._notify(moved, [])
        return False


class _Abandoned(Exception):
    """Right before a POST the entry turned out discarded or no longer ours: stop, post nothing."""


__all__ = ["ChangeFn", "Outbox", "ProgressFn", "RetryPolicy", "Verdict", "classify"]
