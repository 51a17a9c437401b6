"""A conversation's history: the server's messages in order, grouped by day, with this device's
unconfirmed sends below them.

It holds what is shown and what is known (ids seen, how many were loaded, the total); it never
fetches. Scrolled to the top with more to read, it posts `History.NeedOlder` once, and the
screen answers with `add_older` (or `older_failed`, so paging can be asked for again).
Local sends are keyed by the client id made when the agent pressed send, never by their id.

New messages (pushed or polled) take their place by `created_at`, whatever order they come in:
one older than the newest shown is put where it belongs; one older than everything shown, while
older messages are still unread, is left to paging (a re-read showed the newest page meanwhile).
At the bottom, at most `MAX_ITEMS` server messages are kept: a burst of thousands leaves the
oldest to paging again instead of laying out thousands of widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message as TextualMessage
from textual.widget import Widget
from textual.widgets import Static

from tui.core.models import Message, message_key
from tui.core.timefmt import day_key, day_label
from tui.widgets.history_item import HistoryItem

#: Server messages kept while the agent reads at the bottom; older ones are paged in again.
MAX_ITEMS = 200


def _at(message: Message) -> float:
    """A message's place in time (one without a time goes last: it just arrived)."""
    return message.created_at.timestamp() if message.created_at is not None else float("inf")


class DaySeparator(Static):
    """'── Today ──' above the first message of each day, so times never seem to go backwards."""

    DEFAULT_CLASSES = "day-separator"

    def __init__(self, day: str, label: str) -> None:
        super().__init__(Text(f"── {label} ──", no_wrap=True, overflow="ellipsis"))
        self.day = day


