"""A server's file address that an HTTP client cannot use is one sentence, never a traceback
(found in review: `[` in a host raised ValueError from urlsplit, a control character
httpx.InvalidURL, both past the app's and the CLI's handlers)."""

from __future__ import annotations

import pytest

from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.downloads import DownloadError, download, media_url
from tui.core.models import Message


def _profile() -> ResolvedProfile:
    return ResolvedProfile(
        name="t",
        base_url="http://127.0.0.1:9",
        organization_id=1,
        api_key=Secret("k"),
        auth="x-api-key",
        media_base_url="http://127.0.0.1:9/media",
        timeout_seconds=5,
        paths=Paths(),
        limits={},
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://[not-ipv6/parcel.png",
        "http://files.example/a\x01b.png",
        "http:///no-host.png",
        "https://[::1/x",
    ],
)
def test_an_unusable_address_is_one_sentence(url: str) -> None:
    message = Message(id=5, direction="inbound", file_name="parcel.png", media_url=url)
    with pytest.raises(DownloadError) as err:
        media_url(message, _profile())
    assert "parcel.png" in err.value.sentence and "\x01" not in err.value.sentence


async def test_download_of_an_unusable_address_raises_only_download_error(tmp_path) -> None:
    message = Message(id=5, direction="inbound", file_name="parcel.png", media_url="http://[bad/parcel.png")
    with pytest.raises(DownloadError):
        await download(message, _profile(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_usable_address_is_kept() -> None:
    message = Message(id=5, direction="inbound", file_name="a.png", s3_key="org/1/a b.png")
    assert media_url(message, _profile()) == "http://127.0.0.1:9/media/org/1/a%20b.png"
