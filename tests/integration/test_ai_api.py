"""The AI, automation, block and delete calls against the real sandbox: what the server then holds,
the requests each spends, the other organization's view, and the refusals as one sentence."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers import CountingTransport, sandbox_profile
from tui.core.ai import ActionRefused, Change, apply_change, change_sentence, directory
from tui.core.automations import run_automation, run_sentence
from tui.core.client import ApiClient
from tui.core.deleting import delete_message, deleted_copy
from tui.core.errors import AuthError, InvalidRequestError, NotFoundError
from tui.core.http import httpx
from tui.core.models import User
from tui.sandbox.seed import HANDY_IDS

MINE = HANDY_IDS["whatsapp_open_ending"]  # Maria Silva's
WEBCHAT = HANDY_IDS["webchat"]  # Ava's (the AI "asst_support")
MARIA = User(id=7, first_name="Maria", last_name="Silva")


async def client_get(sandbox: Any, path: str) -> bytes:
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as http:
        return (await http.get(path)).content


async def test_the_assistants_and_automations_of_the_organization(
    client: ApiClient, sandbox: Any, transport: CountingTransport
) -> None:
    lists = directory(client)
    assistants = await lists.assistants()
    assert [(a.id, a.name) for a in assistants] == [
        ("asst_support", "Ava (returns)"),
        (42, "Orbit (billing)"),
    ]
    assert [a.name for a in await lists.automations()] == [
        "Send the returns label",
        "Tag as VIP and tell the team lead",
        "Satisfaction survey",
    ]
    await lists.assistants()
    await lists.automations()
    assert len(transport.requests) == 2  # each list once: the second asks are the held lists
    eve = sandbox.agent(21)
    profile = sandbox_profile(sandbox).model_copy(update={"api_key": eve.api_key, "organization_id": 2})
    async with ApiClient(profile) as as_eve:
        other = directory(as_eve)
        assert [a.name for a in await other.assistants()] == ["Nova (another organization)"]
        assert [a.name for a in await other.automations()] == ["Welcome series"]


async def test_handoff_then_the_ai_holds_it(client: ApiClient, transport: CountingTransport) -> None:
    names = {"42": "Orbit (billing)"}
    kept = await apply_change(client, MINE, Change.HANDOFF, assistant=42)
    assert kept.assigned_ai_assistant_id == 42 and kept.assigned_user_id == 7
    assert change_sentence(Change.HANDOFF, kept, names=names, me=MARIA) == (
        f"Conversation {MINE} handed to the AI assistant Orbit (billing); you stay assigned."
    )
    alone = await apply_change(client, MINE, Change.HANDOFF, assistant="asst_support", unassign_human=True)
    assert alone.assigned_ai_assistant_id == "asst_support" and alone.assigned_user_id is None
    assert len(transport.requests) == 2  # one PATCH each
    held = await client.get_conversation(MINE)
    assert held.assigned_ai_assistant_id == "asst_support" and held.assigned_user_id is None
    with pytest.raises(InvalidRequestError) as refused:
        await apply_change(client, MINE, Change.HANDOFF, assistant=901)  # another organization's
    assert refused.value.errors == {
        "assigned_ai_assistant_id": "must be null or an AI assistant of organization 1"
    }


async def test_auto_assignment_cut_and_block(client: ApiClient, transport: CountingTransport) -> None:
    off = await apply_change(client, WEBCHAT, Change.AI_OFF, reason="Turned off by Maria Silva")
    assert off.ai_auto_assignment_disabled is True
    assert off.ai_auto_assignment_disabled_reason == "Turned off by Maria Silva"
    on = await apply_change(client, WEBCHAT, Change.AI_ON)
    assert on.ai_auto_assignment_disabled is False and on.ai_auto_assignment_disabled_reason is None
    now = datetime(2026, 12, 7, 9, 17, tzinfo=UTC)
    cut = await apply_change(client, WEBCHAT, Change.AI_CUT, now=now)
    assert cut.ai_context_cut == "2026-12-07T09:17:00.000Z"
    blocked = await apply_change(client, WEBCHAT, Change.BLOCK)
    assert (
        blocked.blocked is True
        and change_sentence(Change.BLOCK, blocked) == f"Conversation {WEBCHAT} blocked."
    )
    assert (await apply_change(client, WEBCHAT, Change.UNBLOCK)).blocked is False
    assert len(transport.requests) == 5  # one PATCH each
    with pytest.raises(NotFoundError):
        await apply_change(client, 99999, Change.BLOCK)


async def test_a_run_reads_three_things_and_posts_once(
    client: ApiClient, sandbox: Any, transport: CountingTransport
) -> None:
    execution = await run_automation(client, MINE, 2)
    assert execution.id == 1 and execution.status == "queued"
    assert [(r.method, r.url.path) for r in transport.requests] == [
        ("GET", f"/conversations/{MINE}"),
        ("GET", f"/contacts/{MINE}"),
        ("GET", "/conversation-messages-whatsapp"),
        ("POST", "/automations-executions"),
    ]
    sent = json.loads(transport.requests[-1].content)
    assert list(sent) == ["automation_id", "organization_id", "conversation_id", "initial_payload"]
    assert (sent["automation_id"], sent["organization_id"], sent["conversation_id"]) == (2, 1, MINE)
    payload = sent["initial_payload"]
    served = json.loads(await client_get(sandbox, f"/conversations/{MINE}?organization_id=1"))
    assert payload["conversation"] == served  # as the server sent it
    assert payload["contact"]["id"] == served["contact_id"]
    times = [m["created_at"] for m in payload["messages"]]
    assert 0 < len(times) <= 50 and times == sorted(times)
    assert run_sentence(MINE, 2, execution, "Tag as VIP") == (
        f"Automation “Tag as VIP” started on conversation {MINE} (execution 1)."
    )


async def test_no_run_on_a_channel_without_a_message_service(client: ApiClient, sandbox: Any) -> None:
    sandbox.state.store.execute("UPDATE conversations SET channel = 'fax' WHERE id = ?", (MINE,))
    with pytest.raises(ActionRefused) as refused:
        await run_automation(client, MINE, 1)
    assert refused.value.exit_code == 4 and refused.value.reason == "no_message_service"
    assert sandbox.state.store.query("SELECT * FROM automation_executions") == []


async def test_delete_one_message(client: ApiClient, transport: CountingTransport) -> None:
    page = await client.list_messages(MINE, channel="whatsapp")
    outbound = next(m for m in page.data if not m.is_inbound and m.deleted_at is None)
    inbound = next(m for m in page.data if m.is_inbound)
    before = len(transport.requests)
    answer = await delete_message(client, MINE, outbound.id, channel="whatsapp")
    assert len(transport.requests) == before + 1
    assert answer is not None and answer.deleted_at is not None
    assert deleted_copy(outbound, answer).deleted_at == answer.deleted_at
    assert deleted_copy(outbound, None).deleted_at is not None  # an empty answer: deleted now
    again = await client.list_messages(MINE, channel="whatsapp")
    assert next(m for m in again.data if m.id == outbound.id).deleted_at is not None
    with pytest.raises(ActionRefused) as refused:
        await delete_message(client, MINE, inbound.id, channel="whatsapp")
    assert refused.value.sentence == (
        f"Message {inbound.id} was not deleted: your role or the WhatsApp channel does not allow "
        "deleting it (403: Customer messages cannot be deleted)."
    )
    assert refused.value.status == 403


async def test_another_organizations_conversation_is_refused(client: ApiClient, sandbox: Any) -> None:
    sandbox.state.store.execute("UPDATE conversations SET organization_id = 2 WHERE id = ?", (MINE,))
    with pytest.raises(AuthError) as refused:
        await apply_change(client, MINE, Change.BLOCK)
    assert refused.value.status == 403
    with pytest.raises(AuthError):
        await run_automation(client, MINE, 1)
