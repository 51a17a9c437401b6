"""Golden tests: the bodies of the AI, block and automation requests, literally, with the
contract's field names ("Update a conversation", "AI assistants", "Run an automation"), and the
query of the assistants' and automations' lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.core.test_queries_golden import ORG, Recorder, client_with
from tui.core.ai import Change, auto_off_reason, change_body, directory, id_from_text
from tui.core.models import User
from tui.core.payloads_ai import ai_auto_patch, ai_cut_patch, automation_run_body, block_patch, handoff_patch

MARIA = User(id=7, first_name="Maria", last_name="Silva")
NOW = datetime(2026, 12, 7, 9, 17, 5, 250_000, tzinfo=UTC)


def wire(body: dict[str, object]) -> str:
    """The body as httpx puts it on the wire (key order kept)."""
    return json.dumps(body)


def test_handoff_keeps_the_id_as_the_server_gave_it() -> None:
    assert wire(handoff_patch(42)) == '{"assigned_ai_assistant_id": 42}'
    assert wire(handoff_patch("asst_support")) == '{"assigned_ai_assistant_id": "asst_support"}'
    assert wire(handoff_patch("asst_support", unassign_human=True)) == (
        '{"assigned_ai_assistant_id": "asst_support", "assigned_user_id": null}'
    )


def test_auto_assignment_off_says_why_and_on_clears_the_reason() -> None:
    assert wire(ai_auto_patch(False, "Turned off by Maria Silva")) == (
        '{"ai_auto_assignment_disabled": true, '
        '"ai_auto_assignment_disabled_reason": "Turned off by Maria Silva"}'
    )
    assert wire(ai_auto_patch(True, "ignored")) == (
        '{"ai_auto_assignment_disabled": false, "ai_auto_assignment_disabled_reason": null}'
    )
    assert auto_off_reason(MARIA) == "Turned off by Maria Silva"
    assert auto_off_reason(None) == "Turned off in Switchboard"


def test_cut_context_and_block() -> None:
    assert wire(ai_cut_patch(NOW)) == '{"ai_context_cut": "2026-12-07T09:17:05.250Z"}'
    assert wire(block_patch(True)) == '{"blocked": true}'
    assert wire(block_patch(False)) == '{"blocked": false}'


@pytest.mark.parametrize(
    ("change", "kw", "body"),
    [
        (Change.HANDOFF, {"assistant": 42}, {"assigned_ai_assistant_id": 42}),
        (
            Change.HANDOFF,
            {"assistant": "a-1", "unassign_human": True},
            {"assigned_ai_assistant_id": "a-1", "assigned_user_id": None},
        ),
        (
            Change.AI_ON,
            {},
            {"ai_auto_assignment_disabled": False, "ai_auto_assignment_disabled_reason": None},
        ),
        (
            Change.AI_OFF,
            {"reason": "Turned off by Maria Silva"},
            {
                "ai_auto_assignment_disabled": True,
                "ai_auto_assignment_disabled_reason": "Turned off by Maria Silva",
            },
        ),
        (Change.AI_CUT, {"now": NOW}, {"ai_context_cut": "2026-12-07T09:17:05.250Z"}),
        (Change.BLOCK, {}, {"blocked": True}),
        (Change.UNBLOCK, {}, {"blocked": False}),
    ],
)
def test_each_change_sends_its_body(change: Change, kw: dict[str, object], body: dict[str, object]) -> None:
    assert change_body(change, **kw) == body  # type: ignore[arg-type]


def test_a_handoff_without_an_assistant_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        change_body(Change.HANDOFF)


def test_an_automation_run() -> None:
    conversation = {"id": 3, "channel": "whatsapp", "odd_field": [1]}
    messages = [{"_id": "a", "message_text": "old"}, {"id": 9, "message_text": "new"}]
    assert wire(
        automation_run_body(
            5,
            organization_id=1,
            conversation_id=3,
            conversation=conversation,
            contact={"id": 4, "first_name": "Zoë"},
            messages=messages,
        )
    ) == (
        '{"automation_id": 5, "organization_id": 1, "conversation_id": 3, "initial_payload": '
        '{"conversation": {"id": 3, "channel": "whatsapp", "odd_field": [1]}, '
        '"contact": {"id": 4, "first_name": "Zo\\u00eb"}, '
        '"messages": [{"_id": "a", "message_text": "old"}, {"id": 9, "message_text": "new"}]}}'
    )
    no_contact = automation_run_body(
        "auto-1", organization_id=1, conversation_id=3, conversation=conversation, contact=None, messages=[]
    )
    assert no_contact["automation_id"] == "auto-1"
    assert no_contact["initial_payload"] == {"conversation": conversation, "contact": None, "messages": []}


def test_ids_typed_on_the_command_line() -> None:
    assert id_from_text("42") == 42
    assert id_from_text(" asst_support ") == "asst_support"
    assert id_from_text("007") == "007"  # not a plain number: sent as typed
    assert id_from_text("٣") == "٣"  # a digit, but not ASCII


async def test_the_lists_queries_each_read_once_in_ten_minutes() -> None:
    recorder = Recorder({"total": 1, "limit": 50, "skip": 0, "data": [{"id": 42, "name": "Orbit"}]})
    async with client_with(recorder) as client:
        lists = directory(client)
        assert directory(client) is lists  # one per client: the app's screens share it
        for _ in range(2):
            assert [a.id for a in await lists.assistants()] == [42]
            assert [a.id for a in await lists.automations()] == [42]
        assert lists.assistant_names() == {"42": "Orbit"}
        await lists.assistants(max_age=0)
    assert recorder.seen == [
        (
            "GET",
            "/ai-assistants",
            f"organization_id={ORG}&assistant_type=conversation&$limit=50&$sort[name]=1",
        ),
        ("GET", "/automations", f"organization_id={ORG}&$limit=50"),
        (
            "GET",
            "/ai-assistants",
            f"organization_id={ORG}&assistant_type=conversation&$limit=50&$sort[name]=1",
        ),
    ]


async def test_a_profiles_paths_are_used() -> None:
    recorder = Recorder()
    async with client_with(recorder, ai_assistants="/v2/assistants", automations="/flows") as client:
        await directory(client).assistants()
        await directory(client).automations()
    assert [path for _, path, _ in recorder.seen] == ["/v2/assistants", "/flows"]
