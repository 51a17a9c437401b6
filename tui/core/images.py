"""Images for a preview: checked before they are decoded, decoded small, and which terminal
graphics protocol shows them.

A customer's file is untrusted: a 40 KB PNG may claim 50,000 x 50,000 pixels (7.5 GB once
decoded). So the file's size is capped before Pillow sees it, the pixel count is read from the
header (`Image.open` is lazy) and capped before any pixel is decoded, only everyday formats are
opened (Pillow's EPS reader would run Ghostscript), and what is decoded is a downscaled copy:
a JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still covers the preview (`draft`), so a
20-megapixel photo is never held whole. Every failure is one sentence (`ImageRefused`).

Pillow is imported inside `check_image`: it must not load before the app's first frame.
"""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tui.core.errors import LocalFileError
from tui.core.files import human_size
from tui.core.text import one_line

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

#: A file larger than this is not decoded for a preview.
MAX_FILE_BYTES = 25 * 1024 * 1024
#: Pixels (width x height) an image may claim: a 40-megapixel photo passes, a bomb does not.
MAX_PIXELS = 40_000_000
#: The preview copy's longest side for a graphics protocol (Kitty, Sixel draw real pixels).
PREVIEW_SIDE = 1600
#: Half-blocks draw two pixels per cell: 480 covers a 240-column terminal.
HALF_BLOCK_SIDE = 480
#: The formats a preview opens: what phones, browsers and scanners send.
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")

Protocol = Literal["kitty", "sixel", "halfblocks", "shades"]
PROTOCOL_NAMES: dict[str, str] = {
    "kitty": "Kitty graphics",
    "sixel": "Sixel",
    "halfblocks": "half-blocks",
    # NO_COLOR: half-blocks are colour and nothing else, so the picture is drawn in grey shades.
    "shades": "shaded blocks (colours are off)",
}
#: Set to kitty, sixel, halfblocks or shades to override what the environment suggests.
PROTOCOL_ENV = "SWITCHBOARD_IMAGES"

_ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_ORIENTATION_TAG = 0x0112


class ImageRefused(LocalFileError):
    """The file cannot be previewed: too big, a decompression bomb, not an image, damaged."""


@dataclass(frozen=True)
class ImageInfo:
    """A checked image: its dimensions as shown (EXIF rotation applied) and a small RGB copy."""

    path: Path
    name: str
    width: int
    height: int
    size: int
    format: str
    preview: PILImage = field(repr=False, compare=False)

    def describe(self) -> str:
        return f"{self.width}×{self.height} · {human_size(self.size)} · {self.format}"


def check_image(
    path: Path,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int = PREVIEW_SIDE,
) -> ImageInfo:
    """Open `path` for a preview, or refuse it with one sentence (`ImageRefused`). Blocking:
    call it from a worker thread."""
    path = Path(path)
    name = one_line(path.name, 80) or "the file"
    try:
        fh = open(path, "rb")  # noqa: SIM115 -- closed below, after the stat of this very handle
    except FileNotFoundError:
        raise ImageRefused(f"{name!r} is not there any more; attach or download it again.") from None
    except OSError as exc:
        raise ImageRefused(
            f"{name!r} cannot be read ({exc.strerror or exc}); check its permissions."
        ) from None
    with fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ImageRefused(f"{name!r} is not a regular file; only image files can be previewed.")
        if st.st_size == 0:
            raise ImageRefused(f"{name!r} is empty; there is nothing to preview.")
        if st.st_size > max_bytes:
            raise ImageRefused(
                f"{name!r} is {human_size(st.st_size)}, over the {human_size(max_bytes)} a preview "
                "decodes; open it in another program instead."
            )
        width, height, fmt, preview = _decode(fh, name, max_pixels, max_side)
    return ImageInfo(path, name, width, height, st.st_size, fmt, preview)


def _bomb(name: str, width: int, height: int, max_pixels: int) -> ImageRefused:
    return ImageRefused(
        f"{name!r} claims {width}×{height} pixels, over the {max_pixels // 1_000_000} megapixels a "
        "preview decodes (it may be a decompression bomb); it was not opened."
    )


