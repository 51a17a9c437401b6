"""The inbox's views bar ("1 Needs reply 4 · 2 Mine 1 · …") and what an empty view says."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from tui.core.queue_views import View

#: The views in the bar's order with their keys (the same order as `View`).
_KEYS = ("1", "2", "3", "4", "5", "6")


class ViewsBar(Static):
    """Which view is shown, each view's count (the server's, `$limit=0`), and a word when the
    counts could not be read."""

    def __init__(self, **kw: object) -> None:
        super().__init__("", **kw)  # type: ignore[arg-type]
        self._view: str = "all"
        self._counts: Mapping[View, int | None] | None = None
        self._all_total: int | None = None
        self._problem: str | None = None

    def on_mount(self) -> None:
        self._draw()

    def show(
        self,
        *,
        view: View | None = None,
        counts: Mapping[View, int | None] | None = None,
        all_total: int | None = None,
        problem: str | None = None,
    ) -> None:
        if view is not None:
            self._view = view.value
        if counts is not None:
            self._counts, self._problem = counts, None
        if all_total is not None:
            self._all_total = all_total
        if problem is not None:
            self._problem = problem
        self._draw()

    def _draw(self) -> None:
        parts = []
        for key, view in zip(_KEYS, View, strict=True):
            number = self._count(view)
            parts.append(
                (f"{key} {view.heading}" + (f" {number}" if number else ""), view.value == self._view)
            )
        # " · " between views where they fit, else two spaces (six views fit 80 columns so).
        room = self.size.width or 80
        separator = " · " if sum(len(p) for p, _ in parts) + 3 * (len(parts) - 1) < room else "  "
        text = Text(no_wrap=True, overflow="ellipsis")
        for words, current in parts:
            if text:
                text.append(separator, style="dim")
            text.append(words, style="bold reverse" if current else "")
        if self._problem:
            text.append(f"  counts not refreshed: {self._problem}", style="dim")
        self.update(text)

    def on_resize(self) -> None:
        self._draw()

    def _count(self, view: View) -> str:
        if view is View.ALL:
            return f"{self._all_total:,}" if self._all_total is not None else ""
        n = self._counts.get(view) if self._counts is not None else None
        return f"{n:,}" if n else ""  # an empty view says nothing, as a quiet tab does


def empty_words(view: View, *, searching: bool) -> str:
    """What an empty view says."""
    if searching:
        return "No conversations match."
    return {
        View.NEEDS_REPLY: "Nothing needs a reply. 🎉",
        View.MINE: "Nothing is assigned to you.",
        View.UNASSIGNED: "Every open conversation has someone on it.",
        View.SNOOZED: "Nothing is snoozed.",
        View.UNREAD: "Nothing is unread.",
    }.get(view, "No conversations yet.")
