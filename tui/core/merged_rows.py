"""Rows held whole rather than paged by the server's positions: a queue view (whose snoozed
conversations this machine leaves out), a search that asks two queries (the contact's name or
phone, and the messages' text) and shows both as one list, or a view in "window closing first"
order, which the server cannot sort by. Each source is read 50 rows at a time, only as the
agent scrolls near the end (`more`), and the rows are merged without repeats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tui.core.filters import ConversationFilter
from tui.core.models import Conversation

if TYPE_CHECKING:
    from tui.core.client import ApiClient

_FLOOR = datetime.min.replace(tzinfo=UTC)


def newest_first(rows: list[Conversation]) -> list[Conversation]:
    """The list's own order [docs]: newest interaction first."""
    return sorted(rows, key=lambda c: c.last_interaction_at or c.active_at or _FLOOR, reverse=True)


@dataclass
class Source:
    filters: ConversationFilter
    skip: int = 0
    total: int | None = None

    @property
    def more(self) -> bool:
        return self.total is None or self.skip < self.total


@dataclass
class MergedRows:
    """Several queries' rows as one list, in `order` (newest interaction first by default)."""

    sources: list[Source]
    order: Callable[[list[Conversation]], list[Conversation]] = newest_first
    #: Which rows are shown (the others are read but left out: a snoozed conversation).
    keep: Callable[[Conversation], bool] = lambda c: True
    rows: dict[int, Conversation] = field(default_factory=dict)

    @property
    def more(self) -> bool:
        return any(s.more for s in self.sources)

    @property
    def total(self) -> int:
        """At least this many match (the larger source's total: the two overlap)."""
        return max([s.total or 0 for s in self.sources] + [len(self.rows)])

    async def read_more(self, client: ApiClient) -> list[Conversation]:
        """The next page of every source that has more (one request each); the rows, ordered."""
        for source in self.sources:
            if not source.more:
                continue
            page = await client.list_conversations(source.filters, skip=source.skip)
            source.total = page.total
            source.skip = page.skip + len(page.data) if page.data else page.total
            for row in page.data:
                self.rows.setdefault(row.id, row)
        return self.ordered(lambda cid: None)

    def ordered(self, fresh: Callable[[int], Conversation | None]) -> list[Conversation]:
        """The rows kept, in order, each as `fresh` has it now (the cache), else as read."""
        rows = [fresh(cid) or row for cid, row in self.rows.items()]
        return self.order([c for c in rows if self.keep(c)])

    def left_out(self, fresh: Callable[[int], Conversation | None]) -> int:
        """How many rows read are not shown (`keep`)."""
        return sum(1 for cid, row in self.rows.items() if not self.keep(fresh(cid) or row))


__all__ = ["MergedRows", "Source", "newest_first"]
