"""The inbox's views, apart from the predicates in `tui.core.queue` (which need the models):
the inbox's first frame names them before pydantic loads. The server lists each one
(`tui.core.filters.view_filter`), but Snoozed, which only this machine knows."""

from __future__ import annotations

from enum import StrEnum


class View(StrEnum):
    """The inbox's views, in the order the view key cycles through them (the keys 1-6)."""

    NEEDS_REPLY = "needs-reply"
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"
    SNOOZED = "snoozed"
    UNREAD = "unread"

    @property
    def heading(self) -> str:
        return _TITLES[self]


_TITLES = {
    View.NEEDS_REPLY: "Needs reply",
    View.MINE: "Mine",
    View.UNASSIGNED: "Unassigned",
    View.ALL: "All",
    View.SNOOZED: "Snoozed",
    View.UNREAD: "Unread",
}
