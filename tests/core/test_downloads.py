"""Downloading a message's file: the seeded files over a real sandbox, byte for byte, with no API
credentials reaching the storage host; hostile names saved safely and nothing ever overwritten;
more bytes than announced refused; the body streamed in chunks, never whole in memory."""

from __future__ import annotations

import asyncio
import itertools
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from tests.core.loopback import Loopback
from tests.helpers import sandbox_profile
from tui.core import downloads as downloads_module
from tui.core.client import ApiClient
from tui.core.downloads import (
    CHUNK,
    DownloadError,
    download,
    download_dir,
    safe_name,
    save_to,
)
from tui.core.errors import LocalFileError, SwitchboardError
from tui.core.http import httpx
from tui.core.models import Message
from tui.core.payloads import public_media_url
from tui.core.saving import MAX_NAME_BYTES, save_text
from tui.sandbox.seed_files import HOSTILE_TEXT, parcel_png, statement_pdf


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "dl"
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(folder))
    return folder / "switchboard"


async def file_message(sandbox: Any, conversation_id: int, name: str) -> Message:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        page = await client.list_messages(conversation_id)
    return next(m for m in page.data if m.file_name == name)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- the seeded files, over the sandbox ---------------------------------------------------------


@pytest.mark.parametrize(
    ("cid", "name", "content"),
    [
        (1, "broken-parcel.png", parcel_png()),
        (1, "statement-2026-11.pdf", statement_pdf()),
        (9, "parcel-photo.png", parcel_png()),
        (14, "statement-2026-11.pdf", statement_pdf()),
    ],
    ids=["whatsapp-photo", "whatsapp-pdf", "instagram-photo", "messenger-pdf"],
)
async def test_seeded_files_download_byte_for_byte(
    sandbox: Any, downloads: Path, cid: int, name: str, content: bytes
) -> None:
    message = await file_message(sandbox, cid, name)
    assert message.conversation_file_id and message.s3_key and message.file_size == len(content)
    saved = await download(message, sandbox_profile(sandbox))
    assert saved == downloads / name
    assert saved.read_bytes() == content
    assert leftovers(downloads) == []


async def test_seeded_photo_is_a_real_png() -> None:
    import io

    from PIL import Image  # the test may; the sandbox never does

    with Image.open(io.BytesIO(parcel_png())) as image:
        image.load()
        assert image.size == (96, 64)


async def test_the_media_route_refuses_credentials_so_a_download_proves_it_sent_none(
    sandbox: Any, downloads: Path
) -> None:
    message = await file_message(sandbox, 1, "broken-parcel.png")
    assert message.s3_key is not None
    url = public_media_url(sandbox.media_base_url, message.s3_key)
    async with httpx.AsyncClient() as plain:
        for headers in ({"x-api-key": sandbox.api_key}, {"Authorization": f"Bearer {sandbox.api_key}"}):
            refused = await plain.get(url, headers=headers)
            assert refused.status_code == 400 and b"credentials" in refused.content
        assert (await plain.get(url)).status_code == 200
    saved = await download(message, sandbox_profile(sandbox))  # the server would have said 400
    assert saved.read_bytes() == parcel_png()


async def test_hostile_seeded_name_is_saved_inside_the_folder_under_a_visible_name(
    sandbox: Any, downloads: Path, isolated_home: Path
) -> None:
    message = await file_message(sandbox, 19, "../../.bashrc")
    saved = await download(message, sandbox_profile(sandbox))
    assert saved == downloads / "_.bashrc"
    assert saved.read_bytes() == HOSTILE_TEXT
    assert not (isolated_home / ".bashrc").exists()
    assert not (downloads.parent.parent / ".bashrc").exists()


async def test_an_existing_name_is_never_overwritten(sandbox: Any, downloads: Path) -> None:
    downloads.mkdir(parents=True)
    mine = downloads / "broken-parcel.png"
    mine.write_bytes(b"the agent's own file")
    message = await file_message(sandbox, 1, "broken-parcel.png")
    first = await download(message, sandbox_profile(sandbox))
    second = await download(message, sandbox_profile(sandbox))
    assert (first.name, second.name) == ("broken-parcel (1).png", "broken-parcel (2).png")
    assert mine.read_bytes() == b"the agent's own file"
    assert first.read_bytes() == second.read_bytes() == parcel_png()


