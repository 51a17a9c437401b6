"""The image preview under Pilot: it loads in a worker (the screen answers keys meanwhile), shows
dimensions and the protocol (half-blocks headless), a bomb shows its sentence, escape closes;
`p` on an image chip and on a customer's photo over the sandbox; textual-image is imported in a
real terminal without writing a single query to it."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tests.ui.conftest import wait_for
from tui.screens import image_preview
from tui.screens.base import BaseScreen
from tui.screens.image_preview import ImagePreviewScreen
from tui.screens.preview_actions import PreviewActions, preview_message
from tui.widgets.composer import Chip, Composer

ROOT = Path(__file__).parents[2]


def shown(screen: ImagePreviewScreen, which: str) -> str:
    return str(screen.query_one(f"#image-preview-{which}", Static).render())


class Host(App[None]):
    def __init__(self, screen: ImagePreviewScreen) -> None:
        super().__init__()
        self.preview = screen

    def on_mount(self) -> None:
        self.push_screen(self.preview)


@pytest.fixture(autouse=True)
def colours_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs with NO_COLOR; a preview is tried as most terminals have it, in colour."""
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "parcel.png"
    Image.new("RGB", (300, 200), (200, 10, 10)).save(path)
    return path


async def test_the_preview_loads_in_a_worker_then_shows_the_image_in_half_blocks(
    photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = image_preview.prepare

    def slow(path: Path, protocol: str) -> Any:
        assert release.wait(30)
        return real(path, protocol)

    monkeypatch.setattr(image_preview, "prepare", slow)
    screen = ImagePreviewScreen(photo)
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.is_mounted and "Loading" in shown(screen, "status"))
        assert screen.outcome is None  # the decode is still waiting, and the screen is drawn
        release.set()
        await wait_for(pilot, lambda: screen.outcome == "shown")
        assert shown(screen, "info") == f"300×200 · {photo.stat().st_size} B · PNG"
        assert shown(screen, "protocol") == "Drawn with half-blocks"
        assert str(screen.query_one("#image-preview-title").render()).strip() == "parcel.png"
        image = screen.query_one("#image-preview-image")
        assert type(image).__name__ == "HalfcellImage"
        assert not screen.query_one("#image-preview-status").display
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not screen)


async def test_with_colours_off_the_picture_is_drawn_in_grey_shades(
    photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual strips every colour under NO_COLOR: half-blocks would be a blank box."""
    monkeypatch.setenv("NO_COLOR", "1")
    screen = ImagePreviewScreen(photo)
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.outcome is not None)
        assert shown(screen, "protocol") == "Drawn with shaded blocks (colours are off)"
        image = screen.query_one("#image-preview-image")
        assert type(image).__name__ == "UnicodeImage"

        def shaded() -> bool:  # once laid out and drawn (under load that is a frame or two later)
            lines = [strip.text for strip in image.render_lines(image.region.reset_offset)]
            return any(ch in "█▓▒░" for line in lines for ch in line)

        await wait_for(pilot, shaded)


async def test_escape_closes_the_preview_while_it_is_still_loading(
    photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = image_preview.prepare
    monkeypatch.setattr(image_preview, "prepare", lambda p, proto: (release.wait(30), real(p, proto))[1])
    screen = ImagePreviewScreen(photo)
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.is_mounted and "Loading" in shown(screen, "status"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not screen)
        release.set()


async def test_a_bomb_shows_its_sentence_instead_of_an_image(tmp_path: Path) -> None:
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    screen = ImagePreviewScreen(bomb)
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.outcome is not None)
        assert "decompression bomb" in screen.outcome
        assert "50000×50000" in shown(screen, "status")
        assert not screen.query("#image-preview-image")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not screen)


async def test_sixel_is_encoded_off_the_event_loop(photo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """textual-image encodes Sixel in `render_lines`, on the app's thread (0.2-1 s frozen)."""
    from textual_image.widget import sixel

    threads: list[str] = []
    real = sixel._ImageSixelImpl._image_to_sixels

    def spy(self: Any, *args: Any, **kw: Any) -> str:
        threads.append(threading.current_thread().name)
        return real(self, *args, **kw)

    monkeypatch.setattr(sixel._ImageSixelImpl, "_image_to_sixels", spy)
    screen = ImagePreviewScreen(photo, protocol="sixel")
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.outcome is not None)
        assert screen.outcome == "shown"
        assert shown(screen, "protocol") == "Drawn with Sixel"
        impl = screen.query_one("#image-preview-image").children[0]
        await wait_for(pilot, lambda: getattr(impl, "_cached_sixels", None) is not None)
        assert threads and threading.main_thread().name not in threads


