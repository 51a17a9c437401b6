"""A file's MIME type comes from its content as well as its name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.core.errors import LocalFileError
from tui.core.files import category_of, detect_mime, human_size, inspect_file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
GPP = b"\x00\x00\x00\x18ftyp3gp5" + b"\x00" * 64
OGG = b"OggS" + b"\x00" * 64
AMR = b"#!AMR\n" + b"\x00" * 16
ZIP = b"PK\x03\x04" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "head", "mime"),
    [
        ("a.png", PNG, "image/png"),
        ("a.jpg", JPEG, "image/jpeg"),
        ("a.pdf", PDF, "application/pdf"),
        ("clip.mp4", MP4, "video/mp4"),
        ("clip.3gp", GPP, "video/3gpp"),
        ("voice.ogg", OGG, "audio/ogg"),
        ("voice.amr", AMR, "audio/amr"),
        ("report.docx", ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("notes.txt", b"plain words\n", "text/plain"),
        ("data.csv", b"a,b\n1,2\n", "text/csv"),
        ("noext", PDF, "application/pdf"),
        ("noext", b"\x00\x01\x02binary", "application/octet-stream"),
        ("mystery.bin", b"\x00\x01\x02binary", "application/octet-stream"),
        ("utf8.txt", "olá 😀".encode(), "text/plain"),
    ],
)
def test_detect_mime(name: str, head: bytes, mime: str) -> None:
    assert detect_mime(head, name) == mime


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_inspect_reads_size_and_type(tmp_path: Path) -> None:
    p = write(tmp_path, "photo.png", PNG)
    f = inspect_file(p)
    assert (f.name, f.size, f.mime, f.category) == ("photo.png", len(PNG), "image/png", "image")


def test_png_that_is_really_a_pdf_is_caught(tmp_path: Path) -> None:
    p = write(tmp_path, "photo.png", PDF)
    with pytest.raises(LocalFileError) as err:
        inspect_file(p)
    assert err.value.sentence == (
        "'photo.png' is named like image/png but its content is application/pdf; "
        "rename it or pick the right file."
    )


def test_image_name_with_no_image_inside(tmp_path: Path) -> None:
    with pytest.raises(LocalFileError, match="damaged or mislabelled"):
        inspect_file(write(tmp_path, "photo.jpg", b"just some text"))


def test_pdf_named_pdf_and_jpeg_named_jpeg_pass(tmp_path: Path) -> None:
    assert inspect_file(write(tmp_path, "x.jpeg", JPEG)).mime == "image/jpeg"
    assert inspect_file(write(tmp_path, "x.PDF", PDF)).mime == "application/pdf"


def test_missing_directory_empty_unreadable(tmp_path: Path) -> None:
    with pytest.raises(LocalFileError, match="does not exist"):
        inspect_file(tmp_path / "nope.png")
    with pytest.raises(LocalFileError, match="is a directory"):
        inspect_file(tmp_path)
    with pytest.raises(LocalFileError, match="empty"):
        inspect_file(write(tmp_path, "zero.txt", b""))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Permission bits do not stop root (CI runs as root), so refuse the open itself.
    locked = write(tmp_path, "locked.txt", b"secret")

    def deny(self: Path, *a: object, **k: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(LocalFileError, match="permission denied"):
        inspect_file(locked)


def test_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(LocalFileError, match="not a regular file"):
        inspect_file(fifo)


def test_category_of() -> None:
    assert category_of("image/png") == "image"
    assert category_of("audio/ogg") == "audio"
    assert category_of("video/mp4") == "video"
    assert category_of("application/pdf") == "file"
    assert category_of("text/plain") == "file"


def test_human_size() -> None:
    assert human_size(512) == "512 B"
    assert human_size(2048) == "2 KB"
    assert human_size(5 * 1024 * 1024) == "5 MB"
    assert human_size(int(1.5 * 1024**3)) == "1.5 GB"


#: Text as Notepad and Excel save it: a byte-order mark, then the encoded text.
TEXT = "Name,Amount\nAna,12\n"
BOM_TEXTS = {
    "utf-16-le": b"\xff\xfe" + TEXT.encode("utf-16-le"),  # FF FE looks like an MPEG frame sync
    "utf-16-be": b"\xfe\xff" + TEXT.encode("utf-16-be"),
    "utf-8-sig": TEXT.encode("utf-8-sig"),
    "utf-32-le": b"\xff\xfe\x00\x00" + TEXT.encode("utf-32-le"),
    "utf-32-be": b"\x00\x00\xfe\xff" + TEXT.encode("utf-32-be"),
}


@pytest.mark.parametrize("encoding", sorted(BOM_TEXTS))
def test_text_with_a_byte_order_mark_is_text(encoding: str) -> None:
    head = BOM_TEXTS[encoding]
    assert detect_mime(head, "export.txt") == "text/plain"
    assert detect_mime(head, "export.csv") == "text/csv"
    assert detect_mime(head, "export") == "text/plain"


def test_a_utf16_file_is_a_document_not_audio(tmp_path: Path) -> None:
    f = inspect_file(write(tmp_path, "export.txt", BOM_TEXTS["utf-16-le"]))
    assert (f.mime, f.category) == ("text/plain", "file")


def test_utf16_text_named_like_audio_is_caught(tmp_path: Path) -> None:
    with pytest.raises(LocalFileError) as err:
        inspect_file(write(tmp_path, "song.mp3", BOM_TEXTS["utf-16-le"]))
    assert "named like audio/mpeg but its content is text/plain" in err.value.sentence


def test_a_real_mpeg_frame_is_still_audio() -> None:
    assert detect_mime(b"\xff\xfb\x90\x64" + b"\x00" * 64, "song.mp3") == "audio/mpeg"
    assert detect_mime(b"ID3\x04\x00" + b"\x00" * 64, "song.mp3") == "audio/mpeg"


def test_a_name_that_is_not_utf8_gets_a_safe_name(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9 \xff.txt"  # Latin-1 bytes, as an old archive leaves them
    path = Path(os.fsdecode(raw))
    path.write_bytes(b"menu\n")
    f = inspect_file(path)
    assert f.name == "caf\ufffd \ufffd.txt"
    assert f.name.encode("utf-8")  # can go into JSON, a terminal, a sentence
    assert f.path.read_bytes() == b"menu\n"  # the real path still opens the file
    with pytest.raises(LocalFileError) as err:
        inspect_file(Path(os.fsdecode(os.fsencode(tmp_path) + b"/gone\xe9.txt")))
    assert err.value.sentence.encode("utf-8")
