"""The outbox: every send is written to the store before its first request, then worked through
policy -> uploads -> posts, with its state recorded at each step.

Retry rules, the heart of "nothing lost, nothing doubled":
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
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tui.core.client import ApiClient
from tui.core.drafts import Draft, draft_from_dict, draft_to_dict
from tui.core.errors import (
    ApiError,
    ConfigError,
    LocalFileError,
    PolicyRefusal,
    RateLimitedError,
    ServerError,
    SwitchboardError,
    TransportError,
)
from tui.core.models import Message
from tui.core.sender import (
    PartialSendError,
    ProgressFn,
    SendProgress,
    execute,
    prepare,
)
from tui.core.store import LEASE_SECONDS, OutboxEntry, Store
from tui.core.text import one_line

# -- retry policy -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits base*factor^(n-1), capped, times [0.5, 1)."""

    base: float = 2.0
    factor: float = 2.0
    cap: float = 120.0
    max_attempts: int = 8

    def delay(self, attempt: int, rng: random.Random, server_hint: float | None = None) -> float:
        backoff = min(self.cap, self.base * self.factor ** max(attempt - 1, 0))
        jittered = backoff * (0.5 + rng.random() / 2)
        return max(jittered, server_hint or 0.0)


@dataclass(frozen=True)
class Verdict:
    state: str  # "retry" | "failed" | "unconfirmed"
    reason: str
    wait: float | None = None  # the server's own delay, when it gave one


