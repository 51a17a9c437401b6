"""Where a file lands on the agent's disk: a safe name made from an untrusted one, a free name in
a folder (`name (1).ext`, …), and a finished temporary file moved there without ever replacing a
file (a hard link, which fails when the name exists). Downloads and saved message texts use it.
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from tui.core.errors import LocalFileError

#: A saved name's length in UTF-8 bytes, its extension included (file systems allow 255).
MAX_NAME_BYTES = 200
#: An extension longer than this is taken as part of the name.
MAX_EXT_BYTES = 16
#: How many `name (n).ext` are tried before giving up.
MAX_COPIES = 9999

# Controls, format characters (bidi overrides, isolates, zero-width), surrogates, private use,
# line and paragraph separators: none of them belongs in a file name on screen.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def safe_name(untrusted: str | None, mime: str | None = None) -> str:
    """A name that is safe to create in a folder and still recognisable: the last path
    segment only, controls and bidi characters dropped, no leading dot (`_` put before it),
    at most `MAX_NAME_BYTES` with the extension kept; "file" plus an extension from `mime`
    when nothing usable is left."""
    text = unicodedata.normalize("NFC", untrusted or "")
    text = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _DROPPED
    )
    text = " ".join(text.replace("\\", "/").split("/")[-1].split())
    if not text.strip("."):
        guessed = mimetypes.guess_extension(mime.split(";")[0].strip()) if mime else None
        return "file" + (guessed or "")
    if text.startswith("."):
        text = "_" + text
    stem, ext = _split(text)
    room = MAX_NAME_BYTES - len(ext.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip() or "file"
    return stem + ext


def _split(name: str) -> tuple[str, str]:
    stem, ext = os.path.splitext(name)
    if stem in ("", "_") or len(ext.encode()) > MAX_EXT_BYTES or " " in ext:
        return name, ""
    return stem, ext


def _candidates(name: str) -> Iterator[str]:
    yield name
    stem, ext = _split(name)
    for n in range(1, MAX_COPIES + 1):
        yield f"{stem} ({n}){ext}"


def _put_new(tmp: Path, target: Path) -> bool:
    """Move the finished temporary file to `target` only if no file is there; False if one is.
    A hard link fails when `target` exists, so there is no check-then-write race; where there
    are no hard links (FAT, some network mounts) the name is reserved with O_EXCL, then replaced."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    except OSError:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        os.close(fd)
        os.replace(tmp, target)
        return True
    tmp.unlink()
    return True


def claim(tmp: Path, folder: Path, name: str) -> Path:
    """Give the finished temporary file a free name in `folder`, never replacing a file."""
    for candidate in _candidates(name):
        if _put_new(tmp, folder / candidate):
            return folder / candidate
    raise LocalFileError(f"{folder} already holds {MAX_COPIES} copies of {name!r}; clear some and try again.")


def place(tmp: Path, target: Path, overwrite: bool) -> Path:
    if overwrite:
        os.replace(tmp, target)
    elif not _put_new(tmp, target):
        raise LocalFileError(f"{target} exists already; choose another name, or remove it first.")
    return target


def ensure_folder(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalFileError(f"The folder {path} cannot be created ({exc.strerror}).") from None
    if not path.is_dir():
        raise LocalFileError(f"{path} is not a folder; choose a folder to save into.")
    return path


def save_text(text: str, path: Path | str, name: str, *, overwrite: bool = False) -> Path:
    """Write `text` (UTF-8) where the agent says: into a folder under `name` made safe (never
    over a file: `name (1).txt`…), or as a file path, refusing to replace one unless
    `overwrite`. The saved path; a disk error is a `LocalFileError`."""
    target = Path(path).expanduser()
    into_folder = target.is_dir() or str(path).endswith(("/", os.sep))
    folder = ensure_folder(target) if into_folder else target.parent
    if not folder.is_dir():
        raise LocalFileError(f"The folder {folder} does not exist; create it or choose another.")
    if not into_folder and target.exists() and not overwrite:
        raise LocalFileError(f"{target} exists already; choose another name, or remove it first.")
    try:
        fd, raw = tempfile.mkstemp(dir=folder, prefix=".switchboard-", suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise LocalFileError(f"Cannot write in {folder} ({exc.strerror}); choose another folder.") from None
    tmp = Path(raw)
    try:
        return claim(tmp, folder, safe_name(name)) if into_folder else place(tmp, target, overwrite)
    finally:
        tmp.unlink(missing_ok=True)
