"""Secrets: a key in a readable file is refused like ssh; keys never shown, logged or sent to storage.

Adds to test_config and test_client_errors: every group/other mode bit, env preferred over file,
the key absent from reprs, tracebacks, logs, every error path and the upload host, cookies kept
from storage, and plain http only on true loopback.
"""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path

import pytest

from tests.helpers import make_png, sandbox_profile
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret, get_profile, load_config, masked, resolve
from tui.core.errors import ConfigError, SwitchboardError, TransportError, UploadError
from tui.core.files import inspect_file
from tui.core.http import httpx
from tui.core.http_errors import api_error
from tui.core.models import Conversation
from tui.core.uploads import upload_file

KEY = "sk_live_SECRET_0123456789"
SNAPSHOTS = Path(__file__).resolve().parents[1] / "ui" / "__snapshots__"


def write(path: Path, text: str, mode: int) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


WITH_KEY = f"[profiles.a]\nbase_url='https://x.io'\norganization_id=1\napi_key='{KEY}'\n"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o666, 0o610, 0o601, 0o700 | 0o020])
def test_any_group_or_other_bit_refuses_a_file_holding_a_key(tmp_path: Path, mode: int) -> None:
    path = write(tmp_path / "c.toml", WITH_KEY, mode)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    sentence = err.value.sentence
    assert f"(mode {mode:o})" in sentence and f"run `chmod 600 {path}`" in sentence
    assert KEY not in sentence and "\n" not in sentence


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_private_file_is_accepted(tmp_path: Path, mode: int) -> None:
    path = write(tmp_path / "c.toml", WITH_KEY, mode)
    assert resolve("a", get_profile(load_config(path), "a"), path).auth_headers() == {"x-api-key": KEY}


def test_readable_file_without_a_key_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "[profiles.a]\nbase_url='https://x.io'\norganization_id=1\napi_key_env='SB_K'\n"
    path = write(tmp_path / "c.toml", text, 0o644)
    monkeypatch.setenv("SB_K", KEY)
    assert str(resolve("a", get_profile(load_config(path), "a"), path).api_key) == KEY


def test_api_key_env_is_preferred_over_a_key_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "c.toml", WITH_KEY + "api_key_env='SB_K'\n", 0o600)
    monkeypatch.setenv("SB_K", "from-the-environment")
    assert str(resolve("a", get_profile(load_config(path), "a"), path).api_key) == "from-the-environment"