class History(VerticalScroll, can_focus=False):
    class NeedOlder(TextualMessage):
        """Scrolled to the top and the server holds older messages: `skip` are loaded."""

        def __init__(self, skip: int) -> None:
            super().__init__()
            self.skip = skip

    def __init__(self, *, clock: Callable[[], datetime] | None = None, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]  # Widget's keyword arguments
        self.clock = clock or (lambda: datetime.now(UTC))
        self.known_ids: set[str] = set()
        self.loaded_count = 0
        self.total = 0
        self.loading_older = False
        #: The server's messages were shown at least once (an empty history may be unread yet).
        self.read_once = False
        self._local: dict[str, HistoryItem] = {}

    def on_mount(self) -> None:
        # Held at the newest message while items arrive, wrap or the composer grows, until the
        # agent scrolls up (Textual's anchor; scrolling back to the end holds it again).
        self.anchor()
        self.watch(self, "scroll_y", self._scrolled)

    # -- what is shown ----------------------------------------------------------------------

    @property
    def items(self) -> list[HistoryItem]:
        return list(self.query(HistoryItem))

    @property
    def local_items(self) -> list[HistoryItem]:
        return list(self._local.values())

    def local(self, client_id: str) -> HistoryItem | None:
        return self._local.get(client_id)

    def for_entry(self, entry_id: int) -> HistoryItem | None:
        return next((i for i in self._local.values() if i.entry_id == entry_id), None)

    def _item(self, message: Message) -> HistoryItem:
        self.known_ids.add(message.key)
        return HistoryItem(message, now=self.clock())

    def _first_local(self) -> Widget | None:
        return next(iter(self._local.values()), None)

    def _server_children(self) -> list[Widget]:
        return [c for c in self.children if not (isinstance(c, HistoryItem) and c.local)]

    def _grouped(self, messages: Iterable[Message], prev_day: str | None) -> list[Widget]:
        """Items with a separator before each new day (messages oldest first)."""
        now = self.clock()
        out: list[Widget] = []
        for m in messages:
            day = day_key(m.created_at)
            if day and day != prev_day and m.created_at is not None:
                out.append(DaySeparator(day, day_label(m.created_at, now)))
                prev_day = day
            out.append(self._item(m))
        return out

    def _last_server_day(self) -> str | None:
        for child in reversed(self._server_children()):
            if isinstance(child, HistoryItem):
                return day_key(child.message.created_at) or None
        return None

    # -- the server's messages ---------------------------------------------------------------

    async def show_recent(self, newest_first: list[Message], total: int) -> None:
        """The newest page, replacing what the server's part showed (local sends stay)."""
        self.read_once = True
        await self.remove_children(self._server_children())
        # A partly sent local item already shows its first message: never twice.
        self.known_ids = {i.message.key for i in self._local.values()}
        self.total = total
        self.loaded_count = len(newest_first)
        await self.mount_all(self._grouped(reversed(newest_first), None), before=self._first_local())
        self.scroll_to_newest()

    async def add_new(self, newest_first: list[Message], total: int) -> int:
        """Messages that arrived since (poll or push), each in its place by `created_at`; those
        already shown are skipped, those older than everything shown while more are unread are
        left to paging. Returns how many were added."""
        self.total = total
        fresh = sorted((m for m in newest_first if m.key not in self.known_ids), key=_at)
        if not fresh:
            return 0
        shown = [c.message for c in self._server_children() if isinstance(c, HistoryItem)]
        if shown and self.loaded_count < self.total:
            oldest = _at(shown[0])
            fresh = [m for m in fresh if _at(m) >= oldest]
            if not fresh:
                return 0
        at_bottom = self.scroll_y >= self.max_scroll_y - 1
        self.loaded_count += len(fresh)
        if shown and _at(fresh[0]) < _at(shown[-1]):
            await self._rebuild(sorted([*shown, *fresh], key=_at))  # one came out of order
        else:
            await self.mount_all(self._grouped(fresh, self._last_server_day()), before=self._first_local())
        if at_bottom:
            await self._trim()
            self.scroll_to_newest()
        return len(fresh)

    async def _rebuild(self, oldest_first: list[Message]) -> None:
        """The server's part drawn again in order (rare: a message came in out of order)."""
        await self.remove_children(self._server_children())
        self.known_ids = {i.message.key for i in self._local.values()}
        await self.mount_all(self._grouped(oldest_first, None), before=self._first_local())

    async def _trim(self) -> None:
        """At most `MAX_ITEMS` server messages: the oldest go (paging brings them back)."""
        items = [c for c in self._server_children() if isinstance(c, HistoryItem)]
        extra = len(items) - MAX_ITEMS
        if extra <= 0:
            return
        gone: list[Widget] = []
        first_kept: HistoryItem | None = None
        for child in self._server_children():
            if isinstance(child, HistoryItem):
                if extra == 0:
                    first_kept = child
                    break
                extra -= 1
                self.known_ids.discard(child.message.key)
            gone.append(child)
        if gone and isinstance(gone[-1], DaySeparator):
            gone.pop()  # it heads the first message kept
        self.loaded_count -= sum(1 for w in gone if isinstance(w, HistoryItem))
        await self.remove_children(gone)
        kept_at = first_kept.message.created_at if first_kept is not None else None
        if first_kept is not None and kept_at is not None and first_kept.parent is self:
            before = self.children[0] if self.children else None
            if before is first_kept:  # its day began with a message that went: said again
                await self.mount(
                    DaySeparator(day_key(kept_at), day_label(kept_at, self.clock())), before=first_kept
                )

    async def add_older(self, newest_first: list[Message], total: int) -> None:
        """An older page arrived: shown above, the view kept where the agent was reading."""
        self.loaded_count += len(newest_first)
        self.total = total
        fresh = [m for m in reversed(newest_first) if m.key not in self.known_ids]
        if not fresh:
            self.loading_older = False
            return
        widgets = self._grouped(fresh, None)
        first = self.children[0] if self.children else None
        removed = 0
        last = widgets[-1]
        continues = isinstance(last, HistoryItem) and day_key(last.message.created_at)
        if isinstance(first, DaySeparator) and continues == first.day:  # that day starts higher up
            removed = first.outer_size.height
            await first.remove()
            first = self.children[0] if self.children else None
        await self.mount_all(widgets, before=first)
        self.call_after_refresh(self._keep_position, widgets, removed)

    def older_failed(self) -> None:
        """The older page could not be read: scrolling up may ask again."""
        self.loading_older = False

    def _keep_position(self, widgets: list[Widget], removed: int) -> None:
        added = sum(w.outer_size.height for w in widgets) - removed
        self.scroll_to(y=self.scroll_y + added, animate=False)
        self.loading_older = False

    def _scrolled(self, y: float) -> None:
        if y <= 0 and not self.loading_older and self.loaded_count < self.total:
            self.loading_older = True
            self.post_message(self.NeedOlder(self.loaded_count))

    def scroll_to_newest(self) -> None:
        """Once the new items have their heights."""
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    # -- this device's sends -----------------------------------------------------------------

    async def add_local(self, item: HistoryItem) -> None:
        """A send not yet confirmed, at the bottom; keyed by its client id (which is also the
        id of its message until the server confirms one)."""
        assert item.client_id is not None
        self._local[item.client_id] = item
        await self.mount(item)
        self.scroll_to_newest()

    def server_item(self, message_id: int | str) -> HistoryItem | None:
        """The item showing the server's message with this id (not a local send)."""
        key = message_key(message_id)
        for child in self.children:
            if isinstance(child, HistoryItem) and not child.local and child.message.key == key:
                return child
        return None

    def update_message(self, message: Message) -> bool:
        """A message the server changed (its delivery status): its item shows it in place."""
        item = self.server_item(message.id)
        if item is None:
            for local in self._local.values():
                if local.message.key == message.key:
                    item = local
                    break
        if item is None:
            return False
        item.refresh_from_server(message)
        return True

    def react(self, reaction: Message) -> bool:
        """A pushed reaction: a mark on the message it names, when that one is shown."""
        if reaction.reaction_to is None:
            return False
        item = self.server_item(reaction.reaction_to)
        if item is None:
            return False
        item.add_reaction(reaction.message_text or "♥")
        return True

    def update_messages(self, messages: Iterable[Message]) -> None:
        for message in messages:
            if message.key in self.known_ids:
                self.update_message(message)

    def confirm(self, item: HistoryItem, created: list[Message]) -> None:
        """The server created the messages of a local send: the first becomes the item itself,
        any others (a several-file send) are shown as server messages below it. One that a push
        or a poll showed first stays as it is, and the local item goes when the send settles."""
        for index, message in enumerate(created):
            if message.key in self.known_ids:
                continue
            self.known_ids.add(message.key)
            if index == 0 and item.message.id == item.client_id:
                item.confirmed(message)
            else:
                self.mount(self._item(message), before=self._first_local())

    async def settle(self, item: HistoryItem, *, keep: bool) -> None:
        """The send is over: a sent item stays as the server's message, others go."""
        self._local.pop(item.client_id or "", None)
        if keep and item.message.id != item.client_id:
            item.entry_id = None
            item.show_state(None)
            following = self._first_local()
            if following is not None:  # the server's messages stay above the unconfirmed ones
                self.move_child(item, before=following)
        else:
            await item.remove()
