"""The inbox's views bar ("1 Needs reply 4 · 2 Mine 1 · …") and the rows of a queue view."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tui.core.queue_views import View

if TYPE_CHECKING:
    from tui.core.models import Conversation

#: The views in the bar's order with their keys (the same order as `View`).
_KEYS = ("1", "2", "3", "4", "5")


class ViewsBar(Static):
    """Which view is shown, each view's count, and a word when the scan could not be read."""

    def __init__(self, **kw: object) -> None:
        super().__init__("", **kw)  # type: ignore[arg-type]
        self._view: str = "all"
        self._counts: Mapping[View, int] | None = None
        self._all_total: int | None = None
        self._truncated = False
        self._problem: str | None = None

    def on_mount(self) -> None:
        self._draw()

    def show(
        self,
        *,
        view: View | None = None,
        counts: Mapping[View, int] | None = None,
        all_total: int | None = None,
        truncated: bool | None = None,
        problem: str | None = None,
    ) -> None:
        if view is not None:
            self._view = view.value
        if counts is not None:
            self._counts, self._problem = counts, None
        if all_total is not None:
            self._all_total = all_total
        if truncated is not None:
            self._truncated = truncated
        if problem is not None:
            self._problem = problem
        self._draw()

    def _draw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, view in zip(_KEYS, View, strict=True):
            if text:
                text.append(" · ", style="dim")
            number = self._count(view)
            words = f"{key} {view.heading}" + (f" {number}" if number else "")
            text.append(words, style="bold reverse" if view.value == self._view else "")
        if self._problem:
            text.append(f"  counts not refreshed: {self._problem}", style="dim")
        self.update(text)

    def _count(self, view: View) -> str:
        if view is View.ALL:
            return f"{self._all_total:,}" if self._all_total is not None else ""
        if self._counts is None:
            return ""
        n = self._counts.get(view, 0)
        return f"{n:,}+" if self._truncated and view is not View.SNOOZED else f"{n:,}"


def view_rows(
    conversations: Sequence[Conversation],
    view: View,
    *,
    me: int | None,
    snoozed: Collection[int],
    search: str,
    by_window: bool,
    now: datetime,
) -> list[Conversation]:
    """The scan's conversations that `view` lists, matching `search` (folded), in order."""
    from tui.core.queue import by_window as window_order
    from tui.core.queue import in_view, search_matches

    rows = [
        c
        for c in conversations
        if in_view(c, view, me=me, snoozed=snoozed) and (not search or search_matches(c, search))
    ]
    return window_order(rows, now) if by_window else rows