async def test_default_folder_is_downloads_under_home(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    assert download_dir() == isolated_home / "Downloads" / "switchboard"
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", "relative/not/used")
    assert download_dir() == isolated_home / "Downloads" / "switchboard"


async def test_media_url_is_used_when_the_message_has_one(sandbox: Any, downloads: Path) -> None:
    seeded = await file_message(sandbox, 1, "statement-2026-11.pdf")
    assert seeded.s3_key is not None
    url = public_media_url(sandbox.media_base_url, seeded.s3_key)
    message = Message(id=99, file_name="mms.pdf", file_type="application/pdf", media_url=url)
    saved = await download(message, sandbox_profile(sandbox))
    assert saved.name == "mms.pdf" and saved.read_bytes() == statement_pdf()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"media_url": "file:///etc/passwd"}, "not http(s)"),
        ({}, "no download address"),
        ({"s3_key": "org-1/none/such.png"}, "answered 404"),
    ],
)
async def test_a_file_that_cannot_be_fetched_is_one_sentence(
    sandbox: Any, downloads: Path, fields: dict[str, Any], words: str
) -> None:
    message = Message(id=5, file_name="x.png", file_type="image/png", **fields)
    with pytest.raises(DownloadError) as caught:
        await download(message, sandbox_profile(sandbox))
    assert words in caught.value.sentence and "\n" not in caught.value.sentence
    assert not downloads.exists() or list(downloads.iterdir()) == []


# -- more than announced ------------------------------------------------------------------------


async def test_more_bytes_than_announced_are_refused_and_nothing_is_saved(
    sandbox: Any, downloads: Path
) -> None:
    seeded = await file_message(sandbox, 1, "statement-2026-11.pdf")
    short = seeded.model_copy(update={"file_size": 100})
    with pytest.raises(DownloadError) as caught:
        await download(short, sandbox_profile(sandbox))
    assert "more than 100 bytes" in caught.value.sentence and "nothing was saved" in caught.value.sentence
    assert list(downloads.iterdir()) == []


async def test_an_endless_chunked_answer_is_cut_at_the_announced_size(sandbox: Any, downloads: Path) -> None:
    """No Content-Length to refuse up front: the count while streaming stops it."""
    sent = 0

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"x" * 65536
        while True:
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
            sent += len(piece)

    async with Loopback(endless) as server:
        message = Message(id=7, file_name="p.png", file_size=300_000, media_url=server.url + "/p.png")
        with pytest.raises(DownloadError) as caught:
            await download(message, sandbox_profile(sandbox))
    assert "announced as 300000 bytes" in caught.value.sentence
    assert list(downloads.iterdir()) == []
    assert sent < 64 * 1024 * 1024  # it stopped reading; the server did not go on forever


# -- streamed, never whole in memory ------------------------------------------------------------


