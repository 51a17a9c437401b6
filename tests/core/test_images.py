"""Images for a preview: real files decode small; bombs, oversize, damaged and disguised files are
refused with one sentence, before a pixel is decoded; the protocol follows the environment."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFile

from tui.core.images import (
    MAX_FILE_BYTES,
    ImageRefused,
    check_image,
    choose_protocol,
    is_image_name,
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` RGB pixels, with a short valid stream."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every pixel decode Pillow starts (ImageFile.load), by the size it decodes at."""
    seen: list[tuple[int, int]] = []
    real = ImageFile.ImageFile.load

    def spy(self: Any) -> Any:
        seen.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


def test_a_png_is_read_with_its_dimensions_and_an_rgb_copy(tmp_path: Path) -> None:
    path = tmp_path / "parcel.png"
    Image.new("RGB", (300, 200), (200, 10, 10)).save(path)
    info = check_image(path)
    assert (info.width, info.height, info.format, info.name) == (300, 200, "PNG", "parcel.png")
    assert info.size == path.stat().st_size
    assert info.preview.mode == "RGB" and info.preview.size == (300, 200)
    assert info.preview.getpixel((10, 10)) == (200, 10, 10)
    assert info.describe() == f"300×200 · {info.size} B · PNG"


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_kept_small(
    tmp_path: Path, loads: list[tuple[int, int]]
) -> None:
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (4000, 3000), (20, 120, 40)).save(path, quality=80)
    info = check_image(path, max_side=800)
    assert (info.width, info.height) == (4000, 3000)  # what the file is
    assert max(info.preview.size) == 800  # what is kept
    assert loads and all(w * h <= 2000 * 1500 for w, h in loads)  # JPEG draft: never full size


def test_exif_rotation_is_applied_and_the_dimensions_follow(tmp_path: Path) -> None:
    path = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    Image.new("RGB", (400, 300), (0, 0, 255)).save(path, exif=exif)
    info = check_image(path)
    assert (info.width, info.height) == (300, 400)
    assert info.preview.size == (300, 400)


def test_transparency_is_shown_over_white(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(path)
    assert check_image(path).preview.getpixel((5, 5)) == (255, 255, 255)


def test_a_decompression_bomb_is_refused_from_its_header(
    tmp_path: Path, loads: list[tuple[int, int]]
) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(50_000, 50_000))  # 7.5 GB of pixels in a 1 KB file
    assert path.stat().st_size < 2000
    with pytest.raises(ImageRefused) as refused:
        check_image(path)
    assert refused.value.sentence == (
        "'bomb.png' claims 50000×50000 pixels, over the 40 megapixels a preview decodes "
        "(it may be a decompression bomb); it was not opened."
    )
    assert loads == []  # no pixel was decoded


@pytest.mark.parametrize("size", [(1100, 1000), (1500, 1500), (5000, 5000)])
def test_just_over_the_cap_is_refused_too(tmp_path: Path, size: tuple[int, int], loads: list[Any]) -> None:
    """Over the cap (Pillow only warns up to twice its limit: the warning is an error here)."""
    path = tmp_path / "wide.png"
    path.write_bytes(png_claiming(*size))
    with pytest.raises(ImageRefused, match="decompression bomb"):
        check_image(path, max_pixels=1_000_000)
    assert loads == []


def test_under_the_cap_the_same_header_is_read(tmp_path: Path) -> None:
    path = tmp_path / "fine.png"
    Image.new("RGB", (900, 1000)).save(path)
    assert check_image(path, max_pixels=1_000_000).width == 900


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path, loads: list[Any]) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as fh:  # sparse: costs no disk
        fh.write(png_claiming(10, 10))
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ImageRefused) as refused:
        check_image(path)
    assert refused.value.sentence == (
        "'huge.png' is 25 MB, over the 25 MB a preview decodes; open it in another program instead."
    )
    assert loads == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"hello, this is text\n"),
        ("cut.jpg", None),  # a JPEG cut after 2,000 bytes
        ("broken.png", png_claiming(100, 100)),  # the stream holds far fewer pixels than claimed
    ],
)
def test_damaged_and_disguised_files_are_one_sentence(
    tmp_path: Path, name: str, content: bytes | None
) -> None:
    path = tmp_path / name
    if content is None:
        full = tmp_path / "full.jpg"
        Image.effect_noise((400, 400), 60).convert("RGB").save(full, quality=90)
        content = full.read_bytes()[:2000]
    path.write_bytes(content)
    with pytest.raises(ImageRefused) as refused:
        check_image(path)
    assert refused.value.sentence == f"{name!r} is not an image a preview can show, or it is damaged."


def test_eps_is_never_handed_to_pillows_ghostscript_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import EpsImagePlugin

    asked: list[str] = []

    def spy(self: Any) -> None:
        asked.append("eps")
        raise SyntaxError("not here")

    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", spy)
    path = tmp_path / "figure.png"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(ImageRefused, match="is not an image a preview can show"):
        check_image(path)
    assert asked == []


def test_missing_empty_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageRefused, match="is not there any more"):
        check_image(tmp_path / "gone.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageRefused, match="is empty"):
        check_image(tmp_path / "empty.png")
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(ImageRefused):
        check_image(tmp_path / "folder.png")


def test_a_hostile_name_is_shown_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "a\x1b[31mred\u202e.png"
    path.write_text("not an image")
    with pytest.raises(ImageRefused) as refused:
        check_image(path)
    assert "\x1b" not in refused.value.sentence and "\u202e" not in refused.value.sentence


@pytest.mark.parametrize(
    ("env", "tty", "protocol"),
    [
        ({"TERM": "xterm-kitty"}, True, "kitty"),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}, True, "kitty"),
        ({"TERM": "xterm-kitty"}, False, "halfblocks"),  # Kitty's data goes to stdout
        ({"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-1000/default,1,0"}, True, "halfblocks"),
        ({"TERM": "tmux-256color", "KITTY_WINDOW_ID": "3"}, True, "halfblocks"),
        ({"TERM": "screen-256color"}, True, "halfblocks"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, True, "sixel"),
        ({"TERM": "foot"}, True, "sixel"),
        ({"TERM": "xterm-256color", "KONSOLE_VERSION": "230804"}, True, "sixel"),
        ({"TERM": "xterm-256color", "KONSOLE_VERSION": "210800"}, True, "halfblocks"),
        ({"TERM": "xterm-256color"}, True, "halfblocks"),
        ({}, False, "halfblocks"),
        ({"TERM": "xterm-256color", "TMUX": "x", "SWITCHBOARD_IMAGES": "sixel"}, True, "sixel"),
        ({"TERM": "xterm-kitty", "SWITCHBOARD_IMAGES": "half-blocks"}, True, "halfblocks"),
        ({"TERM": "xterm-kitty", "SWITCHBOARD_IMAGES": "bogus"}, True, "kitty"),
        ({"TERM": "xterm-256color", "SWITCHBOARD_IMAGES": "shades"}, True, "shades"),
    ],
)
def test_the_protocol_follows_the_environment(env: dict[str, str], tty: bool, protocol: str) -> None:
    assert choose_protocol(env, stdout_tty=tty) == protocol


def test_which_files_are_offered_a_preview() -> None:
    assert is_image_name("x.bin", "image/png")
    assert not is_image_name("photo.jpg", "application/pdf")  # the type the server says wins
    assert is_image_name("photo.JPG")
    assert not is_image_name("statement.pdf")
    assert not is_image_name(None)
