"""Every way a request can fail ends as one typed error with one sentence, key never shown.

Refused connections, TLS failures and read timeouts use real loopback sockets; answers a real
server would rarely give on demand (HTML from a proxy, truncated JSON) use a mock transport.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.core.loopback import Loopback, read_request
from tui.core.client import MAX_RESPONSE_BYTES, ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TooLargeError,
    TransportError,
)
from tui.core.filters import ConversationFilter

KEY = "sk_live_abcdef123456"


def profile(base_url: str = "https://api.test", timeout: float = 5.0) -> ResolvedProfile:
    return ResolvedProfile(
        name="t",
        base_url=base_url,
        organization_id=101,
        api_key=Secret(KEY),
        auth="x-api-key",
        media_base_url="https://media.test",
        timeout_seconds=timeout,
        paths=Paths(),
        limits={},
    )


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> ApiClient:
    return ApiClient(profile(), transport=httpx.MockTransport(handler))


def feathers(code: int, name: str, message: str, **extra: object) -> httpx.Response:
    body = {
        "name": name,
        "message": message,
        "code": code,
        "className": name.lower(),
        "data": {},
        "errors": {},
    }
    body.update(extra)
    return httpx.Response(code, json=body)


@pytest.mark.parametrize(
    ("response", "kind", "words"),
    [
        (
            feathers(401, "NotAuthenticated", "Invalid API key"),
            AuthError,
            "refused the API key (401: Invalid API key)",
        ),
        (feathers(403, "Forbidden", "Wrong organization"), AuthError, "not allowed to do this (403"),
        (
            feathers(404, "NotFound", "No record found for id '99'"),
            NotFoundError,
            "Conversation 99 was not found",
        ),
        (
            feathers(409, "Conflict", "Window closed"),
            ConflictError,
            "refused by channel policy (409: Window closed)",
        ),
        (feathers(413, "PayloadTooLarge", "Too big"), TooLargeError, "too large (413"),
        (
            feathers(422, "Unprocessable", "Validation failed", errors={"message_text": "is required"}),
            InvalidRequestError,
            "(422): message_text: is required.",
        ),
        (
            feathers(400, "BadRequest", "Bad JSON"),
            InvalidRequestError,
            "rejected conversation 99 (400: Bad JSON)",
        ),
        (feathers(500, "GeneralError", "boom"), ServerError, "server failed (500: boom); try again"),
        (
            httpx.Response(
                502, text="<html><body>Bad gateway</body></html>", headers={"content-type": "text/html"}
            ),
            ServerError,
            "502 and an HTML page",
        ),
        (httpx.Response(503, content=b""), ServerError, "503 and an empty answer"),
        (httpx.Response(404, text="Cannot GET /x"), BadResponseError, "404 with plain text"),
        (httpx.Response(401, content=b""), AuthError, "(401, an empty answer)"),
    ],
)
async def test_error_statuses(response: httpx.Response, kind: type[ApiError], words: str) -> None:
    async with mock(lambda r: response) as client:
        with pytest.raises(kind) as err:
            await client.get_conversation(99)
    assert words in err.value.sentence
    assert "\n" not in err.value.sentence
    assert err.value.status == response.status_code


async def test_rate_limit_reads_retry_after() -> None:
    body = {
        "name": "TooManyRequests",
        "message": "Rate limit exceeded",
        "code": 429,
        "data": {"limit": 1000, "current": 1001, "window": 3600, "retryAfter": 542},
    }
    async with mock(lambda r: httpx.Response(429, json=body)) as client:
        with pytest.raises(RateLimitedError) as err:
            await client.list_conversations()
    assert err.value.retry_after == 542
    assert err.value.retry_safe
    assert err.value.sentence == "The API rate limit is reached; try again in 9 min."


async def test_503_with_retry_after_is_retry_safe_but_500_is_not() -> None:
    r503 = httpx.Response(
        503,
        json={"name": "Unavailable", "message": "maintenance", "code": 503},
        headers={"retry-after": "30"},
    )
    async with mock(lambda r: r503) as client:
        with pytest.raises(ServerError) as err:
            await client.post_message("/x", {}, what="the message")
    assert err.value.retry_safe and err.value.retry_after == 30
    async with mock(lambda r: feathers(500, "GeneralError", "boom")) as client:
        with pytest.raises(ServerError) as err:
            await client.post_message("/x", {}, what="the message")
    assert not err.value.retry_safe
    assert "may or may not have been stored" in err.value.sentence  # a 500 on a POST: unsure


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (
            httpx.Response(200, text="<!doctype html><p>login</p>"),
            "with an HTML page instead of the API's JSON",
        ),
        (httpx.Response(200, content=b""), "with nothing instead"),
        (httpx.Response(200, content=b'{"id": 7, "chan'), "with broken JSON"),
        (httpx.Response(200, json={"no_id": True}), "not what the API documents (id: field required)"),
        (httpx.Response(302, headers={"location": "https://login.test/"}), "redirected"),
    ],
)
async def test_bad_success_answers(response: httpx.Response, words: str) -> None:
    async with mock(lambda r: response) as client:
        with pytest.raises(BadResponseError) as err:
            await client.get_conversation(7)
    assert words in err.value.sentence


async def test_huge_answer_is_refused_not_parsed() -> None:
    async def body() -> AsyncIterator[bytes]:
        chunk = b" " * (1024 * 1024)
        for _ in range(MAX_RESPONSE_BYTES // len(chunk) + 2):
            yield chunk

    async with mock(lambda r: httpx.Response(200, content=body())) as client:
        with pytest.raises(BadResponseError, match="larger than 16 MB"):
            await client.list_conversations()


async def test_key_is_scrubbed_from_server_text() -> None:
    leak = feathers(401, "NotAuthenticated", f"key {KEY} is revoked", errors={"x-api-key": KEY})
    async with mock(lambda r: leak) as client:
        with pytest.raises(AuthError) as err:
            await client.list_conversations()
    assert KEY not in err.value.sentence and "****" in err.value.sentence
    assert KEY not in json.dumps(err.value.errors)


async def test_auth_header_per_profile_and_never_to_storage() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"total": 0, "data": []})

    async with mock(handler) as client:
        await client.list_conversations(ConversationFilter(channel="sms", status="open"))

        async def one() -> AsyncIterator[bytes]:
            yield b"abc"

        await client.put_object("https://bucket.test/k?sig=1", one(), size=3, mime="text/plain")
    api, put = seen
    assert api.headers["x-api-key"] == KEY
    assert api.url.params["organization_id"] == "101"
    assert api.url.params["channel"] == "sms" and api.url.params["$sort[last_interaction_at]"] == "-1"
    assert "x-api-key" not in put.headers and "authorization" not in put.headers
    assert put.headers["content-type"] == "text/plain" and put.headers["content-length"] == "3"


# -- real sockets ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_connection_refused_is_retry_safe() -> None:
    port = free_port()
    async with ApiClient(profile(f"http://127.0.0.1:{port}")) as client:
        with pytest.raises(TransportError) as err:
            await client.list_conversations()
    assert err.value.retry_safe
    assert err.value.sentence == (
        f"Nothing is answering at 127.0.0.1:{port} (connection refused); check that the server is "
        "running and base_url is right."
    )


async def test_tls_failure_against_a_plain_server() -> None:
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        await reader.read(65536)

    async with Loopback(plain, scheme="https") as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(TransportError) as err:
            await client.list_conversations()
    assert err.value.sentence.startswith("The secure (TLS) connection to 127.0.0.1 failed (")
    assert err.value.retry_safe


async def test_read_timeout_is_ambiguous() -> None:
    async def no_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.Event().wait()

    async with Loopback(no_answer) as server, ApiClient(profile(server.url, timeout=0.3)) as client:
        with pytest.raises(TransportError) as err:
            await client.post_message(
                "/conversation-messages-sms", {"conversation_id": 1}, what="the message"
            )
    assert not err.value.retry_safe
    assert "did not answer within 0.3 s; the request may still have been processed" in err.value.sentence


async def test_connection_dropped_after_request_is_ambiguous() -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.close()
        await writer.wait_closed()

    async with Loopback(drop) as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(TransportError) as err:
            await client.post_message("/x", {}, what="the message")
    assert not err.value.retry_safe
    assert "broke before an answer came" in err.value.sentence


async def test_dns_failure() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc

    async with mock(fail) as client:
        with pytest.raises(TransportError) as err:
            await client.list_conversations()
    assert (
        err.value.sentence
        == "The host api.test cannot be found (DNS lookup failed); check base_url and the network."
    )
    assert err.value.retry_safe


# -- wording: "check before sending again" only where a write may have been done (issue 8) ---------


async def test_a_read_that_gets_no_answer_says_try_again() -> None:
    async def no_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.Event().wait()

    async with Loopback(no_answer) as server, ApiClient(profile(server.url, timeout=0.3)) as client:
        with pytest.raises(TransportError) as err:
            await client.get_conversation(7)
    assert err.value.sentence == "127.0.0.1 did not answer within 0.3 s; try again."
    assert err.value.retry_safe  # a GET changed nothing


async def test_a_list_whose_connection_breaks_says_try_again() -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.close()
        await writer.wait_closed()

    async with Loopback(drop) as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(TransportError) as err:
            await client.list_conversations()
    assert err.value.sentence == "The connection to 127.0.0.1 broke before an answer came; try again."
    assert err.value.retry_safe


async def test_an_upload_step_that_breaks_needs_no_check_before_sending() -> None:
    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    async with mock(reset) as client:
        with pytest.raises(TransportError) as err:
            await client.sign_upload(file_name="a.png", file_type="image/png", conversation_id=7)
    assert err.value.sentence == "The connection to api.test broke before an answer came; try again."
    assert not err.value.retry_safe  # a POST, even if harmless to redo: never retried blindly


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            503,
            json={"name": "Unavailable", "message": "maintenance", "code": 503, "data": {"retryAfter": 30}},
        ),
        httpx.Response(503, text="<html>down</html>", headers={"retry-after": "30"}),
    ],
)
async def test_503_with_retry_after_says_nothing_was_done(answer: httpx.Response) -> None:
    async with mock(lambda r: answer) as client:
        with pytest.raises(ServerError) as err:
            await client.post_message("/x", {}, what="the message")
    assert err.value.retry_safe and err.value.retry_after == 30
    assert "may or may not" not in err.value.sentence
    assert err.value.sentence.startswith("The server is unavailable for now (503")
    assert err.value.sentence.endswith("so nothing was done; try again in 30 s.")


async def test_a_500_on_a_read_is_tried_again_not_checked() -> None:
    async with mock(lambda r: feathers(500, "GeneralError", "boom")) as client:
        with pytest.raises(ServerError) as err:
            await client.list_messages(7)
    assert err.value.sentence == "The server failed (500: boom); try again in a moment."


@pytest.mark.parametrize(
    ("answer", "after"),
    [
        (httpx.Response(429, content=b'{"name": "TooManyRequests", "data": {"retryAfter": Infinity}}'), None),
        (feathers(429, "TooManyRequests", "slow", data={"retryAfter": True}), None),
        (feathers(429, "TooManyRequests", "slow", data={"retryAfter": 1e300}), None),
        (httpx.Response(429, headers={"retry-after": "9" * 400}), None),
        (httpx.Response(429, headers={b"retry-after": "\u0663".encode()}), None),  # Arabic-Indic 3
        (httpx.Response(429, headers={"retry-after": "12"}), 12.0),
    ],
)
async def test_retry_after_that_is_not_a_sane_delay_is_ignored(
    answer: httpx.Response, after: float | None
) -> None:
    async with mock(lambda r: answer) as client:
        with pytest.raises(RateLimitedError) as err:
            await client.list_conversations()
    assert err.value.retry_after == after
