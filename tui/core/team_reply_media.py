"""A media team reply's file, made a composer attachment: checked against the channel by its type
before anything is fetched, then downloaded like a customer's file (`downloads`: no API
credentials, streamed, capped, a safe name) into the cache, where the next use finds it.

`media_url` is a storage key or a full URL, as saved [docs]: a key resolves like an MMS link
(`payloads.public_media_url` on the profile's `media_base_url`), a URL is used as given (its
`user:password@` dropped). The file then goes through the composer's own rules (`files`,
`policy`) as any picked file does, and is uploaded to the conversation when the reply is sent.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from tui.core import paths
from tui.core.channels import ChannelSpec
from tui.core.config import ResolvedProfile
from tui.core.files import LocalFile, mime_from_name
from tui.core.models import Message, TeamReply
from tui.core.policy import check_file
from tui.core.saving import safe_name
from tui.core.text import one_line

#: What a folder of the cache may be named from: an id is the server's, anything at all.
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(reply: TeamReply) -> str:
    """The file's name as the agent sees it: `filename`, else the link's last segment."""
    if reply.filename:
        return reply.filename
    try:
        tail = urlsplit(reply.media_url or "").path.rstrip("/").rsplit("/", 1)[-1]
    except ValueError:
        tail = ""
    return tail or "file"


def mime_type(reply: TeamReply) -> str:
    return reply.mime_type or mime_from_name(file_name(reply)) or "application/octet-stream"


def as_message(reply: TeamReply) -> Message:
    """The reply's file as `downloads` fetches a message's: a full URL as `media_url`, a storage
    key as `s3_key` (then public at the profile's media base)."""
    link = (reply.media_url or "").strip()
    is_url = "://" in link
    return Message(
        id=f"team-reply-{reply.id}",
        message_type=reply.message_type,
        file_name=file_name(reply),
        file_type=mime_type(reply),
        media_url=link if is_url else None,
        s3_key=None if is_url else link,
    )


def check_media(reply: TeamReply, spec: ChannelSpec) -> None:
    """Refuse, before any download, a file whose type the channel does not take (its size is
    checked once it is here, as any attachment's)."""
    name = safe_name(file_name(reply))
    check_file(LocalFile(Path(name), name, 0, mime_type(reply), 0), spec)


def cache_folder(reply: TeamReply) -> Path:
    """One folder per reply and version: an edited reply's file is fetched anew."""
    stamp = int(reply.updated_at.timestamp()) if reply.updated_at is not None else 0
    key = _UNSAFE.sub("_", one_line(str(reply.id)))[:40] or "_"
    return paths.cache_dir() / "team-replies" / f"{key}-{stamp}"


async def fetch_file(reply: TeamReply, profile: ResolvedProfile) -> Path:
    """The reply's file on disk: from the cache when fetched before, else downloaded there."""
    from tui.core.downloads import download

    folder = cache_folder(reply)
    if folder.is_dir():
        kept = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        if kept:
            return kept[0]
    return await download(as_message(reply), profile, folder)