async def test_kitty_uses_textual_images_graphics_widget(photo: Path) -> None:
    screen = ImagePreviewScreen(photo, protocol="kitty")
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.outcome is not None)
        assert type(screen.query_one("#image-preview-image")).__name__ == "TGPImage"
        assert shown(screen, "protocol") == "Drawn with Kitty graphics"


class ComposerHost(PreviewActions, BaseScreen[None]):
    def compose(self) -> ComposeResult:
        yield Composer(None, id="composer")


async def test_p_on_an_image_chip_previews_the_local_file(photo: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    host = ComposerHost()

    class App_(App[None]):
        def on_mount(self) -> None:
            self.push_screen(host)

    app = App_()
    async with app.run_test(size=(80, 24)) as pilot:
        composer = host.query_one(Composer)
        composer.add_attachments([pdf, photo])
        await wait_for(pilot, lambda: len(host.query(Chip)) == 2)
        pdf_chip, photo_chip = host.query(Chip)
        pdf_chip.focus()
        await pilot.press("p")  # not offered on a PDF
        await pilot.pause()
        assert app.screen is host and composer.attachments == [pdf, photo]
        photo_chip.focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ImagePreviewScreen))
        preview = app.screen
        assert isinstance(preview, ImagePreviewScreen) and preview.path == photo
        await wait_for(pilot, lambda: preview.outcome == "shown")
        assert shown(preview, "info").startswith("300×200")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is host)
        assert composer.attachments == [pdf, photo]  # previewing removed nothing


class MessageHost(BaseScreen[None]):
    BINDINGS = [Binding("p", "preview", "Preview")]

    def __init__(self, message: Any) -> None:
        super().__init__()
        self.message = message

    def action_preview(self) -> None:
        preview_message(self, self.message)


async def check_shown(pilot: Any, preview: Any) -> None:
    assert isinstance(preview, ImagePreviewScreen)
    await wait_for(pilot, lambda: preview.outcome is not None, timeout=20)
    assert preview.outcome == "shown"
    saved = "~/Downloads/switchboard/broken-parcel.png"
    info = shown(preview, "info")
    assert info.startswith("96×64 · ") and info.endswith(f" · PNG · saved as {saved}")
    assert shown(preview, "protocol") == "Drawn with half-blocks"


async def test_p_on_a_customers_photo_downloads_it_once_and_previews_it(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None, timeout=20)
        page = await app.backend.client.list_messages(1)
        photo = next(m for m in page.data if m.file_name == "broken-parcel.png")
        host = MessageHost(photo)
        app.push_screen(host)
        for _ in range(2):
            await wait_for(pilot, lambda: app.screen is host)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ImagePreviewScreen))
            await check_shown(pilot, app.screen)
            await pilot.press("escape")
        saved = sorted((Path.home() / "Downloads" / "switchboard").iterdir())
        assert [p.name for p in saved] == ["broken-parcel.png"]  # the second preview reused it


CHILD = """
import sys
sys.path.insert(0, %r)
%s
from textual_image._terminal import get_cell_size
print("CELL", tuple(get_cell_size()), flush=True)
"""
QUIET = "from tui.widgets.image_preview import image_widget_class; image_widget_class('halfblocks')"
NAIVE = "import textual_image.widget"


def run_in_pty(code: str, pixels: tuple[int, int] | None = None) -> bytes:
    """What the child wrote to its terminal (a pty of 24x80 cells, `pixels` wide and high)."""
    import fcntl
    import select
    import termios

    master, slave = os.openpty()
    size = (24, 80, *(pixels or (0, 0)))
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *size))
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "SWITCHBOARD_IMAGES")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD % (str(ROOT), code)], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                raise AssertionError("the child wrote nothing for 60 s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
        child.wait(60)
    assert child.returncode == 0, out.decode(errors="replace")
    return out


QUERIES = (b"\x1b[c", b"\x1b_G", b"\x1b[16t")


def test_textual_image_is_imported_without_querying_the_terminal() -> None:
    naive = run_in_pty(NAIVE)
    assert any(q in naive for q in QUERIES)  # what the library does on its own
    quiet = run_in_pty(QUIET)
    assert not any(q in quiet for q in QUERIES), quiet
    assert b"CELL (10, 20)" in quiet  # no pixel size from the kernel: textual-image's default


def test_the_cell_size_comes_from_the_kernels_window_size() -> None:
    quiet = run_in_pty(QUIET, pixels=(960, 480))
    assert b"CELL (12, 20)" in quiet
    assert not any(q in quiet for q in QUERIES)
