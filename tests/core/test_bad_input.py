"""Bad input, each answered with one sentence: config, files changed after picking, expired uploads.

What test_config, test_files and test_client_errors already prove is not repeated here; this adds
the config shapes they miss, files deleted or changed between pick and upload, and the signed
upload URL that expired (re-signed and PUT again exactly once).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CountingTransport, make_png, sandbox_profile
from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret, get_profile, load_config
from tui.core.errors import ConfigError, LocalFileError, SwitchboardError, UploadError
from tui.core.files import LocalFile, inspect_file, recheck
from tui.core.filters import ConversationFilter
from tui.core.http import httpx
from tui.core.models import Conversation
from tui.core.text import one_line
from tui.core.uploads import CHUNK, upload_file


def assert_one_sentence(error: SwitchboardError) -> str:
    sentence = error.sentence
    assert sentence and "\n" not in sentence and "Traceback" not in sentence
    assert sentence == one_line(sentence)
    assert sentence.rstrip().endswith((".", ")")), sentence
    return sentence


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


# -- config ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[profiles.a]\ntimeout_seconds = 'slow'", "profiles.a.timeout_seconds is invalid"),
        ("[profiles.a]\ntimeout_seconds = 0", "profiles.a.timeout_seconds is invalid"),
        (
            "[profiles.a]\nallow_insecure_http = 'please'",
            "profiles.a.allow_insecure_http must be true or false, not 'please'",
        ),
        ("default_profile = 3", "default_profile is invalid"),
        ("profiles = 'acme'", "profiles is invalid"),
        ("refresh_seconds = 0.1", "refresh_seconds is invalid"),
        ("[profiles.a]\npaths = 3", "profiles.a.paths is invalid"),
        ("[profiles.a]\norganization_id = 1.5", "profiles.a.organization_id must be a whole number"),
        ("[profiles.a]\nbase_url = 'api.achieveapex.com'", "must be a full http(s) URL"),
        ("a = 1\na = 2", "is not valid TOML"),
        ("[profiles.a]\nbase_url = 'https://x\n'", "is not valid TOML"),
    ],
)
def test_mistyped_config_is_one_sentence(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    sentence = assert_one_sentence(err.value)
    assert words in sentence and str(path) in sentence


def test_config_path_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "c.toml").mkdir()
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "c.toml")
    assert assert_one_sentence(err.value) == (
        f"The config path {tmp_path / 'c.toml'} is a directory; point it at a TOML file."
    )


def test_unreadable_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "c.toml", "theme = 'x'\n")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "cannot be read (Permission denied); check its permissions." in assert_one_sentence(err.value)


def test_default_profile_that_does_not_exist(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "default_profile = 'acme'\n[profiles.other]\nsandbox = true\n")
    config = load_config(path)
    with pytest.raises(ConfigError) as err:
        get_profile(config, config.default_profile or "", path)
    assert assert_one_sentence(err.value) == (
        f"There is no profile 'acme' in {path}; use one of: other, sandbox."
    )


# -- a file changed between pick and upload -------------------------------------------------------------


def picked(tmp_path: Path, size: int = 4096) -> LocalFile:
    return inspect_file(make_png(tmp_path / "photo.png", size=size))


def test_unchanged_file_passes_recheck(tmp_path: Path) -> None:
    f = picked(tmp_path)
    assert recheck(f) is f
    assert inspect_file(f) is f  # a picked LocalFile given back is checked, not re-read


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda p: p.unlink(), "'photo.png' was deleted after it was picked"),
        (lambda p: p.write_bytes(p.read_bytes() + b"more"), "it grew from 4,096 to 4,100 bytes"),
        (lambda p: p.write_bytes(p.read_bytes()[:100]), "it shrank from 4,096 to 100 bytes"),
        (lambda p: (p.unlink(), p.mkdir()), "'photo.png' is no longer a regular file"),
    ],
)
def test_changed_after_pick_is_refused(tmp_path: Path, change: Callable[[Path], Any], words: str) -> None:
    f = picked(tmp_path)
    change(f.path)
    for check in (recheck, inspect_file):
        with pytest.raises(LocalFileError) as err:
            check(f)
        assert words in assert_one_sentence(err.value)


def test_rewritten_in_place_with_the_same_size_is_refused(tmp_path: Path) -> None:
    f = picked(tmp_path)
    data = bytearray(f.path.read_bytes())
    data[-1] ^= 0xFF
    f.path.write_bytes(bytes(data))
    os.utime(f.path, ns=(f.mtime_ns + 10**9, f.mtime_ns + 10**9))
    with pytest.raises(LocalFileError) as err:
        recheck(f)
    assert "changed after it was picked (it was modified)" in assert_one_sentence(err.value)


def test_replaced_by_another_file_with_same_size_and_time_is_refused(tmp_path: Path) -> None:
    f = picked(tmp_path)
    other = make_png(tmp_path / "other.png", size=f.size)
    os.utime(other, ns=(f.mtime_ns, f.mtime_ns))
    keep = tmp_path / "keep.png"
    f.path.rename(keep)  # keep the old inode alive so the new file cannot reuse its number
    other.rename(f.path)
    with pytest.raises(LocalFileError, match="was replaced by another file"):
        recheck(f)


# -- upload steps through a mock API and storage ---------------------------------------------------------

KEY = "sk_test_bad_input_123456"
CONV = Conversation(id=7, organization_id=101, channel="whatsapp")


def mock_profile() -> ResolvedProfile:
    return ResolvedProfile(
        name="t",
        base_url="https://api.test",
        organization_id=101,
        api_key=Secret(KEY),
        auth="x-api-key",
        media_base_url="https://media.test",
        timeout_seconds=5,
        paths=Paths(),
        limits={},
    )


class FakeApi:
    """Signs URLs on storage.test, answers each PUT from `put_answers`, registers files."""

    def __init__(self, put_answers: list[httpx.Response]) -> None:
        self.put_answers = put_answers
        self.signs = 0
        self.puts: list[tuple[str, bytes]] = []
        self.files: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "storage.test":
            body = request.read()
            self.puts.append((str(request.url), body))
            return self.put_answers[min(len(self.puts), len(self.put_answers)) - 1]
        if request.url.path == "/s3-url-signing":
            self.signs += 1
            key = f"org/7/{self.signs}/photo.png"
            return httpx.Response(
                200,
                json={
                    "url": f"https://storage.test/{key}?sig={self.signs}",
                    "s3PathWithoutBucket": key,
                    "s3Path": f"s3://bucket/{key}",
                },
            )
        if request.url.path == "/conversation-files":
            import json

            self.files.append(json.loads(request.content))
            return httpx.Response(201, json={"_id": f"f{len(self.files)}"})
        return httpx.Response(404, json={"name": "NotFound", "message": "no", "code": 404})


def s3(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode(),
        headers={"content-type": "application/xml"},
    )


EXPIRED = s3(403, "AccessDenied", "Request has expired")


async def test_expired_upload_url_is_resigned_and_put_once_more(tmp_path: Path) -> None:
    f = picked(tmp_path)
    api = FakeApi([EXPIRED, httpx.Response(200)])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        uploaded = await upload_file(client, CONV, f)
    assert api.signs == 2
    assert [url.rsplit("=", 1)[1] for url, _ in api.puts] == ["1", "2"]  # the second URL is the new one
    assert all(body == f.path.read_bytes() for _, body in api.puts)  # redone from the file on disk
    assert uploaded.s3_key == "org/7/2/photo.png" and api.files[0]["s3_key"] == "org/7/2/photo.png"


async def test_expired_twice_gives_up_with_a_sentence(tmp_path: Path) -> None:
    f = picked(tmp_path)
    api = FakeApi([EXPIRED])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        with pytest.raises(UploadError) as err:
            await upload_file(client, CONV, f)
    assert api.signs == 2 and len(api.puts) == 2 and not api.files
    sentence = assert_one_sentence(err.value)
    assert sentence.startswith("The signed upload link for 'photo.png' had expired again after signing")
    assert "check this computer's clock" in sentence


async def test_other_storage_refusals_are_not_retried(tmp_path: Path) -> None:
    f = picked(tmp_path)
    api = FakeApi([s3(403, "SignatureDoesNotMatch", "The request signature does not match")])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        with pytest.raises(UploadError) as err:
            await upload_file(client, CONV, f)
    assert api.signs == 1 and len(api.puts) == 1 and not api.files
    assert "(403 SignatureDoesNotMatch: The request signature does not match)" in assert_one_sentence(
        err.value
    )


async def test_storage_answering_html_is_one_sentence(tmp_path: Path) -> None:
    f = picked(tmp_path)
    html = httpx.Response(502, text="<html>\n<body>\x1b[31mBad gateway</body>\n</html>")
    api = FakeApi([html])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        with pytest.raises(UploadError) as err:
            await upload_file(client, CONV, f)
    sentence = assert_one_sentence(err.value)
    assert "Storage refused 'photo.png' (502" in sentence and "\x1b" not in sentence


async def test_changed_after_pick_is_refused_before_any_request(tmp_path: Path) -> None:
    f = picked(tmp_path)
    f.path.write_bytes(f.path.read_bytes() + b"grown")
    api = FakeApi([httpx.Response(200)])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        with pytest.raises(LocalFileError, match="it grew from 4,096 to 4,101 bytes"):
            await upload_file(client, CONV, f)
    assert api.signs == 0 and not api.puts  # nothing asked, nothing sent


async def test_deleted_after_pick_is_refused_before_any_request(tmp_path: Path) -> None:
    f = picked(tmp_path)
    f.path.unlink()
    api = FakeApi([httpx.Response(200)])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        with pytest.raises(LocalFileError, match="was deleted after it was picked"):
            await upload_file(client, CONV, f)
    assert api.signs == 0 and not api.puts


async def test_grown_while_uploading_is_refused_not_sent(tmp_path: Path) -> None:
    f = picked(tmp_path, size=CHUNK * 2 + 10)

    def grow(name: str, sent: int, total: int) -> None:
        if sent == CHUNK:
            with f.path.open("ab") as fh:
                fh.write(b"x" * 100)

    api = FakeApi([httpx.Response(200)])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        with pytest.raises(LocalFileError) as err:
            await upload_file(client, CONV, f, grow)
    assert assert_one_sentence(err.value) == "'photo.png' grew while it was uploading; attach it again."
    assert not api.puts and not api.files  # the storage never got a body, no file was registered


async def test_rewritten_while_uploading_is_refused(tmp_path: Path) -> None:
    f = picked(tmp_path, size=CHUNK + 10)

    def rewrite(name: str, sent: int, total: int) -> None:
        if sent == CHUNK:
            with f.path.open("r+b") as fh:
                fh.write(b"\x89PNG-changed")
            os.utime(f.path, ns=(f.mtime_ns + 10**9, f.mtime_ns + 10**9))

    api = FakeApi([httpx.Response(200)])
    async with ApiClient(mock_profile(), transport=httpx.MockTransport(api)) as client:
        with pytest.raises(LocalFileError, match="was modified while it was uploading"):
            await upload_file(client, CONV, f, rewrite)
    assert not api.files


# -- against the real sandbox: its storage signatures really expire ------------------------------------


async def test_sandbox_with_expired_signatures_resigns_once_then_stops(tmp_path: Path) -> None:
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(tmp_path / "sb", signed_url_seconds=-1)
    try:
        transport = CountingTransport()
        async with ApiClient(sandbox_profile(running), transport=transport) as client:
            conversation = (await client.list_conversations(ConversationFilter(channel="webchat"))).data[0]
            f = inspect_file(make_png(tmp_path / "photo.png"))
            with pytest.raises(UploadError) as err:
                await upload_file(client, conversation, f)
        steps = [(r.method, r.url.path.split("/")[1]) for r in transport.requests[1:]]
        assert steps == [
            ("POST", "s3-url-signing"),
            ("PUT", "_storage"),
            ("POST", "s3-url-signing"),
            ("PUT", "_storage"),
        ]
        assert "(403 AccessDenied: Request has expired)" in assert_one_sentence(err.value)
    finally:
        running.stop()


async def test_sandbox_upload_of_a_file_changed_after_pick(tmp_path: Path, sandbox: Any) -> None:
    transport = CountingTransport()
    async with ApiClient(sandbox_profile(sandbox), transport=transport) as client:
        conversation = (await client.list_conversations(ConversationFilter(channel="webchat"))).data[0]
        f = inspect_file(make_png(tmp_path / "photo.png"))
        make_png(f.path, size=f.size + 1)
        with pytest.raises(LocalFileError, match="changed after it was picked"):
            await upload_file(client, conversation, f)
    assert [r.url.path for r in transport.requests] == ["/conversations"]  # nothing signed or put
