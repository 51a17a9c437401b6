"""Opening and saving a message's file from the history (`o` and `s` on a focused message).

The work runs in a worker of the app, not of the screen or the item: the history may redraw its
items, or the agent go back to the inbox, while a large file is still coming, and neither stops
the download. Progress shows in the message itself (a bar and a percentage, as an upload's does)
for files from `PROGRESS_FROM` up; the result is one sentence saying where the file is. A file
opened once in this session is opened again from disk, not downloaded again, while it is there
with its size.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tui.context import context
from tui.core.models import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

    from tui.context import AppContext
    from tui.core.config import ResolvedProfile
    from tui.widgets.message_item import MessageItem

#: Files at least this big show their progress in the message.
PROGRESS_FROM = 1024 * 1024
#: Cells of the progress bar.
BAR = 12

#: (profile, conversation_file_id or address) -> where this session saved it (for `o` again).
_opened: dict[tuple[str, str], Path] = {}


def _key(profile: ResolvedProfile, message: Message) -> tuple[str, str]:
    return profile.name, str(message.conversation_file_id or message.media_url or message.s3_key)


def progress_words(received: int, total: int | None) -> str:
    """`downloading ━━━━──── 40% of 50.0 MB`, or the bytes so far when the total is unknown."""
    if not total:
        return f"downloading {received / 1e6:.1f} MB"
    done = min(received / total, 1.0)
    filled = round(done * BAR)
    return f"downloading {'━' * filled}{'─' * (BAR - filled)} {done:.0%} of {total / 1e6:.1f} MB"


class _Progress:
    """Shows the download's progress in the item, at most once per percent."""

    def __init__(self, item: MessageItem | None) -> None:
        self.item = item
        self.before = item.pending if item is not None else None
        self.failed = item.has_class("failed") if item is not None else False
        self.shown = -1

    def __call__(self, received: int, total: int | None) -> None:
        if self.item is None or not self.item.is_mounted or (total or received) < PROGRESS_FROM:
            return
        step = int(received * 100 / total) if total else received // PROGRESS_FROM
        if step != self.shown:
            self.shown = step
            self.item.update_message(
                self.item.message, pending=progress_words(received, total), failed=self.failed
            )

    def done(self) -> None:
        if self.item is not None and self.shown >= 0 and self.item.is_mounted:
            self.item.update_message(self.item.message, pending=self.before, failed=self.failed)


def _profile(ctx: AppContext) -> ResolvedProfile | None:
    if ctx.backend is None:
        ctx.notify_error(ctx.backend_error or "Not connected to a backend; the file cannot be fetched.")
        return None
    return ctx.backend.profile


def _busy(app: App[object], ctx: AppContext, name: str) -> bool:
    if any(w.name == name and not w.is_finished for w in app.workers):
        ctx.notify_plain("That file is still downloading; its progress shows in the message.")
        return True
    return False


def open_message_file(node: DOMNode, message: Message, item: MessageItem | None = None) -> None:
    """`o`: download the file (or find it again) and open it with the desktop's program."""
    app, ctx = node.app, context(node)
    profile = _profile(ctx)
    if profile is None:
        return
    name = f"download-open-{message.id}"
    if not _busy(app, ctx, name):
        app.run_worker(_open(ctx, profile, message, item), name=name, group="files", exit_on_error=False)


def save_message_file(node: DOMNode, message: Message, item: MessageItem | None = None) -> None:
    """`s`: ask where (a folder or a file path, pre-filled with the download folder), then save;
    a message without a file has its whole text saved (the history shows only its start)."""
    from tui.core.downloads import download_dir, has_file
    from tui.screens.save_file import SaveFileScreen

    app, ctx = node.app, context(node)
    if not has_file(message):
        name = f"message-{message.key}.txt"

        def text_chosen(path: str | None) -> None:
            if path is not None:
                app.run_worker(_save_text(ctx, message.message_text or "", path, name), group="files")

        app.push_screen(SaveFileScreen(name, download_dir()), text_chosen)
        return
    profile = _profile(ctx)
    if profile is None:
        return

    def chosen(path: str | None) -> None:
        name = f"download-save-{message.id}"
        if path is not None and not _busy(app, ctx, name):
            app.run_worker(
                _save(ctx, profile, message, item, path), name=name, group="files", exit_on_error=False
            )

    app.push_screen(SaveFileScreen(message.file_name, download_dir()), chosen)


async def _open(
    ctx: AppContext, profile: ResolvedProfile, message: Message, item: MessageItem | None
) -> None:
    import asyncio

    from tui.core.downloads import download
    from tui.core.errors import SwitchboardError
    from tui.core.opener import open_file

    key = _key(profile, message)
    path = _opened.get(key)
    if path is None or not _same(path, message):
        progress = _Progress(item)
        try:
            path = await download(message, profile, on_progress=progress)
        except SwitchboardError as exc:
            ctx.notify_error(exc)
            return
        finally:
            progress.done()
        _opened[key] = path
    result = await asyncio.to_thread(open_file, path)
    ctx.notify_plain(result.sentence, timeout=6 if result.opened else 10)


async def _save(
    ctx: AppContext, profile: ResolvedProfile, message: Message, item: MessageItem | None, path: str
) -> None:
    from tui.core.downloads import save_to
    from tui.core.errors import SwitchboardError

    progress = _Progress(item)
    try:
        saved = await save_to(message, profile, path, on_progress=progress)
    except SwitchboardError as exc:
        ctx.notify_error(exc)
        return
    finally:
        progress.done()
    ctx.notify_plain(f"Saved to {saved}.", timeout=8)


async def _save_text(ctx: AppContext, text: str, path: str, name: str) -> None:
    import asyncio

    from tui.core.errors import SwitchboardError
    from tui.core.saving import save_text

    try:
        saved = await asyncio.to_thread(save_text, text, path, name)
    except SwitchboardError as exc:
        ctx.notify_error(exc)
        return
    ctx.notify_plain(f"Saved the whole message ({len(text):,} characters) to {saved}.", timeout=8)


def _same(path: Path, message: Message) -> bool:
    """The file saved earlier is still there, whole."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return message.file_size is None or size == message.file_size


__all__ = ["open_message_file", "progress_words", "save_message_file"]
