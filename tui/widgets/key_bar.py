"""The key bar at the bottom of a screen: the screen's shown bindings on one line.

It looks like Textual's `Footer` and reads the same bindings, but it is one widget drawing one
line. `Footer` mounts a widget per key and restyles each one, twice per screen. With the inbox's
dozen keys that cost ~150 ms between the first frame and the footer on screen (pyinstrument;
bench row 1). Clicking a key presses it, as in `Footer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen


class KeyBar(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--separator"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(
        self, *, compact: bool = False, show_command_palette: bool = True, pinned: tuple[str, ...] = ()
    ) -> None:
        super().__init__()
        #: `key description`, one space between items (Footer's compact look), else
        #: ` key description ` on the key's background.
        self.compact = compact
        self.show_command_palette = show_command_palette
        #: Binding ids never cut (help, quit): they follow the keys that fit, the others give way.
        self.pinned = pinned
        #: (first cell, end cell, key) of each drawn key, for clicks.
        self._spans: list[tuple[int, int, str]] = []
        #: The keys drawn, read when the bindings change while the terminal has focus.
        self._keys: tuple[list[tuple[Binding, bool]], tuple[Binding, bool] | None] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # Losing the terminal's focus clears the focused widget (Textual), which would drop its
        # keys from the bar until the agent comes back; Footer keeps them, so does this.
        if screen is self.screen and self.app.app_focus:
            self._keys = self._shown()
            self.refresh()

    def _shown(self) -> tuple[list[tuple[Binding, bool]], tuple[Binding, bool] | None]:
        """The keys to show (one per action, in the screen's order) and the palette's key."""
        active = self.screen.active_bindings
        seen: set[str] = set()
        keys: list[tuple[Binding, bool]] = []
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                keys.append((binding, enabled))
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = (found[1], found[2])
        return keys, palette

    def _item(self, binding: Binding, enabled: bool, *, compact: bool, margin: str = "") -> Text:
        """One key in the footer's styles, dim when the binding is disabled: ` key description `
        on the key's background, or `key description` when compact."""
        key = self.app.get_key_display(binding)
        description = binding.description
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        if not description:  # as Footer draws it: the bare key
            item = Text(key, key_style)
        elif compact:
            item = Text.assemble((key, key_style), (f" {description}", description_style))
        else:
            item = Text.assemble((f" {key} ", key_style), (f"{description} ", description_style))
        if not enabled:
            item.stylize("dim")
        item.append(margin)
        return item

    def render(self) -> Text:
        if self._keys is None:
            self._keys = self._shown()
        keys, palette = self._keys
        width = self.size.width
        spans: list[tuple[int, int, str]] = []
        right = Text()
        if palette is not None:  # docked right after a thin rule, as Footer does
            binding, enabled = palette
            item = self._item(binding, enabled, compact=True)
            right = Text.assemble(("▏", self.get_component_rich_style("key-bar--separator")), item, " ")
            at = max(0, width - right.cell_len) + 1
            spans.append((at, at + item.cell_len, binding.key))
        room = max(0, width - right.cell_len)
        line = Text(no_wrap=True, overflow="crop")
        margin = " " if self.compact else ""
        items = [(b, self._item(b, on, compact=self.compact, margin=margin)) for b, on in keys]
        pinned = sorted(
            ((b, item) for b, item in items if b.id in self.pinned),
            key=lambda p: self.pinned.index(p[0].id or ""),
        )
        free = room - sum(item.cell_len for _, item in pinned)
        for binding, item in items:  # the keys that do not fit are cut at the palette's rule
            start = line.cell_len
            if binding.id in self.pinned:
                continue
            if start >= free or (pinned and start + item.cell_len > free):
                break
            line.append_text(item)
            spans.append((start, min(line.cell_len, room), binding.key))
        for binding, item in pinned:
            start = line.cell_len
            line.append_text(item)
            spans.append((start, min(line.cell_len, room), binding.key))
        line.truncate(room)
        line.pad_right(room - line.cell_len)
        line.append_text(right)
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