def _decode(fh: object, name: str, max_pixels: int, max_side: int) -> tuple[int, int, str, PILImage]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow refuses over twice this, and warns over it
    unreadable = ImageRefused(f"{name!r} is not an image a preview can show, or it is damaged.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh, formats=FORMATS) as img:  # type: ignore[arg-type]
                width, height = img.size  # from the header: nothing is decoded yet
                if width * height > max_pixels:
                    raise _bomb(name, width, height, max_pixels)
                fmt = img.format or "image"
                orientation = img.getexif().get(_ORIENTATION_TAG, 1)
                img.draft("RGB", (max_side, max_side))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
                img.thumbnail((max_side, max_side), reducing_gap=None)
                preview = _rgb(ImageOps.exif_transpose(img))
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(name, *_claimed(fh), max_pixels) from None
    except UnidentifiedImageError:
        raise unreadable from None
    except Exception:  # a hostile file may break any decoder in any way
        raise unreadable from None
    if orientation in _ROTATED:
        width, height = height, width
    return width, height, fmt, preview


def _claimed(fh: object) -> tuple[int, int]:
    """The size a bomb's header claims, read again with Pillow's cap lifted (header only)."""
    from PIL import Image

    seek = getattr(fh, "seek", None)
    if seek is None:
        return 0, 0
    seek(0)
    saved = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = None
        with Image.open(fh, formats=FORMATS) as img:  # type: ignore[arg-type]
            return img.size
    except Exception:  # only for the sentence; the refusal stands regardless
        return 0, 0
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _rgb(img: PILImage) -> PILImage:
    """An RGB copy; transparency laid over white, as image viewers show it."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def is_image_name(name: str | None, mime: str | None = None) -> bool:
    """A file a preview is offered for, by its MIME type or, failing that, its name."""
    if mime:
        return mime.split(";", 1)[0].strip().lower().startswith("image/")
    from tui.core.files import mime_from_name

    guessed = mime_from_name(name or "")
    return bool(guessed and guessed.startswith("image/"))


def choose_protocol(environ: Mapping[str, str], *, stdout_tty: bool) -> Protocol:
    """How this terminal can show an image, from its environment alone.

    textual-image would ask the terminal (a DA1 and a Kitty query), but once Textual runs its
    input thread owns stdin and would swallow the answers, so the environment decides:
    Kitty graphics in kitty (TERM=xterm-kitty or KITTY_WINDOW_ID; its placements are written to
    stdout, so stdout must be the terminal), Sixel in terminals known to draw it (WezTerm, foot,
    mlterm, iTerm2, Konsole 22.04+, contour), half-blocks everywhere else, and always inside
    tmux or screen, which do not pass graphics through unless configured to.
    `SWITCHBOARD_IMAGES=kitty|sixel|halfblocks|shades` overrides all of it.
    """
    forced = environ.get(PROTOCOL_ENV, "").strip().lower().replace("-", "")
    if forced in ("kitty", "sixel", "halfblocks", "shades"):
        return forced  # type: ignore[return-value]
    term = environ.get("TERM", "").lower()
    program = environ.get("TERM_PROGRAM", "").lower()
    if environ.get("TMUX") or environ.get("STY") or term.startswith(("screen", "tmux")):
        return "halfblocks"
    if (term == "xterm-kitty" or environ.get("KITTY_WINDOW_ID")) and stdout_tty:
        return "kitty"
    if program in ("wezterm", "iterm.app") or environ.get("WEZTERM_EXECUTABLE"):
        return "sixel"
    if term.startswith(("foot", "mlterm", "contour", "yaft")):
        return "sixel"
    konsole = environ.get("KONSOLE_VERSION", "")
    if konsole.isdigit() and int(konsole) >= 220400:
        return "sixel"
    return "halfblocks"


def preview_side(protocol: str) -> int:
    return PREVIEW_SIDE if protocol in ("kitty", "sixel") else HALF_BLOCK_SIDE


__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "PROTOCOL_ENV",
    "PROTOCOL_NAMES",
    "ImageInfo",
    "ImageRefused",
    "Protocol",
    "check_image",
    "choose_protocol",
    "is_image_name",
    "preview_side",
]
