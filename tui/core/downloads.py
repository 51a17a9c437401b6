"""Downloading a message's file (contract: "Inbound attachments"): streamed to disk, no credentials.

The bytes are public on the storage host, so they are fetched by a plain client that carries no
API key, no Bearer token and no cookies. They stream in chunks to a hidden temporary file in the
destination folder, which only takes its final name once every byte has arrived: a failed or
cancelled download leaves nothing under the file's name. The name comes from the server, so it is
made safe (`tui.core.saving`) and never replaces anything: a name in use gets ` (1)`, ` (2)`, ...,
claimed atomically (a hard link, which fails when the name exists).

How much is read is capped: the message's announced `file_size` when it has one, else
`UNANNOUNCED_CAP` (the largest channel limit, WhatsApp's 100 MB for documents); a server sending
more than that is refused with a sentence, and nothing is saved; so is one that sends less than
it announced (by `Content-Length` or the message's `file_size`): a short file is never saved
under the real name. A host that stalls (less than `STALL_BYTES` in any `STALL_SECONDS`) is cut
off, whatever the overall deadline says. Credentials in a link (`user:password@`) are dropped:
the storage host gets none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from tui.core.client_deadline import storage_deadline
from tui.core.config import ResolvedProfile
from tui.core.errors import LocalFileError, SwitchboardError, TransportError, UnsafeKeyError
from tui.core.models import Message
from tui.core.payloads import public_media_url
from tui.core.saving import claim, ensure_folder, place, safe_name
from tui.core.text import one_line

#: What a download reads at most when the message does not say how big its file is.
UNANNOUNCED_CAP = 100 * 1024 * 1024
#: Bytes handed to the disk per write (off the event loop).
CHUNK = 1024 * 1024
#: A download that receives less than this in any such window has stalled, and is cut off.
STALL_BYTES = 64 * 1024
STALL_SECONDS = 15.0

#: progress(bytes_received, bytes_total or None when the server does not say)
DownloadProgress = Callable[[int, int | None], None]


class DownloadError(SwitchboardError):
    """The storage host refused, or sent something other than the announced file."""

    exit_code = 7


def download_dir() -> Path:
    """`$XDG_DOWNLOAD_DIR/switchboard`, else `~/Downloads/switchboard`."""
    value = os.environ.get("XDG_DOWNLOAD_DIR")
    base = Path(value) if value and os.path.isabs(value) else Path.home() / "Downloads"
    return base / "switchboard"


def has_file(message: Message) -> bool:
    """The message carries a file (whether or not it says where to fetch it from)."""
    return bool(message.file_name or message.media_url or message.s3_key or message.conversation_file_id)


def media_url(message: Message, profile: ResolvedProfile) -> str:
    """Where the message's bytes are public: `media_url`, else the media base plus `s3_key`."""
    if message.media_url:
        url = message.media_url.strip()
        if _scheme(url) not in ("http", "https"):
            raise DownloadError(
                f"The file {display_name(message)!r} has an address that is not http(s) "
                f"({one_line(url, 60)!r}); it cannot be downloaded."
            )
        return _usable(_without_userinfo(url), message)
    if message.s3_key:
        try:
            built = public_media_url(profile.media_base_url, message.s3_key)
        except UnsafeKeyError as exc:
            raise DownloadError(
                f"{exc.sentence} The file {display_name(message)!r} cannot be downloaded."
            ) from None
        return _usable(built, message)
    raise DownloadError(
        f"The server gave no download address for {display_name(message)!r} (message {message.id} has "
        "no media_url or s3_key); it cannot be fetched."
    )


