"""Odd answers from a server end as one typed error with one sentence, never a RecursionError,
an OverflowError or "Unexpected error": JSON nested without end, timestamps no date can hold.

Each answer comes from a real server on loopback: a bare one saying exactly that
(tests/core/loopback.py), or the sandbox with its `odd_bodies` fault.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.loopback import Loopback, answer
from tests.helpers import sandbox_profile
from tui.core.client import ApiClient
from tui.core.client_parse import MAX_JSON_DEPTH
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.errors import BadResponseError, ServerError, SwitchboardError
from tui.core.text import one_line


def profile(base_url: str) -> ResolvedProfile:
    return ResolvedProfile(
        name="t",
        base_url=base_url,
        organization_id=101,
        api_key=Secret("sk_test_hostile_0000"),
        auth="x-api-key",
        media_base_url="https://media.test",
        timeout_seconds=10,
        paths=Paths(),
        limits={},
    )


def one_sentence(error: SwitchboardError) -> str:
    sentence = error.sentence
    assert sentence and sentence == one_line(sentence) and sentence.endswith(".")
    return sentence


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


CONVERSATION = {"id": 7, "channel": "sms", "contact": {"first_name": "Ana"}}


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # never closed: json.loads recurses until RecursionError
        nested(100_000),
        nested(MAX_JSON_DEPTH + 1),  # parses fine, still deeper than any API document
        json.dumps({**CONVERSATION, "ai_context_cut": json.loads(nested(200))}).encode(),
    ],
    ids=["unclosed", "100k-deep", "one-too-deep", "deep-field"],
)
async def test_json_nested_too_deep_is_one_sentence(body: bytes) -> None:
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(BadResponseError) as err:
            await client.get_conversation(7)
    assert one_sentence(err.value) == (
        f"The server answered conversation 7 with JSON nested more than {MAX_JSON_DEPTH} levels deep "
        "instead of the API's JSON; check that base_url points at the AchieveApex API."
    )


async def test_json_as_deep_as_allowed_is_read() -> None:
    deep = json.loads(nested(MAX_JSON_DEPTH - 1))  # plus the conversation object itself
    body = json.dumps({**CONVERSATION, "ai_context_cut": deep}).encode()
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        conversation = await client.get_conversation(7)
    assert conversation.ai_context_cut == deep


async def test_an_error_answer_nested_too_deep_is_still_the_server_error() -> None:
    async with (
        Loopback(answer(nested(100_000), status=500)) as server,
        ApiClient(profile(server.url)) as client,
    ):
        with pytest.raises(ServerError) as err:
            await client.list_conversations()
    assert one_sentence(err.value) == (
        f"The server failed with 500 and JSON nested more than {MAX_JSON_DEPTH} levels deep instead of "
        "the API's JSON; try again in a moment."
    )


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"1e300", "a timestamp out of range"),
        (b"-1e300", "a timestamp out of range"),
        (b"NaN", "not a timestamp"),
        (b"Infinity", "not a timestamp"),
        (b"9" * 4000, "a timestamp out of range"),
        (b'"99999-01-01"', "not a timestamp"),
        (b'"9999-12-31T23:59:59-05:00"', "a timestamp out of range"),
    ],
    ids=["1e300", "-1e300", "nan", "inf", "4000-digits", "year-99999", "9999-west-of-utc"],
)
async def test_a_timestamp_no_date_can_hold_names_the_field(raw: bytes, why: str) -> None:
    body = b'{"id": 7, "channel": "sms", "last_message_at": ' + raw + b"}"
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(BadResponseError) as err:
            await client.get_conversation(7)
    assert one_sentence(err.value) == (
        f"The server's answer for conversation 7 is not what the API documents (last_message_at: {why}); "
        "check base_url and the profile's paths."
    )


async def test_year_9999_in_utc_is_a_valid_time() -> None:
    body = json.dumps({**CONVERSATION, "last_message_at": "9999-12-31T23:59:59Z"}).encode()
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        conversation = await client.get_conversation(7)
    assert conversation.last_message_at is not None and conversation.last_message_at.year == 9999


@pytest.mark.parametrize(
    "body",
    [
        b"9" * 5000,  # an integer Python refuses to convert (over 4,300 digits)
        b"\xff\xfe{}",  # not UTF-8
        b'{"id": 7, "channel": "sms"',  # cut short
    ],
    ids=["5000-digits", "not-utf8", "cut-short"],
)
async def test_json_python_cannot_read_is_broken_json(body: bytes) -> None:
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(BadResponseError) as err:
            await client.get_conversation(7)
    assert "with broken JSON instead of the API's JSON" in one_sentence(err.value)


# -- one bad item keeps its place, marked, instead of emptying the page ------------------------------


GOOD = {"id": 1, "conversation_id": 7, "direction": "inbound", "message_text": "Hi", "created_at": 1795600800}


async def test_one_bad_message_is_unreadable_in_place_not_an_empty_history() -> None:
    page = {
        "total": 120,
        "limit": 4,
        "skip": 50,
        "data": [
            GOOD,
            {**GOOD, "id": 2, "message_text": "kept", "created_at": 1e300},
            "not a message",
            {"id": "", "created_at": "99999-01-01", "direction": ["x"]},
            {**GOOD, "id": 5, "unreadable": "a server cannot set this"},
        ],
    }
    body = json.dumps(page).encode()
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        got = await client.list_messages(7, channel="sms", skip=50)
    assert (got.total, got.skip, len(got.data), got.has_more, got.unreadable_count) == (120, 50, 5, True, 3)
    first, second, third, fourth, fifth = got.data
    assert first.unreadable is None and first.message_text == "Hi"
    assert second.id == 2 and second.message_text == "kept" and second.created_at is None
    assert second.unreadable == "This message could not be read (created_at: a timestamp out of range)."
    assert (
        third.id == "unreadable-2-50"
        and third.unreadable == "This message could not be read (not an object)."
    )
    assert fourth.id == "unreadable-3-50"
    assert fourth.unreadable == (
        "This message could not be read "
        "(direction: input should be a valid string; created_at: not a timestamp)."
    )
    assert fifth.unreadable is None and fifth.id == 5


async def test_one_bad_conversation_is_unreadable_in_its_row() -> None:
    rows = [
        {"id": 1, "channel": "sms", "contact": {"first_name": "Ana"}},
        {"id": 2, "channel": "sms", "contact": {"first_name": "Bo"}, "last_inbound_message_at": -1e300},
        {"id": "two", "channel": "whatsapp"},
    ]
    body = json.dumps({"total": 3, "limit": 3, "skip": 0, "data": rows}).encode()
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        got = await client.list_conversations(limit=3)
    assert (got.total, len(got.data), got.has_more, got.unreadable_count) == (3, 3, False, 2)
    ok, bad, no_id = got.data
    assert ok.unreadable is None
    assert (bad.id, bad.contact_name, bad.last_inbound_message_at) == (2, "Bo", None)
    assert bad.unreadable == (
        "This conversation could not be read (last_inbound_message_at: a timestamp out of range)."
    )
    assert no_id.id == -3 and no_id.channel == "whatsapp"  # negative: never a server's id
    assert no_id.unreadable == (
        "This conversation could not be read "
        "(id: input should be a valid integer, unable to parse string as an integer)."
    )


async def test_one_conversation_read_alone_is_still_strict() -> None:
    body = json.dumps(
        {"id": 2, "channel": "sms", "last_inbound_message_at": 1e300, "unreadable": None}
    ).encode()
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(BadResponseError) as err:
            await client.get_conversation(2)
    assert "(last_inbound_message_at: a timestamp out of range)" in one_sentence(err.value)


async def test_a_server_cannot_mark_a_message_unreadable() -> None:
    body = json.dumps({**GOOD, "unreadable": "trust me"}).encode()
    async with Loopback(answer(body, status=201)) as server, ApiClient(profile(server.url)) as client:
        message = await client.post_message("/conversation-messages-sms", {"x": 1})
    assert message.unreadable is None


async def test_a_page_that_is_not_a_page_is_still_one_error() -> None:
    body = json.dumps({"total": "many", "data": "none"}).encode()
    async with Loopback(answer(body)) as server, ApiClient(profile(server.url)) as client:
        with pytest.raises(BadResponseError) as err:
            await client.list_messages(7, channel="sms")
    assert "not what the API documents (total: input should be a valid integer" in one_sentence(err.value)


# -- the same, from the sandbox's odd-body faults -------------------------------------------------


@pytest.fixture
def odd(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(data_dir=tmp_path / "sandbox", odd_bodies=request.param)
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("odd", ["range"], indirect=True)
async def test_sandbox_out_of_range_times_leave_pages_whole_and_marked(odd: Any) -> None:
    async with ApiClient(sandbox_profile(odd)) as client:
        conversations = await client.list_conversations(limit=10)
        assert len(conversations.data) == 10 and conversations.total > 10  # nothing dropped
        assert conversations.unreadable_count >= 1
        marked = next(c for c in conversations.data if c.unreadable)
        assert marked.id > 0 and str(marked.unreadable).startswith("This conversation could not be read (")
        history = await client.list_messages(marked.id, channel=marked.channel)
    assert len(history.data) == min(history.total, 50) and history.unreadable_count >= 1
    for message in history.data:
        if message.unreadable:
            assert (
                message.unreadable == "This message could not be read (created_at: a timestamp out of range)."
            )
        else:
            assert message.created_at is not None and message.created_at.year == 9999


@pytest.mark.parametrize("odd", ["nested"], indirect=True)
async def test_sandbox_answer_nested_100000_deep_is_one_sentence(odd: Any) -> None:
    async with ApiClient(sandbox_profile(odd)) as client:
        with pytest.raises(BadResponseError) as err:
            await client.list_conversations()
    assert f"with JSON nested more than {MAX_JSON_DEPTH} levels deep" in one_sentence(err.value)