async def test_a_large_file_streams_in_chunks_with_flat_memory(sandbox: Any, downloads: Path) -> None:
    size = 24 * 1024 * 1024
    raw = sandbox.customer_sends_file(23, "big.bin", "application/octet-stream", size=size)
    async with ApiClient(sandbox_profile(sandbox)) as client:
        page = await client.list_messages(23)
    message = next(m for m in page.data if m.id == raw["id"])
    seen: list[tuple[int, int | None]] = []
    tracemalloc.start()
    try:
        saved = await download(
            message, sandbox_profile(sandbox), on_progress=lambda r, t: seen.append((r, t))
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert saved.stat().st_size == size
    assert len(seen) >= size // CHUNK and seen[-1] == (size, size)
    assert all(b[0] - a[0] <= CHUNK for a, b in itertools.pairwise(seen))
    assert peak < size // 4, f"peak {peak} bytes traced for a {size}-byte download"


# -- safe names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("untrusted", "expected"),
    [
        ("../../.bashrc", "_.bashrc"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("/etc/passwd", "passwd"),
        (".hidden", "_.hidden"),
        ("...", "file.pdf"),
        ("..", "file.pdf"),
        ("", "file.pdf"),
        (None, "file.pdf"),
        ("dir/", "file.pdf"),
        ("invoice\x1b[31m red.pdf", "invoice[31m red.pdf"),
        ("photo\u202egnp.exe", "photognp.exe"),
        ("a\u200bb\x00c\x7f.txt", "abc.txt"),
        ("two\nlines\t here.txt", "two lines here.txt"),
        ("  spaced  .txt", "spaced.txt"),
    ],
)
def test_safe_name(untrusted: str | None, expected: str) -> None:
    assert safe_name(untrusted, "application/pdf") == expected


def test_long_names_are_cut_to_200_bytes_keeping_the_extension() -> None:
    assert safe_name("x" * 300 + ".pdf") == "x" * (MAX_NAME_BYTES - 4) + ".pdf"
    cut = safe_name("é" * 300 + ".jpeg")
    assert cut.endswith(".jpeg") and len(cut.encode()) <= MAX_NAME_BYTES
    assert cut.encode().decode() == cut  # no half character
    assert len(safe_name("y" * 300).encode()) == MAX_NAME_BYTES


def test_an_empty_name_takes_its_extension_from_the_mime_type() -> None:
    assert safe_name("", "image/png") == "file.png"
    assert safe_name("", None) == "file"


async def test_hostile_names_from_any_server_stay_in_the_folder(sandbox: Any, downloads: Path) -> None:
    seeded = await file_message(sandbox, 1, "statement-2026-11.pdf")
    names = ["../../.bashrc", "\x1b]0;pwned\x07.pdf", ".", "z" * 300 + ".pdf", "a/b/../../c.pdf"]
    saved = [
        await download(seeded.model_copy(update={"file_name": n}), sandbox_profile(sandbox)) for n in names
    ]
    for path in saved:
        assert path.parent == downloads
        assert len(path.name.encode()) <= MAX_NAME_BYTES + len(" (9999)")
        assert not any(ord(ch) < 32 for ch in path.name) and not path.name.startswith(".")
    assert len({p.name for p in saved}) == len(saved)
    assert sorted(os.listdir(downloads)) == sorted(p.name for p in saved)


# -- save where the agent says -------------------------------------------------------------------


async def test_save_to_a_folder_a_path_and_never_over_a_file_unless_told(
    sandbox: Any, tmp_path: Path
) -> None:
    message = await file_message(sandbox, 1, "statement-2026-11.pdf")
    profile = sandbox_profile(sandbox)
    folder = tmp_path / "chosen"
    folder.mkdir()
    into = await save_to(message, profile, folder)
    assert into == folder / "statement-2026-11.pdf"
    target = folder / "renamed.pdf"
    assert await save_to(message, profile, target) == target
    target.write_bytes(b"kept")
    with pytest.raises(LocalFileError) as caught:
        await save_to(message, profile, target)
    assert "exists already" in caught.value.sentence and target.read_bytes() == b"kept"
    assert await save_to(message, profile, target, overwrite=True) == target
    assert target.read_bytes() == statement_pdf()
    with pytest.raises(LocalFileError):
        await save_to(message, profile, tmp_path / "missing" / "x.pdf")
    assert leftovers(folder) == []
    made = await save_to(message, profile, f"{tmp_path}/new/folder/")  # a trailing / is a folder
    assert made == tmp_path / "new" / "folder" / "statement-2026-11.pdf"


# -- a sandbox file from before inbound files ----------------------------------------------------


def test_a_sandbox_file_from_before_gets_the_seeded_files_once(tmp_path: Path) -> None:
    import sqlite3

    from tui.sandbox.runner import start_in_thread
    from tui.sandbox.seed_files import SEEDED_FILES, SEEDED_META

    data = tmp_path / "old"
    start_in_thread(data_dir=data).stop()
    db = sqlite3.connect(data / "sandbox.db")
    with db:  # as a file of before: no file messages, no mark
        db.execute("DELETE FROM messages WHERE conversation_file_id IS NOT NULL")
        db.execute("DELETE FROM meta WHERE key = ?", (SEEDED_META,))
    db.close()

    def count() -> int:
        db = sqlite3.connect(data / "sandbox.db")
        try:
            return int(
                db.execute("SELECT count(*) FROM messages WHERE conversation_file_id IS NOT NULL").fetchone()[
                    0
                ]
            )
        finally:
            db.close()

    assert count() == 0
    for _ in range(2):
        start_in_thread(data_dir=data).stop()
        assert count() == len(SEEDED_FILES)


async def test_the_seeds_older_attachments_are_real_files(sandbox: Any, downloads: Path) -> None:
    import io

    from PIL import Image

    from tui.sandbox.seed_files import PARCEL_JPEG

    with Image.open(io.BytesIO(PARCEL_JPEG)) as image:
        assert image.format == "JPEG"
        image.load()
    found: dict[str, int] = {}
    async with ApiClient(sandbox_profile(sandbox)) as client:
        for cid in range(1, 31):
            for m in (await client.list_messages(cid)).data:
                if (
                    m.file_type in ("image/jpeg", "application/pdf")
                    and m.file_name != "statement-2026-11.pdf"
                ):
                    saved = await download(m, sandbox_profile(sandbox))
                    assert saved.stat().st_size == m.file_size
                    found[m.file_type] = found.get(m.file_type, 0) + 1
                    if m.file_type == "image/jpeg":
                        assert saved.read_bytes() == PARCEL_JPEG
    assert found.get("image/jpeg") and found.get("application/pdf"), found


# -- short, stalled, credentialed -----------------------------------------------------------------


async def test_a_body_shorter_than_the_announced_size_is_not_saved(sandbox: Any, downloads: Path) -> None:
    """No Content-Length, the connection closed early: the message's `file_size` is the measure."""

    async def short(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nConnection: close\r\n\r\n")
        writer.write(b"%PDF-1.4 only the start")
        await writer.drain()
        writer.close()

    async with Loopback(short) as server:
        message = Message(id=8, file_name="s.pdf", file_size=50_000, media_url=server.url + "/s.pdf")
        with pytest.raises(SwitchboardError) as caught:
            await download(message, sandbox_profile(sandbox))
    assert "stopped after 23 of 50,000 bytes" in caught.value.sentence
    assert "not saved" in caught.value.sentence
    assert not downloads.exists() or list(downloads.iterdir()) == []


async def test_a_host_that_trickles_is_cut_off_before_the_deadline(
    sandbox: Any, downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads_module, "STALL_SECONDS", 0.4)
    monkeypatch.setattr(downloads_module, "STALL_BYTES", 1024)

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while True:  # 10 bytes every 50 ms: each read is quick, the whole never comes
            writer.write(b"x" * 10)
            await writer.drain()
            await asyncio.sleep(0.05)

    async with Loopback(trickle) as server:
        message = Message(id=9, file_name="t.bin", file_size=100_000, media_url=server.url + "/t.bin")
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(SwitchboardError) as caught:
            await download(message, sandbox_profile(sandbox))
        took = loop.time() - started
    assert "stalled" in caught.value.sentence and "not saved" in caught.value.sentence
    assert took < 3.0
    assert not downloads.exists() or list(downloads.iterdir()) == []


async def test_credentials_in_a_link_are_not_sent(sandbox: Any, downloads: Path) -> None:
    heard: list[bytes] = []

    async def listen(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heard.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()

    async with Loopback(listen) as server:
        url = server.url.replace("://", "://mallory:secret@") + "/x.txt"
        message = Message(id=10, file_name="x.txt", media_url=url)
        saved = await download(message, sandbox_profile(sandbox))
    assert saved.read_bytes() == b"ok"
    assert heard and b"authorization" not in heard[0].lower()


@pytest.mark.parametrize("key", ["org-1/../../etc/passwd", "org-1/./x.png", "org-1//x.png", "org-1/x/.."])
async def test_a_storage_key_with_dot_segments_builds_no_link(
    sandbox: Any, downloads: Path, key: str
) -> None:
    message = Message(id=11, file_name="x.png", s3_key=key)
    with pytest.raises(DownloadError) as caught:
        await download(message, sandbox_profile(sandbox))
    assert "no link is built" in caught.value.sentence and "\n" not in caught.value.sentence


# -- a message's text, saved ----------------------------------------------------------------------


def test_save_text_into_a_folder_never_replaces_and_to_a_path_only_when_told(tmp_path: Path) -> None:
    huge = "line\n" * 200_000
    first = save_text(huge, tmp_path, "../message 7.txt")
    second = save_text("other", tmp_path, "message 7.txt")
    assert first == tmp_path / "message 7.txt" and first.read_text() == huge
    assert second.name == "message 7 (1).txt" and second.read_text() == "other"
    mine = tmp_path / "mine.txt"
    mine.write_text("keep")
    with pytest.raises(LocalFileError, match="exists already"):
        save_text("x", mine, "ignored.txt")
    assert mine.read_text() == "keep"
    assert save_text("x", mine, "ignored.txt", overwrite=True).read_text() == "x"
    assert save_text("new", f"{tmp_path}/made/", "m.txt") == tmp_path / "made" / "m.txt"
    assert leftovers(tmp_path) == []
