"""Typed errors, each carrying one plain sentence for the user.

Every failure a user can meet is a `SwitchboardError`; the CLI prints `.sentence` and exits with
`.exit_code`, the app shows it as a notification. `retry_safe` says whether the request provably
never reached the server (so an automatic retry cannot create a duplicate).
"""

from __future__ import annotations

from typing import Any

from tui.core.text import one_line


class SwitchboardError(Exception):
    """Base class: one sentence, an exit code, and whether a retry is provably safe."""

    exit_code = 1
    retry_safe = False

    def __init__(self, sentence: str) -> None:
        # A sentence may quote outside text (a file name, a server's message): keep it one line,
        # with every control and bidi override shown as a placeholder, whoever built it.
        sentence = one_line(sentence)
        super().__init__(sentence)
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


class ConfigError(SwitchboardError):
    """The config file, a profile or a credential is unusable."""

    exit_code = 3


class PolicyRefusal(SwitchboardError):
    """The draft breaks a channel rule; raised before any upload or request."""

    exit_code = 4

    def __init__(self, sentence: str, *, reason: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(sentence)
        #: A short machine-readable code: "window_closed", "text_too_long", "file_too_big", ...
        self.reason = reason
        #: What the user may send instead ("note", "template"), when anything.
        self.allowed = allowed


class LocalFileError(SwitchboardError):
    """An attachment on disk is missing, unreadable, empty or changed under us."""

    exit_code = 4


class TakeoverRefused(SwitchboardError):
    """A takeover of a conversation no AI assistant holds: there is nothing to take over, so it is
    refused (exit 4, as a channel rule is) rather than confirmed as taken from the AI."""

    exit_code = 4
    reason = "no_ai"


class TransportError(SwitchboardError):
    """The request failed below HTTP: DNS, refused, TLS, timeout, dropped connection."""

    exit_code = 6

    def __init__(self, sentence: str, *, retry_safe: bool) -> None:
        super().__init__(sentence)
        self.retry_safe = retry_safe


class ApiError(SwitchboardError):
    """The server answered with an error status."""

    exit_code = 7

    def __init__(
        self,
        sentence: str,
        *,
        status: int,
        name: str = "",
        data: Any = None,
        errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(sentence)
        self.status = status
        self.name = name
        self.data = data
        self.errors = errors or {}


class AuthError(ApiError):
    """401 or 403: the key is wrong, expired, or lacks the right."""

    exit_code = 5


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409: the backend refused by channel policy (usually the reply window)."""


class TooLargeError(ApiError):
    """413."""


class InvalidRequestError(ApiError):
    """400 or 422, with per-field reasons in `.errors`."""


class RateLimitedError(ApiError):
    """429; `.retry_after` is the server's delay in seconds. The request was not processed."""

    retry_safe = True

    def __init__(self, sentence: str, *, retry_after: float | None, **kw: Any) -> None:
        super().__init__(sentence, **kw)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx. Only a 503 with a retry delay provably did nothing; others are ambiguous."""

    def __init__(self, sentence: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(sentence, **kw)
        self.retry_after = retry_after
        self.retry_safe = kw.get("status") == 503 and retry_after is not None


class BadResponseError(ApiError):
    """The server answered something that is not the API's JSON (HTML, empty, truncated)."""


class UnsafeKeyError(SwitchboardError):
    """A storage key from the server holds a `.` or `..` segment (or an empty one): a link built
    from it could point outside the media folder, so none is built."""

    exit_code = 7


class UploadError(SwitchboardError):
    """One of the three upload steps failed in a way not covered above."""

    exit_code = 7
