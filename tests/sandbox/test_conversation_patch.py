"""`PATCH /conversations/:id` on the sandbox: every field it takes, and every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tui.sandbox.runner import RunningSandbox

CID = 1  # WhatsApp, open, unassigned, the customer wrote last


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def patch(api: httpx.Client, body: Any, cid: int | str = CID, **params: Any) -> httpx.Response:
    return api.patch(f"/conversations/{cid}", json=body, params={"organization_id": 1, **params})


def current(api: httpx.Client, cid: int = CID) -> dict[str, Any]:
    answer = api.get(f"/conversations/{cid}", params={"organization_id": 1})
    assert answer.status_code == 200
    data: dict[str, Any] = answer.json()
    return data


def test_status_closes_and_reopens(api: httpx.Client) -> None:
    closed = patch(api, {"status": "closed"})
    assert closed.status_code == 200
    assert closed.json() == current(api)  # the whole conversation, as GET answers it
    assert closed.json()["status"] == "closed"
    assert set(closed.json()) >= {"id", "contact", "last_message_at", "unread_count", "channel"}
    assert patch(api, {"status": "open"}).json()["status"] == current(api)["status"] == "open"


def test_assign_to_an_agent_and_unassign(api: httpx.Client) -> None:
    assert patch(api, {"assigned_user_id": 11}).json()["assigned_user_id"] == 11
    assert current(api)["assigned_user_id"] == 11
    assert patch(api, {"assigned_user_id": None}).json()["assigned_user_id"] is None
    assert current(api)["assigned_user_id"] is None


def test_take_over_from_the_ai(api: httpx.Client) -> None:
    held = current(api, 2)
    assert held["assigned_ai_assistant_id"] == "asst_support" and held["assigned_user_id"] is None
    body = {
        "assigned_ai_assistant_id": None,
        "ai_auto_assignment_disabled": True,
        "ai_auto_assignment_disabled_reason": "Taken over by Maria Silva",
        "assigned_user_id": 7,
    }
    answer = patch(api, body, cid=2)
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in body} == body == {k: current(api, 2)[k] for k in body}
    back = patch(api, {"assigned_ai_assistant_id": "asst_support", "ai_auto_assignment_disabled": False})
    assert back.json()["assigned_ai_assistant_id"] == "asst_support"
    assert back.json()["ai_auto_assignment_disabled"] is False
    assert (
        patch(api, {"ai_auto_assignment_disabled_reason": None}).json()["ai_auto_assignment_disabled_reason"]
        is None
    )


def test_mark_read_and_unread(api: httpx.Client) -> None:
    assert current(api)["unread_count"] > 0  # the customer wrote last
    assert patch(api, {"unread_count": 0}).json()["unread_count"] == 0
    assert current(api)["unread_count"] == 0
    assert patch(api, {"unread_count": 1}).json()["unread_count"] == current(api)["unread_count"] == 1


def test_an_empty_patch_changes_nothing(api: httpx.Client) -> None:
    before = current(api)
    answer = patch(api, {})
    assert answer.status_code == 200 and answer.json() == before


def refused(answer: httpx.Response, code: int) -> dict[str, Any]:
    assert answer.status_code == code, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"name", "message", "code", "className", "data", "errors"}
    assert body["code"] == code
    return body


def test_an_unknown_field_is_400_and_nothing_changes(api: httpx.Client) -> None:
    before = current(api)
    body = refused(patch(api, {"status": "closed", "colour": "red", "id": 5}), 400)
    assert body["name"] == "BadRequest"
    assert body["errors"] == {"colour": "cannot be patched", "id": "cannot be patched"}
    assert current(api) == before  # the valid part was not written either


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "resolved"),
        ("status", 1),
        ("assigned_user_id", "11"),
        ("assigned_user_id", 11.0),
        ("assigned_user_id", True),
        ("assigned_ai_assistant_id", 5),
        ("assigned_ai_assistant_id", True),
        ("ai_auto_assignment_disabled", "yes"),
        ("ai_auto_assignment_disabled", 1),
        ("ai_auto_assignment_disabled_reason", 42),
        ("ai_auto_assignment_disabled_reason", "x" * 501),
        ("unread_count", 2),
        ("unread_count", -1),
        ("unread_count", True),
        ("unread_count", "0"),
    ],
)
def test_a_wrong_value_is_400_naming_the_field(api: httpx.Client, field: str, value: Any) -> None:
    before = current(api)
    body = refused(patch(api, {field: value}), 400)
    assert set(body["errors"]) == {field}
    assert current(api) == before


@pytest.mark.parametrize("user", [99, 21])  # nobody; Eve Marsh, of another organization
def test_an_assignee_who_is_not_an_agent_of_the_organization_is_400(api: httpx.Client, user: int) -> None:
    body = refused(patch(api, {"assigned_user_id": user}), 400)
    assert body["errors"] == {"assigned_user_id": f"no agent {user} in organization 1"}
    assert current(api)["assigned_user_id"] is None


def test_a_body_that_is_not_an_object_is_400(api: httpx.Client) -> None:
    refused(patch(api, ["status", "closed"]), 400)
    bad = api.patch(f"/conversations/{CID}", content=b"{nope", headers={"content-type": "application/json"})
    refused(bad, 400)


@pytest.mark.parametrize("cid", [999, "abc"])
def test_an_unknown_conversation_is_404(api: httpx.Client, cid: int | str) -> None:
    assert refused(patch(api, {"status": "closed"}, cid=cid), 404)["name"] == "NotFound"


def test_another_organizations_conversation_or_organization_is_403(
    api: httpx.Client, sandbox: RunningSandbox
) -> None:
    assert refused(patch(api, {"status": "closed"}, organization_id=2), 403)["name"] == "Forbidden"
    eve = sandbox.agent(21)
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": eve.api_key}) as other:
        answer = other.patch(f"/conversations/{CID}", json={"status": "closed"})
        refused(answer, 403)
    assert current(api)["status"] == "open"


def test_no_key_or_a_wrong_key_is_401(sandbox: RunningSandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url) as anonymous:
        refused(anonymous.patch(f"/conversations/{CID}", json={"status": "closed"}), 401)
        wrong = anonymous.patch(
            f"/conversations/{CID}", json={"status": "closed"}, headers={"x-api-key": "sbx_nope"}
        )
        assert refused(wrong, 401)["name"] == "NotAuthenticated"


def test_a_patch_goes_through_the_fault_injector(start: Any) -> None:
    running = start(fail_rate=1.0, fail_status=(503,), fault_methods=("PATCH",))
    with httpx.Client(base_url=running.base_url, headers={"x-api-key": running.api_key}) as api:
        answer = api.patch(f"/conversations/{CID}", json={"status": "closed"})
        assert answer.status_code == 503
        assert api.get(f"/conversations/{CID}").json()["status"] == "open"  # GET is spared
    assert ("PATCH", f"/conversations/{CID}", "fail_503") in running.fault_events()


def test_pipeline_stage_context_cut_and_blocked(api: httpx.Client) -> None:
    moved = patch(api, {"pipeline_id": 5, "pipeline_stage_id": 2})
    assert moved.status_code == 200 and (moved.json()["pipeline_id"], moved.json()["pipeline_stage_id"]) == (
        5,
        2,
    )
    cleared = patch(api, {"pipeline_stage_id": None}).json()
    assert (cleared["pipeline_id"], cleared["pipeline_stage_id"]) == (None, None)  # no stage, no pipeline
    cut = patch(api, {"ai_context_cut": "2026-11-30T12:00:00.000Z", "blocked": True}).json()
    assert (cut["ai_context_cut"], cut["blocked"]) == ("2026-11-30T12:00:00.000Z", True)
    assert current(api) == cut
    assert patch(api, {"ai_context_cut": None, "blocked": False}).json()["ai_context_cut"] is None
    for field, value in (("pipeline_id", "5"), ("ai_context_cut", "soon"), ("blocked", "yes")):
        assert set(refused(patch(api, {field: value}), 400)["errors"]) == {field}


def test_a_patch_moves_no_last_interaction(api: httpx.Client) -> None:
    before = current(api)
    after = patch(api, {"status": "closed", "assigned_user_id": 11}).json()
    assert after["last_interaction_at"] == before["last_interaction_at"]
    assert after["created_at"] == before["created_at"]
