"""The sandbox's AI assistants, automations and automation runs (`tui.sandbox.automations`): the
queries they take (strictly, as every find), the key's organization only, the run's body checked
before anything is stored, the PATCH taking the AI fields and `blocked`, and a file of schema 7
opening at the current version with the runs' table."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.schema import VERSION

CID = 3  # WhatsApp, Maria Silva's


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def as_eve(sandbox: RunningSandbox) -> httpx.Client:
    return httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.agent(21).api_key})


def run_body(api: httpx.Client, **changes: Any) -> dict[str, Any]:
    conversation = api.get(f"/conversations/{CID}", params={"organization_id": 1}).json()
    body = {
        "automation_id": 1,
        "organization_id": 1,
        "conversation_id": CID,
        "initial_payload": {"conversation": conversation, "contact": None, "messages": [{"id": 1}]},
    }
    return {**body, **changes}


def test_assistants_by_name_of_one_type(api: httpx.Client) -> None:
    query = {"organization_id": 1, "assistant_type": "conversation", "$limit": 50, "$sort[name]": 1}
    page = api.get("/ai-assistants", params=query).json()
    assert page["total"] == 2 and page["limit"] == 50 and page["skip"] == 0
    assert [(a["id"], a["name"]) for a in page["data"]] == [
        ("asst_support", "Ava (returns)"),
        (42, "Orbit (billing)"),
    ]
    every = api.get("/ai-assistants", params={"organization_id": 1, "$sort[name]": -1}).json()
    assert [a["name"] for a in every["data"]] == ["Orbit (billing)", "Echo (phone line)", "Ava (returns)"]
    count = api.get("/ai-assistants", params={"organization_id": 1, "$limit": 0}).json()
    assert count == {"total": 3, "limit": 0, "skip": 0, "data": []}
    picked = api.get("/ai-assistants", params={"id[$in][]": ["42", "43"], "$select[]": "name"}).json()
    assert picked["data"] == [{"id": 43, "name": "Echo (phone line)"}, {"id": 42, "name": "Orbit (billing)"}]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/ai-assistants", {"assistant_type": "robot"}, "assistant_type"),
        ("/ai-assistants", {"$sort[color]": "1"}, "$sort[color]"),
        ("/ai-assistants", {"name": "Ava"}, "name"),
        ("/ai-assistants", {"organization_id": "one"}, "organization_id"),
        ("/automations", {"enabled": "true"}, "enabled"),
        ("/automations", {"$sort[description]": "1"}, "$sort[description]"),
    ],
)
def test_the_finds_refuse_what_they_do_not_take(
    api: httpx.Client, path: str, params: dict[str, str], field: str
) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == 400 and field in answer.json()["errors"]


def test_only_the_keys_organization(api: httpx.Client, sandbox: RunningSandbox) -> None:
    assert api.get("/ai-assistants", params={"organization_id": 2}).status_code == 403
    assert api.get("/automations", params={"organization_id": 2}).status_code == 403
    with as_eve(sandbox) as eve:
        assert [a["name"] for a in eve.get("/ai-assistants").json()["data"]] == [
            "Nova (another organization)"
        ]
        assert [a["id"] for a in eve.get("/automations").json()["data"]] == [9]
        theirs = run_body(api, organization_id=2)
        assert (
            eve.post("/automations-executions", json=theirs).status_code == 403
        )  # conversation 3 is org 1's


def test_automations_page(api: httpx.Client) -> None:
    page = api.get("/automations", params={"organization_id": 1, "$limit": 50}).json()
    assert page["total"] == 3
    assert [(a["id"], a["name"]) for a in page["data"]] == [
        (1, "Send the returns label"),
        (2, "Tag as VIP and tell the team lead"),
        (3, "Satisfaction survey"),
    ]
    assert [a["id"] for a in api.get("/automations", params={"$limit": 2, "$skip": 1}).json()["data"]] == [
        2,
        3,
    ]


def test_a_run_is_stored_and_answered(api: httpx.Client, sandbox: RunningSandbox) -> None:
    created = api.post("/automations-executions", json=run_body(api, automation_id="2"))
    assert created.status_code == 201
    answer = created.json()
    assert answer["id"] == 1 and answer["automation_id"] == 2 and answer["status"] == "queued"
    assert (answer["conversation_id"], answer["organization_id"], answer["created_by_user_id"]) == (CID, 1, 7)
    assert answer["message_count"] == 1 and answer["created_at"].endswith("Z")
    (row,) = sandbox.state.store.query("SELECT * FROM automation_executions")
    assert row["automation_id"] == "2" and json.loads(row["initial_payload"])["messages"] == [{"id": 1}]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"automation_id": None}, {"automation_id"}),
        ({"automation_id": 9}, {"automation_id"}),  # another organization's
        ({"automation_id": True}, {"automation_id"}),
        ({"organization_id": "1"}, {"organization_id"}),
        ({"conversation_id": None}, {"conversation_id", "initial_payload.conversation"}),
        ({"initial_payload": []}, {"initial_payload"}),
        (
            {"initial_payload": {"conversation": {"id": 4}, "contact": None, "messages": []}},
            {"initial_payload.conversation"},
        ),
        ({"initial_payload": {"conversation": {"id": CID}, "messages": []}}, {"initial_payload.contact"}),
        (
            {"initial_payload": {"conversation": {"id": CID}, "contact": None, "messages": [1]}},
            {"initial_payload.messages"},
        ),
        (
            {"initial_payload": {"conversation": {"id": CID}, "contact": None, "messages": [{}] * 51}},
            {"initial_payload.messages"},
        ),
        ({"note": "hi"}, {"note"}),
    ],
)
def test_a_bad_run_is_a_400_naming_each_field_and_nothing_is_stored(
    api: httpx.Client, sandbox: RunningSandbox, changes: dict[str, Any], fields: set[str]
) -> None:
    answer = api.post("/automations-executions", json=run_body(api, **changes))
    assert answer.status_code == 400, answer.text
    assert set(answer.json()["errors"]) == fields
    assert sandbox.state.store.query("SELECT * FROM automation_executions") == []


def test_unknown_and_other_organizations_conversations(api: httpx.Client) -> None:
    assert api.post("/automations-executions", json=run_body(api, conversation_id=9999)).status_code == 404
    assert api.post("/automations-executions", json=run_body(api, organization_id=2)).status_code == 403


def test_the_patch_takes_the_ai_fields_and_blocked(api: httpx.Client) -> None:
    body = {
        "assigned_ai_assistant_id": 42,
        "assigned_user_id": None,
        "ai_auto_assignment_disabled": True,
        "ai_auto_assignment_disabled_reason": "Turned off by Maria Silva",
        "ai_context_cut": "2026-12-07T09:17:00.000Z",
        "blocked": True,
    }
    patched = api.patch(f"/conversations/{CID}", params={"organization_id": 1}, json=body).json()
    assert {k: patched[k] for k in body} == body  # a numeric assistant is served as a number
    bad = api.patch(
        f"/conversations/{CID}", params={"organization_id": 1}, json={"assigned_ai_assistant_id": 43}
    )
    assert bad.status_code == 400  # a voice assistant holds no conversation


def test_a_file_of_schema_7_opens_with_the_runs_table(tmp_path: Path) -> None:
    first = start_in_thread(data_dir=tmp_path / "data")
    first.stop()
    db = sqlite3.connect(tmp_path / "data" / "sandbox.db")
    db.execute("DROP TABLE automation_executions")
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    again = start_in_thread(data_dir=tmp_path / "data")
    try:
        with httpx.Client(base_url=again.base_url, headers={"x-api-key": again.api_key}) as api:
            assert api.post("/automations-executions", json=run_body(api)).status_code == 201
        assert again.state.store.one("PRAGMA user_version")[0] == VERSION >= 8  # type: ignore[index]
    finally:
        again.stop()