def classify(exc: SwitchboardError, *, posting: bool) -> Verdict:
    """What a failure means for the entry; `posting` is whether a message POST was under way."""
    cause = exc.cause if isinstance(exc, PartialSendError) else exc
    if isinstance(cause, PolicyRefusal | LocalFileError | ConfigError):
        return Verdict("failed", exc.sentence)
    if isinstance(cause, RateLimitedError):
        return Verdict("retry", exc.sentence, cause.retry_after)
    if isinstance(cause, ServerError) and cause.retry_safe:
        return Verdict("retry", exc.sentence, cause.retry_after)
    if isinstance(cause, TransportError) and cause.retry_safe:
        return Verdict("retry", exc.sentence)
    if isinstance(cause, ApiError) and 400 <= cause.status < 500:
        return Verdict("failed", exc.sentence)  # a definite refusal: the server created nothing
    if not posting:
        # Nothing customer-visible exists before the first POST: redoing reads and uploads is safe.
        return Verdict("retry", exc.sentence)
    return Verdict("unconfirmed", exc.sentence)


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
    ) -> None:
        self.store = store
        self.client = client
        self.profile = profile
        self.retry = retry or RetryPolicy()
        self.on_change = on_change
        self.on_progress = on_progress
        self.now = now or (lambda: datetime.now(UTC))
        self.rng = rng or random.Random()
        self.owner = uuid.uuid4().hex
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._conversation_locks: dict[int, asyncio.Lock] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._posting: set[int] = set()  # entries whose POST may be on the wire: never cancelled
        self._closed = False

    # -- public ---------------------------------------------------------------------------------

    async def start(self) -> list[OutboxEntry]:
        """Resume what a previous run left: queued and uploading entries go again; an entry left
        mid-POST becomes unconfirmed. Returns every unresolved entry."""
        return await self.sweep()

    async def unresolved(self, conversation_id: int | None = None) -> list[OutboxEntry]:
        return await asyncio.to_thread(self.store.entries, self.profile, conversation_id=conversation_id)

    async def submit(
        self, conversation_id: int, draft: Draft, preview: str, *, draft_mode: str | None = None
    ) -> OutboxEntry:
        """Persist the send, then work on it in the background. Not interrupted by a cancelled
        caller (a screen closed meanwhile): a stored entry is always scheduled."""

        async def store_and_schedule() -> OutboxEntry:
            entry = await asyncio.to_thread(
                self.store.enqueue,
                self.profile,
                conversation_id,
                draft_to_dict(draft),
                preview,
                draft_mode=draft_mode,
            )
            self._schedule(entry.id)
            return entry

        return await asyncio.shield(store_and_schedule())

    async def retry_now(self, entry_id: int) -> OutboxEntry | None:
        """The agent asked to send a failed or unconfirmed entry again."""
        entry = await asyncio.to_thread(self.store.get, entry_id)
        if entry is None or entry.state not in ("failed", "unconfirmed", "queued"):
            return entry
        entry = await asyncio.to_thread(
            self.store.update, entry_id, state="queued", reason=None, attempts=0, next_attempt_at=0
        )
        self._notify(entry, [])
        self._schedule(entry_id)
        return entry

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
        """Pick up what another instance left: its stale mid-POST entries become unconfirmed, its
        queued ones are resumed here."""
        for entry in await asyncio.to_thread(self.store.recover, self.profile):
            self._schedule(entry.id)
        return await self.unresolved()

    async def looks_delivered(self, entry: OutboxEntry, *, limit: int = 30) -> Message | None:
        """A recent outbound message in the conversation with the entry's text, created since the
        entry was: a sign that an unconfirmed send did arrive."""
        text = (entry.draft.get("text") or entry.preview or "").strip()
        page = await self.client.list_messages(entry.conversation_id, limit=limit)
        since = datetime.fromtimestamp(entry.created_at, UTC) - timedelta(minutes=5)
        for m in page.data:
            if m.is_inbound or str(m.id) in entry.sent_ids:
                continue
            if (m.message_text or "").strip() == text and (m.created_at is None or m.created_at >= since):
                return m
        return None

    async def wait_idle(self) -> None:
        """Until no entry is being worked on (tests and the headless soak use it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def aclose(self, grace: float = 5.0) -> None:
        """Stop working. A POST already on the wire gets `grace` seconds to be answered, so that a
        normal quit does not turn a good send into an unconfirmed one."""
        self._closed = True
        posting = [self._tasks[i] for i in self._posting if i in self._tasks]
        if posting:
            await asyncio.wait(posting, timeout=grace)
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- work -----------------------------------------------------------------------------------

    def _schedule(self, entry_id: int) -> None:
        if self._closed:
            return
        running = self._tasks.get(entry_id)
        if running is not None:
            # Still finishing its last try (a retry asked for at that moment): go again after it.
            running.add_done_callback(lambda _t: self._schedule(entry_id))
            return
        task = asyncio.get_running_loop().create_task(self._run(entry_id))
        self._tasks[entry_id] = task
        task.add_done_callback(lambda _t, i=entry_id: self._tasks.pop(i, None))

    def _notify(self, entry: OutboxEntry | None, created: list[Message]) -> None:
        if entry is not None and self.on_change is not None:
            self.on_change(entry, created)

    def _lock(self, conversation_id: int) -> asyncio.Lock:
        return self._conversation_locks.setdefault(conversation_id, asyncio.Lock())

    async def _run(self, entry_id: int) -> None:
        entry = await asyncio.to_thread(self.store.get, entry_id)
        if entry is None:
            return
        async with self._lock(entry.conversation_id):
            while True:
                # A slot first, then the lease: a lease never lapses while its holder waits.
                async with self._slots:
                    entry = await asyncio.to_thread(self.store.claim, entry_id, self.owner)
                    if entry is None:
                        return  # resolved, or another instance holds it
                    wait = entry.next_attempt_at - time.time()
                    if wait <= 0:
                        beat = asyncio.get_running_loop().create_task(self._heartbeat(entry_id))
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
                await asyncio.sleep(wait)  # then claim again: it may have been discarded meanwhile

    async def _heartbeat(self, entry_id: int) -> None:
        """Keep the lease while a long upload or a slow server keeps the entry busy."""
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            await asyncio.to_thread(self.store.renew, entry_id, self.owner)

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
            if draft.attachments:
                moved = await asyncio.to_thread(
                    self.store.update, entry.id, owner=self.owner, state="uploading"
                )
                if moved is None:
                    return False  # no longer ours
                self._notify(moved, [])
            prepared = await prepare(self.client, entry.conversation_id, draft, now=self.now())
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
            error = SwitchboardError(f"An unexpected error stopped this send ({detail}).")
            return await self._failed(entry, error, posting=posting)
        finally:
            self._posting.discard(entry.id)
        done = await asyncio.to_thread(
            self.store.update, entry.id, owner=self.owner, state="sent", reason=None
        )
        self._notify(done or await asyncio.to_thread(self.store.get, entry.id), [])
        return False

    async def _failed(self, entry: OutboxEntry, exc: SwitchboardError, *, posting: bool) -> bool:
        verdict = classify(exc, posting=posting)
        attempts = entry.attempts + 1
        if verdict.state == "retry" and attempts < self.retry.max_attempts:
            delay = self.retry.delay(attempts, self.rng, verdict.wait)
            moved = await asyncio.to_thread(
                self.store.update,
                entry.id,
                owner=self.owner,
                state="queued",
                reason=f"{verdict.reason} Retrying in {max(delay, 1):.0f} s.",
                attempts=attempts,
                next_attempt_at=time.time() + delay,
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


__all__ = [
    "ChangeFn",
    "Outbox",
    "ProgressFn",
    "RetryPolicy",
    "Verdict",
    "classify",
]
