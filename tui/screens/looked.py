"""What the agent saw of a conversation when they started their reply, for the hold
(`tui.core.hold`): the snapshot is taken when the composer goes from empty to written (or, for a
draft restored on opening, when the history is first shown), and again whenever the agent moves
into the history (they looked), never merely because something arrived. So a teammate's reply,
a reassignment or a close pushed while the agent types is news to the send, in live mode as in
polling, though the screen has drawn it meanwhile."""

from __future__ import annotations

from collections.abc import Callable

from tui.core.hold import Seen


class LookedAt:
    """One conversation screen's snapshot; `take` makes one from what is on the screen now
    (None while the history has not been read: nothing was seen yet)."""

    def __init__(self, take: Callable[[], Seen | None]) -> None:
        self._take = take
        self._seen: Seen | None = None

    def draft_changed(self, written: bool) -> None:
        """The composer changed: the first text starts a reply (snapshot now); emptied, none."""
        if not written:
            self._seen = None
        elif self._seen is None:
            self._seen = self._take()

    def shown(self, written: bool) -> None:
        """The history was read and shown: a draft written before it starts from what it shows."""
        if written and self._seen is None:
            self._seen = self._take()

    def looked(self) -> None:
        """The agent moved into the history while writing: what it shows now counts as seen."""
        if self._seen is not None:
            self._seen = self._take()

    def at_send(self) -> Seen | None:
        """The snapshot the reply is checked against (None: nothing was ever shown, no check);
        the next reply starts afresh."""
        seen, self._seen = self._seen or self._take(), None
        return seen
