"""`GET /conversations` as the December reading documents it: `organization_id` required, sorted by
`last_interaction_at`, every documented filter on the server (combinable), `$select`, and the
records' new fields; `documented_fields_only` leaves the [ours] fields out everywhere."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.core.fold import fold
from tui.sandbox.live import CONVERSATION_PATCHED
from tui.sandbox.records import OUR_FIELDS
from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed import HANDY_IDS

from .rest import listed, messages_path
from .test_live_events import listening

FIELDS = {
    "id", "organization_id", "contact_id", "channel", "status", "unread_count", "assigned_user_id",
    "assigned_ai_assistant_id", "pipeline_id", "pipeline_stage_id", "ai_context_cut",
    "ai_auto_assignment_disabled", "ai_auto_assignment_disabled_reason", "blocked",
    "last_interaction_at", "created_at",
}  # fmt: skip


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def find(api: httpx.Client, *pairs: tuple[str, Any], **params: Any) -> dict[str, Any]:
    answer = api.get(
        "/conversations", params=[("organization_id", 1), ("$limit", 50), *pairs, *params.items()]
    )
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def ids(page: dict[str, Any]) -> set[int]:
    return {c["id"] for c in page["data"]}


def every(api: httpx.Client) -> list[dict[str, Any]]:
    return list(find(api)["data"])


def messages(api: httpx.Client, conversation: dict[str, Any]) -> list[dict[str, Any]]:
    cid = conversation["id"]
    return list(
        api.get(messages_path(conversation["channel"]), params={"conversation_id": cid, "$limit": 50}).json()[
            "data"
        ]
    )


def test_organization_id_is_required(api: httpx.Client) -> None:
    missing = api.get("/conversations", params={"$limit": 5})
    assert missing.status_code == 400 and missing.json()["name"] == "BadRequest"
    assert missing.json()["errors"] == {"organization_id": "is required"}
    assert api.get("/conversations/1").status_code == 200  # optional on get and patch
    assert api.patch("/conversations/1", json={}).status_code == 200


def test_records_carry_last_interaction_and_created(api: httpx.Client) -> None:
    for conversation in every(api):
        assert set(conversation) == FIELDS | set(OUR_FIELDS)
        history = messages(api, conversation)
        newest = max(m["created_at"] for m in history if m["message_type"] != "reaction")
        assert conversation["last_interaction_at"] == newest  # notes count, reactions do not
        assert conversation["created_at"] <= min(m["created_at"] for m in history)
    notes = [c for c in every(api) if any(m["message_type"] == "note" for m in messages(api, c)[:1])]
    assert all(c["last_interaction_at"] >= (c["last_message_at"] or "") for c in notes)


def test_sorting(api: httpx.Client) -> None:
    default = [c["last_interaction_at"] for c in every(api)]
    assert default == sorted(default, reverse=True)
    for field in ("last_interaction_at", "created_at", "id", "unread_count"):
        for direction in (1, -1):
            page = find(api, (f"$sort[{field}]", direction))["data"]
            values = [c[field] for c in page]
            assert values == sorted(values, reverse=direction == -1), field
    ties = find(api, ("$sort[unread_count]", -1))["data"]
    for a, b in itertools.pairwise(ties):
        assert a["unread_count"] > b["unread_count"] or a["id"] > b["id"]  # ties by id, same way


def test_each_filter(api: httpx.Client) -> None:
    rows = every(api)
    by = {c["id"]: c for c in rows}
    assert ids(find(api, status="closed")) == {i for i, c in by.items() if c["status"] == "closed"}
    assert ids(find(api, channel="sms")) == {i for i, c in by.items() if c["channel"] == "sms"}
    assert ids(find(api, ("channel[$ne]", "playground"))) == {
        i for i, c in by.items() if c["channel"] != "playground"
    }
    assert ids(find(api, assigned_user_id=7)) == {3, 14, 22}
    unassigned = {i for i, c in by.items() if c["assigned_user_id"] is None}
    assert ids(find(api, assigned_user_id="")) == ids(find(api, assigned_user_id="null")) == unassigned
    ai = {i for i, c in by.items() if c["assigned_ai_assistant_id"] == "asst_support"}
    assert ids(find(api, assigned_ai_assistant_id="asst_support")) == ai and ai
    assert ids(find(api, assigned_ai_assistant_id="")) == set(by) - ai
    unread = {i for i, c in by.items() if c["unread_count"] > 0}
    assert ids(find(api, ("unread_count[$gt]", 0))) == unread and unread
    assert ids(find(api, contact_id=1)) == {1, 24}  # Ana Lima writes on WhatsApp and SMS
    assert ids(find(api, ("id[$in][]", 4), ("id[$in][]", 9))) == {4, 9}
    stage = by[1]["pipeline_stage_id"]
    assert ids(find(api, pipeline_id=3)) == set(by)
    assert ids(find(api, pipeline_stage_id=stage)) == {
        i for i, c in by.items() if c["pipeline_stage_id"] == stage
    }
    cut = sorted(c["created_at"] for c in rows)[15]
    assert ids(find(api, ("created_at[$gte]", cut))) == {i for i, c in by.items() if c["created_at"] >= cut}
    assert ids(find(api, ("created_at[$lte]", cut))) == {i for i, c in by.items() if c["created_at"] <= cut}
    assert find(api, tag_id=1)["total"] == find(api, view_id=1)["total"] == 0  # none in the sandbox


def test_waiting_for_a_response(api: httpx.Client) -> None:
    expected = set()
    for conversation in every(api):
        shown = [m for m in messages(api, conversation) if m["message_type"] not in ("note", "reaction")]
        if shown and shown[0]["direction"] == "inbound":
            expected.add(conversation["id"])
    assert expected and len(expected) < 30
    assert ids(find(api, waitingResponseOnly="true")) == expected
    assert find(api, waitingResponseOnly="false")["total"] == 30
    open_ones = ids(find(api, status="open", waitingResponseOnly="true"))
    assert open_ones == {i for i in expected if i in ids(find(api, status="open"))}


def test_a_reply_or_note_changes_waiting_as_defined(api: httpx.Client, sandbox: RunningSandbox) -> None:
    webchat = HANDY_IDS["webchat"]
    sandbox.customer_writes(webchat, "Hello?")
    assert webchat in ids(find(api, waitingResponseOnly="true"))
    sandbox.agent_writes(webchat, "internal only", note=True)
    assert webchat in ids(find(api, waitingResponseOnly="true"))  # a note answers nobody
    reply = sandbox.agent_writes(webchat, "Hi there")
    assert webchat not in ids(find(api, waitingResponseOnly="true"))
    api.delete(f"{messages_path('webchat')}/{reply['_id']}")
    assert webchat in ids(find(api, waitingResponseOnly="true"))  # a deleted reply answers nobody


@pytest.mark.parametrize(
    ("term", "expected"),
    [("müller", {3}), ("MULLER", {3}), ("zoë m", {3}), ("soren holm", {9}), ("Lima", {1, 24}), ("ana", None)],
)
def test_search_term_on_the_contact(api: httpx.Client, term: str, expected: set[int] | None) -> None:
    found = ids(find(api, searchTerm=term))
    if expected is None:  # every contact whose name holds it, folded
        expected = {
            c["id"] for c in every(api)
            if fold(term) in fold(f"{c['contact']['first_name']} {c['contact']['last_name']}")
        }  # fmt: skip
        assert len(expected) > 1
    assert found == expected


def test_search_term_on_the_phone(api: httpx.Client) -> None:
    grace = api.get(f"/conversations/{HANDY_IDS['webchat']}").json()["contact"]
    assert ids(find(api, searchTerm=grace["phone"][-6:])) == {HANDY_IDS["webchat"]}
    assert find(api, searchTerm="")["total"] == 30


def test_message_search_term(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.agent_writes(19, "Your Crème Brûlée voucher", note=True)
    assert ids(find(api, messageSearchTerm="creme brulee")) == {19}
    assert ids(find(api, messageSearchTerm="VOUCHER", channel="webchat")) == {19}
    assert find(api, messageSearchTerm="VOUCHER", channel="sms")["total"] == 0
    expected = {
        c["id"]
        for c in every(api)
        if any("portugal" in fold(m["message_text"] or "") for m in messages(api, c))
    }
    assert ids(find(api, messageSearchTerm="Portugal")) == expected


def test_filters_combine(api: httpx.Client) -> None:
    rows = {c["id"]: c for c in every(api)}
    waiting = ids(find(api, waitingResponseOnly="true"))
    combined = find(
        api,
        ("channel[$ne]", "playground"),
        ("status", "open"),
        ("waitingResponseOnly", "true"),
        ("assigned_user_id", ""),
        ("assigned_ai_assistant_id", ""),
    )
    assert ids(combined) == {
        i for i in waiting
        if rows[i]["channel"] != "playground" and rows[i]["status"] == "open"
        and rows[i]["assigned_user_id"] is None and rows[i]["assigned_ai_assistant_id"] is None
    }  # fmt: skip


def test_select(api: httpx.Client) -> None:
    only_ids = find(api, ("$select[]", "id"))
    assert only_ids["total"] == 30 and all(c == {"id": c["id"]} for c in only_ids["data"])
    two = find(api, ("$select[]", "status"), ("$select[]", "last_interaction_at"))["data"]
    assert all(set(c) == {"id", "status", "last_interaction_at"} for c in two)
    indexed = find(api, ("$select[0]", "channel"))["data"]
    assert all(set(c) == {"id", "channel"} for c in indexed)


def test_documented_fields_only(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "sb", documented_fields_only=True)
    try:
        with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
            page = find(api)["data"]
            one = api.get("/conversations/1").json()
            patched = api.patch("/conversations/1", json={"unread_count": 1}).json()
            select = api.get("/conversations", params=listed(**{"$select[]": "contact"}))
            # the sandbox's own checks still see the customer's last message
            closed = api.post(
                "/conversation-messages-transform-outgoing-whatsapp",
                json={
                    "conversation_id": HANDY_IDS["whatsapp_closed"],
                    "message_text": "hi",
                    "message_type": "text",
                },
            )
            opened = api.post(
                "/conversation-messages-transform-outgoing-whatsapp",
                json={
                    "conversation_id": HANDY_IDS["whatsapp_open"],
                    "message_text": "hi",
                    "message_type": "text",
                },
            )
            waiting = find(api, waitingResponseOnly="true")["total"]
    finally:
        running.stop()
    for record in (*page, one, patched):
        assert set(record) == FIELDS
    assert select.status_code == 400
    assert (closed.status_code, opened.status_code) == (409, 201)
    assert 0 < waiting < 30


async def test_documented_fields_only_in_live_events(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "sb", documented_fields_only=True)
    try:
        async with listening(running) as heard:
            await asyncio.to_thread(running.customer_writes, 19, "still there?")
            _, message = await heard.next()
            event, conversation = await heard.next()
        assert event == CONVERSATION_PATCHED and set(conversation) == FIELDS
        assert conversation["last_interaction_at"] == message["created_at"]
    finally:
        running.stop()


def test_time_filters_take_iso_dates(api: httpx.Client) -> None:
    newest = datetime.fromisoformat(every(api)[0]["last_interaction_at"].replace("Z", "+00:00"))
    since = (newest - timedelta(minutes=30)).isoformat()
    recent = find(api, ("last_interaction_at[$gte]", since))
    assert recent["total"] >= 1
    assert all(c["last_interaction_at"] >= since.replace("+00:00", "") for c in recent["data"])
    assert find(api, ("created_at[$gte]", "2999-01-01"))["total"] == 0
