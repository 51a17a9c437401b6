"""An image preview over the conversation: a customer's photo, or a file before it is attached.

Nothing here blocks the screen: the download (when the image is a message's) runs in the
screen's worker, Pillow and textual-image load, and the file is checked and decoded small
(`tui.core.images.check_image`), in a thread; meanwhile the screen says "Downloading…" or
"Loading…". A refused file shows its sentence in place of the image. The protocol is chosen from
the environment (`choose_protocol`); a headless app (tests) always uses half-blocks.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from tui.core.errors import SwitchboardError
from tui.core.images import PROTOCOL_NAMES, ImageInfo, check_image, choose_protocol, preview_side
from tui.core.text import one_line
from tui.screens.base import BaseModal
from tui.widgets.image_preview import ImagePreview, image_widget_class
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from textual_image.widget._base import Image as ImageWidget

#: progress(bytes received, bytes in all or None) -> None, as `tui.core.downloads` calls it.
Progress = Callable[[int, "int | None"], None]
#: Brings the file to disk (a download) and says where it is.
Fetch = Callable[[Progress], Awaitable[Path]]


def prepare(path: Path, protocol: str) -> tuple[ImageInfo, type[ImageWidget]]:
    """The checked image and the widget class to draw it with. Blocking: run it in a thread."""
    info = check_image(path, max_side=preview_side(protocol))
    return info, image_widget_class(protocol)


def shown_path(path: Path) -> str:
    """The path as the agent would type it: the home folder as ~."""
    try:
        text = "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        text = str(path)
    return one_line(text, 200)


def detect_protocol(headless: bool, no_color: bool) -> str:
    """Half-blocks headless (tests); grey shades where colours are off (Textual strips every
    colour under NO_COLOR, and half-blocks are nothing but colour)."""
    stdout = sys.__stdout__
    tty = bool(stdout is not None and stdout.isatty())
    protocol = "halfblocks" if headless else choose_protocol(os.environ, stdout_tty=tty)
    return "shades" if protocol == "halfblocks" and no_color else protocol


class ImagePreviewScreen(BaseModal[None]):
    #: Back from it, the message it was opened from keeps focus (see ConversationScreen).
    KEEPS_MESSAGE_FOCUS = True

    DEFAULT_CSS = """
    ImagePreviewScreen { align: center middle; background: $background 60%; }
    #image-preview-box {
        width: 96%; height: 96%; border: round $primary; background: $surface; padding: 0 1;
    }
    #image-preview-title { width: 100%; background: $primary; color: $text; text-style: bold; }
    #image-preview-info { width: 100%; height: auto; max-height: 3; color: $text-muted; }
    #image-preview-protocol { width: 100%; height: 1; color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "close", "Close", id="image_preview.close")]

    def __init__(
        self,
        path: Path | None = None,
        *,
        title: str | None = None,
        fetch: Fetch | None = None,
        protocol: str | None = None,
    ) -> None:
        super().__init__()
        if path is None and fetch is None:
            raise ValueError("an image preview needs a path or a fetch")
        self.path = path
        self.fetch = fetch
        self.title_text = one_line(title or (path.name if path else "image"), 100)
        self.protocol = protocol
        self.info: ImageInfo | None = None
        #: Set once the image is mounted, or the sentence that replaces it is shown.
        self.outcome: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="image-preview-box"):
            yield Label(Text(f" {self.title_text}"), id="image-preview-title")
            yield Static(Text(""), id="image-preview-info")
            yield Static(Text(""), id="image-preview-protocol")
            yield ImagePreview(id="image-preview")
        yield KeyBar()

    @property
    def pane(self) -> ImagePreview:
        return self.query_one(ImagePreview)

    def on_mount(self) -> None:
        if self.protocol is None:
            self.protocol = detect_protocol(self.app.is_headless, self.app.no_color)
        self._load()

    def _line(self, which: str, text: str) -> None:
        self.query_one(f"#image-preview-{which}", Static).update(Text(text))

    def _progress(self, received: int, total: int | None) -> None:
        done = f"{100 * received // total}%" if total else f"{received // 1024} KB"
        self.pane.say(f"Downloading… {done}")

    @work(exclusive=True, exit_on_error=False, group="image-preview")
    async def _load(self) -> None:
        protocol = self.protocol or "halfblocks"
        try:
            if self.fetch is not None:
                self.pane.say("Downloading…")
                self.path = await self.fetch(self._progress)
                self._line("info", f"Saved as {shown_path(self.path)}")
            assert self.path is not None
            self.pane.say("Loading…")
            info, widget_class = await asyncio.to_thread(prepare, self.path, protocol)
        except SwitchboardError as exc:
            self.pane.say(exc.sentence)
            self.outcome = exc.sentence
            return
        except Exception:
            # A defect, not the file: never "Loading…" for ever; the app reports the error.
            self.outcome = "The preview failed; press escape to go back."
            self.pane.say(self.outcome)
            raise
        self.info = info
        saved = f" · saved as {shown_path(self.path)}" if self.fetch else ""
        self._line("info", info.describe() + saved)
        self._line("protocol", f"Drawn with {PROTOCOL_NAMES.get(protocol, protocol)}")
        await self.pane.show(info, widget_class)
        self.outcome = "shown"

    def action_close(self) -> None:
        self.dismiss(None)
