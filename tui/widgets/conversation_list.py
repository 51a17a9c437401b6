"""The conversation list: a virtual, paged list drawn line by line.

Only the pages near the viewport are held (`MAX_PAGES`), as conversation ids: each row is drawn
from what `lookup` (the profile's `ConversationCache`) holds now, so a name that fills in or a
pushed change shows without the list being told what changed. A row that scrolls into view
before its page arrived shows as loading and asks the screen for that page with `NeedPage`. So
a 50,000-row inbox costs what a screenful costs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:  # rows (policy, models) load with the first page, not before the first frame
    from tui.core.models import Conversation
    from tui.widgets.rows import RowContext

_NO_SPACING = Spacing(0, 0, 0, 0)
PAGE = 50
MAX_PAGES = 12
#: The row's parts each styled by a component class (`conversation-list--<name>`).
COLUMNS = (
    "badge",
    "contact",
    "unread",
    "window-open",
    "window-closed",
    "window-none",
    "window-soon",
    "window-urgent",
    "assignee",
    "draft",
    "writer-you",
    "writer-agent",
    "writer-ai",
    "age",
    "preview",
)


class ConversationList(ScrollView, can_focus=True):
    """Rows of conversations; j/k, arrows, g/G, PgUp/PgDn, Enter."""

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("g,home", "first", "First", show=False, id="list.first"),
        Binding("G,end", "last", "Last", show=False, id="list.last"),
        Binding("enter", "open", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES = {f"conversation-list--{n}" for n in (*COLUMNS, "cursor", "loading")}

    cursor: reactive[int] = reactive(0)

    class NeedPage(Message):
        """A page of rows must be fetched: rows `skip` .. `skip + PAGE`."""

        def __init__(self, skip: int) -> None:
            super().__init__()
            self.skip = skip

    class Opened(Message):
        def __init__(self, conversation: Conversation) -> None:
            super().__init__()
            self.conversation = conversation

    class NearEnd(Message):
        """Rows held in memory (`show_all`) and the cursor near their end: more may be read."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        lookup: Callable[[int], Conversation | None] | None = None,
        **kw: object,
    ) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.clock = clock or (lambda: datetime.now(UTC))
        self.lookup: Callable[[int], Conversation | None] = lookup or (lambda cid: None)
        self.total = 0
        self.loaded = False
        self._pages: dict[int, list[int]] = {}
        #: Rows the cache does not hold (unreadable ones: their id is the client's): kept here.
        self._own: dict[int, Conversation] = {}
        #: Whether the rows are all held (`show_all`): no pages to ask for, `NearEnd` instead.
        self._all_held = False
        self._requested: set[int] = set()
        self._generation = 0
        self._stale: tuple[dict[int, list[int]], int] | None = None
        # Drawing caches: the column styles (until the styles change) and each drawn row, keyed by
        # the row object itself, so a refreshed page (new objects) is drawn anew.
        self._style_cache: dict[str, str | Style] | None = None
        # The Strip itself is kept, not its segments: a Strip caches its own filtered, cropped
        # and divided forms, which the compositor asks for on every frame.
        self._row_cache: dict[tuple[int, int, int, bool], tuple[Conversation, Strip]] = {}
        self._row_context: RowContext | None = None

    def set_row_context(self, context: RowContext) -> None:
        """Who "you" are, the drafts waiting, the agents' names: rows are drawn anew when it changes."""
        if context != self._row_context:
            self._row_context = context
            self._row_cache.clear()
            self.refresh()

    # -- data -----------------------------------------------------------------------------------

    @property
    def showing_rows(self) -> bool:
        """Rows are on screen: this query's, or the last one's while this one is on its way."""
        return self.loaded or self._stale is not None

    @property
    def generation(self) -> int:
        """Bumped on reset, so answers to a stale query are dropped."""
        return self._generation

    def reset(self, *, keep_shown: bool = True) -> None:
        """A new query. Its rows are not here yet: the previous ones stay on screen until the
        first page arrives (unless `keep_shown` is false: another backend's rows must go at once),
        so each search keystroke redraws the list once, not twice."""
        self._generation += 1
        if not keep_shown:
            self._stale = None
            self.virtual_size = Size(self.size.width, 0)
            self.refresh()
        elif self.loaded:
            self._stale = (self._pages.copy(), self.total)
        self._pages.clear()
        self._requested.clear()
        self._all_held = False
        self.total = 0
        self.loaded = False
        self.cursor = 0
        self.scroll_to(0, 0, animate=False)

    def _ids(self, rows: list[Conversation]) -> list[int]:
        """The rows' ids; the rows the cache will not hold are kept here: an unreadable one, and a
        first-page row read before the models (`RowView.provisional`: the cache's copy wins)."""
        for row in rows:
            if row.unreadable or getattr(row, "provisional", False):
                self._own[row.id] = row
        return [row.id for row in rows]

    def store_page(self, skip: int, rows: list[Conversation], total: int, generation: int) -> None:
        """A page arrived; keep it and forget the pages farthest from the cursor."""
        if generation != self._generation:
            return
        self._requested.discard(skip)
        self._stale = None
        self._all_held = False
        self._pages[skip] = self._ids(rows)
        self.total = total
        self.loaded = True
        if len(self._pages) > MAX_PAGES:
            here = self.cursor // PAGE * PAGE
            for far in sorted(self._pages, key=lambda s: abs(s - here), reverse=True)[
                : len(self._pages) - MAX_PAGES
            ]:
                del self._pages[far]
        self.virtual_size = Size(self.size.width, total)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self.refresh()

    def replace_page_keeping_cursor(self, skip: int, rows: list[Conversation], total: int) -> None:
        """A refresh of a held page: the cursor stays on the same conversation when it can."""
        current = self.current
        self.store_page(skip, rows, total, self._generation)
        if current is None:
            return
        for offset, row in enumerate(rows):
            if row.id == current.id:
                self.cursor = skip + offset
                return

    @property
    def all_held(self) -> bool:
        return self._all_held

    def show_all(self, rows: list[Conversation], *, keep: int | None = None) -> None:
        """Rows held in memory (a merged search, the Snoozed view): every page at once, the
        cursor on `keep`'s row when it is still listed, else where it was."""
        self._stale = None
        self._pages.clear()
        self._requested.clear()
        self._all_held = True
        ids = self._ids(rows)
        for skip in range(0, max(len(ids), 1), PAGE):
            self._pages[skip] = ids[skip : skip + PAGE]
        self.total = len(ids)
        self.loaded = True
        self.virtual_size = Size(self.size.width, self.total)
        index = ids.index(keep) if keep is not None and keep in ids else None
        self.cursor = index if index is not None else min(self.cursor, max(self.total - 1, 0))
        self.refresh()

    def _conversation(self, cid: int) -> Conversation | None:
        own = self._own.get(cid)
        if own is not None and getattr(own, "provisional", False):
            return self.lookup(cid) or own  # the models, once they are read
        return own or self.lookup(cid)

    def row(self, index: int) -> Conversation | None:
        page = self._pages.get(index // PAGE * PAGE)
        if page is None:
            return None
        offset = index % PAGE
        return self._conversation(page[offset]) if offset < len(page) else None

    # -- a conversation that moved, joined or left the list (a push, an action) ----------------

    def _run(self) -> list[int]:
        """The ids of the pages held from the top without a gap."""
        ids: list[int] = []
        skip = 0
        while skip in self._pages:
            ids.extend(self._pages[skip])
            skip += PAGE
        return ids

    def _relay(self, ids: list[int], total: int) -> None:
        """The run from the top laid out again as pages; pages after a gap go (their places moved),
        to be read again when they are looked at."""
        self._pages = {skip: ids[skip : skip + PAGE] for skip in range(0, len(ids), PAGE)}
        if not ids:
            self._pages[0] = []
        self._requested.clear()
        self.total = max(total, 0)
        self.virtual_size = Size(self.size.width, self.total)
        self.cursor = min(self.cursor, max(self.total - 1, 0))
        self.refresh()

    def place(self, cid: int, belongs: bool, *, newest: bool) -> bool:
        """`cid` as a push or an action left it: gone when it no longer `belongs`; first when it
        belongs and just moved (`newest`: the list is newest interaction first). One that
        changed without moving stays where it is, or out of the rows held when it was not among
        them (its place is not known). The cursor stays on its conversation. True when the rows
        changed."""
        if not self.loaded or self._stale is not None:
            return False
        ids = self._run()
        there = cid in ids
        if belongs and not newest:
            return False  # in place already (drawn from the cache), or its place is not known
        if not belongs and not there:
            return False
        current = self.current
        if there:
            ids.remove(cid)
        total = self.total - (1 if there else 0)
        if belongs:
            if self._all_held or 0 in self._pages:
                ids.insert(0, cid)
            total += 1
        self._relay(ids, total)
        if current is not None and current.id in ids:
            self.cursor = ids.index(current.id)
        return True

    @property
    def current(self) -> Conversation | None:
        return self.row(self.cursor) if self.total else None

    @property
    def held_pages(self) -> list[int]:
        return sorted(self._pages)

    def _want(self, index: int) -> None:
        if self._all_held:
            return
        skip = index // PAGE * PAGE
        if skip not in self._pages and skip not in self._requested and skip < max(self.total, 1):
            self._requested.add(skip)
            self.post_message(self.NeedPage(skip))

    # -- drawing --------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._style_cache = None
        self._row_cache.clear()
        super().notify_style_update()

    def _styles(self) -> dict[str, str | Style]:
        if self._style_cache is not None:
            return self._style_cache
        self._style_cache = {n: self._column_style(f"conversation-list--{n}") for n in COLUMNS}
        return self._style_cache

    def _column_style(self, name: str) -> Style:
        """The component's own style without its background (so the cursor row's shows through), but
        with its colour resolved: a partial style leaves `$text-muted` ("auto 60%") as plain white,
        which vanished on light themes."""
        style = self.get_component_rich_style(name, partial=True)
        color = self.get_component_rich_style(name).color
        return style + Style(color=color) if color is not None else style

    def render_lines(self, crop: Region) -> list[Strip]:
        """The visible rows as the cached strips themselves, past Textual's per-line style
        pipeline (borders, padding, tint, opacity), which this list's box does not use: a move
        that scrolls redraws every visible row, and that pipeline built each one anew."""
        styles = self.styles
        plain = (
            not any(edge for edge, _ in styles.border)
            and not any(edge for edge, _ in styles.outline)
            and styles.padding == _NO_SPACING
            and not styles.tint.a
            and self.opacity == 1.0
            and (not styles.has_rule("hatch") or styles.hatch == "none")
        )
        if not plain:
            return super().render_lines(crop)
        filters = self.get_line_filters()
        background = self.background_colors[1]
        strips = []
        for y in crop.line_range:
            strip = self.render_line(y)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.size.width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if self._stale is not None:  # a new query on its way: the last answer, until it comes
            pages, total = self._stale
            page = pages.get(index // PAGE * PAGE, [])
            cid = page[index % PAGE] if index < total and index % PAGE < len(page) else None
            conversation = self._conversation(cid) if cid is not None else None
            if conversation is None:
                return Strip.blank(width, self.rich_style)
            return self._draw(conversation, index, width)
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        conversation = self.row(index)
        if conversation is None:
            self._want(index)
            style = self.get_component_rich_style("conversation-list--loading")
            return Strip([Segment(" loading…".ljust(width), style)], width)
        return self._draw(conversation, index, width)

    def _draw(self, conversation: Conversation, index: int, width: int) -> Strip:
        now = self.clock()
        on_cursor = index == self.cursor
        # Ages and windows are shown to the minute: a row drawn this minute can be drawn again.
        key = (id(conversation), width, int(now.timestamp() // 60), on_cursor)
        cached = self._row_cache.get(key)
        if cached is not None and cached[0] is conversation:
            return cached[1]
        from tui.widgets.rows import row_text

        text = row_text(conversation, now, width, self._styles(), self._row_context)  # type: ignore[arg-type]
        base = self.rich_style
        if on_cursor:
            base = base + self.get_component_rich_style("conversation-list--cursor")
        strip = Strip(list(text.render(self.app.console))).apply_style(base).crop_extend(0, width, base)
        if len(self._row_cache) > 4 * PAGE:
            self._row_cache.clear()
        self._row_cache[key] = (conversation, strip)
        return strip

    # -- cursor ---------------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        """Redraw only the two rows that changed, unless the list has to scroll. The page a screen
        ahead is asked for now, so scrolling on rarely meets a "loading…" row."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if self.total and self._all_held:
            if new >= self.total - height:
                self.post_message(self.NearEnd())
        elif self.total:
            self._want(min(new + height, self.total - 1))
            self._want(max(new - height, 0))
        if self.total and top <= new < top + height:
            self.refresh_line(old)
            self.refresh_line(new)
        else:
            self.refresh()
            if self.total:
                self.scroll_to_region_row(new)

    def scroll_to_region_row(self, index: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def _move(self, target: int) -> None:
        if self.total:
            self.cursor = max(0, min(target, self.total - 1))

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.total - 1)

    def action_open(self) -> None:
        current = self.current
        if current is not None:
            self.post_message(self.Opened(current))

    def on_click(self, event: object) -> None:
        y = getattr(event, "y", None)
        if y is None:
            return
        index = self.scroll_offset.y + int(y)
        if index < self.total:
            if index == self.cursor and getattr(event, "chain", 1) >= 2:
                self.action_open()
            self.cursor = index

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)
