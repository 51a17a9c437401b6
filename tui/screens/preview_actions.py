"""Image previews from the conversation: `p` on an image message downloads it (under its safe
name, `tui.core.downloads.download`) and previews it; `p` on an image chip in the composer
previews the local file before it is sent. Mixed into the conversation screen.

Everything heavy happens in the preview screen's worker; these only decide what to preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.images import is_image_name

if TYPE_CHECKING:
    from tui.core.models import Message
    from tui.screens.image_preview import Progress


def previewable(message: Message) -> bool:
    """An image message whose bytes have an address (a file that can be downloaded)."""
    has_bytes = bool(message.media_url or message.s3_key)
    return has_bytes and is_image_name(message.file_name, message.file_type)


class PreviewActions:
    ctx: Any
    app: Any

    def focused_message(self) -> Message | None:
        """The message of the focused history item, if a message has focus."""
        from tui.widgets.history_item import HistoryItem

        focused = self.app.focused
        return focused.message if isinstance(focused, HistoryItem) else None

    def preview_allowed(self) -> bool:
        """For `check_action`: `p` is offered on an image message only."""
        message = self.focused_message()
        return message is not None and previewable(message)

    def action_preview_message(self) -> None:
        message = self.focused_message()
        if message is None or not previewable(message):
            self.ctx.notify_plain("Only an image in the history can be previewed.", timeout=3)
            return
        backend = self.ctx.backend
        if backend is None:
            self.ctx.notify_error(
                self.ctx.backend_error or "Not connected to a backend yet; try again in a moment."
            )
            return
        profile = backend.profile

        async def fetch(progress: Progress) -> Path:
            from tui.core.downloads import download

            return await download(message, profile, on_progress=progress)

        from tui.core.downloads import display_name
        from tui.screens.image_preview import ImagePreviewScreen

        self.app.push_screen(ImagePreviewScreen(title=display_name(message), fetch=fetch))

    def preview_file(self, path: Path) -> None:
        """A file on disk (an attachment chip before sending)."""
        from tui.screens.image_preview import ImagePreviewScreen

        self.app.push_screen(ImagePreviewScreen(path))

    def on_chip_preview_requested(self, event: Any) -> None:
        """`Chip.PreviewRequested` from the composer (found by Textual under this name)."""
        event.stop()
        self.preview_file(event.path)
