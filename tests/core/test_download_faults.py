"""Downloads against the sandbox's own media faults (`--media-short`, `--media-trickle`,
`--media-links`): the refusals the bare loopback servers of test_downloads.py provoke, on the
real media route: a file cut off is not saved, a trickle is cut off as stalled, credentials in a
served link never reach the storage host, a served key with `..` segments builds no link."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import sandbox_profile
from tui.core import downloads as downloads_module
from tui.core.client import ApiClient
from tui.core.downloads import DownloadError, download
from tui.core.errors import SwitchboardError
from tui.core.http import httpx
from tui.core.models import Message
from tui.sandbox.faults import LINK_USERINFO
from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed_files import parcel_png

Start = Callable[..., RunningSandbox]


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[Start]:
    """`faulty(**faults)`: a sandbox with those faults, stopped after the test."""
    started: list[RunningSandbox] = []

    def run(**faults: Any) -> RunningSandbox:
        started.append(start_in_thread(tmp_path / f"sb{len(started)}", **faults))
        return started[-1]

    yield run
    for running in started:
        running.stop()


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "dl"))
    return tmp_path / "dl" / "switchboard"


async def served(running: RunningSandbox, conversation_id: int, name: str) -> Message:
    """The message carrying `name`, as the sandbox's message answer gives it."""
    async with ApiClient(sandbox_profile(running)) as client:
        page = await client.list_messages(conversation_id)
    return next(m for m in page.data if m.file_name == name)


def nothing_saved(folder: Path) -> bool:
    return not folder.exists() or list(folder.iterdir()) == []


async def test_a_file_cut_off_halfway_is_not_saved(faulty: Start, downloads: Path) -> None:
    running = faulty(media_short=True)
    size = 3 * 1024 * 1024
    running.customer_sends_file(23, "big.bin", "application/octet-stream", size=size)
    message = await served(running, 23, "big.bin")
    with pytest.raises(SwitchboardError) as caught:
        await download(message, sandbox_profile(running))
    sentence = caught.value.sentence
    assert f"stopped after {size // 2:,} of {size:,} bytes" in sentence and "not saved" in sentence
    assert "\n" not in sentence
    assert nothing_saved(downloads)
    assert running.fault_stats().get("media_short") == 1


async def test_a_trickled_file_is_cut_off_as_stalled_before_the_deadline(
    faulty: Start, downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads_module, "STALL_SECONDS", 0.4)
    monkeypatch.setattr(downloads_module, "STALL_BYTES", 1024)
    running = faulty(media_trickle_bytes_per_s=200)  # 80 bytes per 0.4 s: each read is quick
    running.customer_sends_file(23, "slow.bin", "application/octet-stream", size=100_000)
    message = await served(running, 23, "slow.bin")
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(SwitchboardError) as caught:
        await download(message, sandbox_profile(running))
    took = loop.time() - started
    assert "stalled" in caught.value.sentence and "not saved" in caught.value.sentence
    assert took < 3.0  # the deadline a 100 kB file earns is far longer
    assert nothing_saved(downloads)
    assert running.fault_stats().get("media_trickled") == 1


async def test_credentials_in_a_served_link_never_reach_the_media_route(
    faulty: Start, downloads: Path
) -> None:
    running = faulty(media_links="userinfo")
    message = await served(running, 1, "broken-parcel.png")
    assert message.media_url is not None and f"//{LINK_USERINFO}@127.0.0.1:" in message.media_url
    async with httpx.AsyncClient() as plain:  # sends them as Basic credentials: the route says no
        refused = await plain.get(message.media_url)
    assert refused.status_code == 400 and b"credentials" in refused.content
    saved = await download(message, sandbox_profile(running))
    assert saved.read_bytes() == parcel_png()


async def test_a_served_key_with_dot_segments_builds_no_link(faulty: Start, downloads: Path) -> None:
    running = faulty(media_links="dots")
    message = await served(running, 1, "broken-parcel.png")
    assert message.s3_key is not None and "/../" in message.s3_key and not message.media_url
    with pytest.raises(DownloadError) as caught:
        await download(message, sandbox_profile(running))
    assert "no link is built" in caught.value.sentence and "\n" not in caught.value.sentence
    assert nothing_saved(downloads)
