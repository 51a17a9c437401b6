"""The live feed's reading of pushed data, its backoff and its failure sentences: no server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tui.core.client_parse import MAX_JSON_DEPTH
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.live_events import Backoff, LiveState, event_names, parse_event
from tui.core.live_socket import Failure, classify, refusal_code

NAMES = event_names(Paths())
CREATED, PATCHED, CONVERSATION = (
    "conversation-messages-sms created",
    "conversation-messages-sms patched",
    "conversations patched",
)


def deep(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def message(**extra: Any) -> dict[str, Any]:
    return {"id": 41, "conversation_id": 5, "message_text": "hi", "direction": "inbound", **extra}


def test_event_names_are_one_message_service_per_channel() -> None:
    names = event_names(Paths())
    assert names["conversation-messages-whatsapp created"] == ("message_created", "whatsapp")
    assert names["conversation-messages-playground patched"] == ("message_patched", "playground")
    assert names["conversations patched"] == ("conversation_patched", "")
    assert len(names) == 13  # six channels' two events, and the conversations'


def test_event_names_follow_the_profiles_paths() -> None:
    names = event_names(Paths(messages="/v2/{channel}/messages", conversations="/v2/conversations"))
    assert names["v2/sms/messages created"] == ("message_created", "sms")
    assert names["v2/conversations patched"] == ("conversation_patched", "")
    legacy = event_names(Paths(messages="/v2/messages"))
    assert legacy["v2/messages created"] == ("message_created", "")
    assert len(legacy) == 3


def test_a_pushed_message_is_read_as_the_client_reads_one() -> None:
    event = parse_event(CREATED, (message(id="41", created_at=1_700_000_000),), 1, NAMES)
    assert event is not None and event.kind == "message_created" and event.channel == "sms"
    assert event.message is not None and event.message.id == "41" and event.conversation_id == 5
    mongo = parse_event(CREATED, ({**message(), "id": None, "_id": "6650c1f2a9e4b3d2c1a0f9e8"},), 1, NAMES)
    assert mongo is not None and mongo.message is not None and mongo.message.id == "6650c1f2a9e4b3d2c1a0f9e8"
    assert event.message.created_at is not None and event.conversation is None
    patched = parse_event(PATCHED, (message(status="failed", error_code=131049, error_text="no"),), 1, NAMES)
    assert patched is not None and patched.kind == "message_patched"
    assert patched.message is not None and patched.message.error_code == 131049


def test_a_pushed_conversation_carries_its_id() -> None:
    event = parse_event(CONVERSATION, ({"id": "7", "organization_id": 1, "unread_count": 2},), 1, NAMES)
    assert event is not None and event.kind == "conversation_patched"
    assert event.conversation is not None and event.conversation.unread_count == 2
    assert event.conversation_id == 7 and event.message is None


def test_a_field_that_cannot_be_read_keeps_the_message_marked_unreadable() -> None:
    event = parse_event(CREATED, (message(created_at="yesterday"),), 1, NAMES)
    assert event is not None and event.message is not None
    assert event.message.unreadable and "created_at" in event.message.unreadable
    assert event.message.message_text == "hi"


@pytest.mark.parametrize(
    "name, args",
    [
        ("conversation-messages-sms removed", (message(),)),  # not an event of the contract
        ("conversation-messages created", (message(),)),  # the single service of an older reading
        (None, (message(),)),
        (CREATED, ()),
        (CREATED, ("garbage",)),
        (CREATED, ([message()],)),
        (CREATED, (message(organization_id=2),)),  # another organization's
        (CREATED, (message(organization_id="2"),)),
        (CREATED, (message(organization_id=True),)),
        (CREATED, (message(organization_id=[1]),)),
        (CREATED, ({"conversation_id": 5, "message_text": "no id"},)),
        (CREATED, (message(id={"x": 1}),)),
        (CREATED, (message(conversation_id=None),)),
        (CREATED, (message(conversation_id="five"),)),
        (CREATED, (message(payload=deep(MAX_JSON_DEPTH + 1)),)),
        (CONVERSATION, ({"organization_id": 1},)),
        (CONVERSATION, ({"id": -3},)),
        (CONVERSATION, ({"id": 3, "organization_id": 2},)),
        (CONVERSATION, (None,)),
    ],
)
def test_what_is_not_an_organizations_usable_document_is_dropped(name: Any, args: tuple[Any, ...]) -> None:
    assert parse_event(name, args, 1, NAMES) is None


def test_a_document_of_the_same_organization_given_as_text_is_kept() -> None:
    assert parse_event(CREATED, (message(organization_id=" 1 "),), 1, NAMES) is not None


def test_backoff_doubles_to_its_cap_with_full_jitter_above_a_floor() -> None:
    high = Backoff(first=0.5, cap=30.0, rng=lambda: 0.999999)
    delays = [round(high.next(), 2) for _ in range(9)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    half = Backoff(first=0.5, cap=30.0, rng=lambda: 0.5)
    assert [half.next() for _ in range(4)] == [0.25, 0.5, 1.0, 2.0]
    low = Backoff(first=0.5, cap=30.0, rng=lambda: 0.0)
    assert [low.next() for _ in range(3)] == [0.05, 0.05, 0.05]  # anywhere below the ceiling
    low.reset()
    assert low.attempts == 0
    huge = Backoff(first=0.5, cap=1.0, rng=lambda: 1.0)
    huge.attempts = 10_000
    assert huge.next() == 1.0  # no overflow however long the outage


@pytest.mark.parametrize(
    "text, refused, data, failure",
    [
        ("Unexpected status code 404 in server response", False, None, Failure.NO_SOCKET),
        ("Unexpected status code 400 in server response", False, None, Failure.NO_SOCKET),
        ("Unexpected status code 401 in server response", False, None, Failure.REFUSED),
        ("Unexpected status code 403 in server response", False, None, Failure.REFUSED),
        ("Unexpected status code 502 in server response", False, None, Failure.SERVER),
        ("Unexpected status code 429 in server response", False, None, Failure.SERVER),
        ("OPEN packet not returned by server", False, None, Failure.NO_SOCKET),
        ("Unexpected response from server", False, None, Failure.NO_SOCKET),
        ("Cannot connect to host 127.0.0.1:9 ssl:default [Connect call failed]", False, None, Failure.DOWN),
        ("Connection error", False, None, Failure.DOWN),
        (
            "One or more namespaces failed to connect: /",
            True,
            {"message": "Invalid API key"},
            Failure.REFUSED,
        ),
        ("One or more namespaces failed to connect: /", True, {"data": {"code": 401}}, Failure.REFUSED),
        ("One or more namespaces failed to connect: /", True, {"data": {"code": 503}}, Failure.SERVER),
        ("One or more namespaces failed to connect: /", True, {"code": "503"}, Failure.SERVER),
        ("One or more namespaces failed to connect: /", True, "refused", Failure.REFUSED),
        ("One or more namespaces failed to connect: /", True, "Invalid namespace", Failure.NO_SOCKET),
        (
            "One or more namespaces failed to connect: /",
            True,
            {"message": "Invalid namespace"},
            Failure.NO_SOCKET,
        ),
        ("One or more namespaces failed to connect: /", True, {"data": {"code": 403}}, Failure.REFUSED),
        (
            "One or more namespaces failed to connect: /",
            True,
            {"name": "NotAuthenticated", "message": "jwt expired", "code": 401},
            Failure.REFUSED,
        ),
        ("One or more namespaces failed to connect: /", True, {"message": "Server busy"}, Failure.SERVER),
        ("One or more namespaces failed to connect: /", True, None, Failure.SERVER),
    ],
)
def test_why_a_connect_failed(text: str, refused: bool, data: Any, failure: Failure) -> None:
    assert classify(text, refused, data) is failure


def test_refusal_code_reads_only_whole_numbers() -> None:
    assert refusal_code({"data": {"code": True}}) is None
    assert refusal_code({"data": {"code": "x"}}) is None
    assert refusal_code(["code", 401]) is None


def profile(**extra: Any) -> ResolvedProfile:
    base = {
        "name": "acme",
        "base_url": "https://api.example.com",
        "organization_id": 1,
        "api_key": Secret("k" * 20),
        "auth": "x-api-key",
        "media_base_url": "https://media.example.com",
        "timeout_seconds": 7.0,
        "paths": Paths(),
        "limits": {},
    }
    return ResolvedProfile(**{**base, **extra})


def test_each_failure_is_one_sentence_with_its_state() -> None:
    from tui.core.live import NO_LIVE, reason_for

    p = profile()
    assert reason_for(Failure.NO_SOCKET, p) == (LiveState.POLLING, NO_LIVE)
    state, refused = reason_for(Failure.REFUSED, p)
    assert state is LiveState.POLLING and "refused the API key of profile acme" in refused
    assert "realtime" not in refused  # turning live off cannot fix a wrong key
    assert reason_for(Failure.TIMEOUT, p) == (
        LiveState.OFFLINE,
        "api.example.com did not open a live connection within 7 s; retrying.",
    )
    assert reason_for(Failure.DOWN, p)[0] is LiveState.OFFLINE
    assert reason_for(Failure.SERVER, p)[0] is LiveState.OFFLINE
    for failure in Failure:
        sentence = reason_for(failure, p)[1]
        assert sentence.endswith(".") and sentence.count(". ") == 0


def test_the_backoff_cap_is_short_for_the_embedded_sandbox_only() -> None:
    """A tunnel or port-forward on 127.0.0.1 reaches a real server: it backs off as any host."""
    from tui.core.live import REMOTE_CAP_SECONDS, SANDBOX_CAP_SECONDS, LiveFeed

    def feed(url: str, **extra: Any) -> LiveFeed:
        return LiveFeed(profile(base_url=url, **extra), on_event=print, on_state=print, on_resync=print)

    assert feed("http://127.0.0.1:8000", is_sandbox=True).backoff.cap == SANDBOX_CAP_SECONDS == 0.5
    assert feed("http://127.0.0.1:8000").backoff.cap == REMOTE_CAP_SECONDS == 30.0
    assert feed("http://localhost:8000").backoff.cap == REMOTE_CAP_SECONDS
    assert feed("http://[::1]:8000").backoff.cap == REMOTE_CAP_SECONDS
    assert feed("https://api.example.com").backoff.cap == REMOTE_CAP_SECONDS


def test_malformed_data_reaching_the_feed_never_raises() -> None:
    from tui.core.live import LiveFeed

    events: list[Any] = []
    feed = LiveFeed(profile(), on_event=events.append, on_state=print, on_resync=print)
    for name, args in [
        (CREATED, ("x",)),
        (CREATED, (message(organization_id=9),)),
        (CREATED, (message(),)),
        ("something else", (1, 2, 3)),
        (["a", "list"], ()),  # the name is the server's JSON too
        ({"a": "dict"}, (message(),)),
        (CONVERSATION, ({"id": float("nan")},)),
    ]:
        feed._event(name, args)
    assert [e.kind for e in events] == ["message_created"]
    assert feed.dropped == 3


def test_a_failing_callback_does_not_end_the_feed() -> None:
    from tui.core.live import LiveFeed

    def boom(*args: Any) -> None:
        raise RuntimeError("the app's bug")

    feed = LiveFeed(profile(), on_event=boom, on_state=boom, on_resync=boom)
    feed._event(CREATED, (message(),))
    feed._set(LiveState.POLLING, "x")
    assert feed.state is LiveState.POLLING


async def test_a_packet_that_cannot_be_decoded_is_dropped() -> None:
    from tui.core.live_socket import _client_class

    client = _client_class()(reconnection=False, handle_sigint=False)
    for data in ("", "9", "2[", '2["conversation-messages created",', "\x00\x1b", "5-bad"):
        await client._handle_eio_message(data)  # no exception escapes into socketio's task
    await asyncio.sleep(0)


def test_socketio_and_aiohttp_load_only_when_a_connection_is_made() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tui.cli, tui.cli_watch, tui.core.live, tui.core.live_socket, tui.core.live_watch; "
        "print(sorted(m for m in ('socketio', 'engineio', 'aiohttp') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_key_rides_in_the_handshakes_auth_object_too() -> None:
    from tui.core.live_socket import handshake_auth

    assert handshake_auth(profile()) == {"x-api-key": "k" * 20}
    assert handshake_auth(profile(auth="bearer")) == {"accessToken": "k" * 20}


def test_realtime_is_a_profile_setting_carried_into_the_resolved_profile(tmp_path: Any) -> None:
    from tui.core.config import load_config, resolve
    from tui.core.errors import ConfigError

    path = tmp_path / "config.toml"
    base = (
        "[profiles.acme]\nbase_url = 'https://api.example.com'\norganization_id = 1\n"
        "api_key_env = 'ACME_KEY'\n"
    )
    path.write_text(base + "realtime = 'off'\n")
    config = load_config(path)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ACME_KEY", "k" * 20)
        assert resolve("acme", config.profiles["acme"], path).realtime == "off"
        path.write_text(base)
        assert resolve("acme", load_config(path).profiles["acme"], path).realtime == "auto"
    path.write_text(base + "realtime = 'on'\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert "profiles.acme.realtime must be 'auto' or 'off', not 'on'" in refused.value.sentence


async def test_nothing_is_called_back_once_stop_began() -> None:
    from tui.core.live import LiveFeed

    heard: list[Any] = []
    feed = LiveFeed(profile(), on_event=heard.append, on_state=lambda *a: heard.append(a), on_resync=print)
    feed._event(CREATED, (message(),))
    await feed.stop()
    feed._event(CREATED, (message(id=42),))  # a packet python-socketio handed over late
    feed._set(LiveState.OFFLINE, "late")
    assert len(heard) == 1