def _without_userinfo(url: str) -> str:
    """The link without `user:password@`: an HTTP client would send them as Basic credentials."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # `_usable` says it cannot be used
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


def _usable(url: str, message: Message) -> str:
    """The address as given, if an HTTP client can use it: a server's `[` in a host or a control
    character is said in one sentence, not raised from deep inside the client."""
    bad = any(ord(c) < 0x20 or ord(c) == 0x7F for c in url)
    try:
        host = urlsplit(url).hostname
    except ValueError:
        bad = True
    else:
        bad = bad or not host
    if bad:
        raise DownloadError(
            f"The server gave an unusable address for {display_name(message)!r} "
            f"({one_line(url, 60)!r}); it cannot be downloaded."
        )
    return url


def display_name(message: Message) -> str:
    return one_line(message.file_name or "file", 80)


async def download(
    message: Message,
    profile: ResolvedProfile,
    dest_dir: Path | None = None,
    *,
    on_progress: DownloadProgress | None = None,
) -> Path:
    """Download the message's file into `dest_dir` (default `download_dir()`) under its safe
    name, never replacing a file; the saved path."""
    folder = ensure_folder(Path(dest_dir).expanduser() if dest_dir is not None else download_dir())
    tmp = await _fetch(message, profile, folder, on_progress)
    try:
        return claim(tmp, folder, safe_name(message.file_name, message.file_type))
    finally:
        tmp.unlink(missing_ok=True)


async def save_to(
    message: Message,
    profile: ResolvedProfile,
    path: Path | str,
    *,
    overwrite: bool = False,
    on_progress: DownloadProgress | None = None,
) -> Path:
    """Save where the agent says: into a folder (under the safe name, as `download`; a path
    ending in `/` is a folder, created if need be), or as a file path, refusing to replace an
    existing file unless `overwrite`."""
    target = Path(path).expanduser()
    if target.is_dir() or str(path).endswith(("/", os.sep)):  # "a/new/folder/": made, saved into
        return await download(message, profile, target, on_progress=on_progress)
    if not target.parent.is_dir():
        raise LocalFileError(f"The folder {target.parent} does not exist; create it or choose another.")
    if target.exists() and not overwrite:
        raise LocalFileError(f"{target} exists already; choose another name, or remove it first.")
    tmp = await _fetch(message, profile, target.parent, on_progress)
    try:
        return place(tmp, target, overwrite)
    finally:
        tmp.unlink(missing_ok=True)


async def _fetch(
    message: Message, profile: ResolvedProfile, folder: Path, on_progress: DownloadProgress | None
) -> Path:
    """Stream the bytes into a hidden temporary file in `folder`; its path once complete."""
    url = media_url(message, profile)
    announced = message.file_size if message.file_size is not None and message.file_size >= 0 else None
    limit = announced if announced is not None else UNANNOUNCED_CAP
    if announced is not None:
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(folder).free
            if free < announced:
                raise LocalFileError(
                    f"{folder} has {free // 1_000_000} MB free and {display_name(message)!r} needs "
                    f"{announced // 1_000_000 + 1} MB; free some space and try again."
                )
    try:
        fd, raw = tempfile.mkstemp(dir=folder, prefix=".switchboard-", suffix=".part")
    except OSError as exc:
        raise LocalFileError(f"Cannot write in {folder} ({exc.strerror}); choose another folder.") from None
    tmp = Path(raw)
    try:
        with os.fdopen(fd, "wb") as fh:
            await _stream(url, message, profile, fh, limit, on_progress)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


async def _stream(
    url: str,
    message: Message,
    profile: ResolvedProfile,
    fh: IO[bytes],
    limit: int,
    on_progress: DownloadProgress | None,
) -> None:
    from tui.core.client import USER_AGENT
    from tui.core.http import httpx
    from tui.core.http_errors import transport_error
    from tui.core.storage_transport import StorageTransport

    name = display_name(message)
    writing: asyncio.Future[int] | None = None
    host = urlsplit(url).hostname or "the storage host"
    timeout = profile.timeout_seconds
    deadline = storage_deadline(timeout, limit)
    # A client of its own: no API credentials, no cookies, identity encoding (the bytes counted
    # are the object's bytes). Redirects are followed: nothing secret travels with them.
    client = httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        follow_redirects=True,
        max_redirects=5,
        transport=StorageTransport(),  # a CA bundle for https only; wide reads
    )
    received, expected, reading = 0, message.file_size, False
    try:
        async with asyncio.timeout(deadline), client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(
                    f"{host} answered {response.status_code} for {name!r}; the file may have "
                    "been removed, or its link expired: try again later."
                )
            length = _content_length(response.headers.get("content-length"))
            if length is not None and length > limit:
                raise DownloadError(_too_much(name, host, limit, message.file_size))
            expected = length if length is not None else message.file_size
            buffer, reading = bytearray(), True
            try:
                async with _Stall(name, host) as stall:
                    async for chunk in response.aiter_raw():
                        received += len(chunk)
                        if received > limit:
                            raise DownloadError(_too_much(name, host, limit, message.file_size))
                        stall.got(len(chunk))
                        buffer += chunk
                        if len(buffer) >= CHUNK:  # written off the loop while the next bytes come
                            if writing is not None:
                                await writing
                            block, buffer = buffer, bytearray()
                            writing = asyncio.ensure_future(asyncio.to_thread(fh.write, block))
                        if on_progress is not None:
                            on_progress(received, expected)
            finally:
                if writing is not None:
                    await asyncio.wait([writing])  # never leave a write behind on a closed file
            if writing is not None:
                writing.result()  # a disk error surfaces here
            await asyncio.to_thread(_finish, fh, bytes(buffer))
            if expected is not None and received < expected:
                raise _cut_short(name, received, expected)
    except TimeoutError:
        raise TransportError(
            f"The download of {name!r} from {host} did not finish within {deadline or 0:.0f} s; "
            "try again, on a faster network if you can.",
            retry_safe=True,
        ) from None
    except httpx.TransportError as exc:
        if reading and not isinstance(exc, httpx.TimeoutException):  # the connection broke mid-file
            raise _cut_short(name, received, expected) from None
        raise transport_error(exc, url, timeout, method="GET", what=f"the download of {name!r}") from None
    except httpx.InvalidURL:
        raise DownloadError(f"The address of {name!r} cannot be used ({one_line(url, 60)!r}).") from None
    except OSError as exc:
        raise LocalFileError(
            f"Writing {name!r} failed ({exc.strerror}); free some space or choose another folder."
        ) from None
    finally:
        await client.aclose()


class _Stall:
    """Cuts off a host that sends less than `STALL_BYTES` in any `STALL_SECONDS` (a trickle would
    otherwise be given the whole deadline a file's announced size earns it). One timer, pushed
    back each time `STALL_BYTES` more have come: nothing is scheduled per chunk."""

    def __init__(self, name: str, host: str) -> None:
        self.name, self.host = name, host
        self._owed = STALL_BYTES
        self._timer = asyncio.timeout(STALL_SECONDS)

    async def __aenter__(self) -> _Stall:
        await self._timer.__aenter__()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        try:
            await self._timer.__aexit__(kind, exc, tb)
        except TimeoutError:
            raise self._stalled() from None

    def got(self, count: int) -> None:
        self._owed -= count
        if self._owed <= 0:
            self._owed = STALL_BYTES
            self._timer.reschedule(asyncio.get_running_loop().time() + STALL_SECONDS)

    def _stalled(self) -> TransportError:
        return TransportError(
            f"The download of {self.name!r} from {self.host} stalled (less than "
            f"{STALL_BYTES // 1024} KiB in {STALL_SECONDS:.0f} s), so it was not saved; try again later.",
            retry_safe=True,
        )


def _finish(fh: IO[bytes], rest: bytes) -> None:
    fh.write(rest)
    fh.flush()


def _cut_short(name: str, received: int, expected: int | None) -> TransportError:
    of = f" of {expected:,}" if expected is not None else ""
    return TransportError(
        f"The download of {name!r} stopped after {received:,}{of} bytes, so it was not saved; try again.",
        retry_safe=True,
    )


def _content_length(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.strip().isdigit() else None


def _too_much(name: str, host: str, limit: int, announced: int | None) -> str:
    said = f"announced as {announced} bytes" if announced is not None else "the most a download reads"
    return f"{host} sent more than {limit} bytes for {name!r} ({said}); nothing was saved."


__all__ = [
    "UNANNOUNCED_CAP",
    "DownloadError",
    "DownloadProgress",
    "display_name",
    "download",
    "download_dir",
    "has_file",
    "media_url",
    "safe_name",
    "save_to",
]
