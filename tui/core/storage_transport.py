"""The transport of a download's client: what makes a large file arrive about as fast as curl.

Two costs were about half the time of a 50 MiB download from the sandbox (bench row 10):

- the CA bundle: httpx loads certifi's (~40 ms) when a client is made, even for a plain-http
  link. Here each scheme gets its transport on its first request, so a plain-http link loads
  none, and an https one (a link, or a redirect from plain http) loads it once per process and
  always verifies;
- httpcore reads a response 64 KiB at a time, each read a trip through anyio, h11 and the event
  loop. `wide_reads` lets one read take what the event loop holds (up to 256 KiB).
"""

from __future__ import annotations

import functools
import ssl

from tui.core.http import httpx

#: The most one read of a response takes: what asyncio's transport hands over at most.
READ_BYTES = 256 * 1024


@functools.cache
def verifying_context() -> ssl.SSLContext:
    """httpx's verifying context (certifi, or `SSL_CERT_FILE`), loaded on first use only."""
    return httpx.create_ssl_context()


def wide_reads() -> None:
    """Let httpcore read up to `READ_BYTES` at a time. Process-wide (httpcore has no setting per
    client): other clients' reads merely come in fewer, larger pieces."""
    import httpcore

    current = getattr(httpcore.AsyncHTTP11Connection, "READ_NUM_BYTES", None)
    if isinstance(current, int) and current < READ_BYTES:  # a later httpcore may have none
        httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = READ_BYTES


class StorageTransport(httpx.AsyncBaseTransport):
    """One httpx transport per scheme, made on its first request: https with the verifying
    context, plain http with none (it never speaks TLS)."""

    def __init__(self) -> None:
        wide_reads()
        self._by_scheme: dict[str, httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        scheme = request.url.scheme
        transport = self._by_scheme.get(scheme)
        if transport is None:
            verify: ssl.SSLContext | bool = verifying_context() if scheme != "http" else False
            transport = self._by_scheme[scheme] = httpx.AsyncHTTPTransport(verify=verify)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._by_scheme.values():
            await transport.aclose()


__all__ = ["READ_BYTES", "StorageTransport", "verifying_context", "wide_reads"]
