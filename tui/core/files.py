"""Local attachments: what a file on disk is, judged by its content as well as its name.

The name's extension proposes a MIME type; the first bytes confirm or overrule it, so a `.png`
that is really a PDF is caught before it is uploaded as an image.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import LocalFileError

SNIFF_BYTES = 4096

_EXTRA_TYPES = {
    ".amr": "audio/amr",
    ".aac": "audio/aac",
    ".m4a": "audio/mp4",
    ".opus": "audio/ogg",
    ".oga": "audio/ogg",
    ".ogg": "audio/ogg",
    ".3gp": "video/3gpp",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE_BY_EXT = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


_ALIASES = {
    "audio/x-wav": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "video/x-m4v": "video/mp4",
}


def mime_from_name(name: str) -> str | None:
    ext = Path(name).suffix.lower()
    guess = _EXTRA_TYPES.get(ext) or _OLE_BY_EXT.get(ext) or mimetypes.guess_type(name, strict=False)[0]
    return _ALIASES.get(guess, guess) if guess else None


def _claims_media(mime: str | None) -> bool:
    """Types a channel treats specially; a name claiming one must be backed by the content."""
    if not mime:
        return False
    return mime.split("/", 1)[0] in ("image", "audio", "video") or mime == "application/pdf"


#: Byte-order marks, longest first: UTF-32 LE starts with UTF-16 LE's mark.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def text_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark announces (what Notepad and Excel write), or None."""
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            return encoding
    return None


def safe_name(name: str) -> str:
    """A file name that can go into JSON, a terminal and a sentence: bytes that are not UTF-8
    (kept by Python as surrogate escapes, e.g. from a Latin-1 archive) become U+FFFD."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that was never a byte
        raw = name.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def sniff(head: bytes, name: str = "") -> str | None:
    """The MIME type the content proves, or None when the bytes say nothing definite."""
    if text_encoding(head):
        return "text/plain"  # before the MPEG check: FF FE reads as a frame sync
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"OggS"):
        return "video/ogg" if b"theora" in head[:256].lower() else "audio/ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
            return "audio/aac"  # ADTS frame header
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"3g"):
            return "video/3gpp"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"mif1"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        by_name = mime_from_name(name)
        if by_name and ("openxmlformats" in by_name or by_name == "application/zip"):
            return by_name
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE_BY_EXT.get(Path(name).suffix.lower(), "application/x-ole-storage")
    if head[:4] in (b"\x1f\x8b\x08\x00", b"\x1f\x8b\x08\x08") or head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if head.startswith(b"\x7fELF"):
        return "application/x-executable"
    return None


def _looks_textual(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        return exc.start >= len(head) - 3
    return True


def detect_mime(head: bytes, name: str) -> str:
    """Content first, name second; an unknown binary is application/octet-stream."""
    sniffed = sniff(head, name)
    by_name = mime_from_name(name)
    if sniffed == "text/plain" or (sniffed is None and _looks_textual(head)):
        if by_name and (by_name.startswith("text/") or by_name in ("application/json", "application/xml")):
            return by_name
        return "text/plain"
    if sniffed:
        return sniffed
    if by_name and not by_name.startswith(("image/", "text/")) and by_name != "application/pdf":
        # Formats we cannot sniff (some audio/video); trust the name only for those.
        return by_name
    return "application/octet-stream"


def category_of(mime: str) -> str:
    """The API's file_category for a MIME type."""
    major = mime.split("/", 1)[0]
    return major if major in ("image", "audio", "video") else "file"


@dataclass(frozen=True)
class LocalFile:
    """A file picked for upload, as it was when inspected."""

    path: Path
    name: str
    size: int
    mime: str
    mtime_ns: int
    ino: int = 0

    @property
    def category(self) -> str:
        return category_of(self.mime)


def changed_since(picked: LocalFile, st: os.stat_result) -> str | None:
    """How the file on disk differs from what was picked (size, content time, identity), or None."""
    if st.st_size != picked.size:
        verb = "grew" if st.st_size > picked.size else "shrank"
        return f"{verb} from {picked.size:,} to {st.st_size:,} bytes"
    if st.st_mtime_ns != picked.mtime_ns:
        return "was modified"
    if picked.ino and st.st_ino != picked.ino:
        return "was replaced by another file"
    return None


def recheck(picked: LocalFile) -> LocalFile:
    """The picked file again, or one sentence if it was deleted or changed since it was inspected.

    What is uploaded must be what the agent picked: a file that grew, shrank, was rewritten or
    replaced in between is refused rather than sent in its new form.
    """
    try:
        st = picked.path.stat()
    except FileNotFoundError:
        raise LocalFileError(
            f"{picked.name!r} was deleted after it was picked; attach it again if it still matters."
        ) from None
    except OSError as exc:
        raise LocalFileError(f"{picked.name!r} cannot be read any more ({exc.strerror or exc}).") from None
    if not stat.S_ISREG(st.st_mode):
        raise LocalFileError(f"{picked.name!r} is no longer a regular file; attach it again.")
    how = changed_since(picked, st)
    if how:
        raise LocalFileError(
            f"{picked.name!r} changed after it was picked (it {how}); "
            "attach it again to send the new version."
        )
    return picked


def inspect_file(path: str | os.PathLike[str] | LocalFile) -> LocalFile:
    """Stat and sniff a file; one sentence for each way it can be unusable.

    Given a `LocalFile` (a file inspected when it was picked), check it is unchanged instead.
    """
    if isinstance(path, LocalFile):
        return recheck(path)
    p = Path(path).expanduser()
    shown = safe_name(str(path))  # quoted in sentences; the real path is used to open it
    name = safe_name(p.name)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise LocalFileError(f"The file {shown!r} does not exist; check the path.") from None
    except PermissionError:
        raise LocalFileError(f"The file {shown!r} cannot be read (permission denied).") from None
    except OSError as exc:
        raise LocalFileError(f"The file {shown!r} cannot be read ({exc.strerror or exc}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise LocalFileError(f"{shown!r} is a directory; attach the files inside it one by one.")
    if not stat.S_ISREG(st.st_mode):
        raise LocalFileError(f"{shown!r} is not a regular file; attach a regular file.")
    if st.st_size == 0:
        raise LocalFileError(f"The file {shown!r} is empty (0 bytes); there is nothing to send.")
    try:
        with p.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except PermissionError:
        raise LocalFileError(f"The file {shown!r} cannot be read (permission denied).") from None
    except OSError as exc:
        raise LocalFileError(f"The file {shown!r} cannot be read ({exc.strerror or exc}).") from None
    mime = detect_mime(head, p.name)
    claimed = mime_from_name(p.name)
    if claimed is not None and _claims_media(claimed) and claimed not in (mime, "image/svg+xml"):
        proven = sniff(head, p.name)
        if proven is not None:
            raise LocalFileError(
                f"{name!r} is named like {claimed} but its content is {proven}; "
                "rename it or pick the right file."
            )
        if claimed.startswith("image/") or claimed == "application/pdf":
            raise LocalFileError(
                f"{name!r} is named like {claimed} but its content is not; "
                "the file may be damaged or mislabelled."
            )
    return LocalFile(
        path=p.resolve(), name=name, size=st.st_size, mime=mime, mtime_ns=st.st_mtime_ns, ino=st.st_ino
    )


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
    return f"{n} B"
