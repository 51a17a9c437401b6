"""What a failed send means, and when to try again.

A failure where the message provably never reached the server (DNS, refused, connect timeout,
429, 503 with a retry delay), or any failure before the first POST (reads and uploads are safe
to redo), is retried with bounded exponential backoff and jitter. Once a POST may have left, the
entry is `unconfirmed` and never retried automatically. A definite refusal is `failed`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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
from tui.core.sender import PartialSendError


class UnexpectedSendError(SwitchboardError):
    """A bug stopped the send: trying again cannot help, so it is never retried automatically."""


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


def unreachable(exc: SwitchboardError) -> bool:
    """The failure was the network's (no answer at all), not a server that asked us to wait."""
    cause = exc.cause if isinstance(exc, PartialSendError) else exc
    return isinstance(cause, TransportError)


def classify(exc: SwitchboardError, *, posting: bool) -> Verdict:
    """What a failure means for the entry; `posting` is whether a message POST was under way."""
    cause = exc.cause if isinstance(exc, PartialSendError) else exc
    if isinstance(cause, UnexpectedSendError):
        return Verdict("unconfirmed" if posting else "failed", exc.sentence)
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
