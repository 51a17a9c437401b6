"""Image previews from the conversation: `p` on an image message downloads it (under its safe
name, `tui.core.downloads.download`, or finds the copy `o` or an earlier `p` saved this session)
and previews it; `p` on an image chip in the composer previews the local file before it is sent.

`preview_message` is called by the history item (as `o` and `s` call `file_actions`);
`PreviewActions` is mixed into the conversation screen for the composer's `Chip.PreviewRequested`.
Everything heavy happens in the preview screen's worker; these only decide what to preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.context import context
from tui.core.images import is_image_name

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.core.models import Message
    from tui.screens.image_preview import Progress


def previewable(message: Message) -> bool:
    """An image message whose bytes have an address (a file that can be downloaded)."""
    has_bytes = bool(message.media_url or message.s3_key)
    return has_bytes and is_image_name(message.file_name, message.file_type)


def preview_message(node: DOMNode, message: Message) -> None:
    """`p` on a message: its image, downloaded in the preview's worker, then shown."""
    ctx = context(node)
    if not previewable(message):
        ctx.notify_plain("Only an image in the history can be previewed.", timeout=3)
        return
    backend = ctx.backend
    if backend is None:
        ctx.notify_error(ctx.backend_error or "Not connected to a backend; the image cannot be fetched.")
        return
    profile = backend.profile
    from tui.core.images import MAX_FILE_BYTES

    if message.file_size is not None and message.file_size > MAX_FILE_BYTES:
        from tui.core.files import human_size

        ctx.notify_error(  # said before a byte is fetched: `s` still saves it
            f"This image is {human_size(message.file_size)}, over the {human_size(MAX_FILE_BYTES)} a preview "
            "decodes; s saves it to open elsewhere."
        )
        return

    async def fetch(progress: Progress) -> Path:
        from tui.core.downloads import download
        from tui.screens import file_actions

        # The copy `o` saved (or an earlier preview), while it is there whole: one file on disk.
        key = file_actions._key(profile, message)
        saved = file_actions._opened.get(key)
        if saved is not None and file_actions._same(saved, message):
            return saved
        path = await download(message, profile, on_progress=progress)
        file_actions._opened[key] = path
        return path

    from tui.core.downloads import display_name
    from tui.screens.image_preview import ImagePreviewScreen

    node.app.push_screen(ImagePreviewScreen(title=display_name(message), fetch=fetch))


def preview_file(node: DOMNode, path: Path) -> None:
    """A file on disk (an attachment chip before sending)."""
    from tui.screens.image_preview import ImagePreviewScreen

    node.app.push_screen(ImagePreviewScreen(path))


class PreviewActions:
    """For the conversation screen: the composer's chips ask for a preview by message."""

    def on_chip_preview_requested(self, event: Any) -> None:
        """`Chip.PreviewRequested` (Textual finds the handler by this name, through the MRO)."""
        event.stop()
        preview_file(self, event.path)  # type: ignore[arg-type]  # mixed into a Screen
