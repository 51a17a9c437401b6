"""An https profile's client verifies certificates; only a plain-http one (the sandbox on
loopback), which never speaks TLS, skips loading the CA bundle (~50 ms before the first rows)."""

from __future__ import annotations

import ssl

import pytest

from tests.core.test_queue_client_errors import profile
from tui.core.client import ApiClient


def _context(client: ApiClient) -> ssl.SSLContext:
    return client._http._transport._pool._ssl_context  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_https_verifies_and_plain_http_loads_no_ca_bundle() -> None:
    secure = profile().model_copy(update={"base_url": "https://api.test"})
    plain = profile().model_copy(update={"base_url": "http://127.0.0.1:8765"})
    async with ApiClient(secure) as client:
        assert _context(client).verify_mode is ssl.CERT_REQUIRED
        assert _context(client).check_hostname is True
    async with ApiClient(plain) as client:
        assert _context(client).verify_mode is ssl.CERT_NONE
    async with ApiClient(secure) as client:  # the storage host (signed https URLs) always verifies
        assert client.storage._transport._pool._ssl_context.verify_mode is ssl.CERT_REQUIRED  # type: ignore[attr-defined]