def test_key_never_in_repr_str_of_profile_or_traceback(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", WITH_KEY, 0o600)
    config = load_config(path)
    profile = resolve("a", get_profile(config, "a"), path)
    assert KEY not in repr(profile) and KEY not in str(profile) and KEY not in f"{profile!r}"
    assert repr(profile.api_key) == "Secret('****')"
    assert KEY not in json.dumps(masked(config))
    assert config.profiles["a"].api_key == KEY  # masking does not alter the loaded config
    try:
        raise SwitchboardError(f"failed with profile {profile!r}")
    except SwitchboardError as exc:
        assert KEY not in "".join(traceback.format_exception(exc))


def api_profile(auth: str = "x-api-key") -> ResolvedProfile:
    return ResolvedProfile(
        name="t",
        base_url="https://api.test",
        organization_id=101,
        api_key=Secret(KEY),
        auth=auth,  # type: ignore[arg-type]
        media_base_url="https://media.test",
        timeout_seconds=5,
        paths=Paths(),
        limits={},
    )


class Recorder:
    """A mock API that signs uploads to storage.test, echoing the key wherever it can."""

    def __init__(self, put_answer: httpx.Response | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.put_answer = put_answer or httpx.Response(200)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if request.url.host == "storage.test":
            return self.put_answer
        if request.url.path == "/s3-url-signing":
            return httpx.Response(
                200,
                json={
                    "url": "https://storage.test/k/photo.png?sig=abc",
                    "s3PathWithoutBucket": "k/photo.png",
                },
                headers={"set-cookie": f"session={KEY}; Domain=.test; Path=/"},
            )
        return httpx.Response(201, json={"_id": "f1"}, headers={"set-cookie": f"api={KEY}; Path=/"})


@pytest.mark.parametrize("auth", ["x-api-key", "bearer"])
async def test_upload_host_never_gets_the_key(tmp_path: Path, auth: str) -> None:
    f = inspect_file(make_png(tmp_path / "photo.png"))
    api = Recorder()
    async with ApiClient(api_profile(auth), transport=httpx.MockTransport(api)) as client:
        await upload_file(client, Conversation(id=7, channel="whatsapp"), f)
    (put,) = [r for r in api.requests if r.url.host == "storage.test"]
    others = [r for r in api.requests if r.url.host != "storage.test"]
    assert others and all(
        KEY in (r.headers.get("x-api-key", "") + r.headers.get("authorization", "")) for r in others
    )
    assert (
        "x-api-key" not in put.headers and "authorization" not in put.headers and "cookie" not in put.headers
    )
    everything = str(put.url) + "".join(f"{k}: {v}" for k, v in put.headers.items())
    assert KEY not in everything and KEY.encode() not in put.content


async def test_storage_echoing_a_key_is_masked(tmp_path: Path) -> None:
    f = inspect_file(make_png(tmp_path / "photo.png"))
    echo = httpx.Response(
        400, content=f"<Error><Code>Bad</Code><Message>got {KEY}</Message></Error>".encode()
    )
    async with ApiClient(api_profile(), transport=httpx.MockTransport(Recorder(echo))) as client:
        with pytest.raises(UploadError) as err:
            await upload_file(client, Conversation(id=7, channel="whatsapp"), f)
    assert KEY not in err.value.sentence and "****" in err.value.sentence


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(302, headers={"location": f"https://login.test/?key={KEY}"}),
        httpx.Response(422, json={"name": "Unprocessable", "message": KEY, "errors": {"x": f"bad {KEY}"}}),
        httpx.Response(500, json={"name": "GeneralError", "message": f"boom {KEY}", "code": 500}),
        httpx.Response(429, json={"name": "TooManyRequests", "message": KEY, "code": 429}),
    ],
)
async def test_key_masked_in_every_error_sentence(answer: httpx.Response) -> None:
    async with ApiClient(api_profile(), transport=httpx.MockTransport(lambda r: answer)) as client:
        with pytest.raises(SwitchboardError) as err:
            await client.list_conversations()
    assert KEY not in err.value.sentence and KEY not in str(err.value) and KEY not in repr(err.value.args)
    assert KEY not in json.dumps(getattr(err.value, "errors", {}))


async def test_key_masked_in_transport_errors() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy said: bad header x-api-key={KEY}", request=request)

    async with ApiClient(api_profile(), transport=httpx.MockTransport(fail)) as client:
        with pytest.raises(TransportError) as err:
            await client.list_conversations()
    assert KEY not in err.value.sentence and "****" in err.value.sentence


async def test_key_never_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = Recorder()
    async with ApiClient(api_profile(), transport=httpx.MockTransport(api)) as client:
        await client.create_file({"file_name": "a"})
    assert api.requests
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.evil.test",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0:8765",
        "http://192.168.1.10",
        "http://[fe80::1]",
        "http://api.achieveapex.com:443",
    ],
)
def test_plain_http_refused_for_lookalikes_of_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("SB_K", KEY)
    text = f"[profiles.a]\nbase_url='{url}'\norganization_id=1\napi_key_env='SB_K'\n"
    path = write(tmp_path / "c.toml", text, 0o600)
    with pytest.raises(ConfigError) as err:
        resolve("a", get_profile(load_config(path), "a"), path)
    assert "allow_insecure_http = true in profiles.a" in err.value.sentence
    assert KEY not in err.value.sentence
    allowed = write(tmp_path / "c.toml", text + "allow_insecure_http = true\n", 0o600)
    assert resolve("a", get_profile(load_config(allowed), "a"), allowed).base_url == url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.2:9", "http://localhost", "http://app.localhost:1", "http://[::1]"]
)
def test_plain_http_allowed_on_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("SB_K", KEY)
    text = f"[profiles.a]\nbase_url='{url}'\norganization_id=1\napi_key_env='SB_K'\n"
    path = write(tmp_path / "c.toml", text, 0o600)
    assert resolve("a", get_profile(load_config(path), "a"), path).base_url == url


