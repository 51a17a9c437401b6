"""The sandbox's agents and work queue: one key per agent (`/users/me`, `/users`, who a send is
from), a customer writing again reopens and raises the unread count, the seed's mix of holders and
urgent windows, the assignee filter and folded search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.sandbox.runner import RunningSandbox, start_in_thread
from tui.sandbox.seed import HANDY_IDS

from .rest import listed, messages_path

WEBCHAT = HANDY_IDS["webchat"]


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def as_agent(sandbox: RunningSandbox, user_id: int) -> httpx.Client:
    key = sandbox.agent(user_id).api_key
    return httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": key})


def conversation(api: httpx.Client, cid: int) -> dict[str, Any]:
    data: dict[str, Any] = api.get(f"/conversations/{cid}").json()
    return data


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_each_key_is_its_own_agent(sandbox: RunningSandbox) -> None:
    agents = sandbox.agents
    assert [a.name for a in agents[:4]] == ["Maria Silva", "Tom Becker", "Aiko Tanaka", "Jonas Weber"]
    assert agents[0].api_key == sandbox.api_key  # the key the sandbox always had is Maria's
    assert len({a.api_key for a in agents}) == len(agents) == 5
    for agent in agents:
        with as_agent(sandbox, agent.id) as client:
            me = client.get("/users/me")
        assert me.status_code == 200
        assert me.json() == {
            "id": agent.id,
            "first_name": agent.first_name,
            "last_name": agent.last_name,
            "email": agent.email,
            "organization_id": agent.organization_id,
        }
    assert agents[0].id == 7 and agents[-1].organization_id == 2


def test_users_lists_the_organizations_agents(sandbox: RunningSandbox, api: httpx.Client) -> None:
    answer = api.get("/users", params={"organization_id": 1, "$limit": 100})
    assert answer.status_code == 200
    page = answer.json()
    assert (page["total"], page["limit"], page["skip"]) == (4, 50, 0)  # pages hold at most 50
    assert [u["id"] for u in page["data"]] == [7, 11, 12, 13]
    assert all("api_key" not in u for u in page["data"])
    second = api.get("/users", params={"organization_id": 1, "$limit": 2, "$skip": 2}).json()
    assert [u["id"] for u in second["data"]] == [12, 13] and second["total"] == 4
    with as_agent(sandbox, 21) as eve:
        assert [u["id"] for u in eve.get("/users", params={"organization_id": 2}).json()["data"]] == [21]
        assert eve.get("/users", params={"organization_id": 1}).status_code == 403
    forbidden = api.get("/users", params={"organization_id": 2})
    assert forbidden.status_code == 403 and forbidden.json()["name"] == "Forbidden"


def test_users_without_a_good_key_is_401(sandbox: RunningSandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url) as anonymous:
        for path in ("/users/me", "/users"):
            assert anonymous.get(path).status_code == 401
            assert (
                anonymous.get(path, headers={"x-api-key": "sbx_wrong"}).json()["name"] == "NotAuthenticated"
            )


def test_a_send_carries_the_name_of_the_keys_agent(sandbox: RunningSandbox) -> None:
    for user_id, name in ((11, "Tom Becker"), (7, "Maria Silva")):
        with as_agent(sandbox, user_id) as client:
            sent = client.post(
                "/conversation-messages-transform-outgoing-webchat",
                json={"conversation_id": WEBCHAT, "message_text": f"from {name}", "message_type": "text"},
            )
        assert sent.status_code == 201, sent.text
        assert sent.json()["sender_name"] == name


def test_another_organizations_agent_sees_none_of_it(sandbox: RunningSandbox) -> None:
    with as_agent(sandbox, 21) as eve:
        assert eve.get("/conversations", params=listed(2)).json()["total"] == 0
        assert eve.get("/conversations", params=listed(1)).status_code == 403
        assert eve.get(f"/conversations/{WEBCHAT}").status_code == 403
        assert eve.get(messages_path("webchat"), params={"conversation_id": WEBCHAT}).status_code == 403
        sent = eve.post(
            "/conversation-messages-transform-outgoing-webchat",
            json={"conversation_id": WEBCHAT, "message_text": "not mine", "message_type": "text"},
        )
        assert sent.status_code == 403
    assert sandbox.count_messages("not mine") == {}


def test_a_customer_writing_reopens_and_raises_unread(sandbox: RunningSandbox, api: httpx.Client) -> None:
    api.patch(f"/conversations/{WEBCHAT}", json={"status": "closed", "unread_count": 0})
    before = conversation(api, WEBCHAT)
    message = sandbox.customer_writes(WEBCHAT, "Are you still there?")
    assert message["direction"] == "inbound" and message["sender_name"] == "Grace Mensah"
    after = conversation(api, WEBCHAT)
    assert (after["status"], after["unread_count"]) == ("open", 1)
    assert after["last_message_text"] == "Are you still there?"
    assert after["last_message_at"] == after["last_inbound_message_at"] == message["created_at"]
    assert when(after["last_message_at"]) >= when(before["last_message_at"])
    sandbox.customer_writes(WEBCHAT, "Hello?")
    assert conversation(api, WEBCHAT)["unread_count"] == 2


def test_another_agent_writes_and_notes(sandbox: RunningSandbox, api: httpx.Client) -> None:
    sandbox.customer_writes(WEBCHAT, "Hi")
    note = sandbox.agent_writes(WEBCHAT, "I'll take this one", user_id=12, note=True)
    assert (note["message_type"], note["sender_name"]) == ("note", "Aiko Tanaka")
    held = conversation(api, WEBCHAT)
    assert held["last_message_text"] == "Hi" and held["unread_count"] > 0  # a note moves nothing
    reply = sandbox.agent_writes(WEBCHAT, "Hello from Aiko", user_id=12)
    assert (reply["direction"], reply["sender_name"], reply["status"]) == ("outbound", "Aiko Tanaka", "sent")
    moved = conversation(api, WEBCHAT)
    assert (moved["last_message_text"], moved["unread_count"]) == ("Hello from Aiko", 0)
    assert moved["last_message_at"] == reply["created_at"] != moved["last_inbound_message_at"]
    assert sandbox.agent_writes(WEBCHAT, "default")["sender_name"] == "Maria Silva"
    with pytest.raises(KeyError):
        sandbox.agent_writes(WEBCHAT, "nobody", user_id=99)
    with pytest.raises(KeyError):
        sandbox.customer_writes(999, "nowhere")


def test_the_seed_has_every_kind_of_holder_and_window(api: httpx.Client) -> None:
    every = api.get("/conversations", params=listed(**{"$limit": 50})).json()["data"]
    assert len(every) == 30 and {c["channel"] for c in every} >= {"whatsapp", "sms", "playground"}
    ai = [c for c in every if c["assigned_ai_assistant_id"] and c["assigned_user_id"] is None]
    mine = [c["id"] for c in every if c["assigned_user_id"] == 7]
    others = {c["assigned_user_id"] for c in every} - {None, 7}
    unassigned = [c for c in every if c["assigned_user_id"] is None and not c["assigned_ai_assistant_id"]]
    assert len(ai) >= 3 and 2 <= len(mine) <= 5 and others == {11, 12, 13} and len(unassigned) >= 5
    assert any(c["status"] == "closed" for c in every)
    customer_last = [c for c in every if c["last_message_at"] == c["last_inbound_message_at"]]
    agent_last = [c for c in every if c["last_message_at"] != c["last_inbound_message_at"]]
    assert customer_last and agent_last
    newest = max(when(c["last_message_at"]) for c in every)
    meta = [c for c in every if c["channel"] in ("whatsapp", "instagram", "messenger")]
    left = [
        when(c["last_inbound_message_at"]) + timedelta(hours=24) - newest
        for c in meta
        if c["last_inbound_message_at"] and c["status"] == "open"
    ]
    # The seed was laid out at most a few seconds before `newest` was written.
    assert any(timedelta(0) < t < timedelta(minutes=15) for t in left)
    assert any(timedelta(minutes=15) < t < timedelta(hours=1) for t in left)


def test_the_assignee_filter(api: httpx.Client) -> None:
    mine = api.get("/conversations", params=listed(assigned_user_id=7, **{"$limit": 50})).json()
    assert sorted(c["id"] for c in mine["data"]) == [3, 14, 22] and mine["total"] == 3
    every = api.get("/conversations", params=listed(**{"$limit": 50})).json()["data"]
    for spelled in ("null", ""):
        nobody = api.get("/conversations", params=listed(assigned_user_id=spelled, **{"$limit": 50})).json()
        assert nobody["total"] > 0 and all(c["assigned_user_id"] is None for c in nobody["data"])
        assert nobody["total"] == sum(c["assigned_user_id"] is None for c in every)
    bad = api.get("/conversations", params=listed(assigned_user_id="me"))
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"assigned_user_id"}


@pytest.mark.parametrize(
    ("typed", "found"),
    [("mul", "Zoë Müller"), ("soren", "Søren Holm"), ("SØREN", "Søren Holm"), ("zoe m", "Zoë Müller")],
)
def test_search_folds_case_and_accents(api: httpx.Client, typed: str, found: str) -> None:
    page = api.get("/conversations", params=listed(searchTerm=typed)).json()
    names = [f"{c['contact']['first_name']} {c['contact']['last_name']}" for c in page["data"]]
    assert names == [found]


def test_agents_and_their_keys_survive_a_restart(tmp_path: Path) -> None:
    first = start_in_thread(tmp_path / "data")
    keys = [(a.id, a.api_key) for a in first.agents]
    first.stop()
    second = start_in_thread(tmp_path / "data")
    try:
        assert [(a.id, a.api_key) for a in second.agents] == keys
    finally:
        second.stop()


def test_switchboard_sandbox_prints_every_agent(sandbox_command: Any, tmp_path: Path) -> None:
    command = sandbox_command("--data", str(tmp_path), "--port", "0")
    seen = command.announcement()
    text = "".join(command.seen)
    for name, uid in (("Maria Silva", 7), ("Tom Becker", 11), ("Aiko Tanaka", 12), ("Jonas Weber", 13)):
        line = next(t for t in command.seen if t.strip().startswith(name))
        assert f"user_id {uid} " in line and "api_key sbx_" in line
    key = next(t for t in command.seen if t.strip().startswith("Tom Becker")).split("api_key ")[1].split()[0]
    with httpx.Client(base_url=seen["base_url"], headers={"x-api-key": key}) as tom:
        assert tom.get("/users/me").json()["id"] == 11
    assert "user_id = 7" in text


def test_a_file_of_before_agents_gets_them_and_the_seeds_holders(tmp_path: Path) -> None:
    import sqlite3

    from tui.sandbox.seed import ASSIGNMENTS

    first = start_in_thread(tmp_path / "data")
    key = first.api_key
    first.stop()
    db = sqlite3.connect(tmp_path / "data" / "sandbox.db")  # as a schema-2 file left it
    db.execute("DROP TABLE users")
    db.execute("UPDATE conversations SET assigned_user_id = 12, assigned_ai_assistant_id = 'asst_support'")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    again = start_in_thread(tmp_path / "data")
    try:
        assert again.api_key == key == again.agents[0].api_key  # Maria keeps the key of before
        assert [a.id for a in again.agents] == [7, 11, 12, 13, 21]
        with httpx.Client(base_url=again.base_url, headers={"x-api-key": key}) as api:
            every = api.get("/conversations", params=listed(**{"$limit": 50})).json()["data"]
    finally:
        again.stop()
    held = {c["id"]: (c["assigned_user_id"], c["assigned_ai_assistant_id"]) for c in every}
    assert held == {cid: ASSIGNMENTS.get(cid, (None, None)) for cid in range(1, 31)}
