"""A download's transport: a plain-http link loads no CA bundle (it cost ~40 ms of every
download), while https, given as the link or reached by a redirect, always verifies."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.loopback import Loopback, read_request
from tests.helpers import sandbox_profile
from tui.core.client import ApiClient
from tui.core.downloads import download
from tui.core.errors import SwitchboardError
from tui.core.models import Message
from tui.core.storage_transport import verifying_context


@pytest.fixture
def ca_loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every CA bundle loaded while the test runs (the cached verifying context starts empty)."""
    loads: list[object] = []
    original = ssl.SSLContext.load_verify_locations

    def recording(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        original(self, *args, **kwargs)

    verifying_context.cache_clear()
    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", recording)
    yield loads
    verifying_context.cache_clear()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextlib.asynccontextmanager
async def tls_server(certificate: tuple[Path, Path], body: bytes) -> AsyncIterator[str]:
    """An https server on loopback answering every request with `body`; its base URL."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass  # the client refused the certificate: what the test provokes
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    try:
        yield f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


def redirect_to(location: str) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()

    return handler


async def test_a_plain_http_download_loads_no_ca_bundle(
    sandbox: Any, ca_loads: list[object], tmp_path: Path
) -> None:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        page = await client.list_messages(1)
    message = next(m for m in page.data if m.file_name == "broken-parcel.png")
    ca_loads.clear()  # the API client's own set-up is not the download's
    saved = await download(message, sandbox_profile(sandbox), tmp_path)
    assert saved.stat().st_size == message.file_size
    assert ca_loads == []


async def test_a_redirect_from_http_to_https_verifies_the_certificate(
    sandbox: Any, ca_loads: list[object], certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    async with tls_server(certificate, b"secret") as https, Loopback(redirect_to(https + "/f.txt")) as plain:
        message = Message(id=1, file_name="f.txt", media_url=plain.url + "/f.txt")
        with pytest.raises(SwitchboardError) as caught:
            await download(message, sandbox_profile(sandbox), tmp_path / "dl")
    assert "TLS" in caught.value.sentence and "certificate" in caught.value.sentence
    assert ca_loads, "the https leg loaded no CA bundle"
    assert verifying_context().verify_mode is ssl.CERT_REQUIRED and verifying_context().check_hostname
    assert list((tmp_path / "dl").iterdir()) == []


async def test_an_https_link_signed_by_a_trusted_ca_downloads(
    sandbox: Any, ca_loads: list[object], certificate: tuple[Path, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # httpx's way to name a CA bundle
    async with tls_server(certificate, b"secret") as https:
        message = Message(id=2, file_name="f.txt", media_url=https + "/f.txt")
        saved = await download(message, sandbox_profile(sandbox), tmp_path)
    assert saved.read_bytes() == b"secret"
