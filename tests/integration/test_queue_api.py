"""The work queue's calls against the real sandbox: who the agent is, the organization's agents,
every conversation action through `actions.apply` (what the server then holds), its refusals,
and the scan of every open conversation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import sandbox_profile
from tui.core.actions import Action, apply, done_sentence
from tui.core.client import ApiClient
from tui.core.errors import InvalidRequestError, NotFoundError
from tui.core.models import Conversation
from tui.core.queue import has_ai, is_open
from tui.core.queue_scan import scan_open


async def open_ones(client: ApiClient) -> list[Conversation]:
    return (await client.list_conversations(status="open", limit=200)).data


async def test_who_i_am_and_the_agents(client: ApiClient, sandbox: Any) -> None:
    me = await client.get_me()
    assert (me.id, me.display_name) == (7, "Maria Silva")
    users = await client.list_users(limit=2)  # two pages of two, then the end
    assert [u.id for u in users] == [7, 11, 12, 13]
    assert {u.organization_id for u in users} == {sandbox.organization_id}
    tom = sandbox.agent(11)
    profile = sandbox_profile(sandbox).model_copy(update={"api_key": tom.api_key})
    async with ApiClient(profile) as as_tom:
        assert (await as_tom.get_me()).display_name == "Tom Becker"


async def test_close_reopen_read_unread_are_what_the_server_then_holds(client: ApiClient) -> None:
    target = next(c for c in await open_ones(client) if c.unread_count > 0)
    closed = await apply(client, target.id, Action.CLOSE)
    assert (
        closed.status == "closed"
        and done_sentence(Action.CLOSE, closed) == f"Conversation {target.id} closed."
    )
    assert (await client.get_conversation(target.id)).status == "closed"
    reopened = await apply(client, target.id, Action.REOPEN)
    assert reopened.status == "open" and (await client.get_conversation(target.id)).status == "open"
    assert (await apply(client, target.id, Action.READ)).unread_count == 0
    assert (await client.get_conversation(target.id)).unread_count == 0
    assert (await apply(client, target.id, Action.UNREAD)).unread_count == 1
    assert done_sentence(Action.READ, target) == f"Conversation {target.id} marked read."


async def test_assign_to_me_to_another_agent_and_to_nobody(client: ApiClient) -> None:
    me = await client.get_me()
    target = next(c for c in await open_ones(client) if c.assigned_user_id is None)
    mine = await apply(client, target.id, Action.ASSIGN, me=me)
    assert mine.assigned_user_id == 7
    assert done_sentence(Action.ASSIGN, mine, me=me) == f"Conversation {target.id} assigned to you."
    toms = await apply(client, target.id, Action.ASSIGN, me=me, to=11)
    assert toms.assigned_user_id == 11
    users = tuple(await client.list_users())
    assert done_sentence(Action.ASSIGN, toms, me=me, users=users).endswith(
        "assigned to Tom Becker (user 11)."
    )
    nobody = await apply(client, target.id, Action.UNASSIGN)
    assert nobody.assigned_user_id is None
    assert (await client.get_conversation(target.id)).assigned_user_id is None


async def test_takeover_from_the_ai(client: ApiClient) -> None:
    me = await client.get_me()
    held = next(c for c in await open_ones(client) if has_ai(c))
    taken = await apply(client, held.id, Action.TAKEOVER, me=me)
    stored = await client.get_conversation(held.id)
    for c in (taken, stored):
        assert c.assigned_ai_assistant_id is None
        assert c.ai_auto_assignment_disabled is True
        assert c.ai_auto_assignment_disabled_reason == "Taken over by Maria Silva"
        assert c.assigned_user_id == 7
    assert done_sentence(Action.TAKEOVER, taken, me=me) == (
        f"Conversation {held.id} taken over from the AI assistant and assigned to you."
    )


async def test_an_unknown_agent_is_the_servers_refusal_and_changes_nothing(client: ApiClient) -> None:
    target = (await open_ones(client))[0]
    with pytest.raises(InvalidRequestError) as caught:
        await apply(client, target.id, Action.ASSIGN, to=999)
    assert "assigned_user_id" in caught.value.errors
    assert caught.value.sentence.startswith(
        f"The server rejected the update of conversation {target.id} (400)"
    )
    assert (await client.get_conversation(target.id)).assigned_user_id == target.assigned_user_id


async def test_an_unknown_conversation_is_not_found(client: ApiClient) -> None:
    with pytest.raises(NotFoundError):
        await apply(client, 99_999, Action.CLOSE)


async def test_the_scan_reads_every_open_conversation_page_by_page(client: ApiClient, transport: Any) -> None:
    expected = [c.id for c in await open_ones(client)]
    before = len(transport.requests)
    scan = await scan_open(client, page=5)
    assert [c.id for c in scan.conversations] == expected
    assert scan.total == len(expected) and not scan.truncated
    assert all(is_open(c) for c in scan.conversations)
    assert len(transport.requests) - before == -(-len(expected) // 5)  # whole pages of 5


async def test_the_scan_stops_at_its_cap(client: ApiClient) -> None:
    scan = await scan_open(client, cap=4, page=3)
    assert len(scan.conversations) == 4 and scan.truncated and scan.total > 4


async def test_the_scan_keeps_to_a_channel(client: ApiClient) -> None:
    scan = await scan_open(client, channel="whatsapp")
    assert scan.conversations and {c.channel for c in scan.conversations} == {"whatsapp"}