def test_no_key_in_any_pinned_snapshot() -> None:
    import re

    pattern = re.compile(r"sbx_[A-Za-z0-9_-]{8,}|sk_(live|test)_\w+|x-api-key|Bearer ")
    files = list(SNAPSHOTS.rglob("*.svg"))
    assert files
    for svg in files:
        assert not pattern.search(svg.read_text(encoding="utf-8")), svg.name


def everything_in(error: BaseException) -> str:
    """Every part of an error a caller could print: sentence, args, repr, fields, its chain and
    its traceback as Python would show it."""
    parts = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    for name in ("sentence", "name", "errors", "data", "status"):
        parts.append(repr(getattr(error, name, None)))
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            parts.append(everything_in(linked))
    return "\n".join(parts)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            422,
            json={
                "name": f"Unprocessable {KEY}",
                "message": "Validation failed",
                "errors": {f"key={KEY}": "is wrong", "other": {"nested": [KEY]}},
                "data": {"x": [KEY, {f"k{KEY}": f"v{KEY}"}], "y": f"prefix {KEY} suffix"},
            },
        ),
        httpx.Response(500, json={"name": "GeneralError", "message": "boom", "data": [[[KEY]]]}),
        httpx.Response(401, json={"name": "NotAuthenticated", "message": "no", "data": KEY}),
    ],
)
async def test_key_masked_in_every_part_of_an_error(answer: httpx.Response) -> None:
    async with ApiClient(api_profile(), transport=httpx.MockTransport(lambda r: answer)) as client:
        with pytest.raises(SwitchboardError) as err:
            await client.list_conversations()
    assert KEY not in everything_in(err.value)
    assert "****" in repr(err.value.errors) + repr(err.value.data)  # type: ignore[attr-defined]


async def test_key_masked_in_the_fields_of_a_rejection() -> None:
    answer = httpx.Response(
        422,
        json={"name": "Unprocessable", "errors": {f"key={KEY}": f"bad {KEY}"}, "data": {"x": [KEY]}},
    )
    async with ApiClient(api_profile(), transport=httpx.MockTransport(lambda r: answer)) as client:
        with pytest.raises(SwitchboardError) as err:
            await client.post_message("/conversation-messages-sms", {"x": 1}, what="the message")
    assert err.value.errors == {"key=****": "bad ****"}  # type: ignore[attr-defined]
    assert err.value.data == {"x": ["****"]}  # type: ignore[attr-defined]
    assert err.value.sentence == "The server rejected the message (422): key=****: bad ****."


async def test_a_transport_error_carries_no_request_and_no_key() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy said: bad header x-api-key={KEY}", request=request)

    async with ApiClient(api_profile(), transport=httpx.MockTransport(fail)) as client:
        with pytest.raises(TransportError) as err:
            await client.list_conversations()
    assert err.value.__context__ is None and err.value.__cause__ is None
    assert KEY not in everything_in(err.value)


def test_api_error_masks_keys_values_and_nested_data_on_its_own() -> None:
    body = json.dumps({"errors": {f"key={KEY}": "..."}, "data": {"x": [KEY]}, "message": KEY}).encode()
    error = api_error(httpx.Response(400, content=body), body, what="the message", secrets=(KEY,))
    assert KEY not in everything_in(error)
    assert error.errors == {"key=****": "..."} and error.data == {"x": ["****"]}


async def test_sandbox_echoing_the_key_in_an_error_never_reaches_the_exception(tmp_path: Path) -> None:
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(data_dir=tmp_path / "sandbox", echo_key_errors=True)
    try:
        async with ApiClient(sandbox_profile(running)) as client:
            with pytest.raises(SwitchboardError) as err:
                await client.get_conversation(999_999)
    finally:
        running.stop()
    assert running.api_key not in everything_in(err.value)
    assert err.value.errors == {"key=****": "echoes the API key"}  # type: ignore[attr-defined]
    assert err.value.data == {"echo": {"request": {"headers": {"x-api-key": "****"}}}}  # type: ignore[attr-defined]
