"""The image of a preview, drawn by textual-image with the protocol chosen for this terminal.

textual-image asks the terminal what it can draw when it is imported: `textual_image.renderable`
sends a DA1 query (Sixel) and a Kitty graphics query, `textual_image.widget` a cell-size query
(`CSI 16 t`), each waiting up to 0.1 s for an answer on stdin in cbreak mode. Imported while
Textual runs, those answers race Textual's input thread: they get lost (the detection says no),
or arrive as keys in the focused widget, and the wait would stall whoever imports. So it is
imported here with every query skipped: stdout looks like no terminal for the duration of the
import (Textual writes to stderr, never to `sys.__stdout__`), and the cell size is filled in
beforehand from the TIOCGWINSZ ioctl, which asks the kernel, not the terminal. The widget class is
then picked explicitly from `tui.core.images.choose_protocol`, never textual-image's own guess.
"""

from __future__ import annotations

import io
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.widget import Widget
from textual.widgets import Static

from tui.core.errors import SwitchboardError

if TYPE_CHECKING:
    from textual.geometry import Region
    from textual_image.widget._base import Image as ImageWidget

    from tui.core.images import ImageInfo

#: The cell size textual-image falls back to when nothing says (a VT340's, its own default).
DEFAULT_CELL = (10, 20)

_lock = threading.Lock()


def cell_pixels() -> tuple[int, int]:
    """A cell's size in pixels from the kernel's window size (no terminal query), else
    $TEXTUAL_CELL_WIDTH/HEIGHT (textual-serve sets them), else `DEFAULT_CELL`."""
    try:
        import fcntl
        import struct
        import termios
    except ImportError:  # Windows: no ioctl
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        for stream in (sys.__stderr__, sys.__stdout__):
            try:
                if stream is None or not stream.isatty():
                    continue
                raw = fcntl.ioctl(stream.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
                rows, cols, xpix, ypix = struct.unpack("HHHH", raw)
            except (OSError, ValueError):
                continue
            if rows and cols and xpix and ypix:
                return max(1, xpix // cols), max(1, ypix // rows)
    w, h = os.environ.get("TEXTUAL_CELL_WIDTH", ""), os.environ.get("TEXTUAL_CELL_HEIGHT", "")
    if w.isdigit() and h.isdigit() and int(w) and int(h):
        return int(w), int(h)
    return DEFAULT_CELL


def image_widget_class(protocol: str) -> type[ImageWidget]:
    """textual-image's widget for `protocol` (kitty, sixel, halfblocks, shades), imported without its
    terminal queries. Blocking (it loads Pillow): call it from a worker thread."""
    if sys.__stdout__ is None:
        # textual-image reads the cell size through sys.__stdout__ on every draw.
        raise SwitchboardError(
            "Images cannot be previewed with standard output closed; run without closing it."
        )
    with _lock:
        if "textual_image.widget" not in sys.modules:
            _import_quietly()
    from textual_image.widget import HalfcellImage, SixelImage, TGPImage, UnicodeImage

    if protocol == "kitty":
        return TGPImage
    if protocol == "sixel":
        return _threaded_sixel(SixelImage)
    if protocol == "shades":
        return UnicodeImage
    return HalfcellImage


_sixel_class: list[type[ImageWidget]] = []


def _threaded_sixel(base: type[ImageWidget]) -> type[ImageWidget]:
    """textual-image's Sixel widget with the encoding moved off the event loop.

    Its Sixel encoder is pure Python and runs inside `render_lines`, on the app's thread: about
    0.2 s for an 80x24 preview and a second for 160x48, with the screen frozen meanwhile. Here a
    render that misses its cache starts the encoding in a thread and draws blank lines; the
    result fills textual-image's own cache (keyed by crop, size, cell size and background, so a
    resize encodes again) and the widget redraws from it.
    """
    if _sixel_class:
        return _sixel_class[0]
    from textual.strip import Strip
    from textual_image.widget import sixel

    class ThreadedSixelImpl(sixel._ImageSixelImpl):
        _pending: object = None

        def render_lines(self, crop: Region) -> list[Strip]:
            from textual.dom import NoScreen

            try:
                if not self.image or not self.screen.is_active:
                    return []
            except NoScreen:
                return []
            cells = sixel.get_cell_size()
            background = self._get_background_rgba()
            key = (self.image, crop, self.content_size, cells, self._sixel_options, background)
            cached = self._cached_sixels
            if cached is not None and cached.is_hit(*key):
                return super().render_lines(crop)
            if self._pending != key:
                self._pending = key
                self.run_worker(
                    lambda: self._encode(key), thread=True, group="sixel", exclusive=True, exit_on_error=False
                )
            return [Strip.blank(crop.width)] * crop.height

        def _encode(self, key: tuple[Any, ...]) -> None:
            image, crop, size, cells, options, background = key
            data = sixel.PixelData(image)
            data = self._crop_image(self._scale_image(data, cells), crop, cells)
            encoded = self._image_to_sixels(data.pil_image, options, background=background)
            done = sixel._CachedSixels(image, crop, size, cells, options, background, encoded)
            self.app.call_from_thread(self._encoded, done)

        def _encoded(self, done: Any) -> None:
            self._cached_sixels = done
            self.refresh()

    class ThreadedSixelImage(base, Renderable=sixel._NoopRenderable):  # type: ignore[valid-type,misc,call-arg]
        def compose(self) -> ComposeResult:
            yield ThreadedSixelImpl(self.image, self._sixel_options)

    _sixel_class.append(ThreadedSixelImage)
    return ThreadedSixelImage


def _import_quietly() -> None:
    from textual_image import _terminal

    if not hasattr(_terminal.get_cell_size, "_result"):  # its cache: no query once it is filled
        _terminal.get_cell_size._result = _terminal.CellSize(*cell_pixels())  # type: ignore[attr-defined]
    real = sys.__stdout__
    # Not a tty for the import, so its queries are skipped (setattr: the name is Final to mypy).
    setattr(sys, "__stdout__", io.StringIO())  # noqa: B010
    try:
        import textual_image.widget  # noqa: F401
    finally:
        setattr(sys, "__stdout__", real)  # noqa: B010


class ImagePreview(Widget):
    """The area under the preview's title: "Loading…", then the image or why it cannot be shown."""

    DEFAULT_CSS = """
    ImagePreview { height: 1fr; width: 1fr; }
    ImagePreview #image-preview-status { width: 1fr; height: auto; padding: 1 2; }
    ImagePreview Middle, ImagePreview Center { width: 1fr; height: 1fr; }
    ImagePreview #image-preview-image { width: auto; height: auto; max-width: 100%; max-height: 100%; }
    """

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.image: ImageWidget | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…"), id="image-preview-status")

    @property
    def status(self) -> Static:
        return self.query_one("#image-preview-status", Static)

    def say(self, sentence: str) -> None:
        """A line in place of the image: progress, or why it cannot be shown."""
        self.status.update(Text(sentence))
        self.status.display = True

    async def show(self, info: ImageInfo, widget_class: type[ImageWidget]) -> None:
        """Draw the checked image's small copy, centred, as large as the area allows."""
        self.status.display = False
        self.image = widget_class(info.preview, id="image-preview-image")
        await self.mount(Middle(Center(self.image)))

    def on_unmount(self) -> None:
        # Kitty keeps an image sent to it until told: setting none deletes it from the terminal.
        if self.image is not None:
            self.image.image = None
