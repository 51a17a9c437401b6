"""The work queue's calls against the real sandbox: who the agent is, the organization's agents,
every conversation action through `actions.apply` (what the server then holds), its refusals,
and every view as the server's query (rows, counts, search)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import sandbox_profile
from tui.core.actions import Action, apply, done_sentence
from tui.core.client import ApiClient
from tui.core.errors import InvalidRequestError, NotFoundError
from tui.core.filters import ConversationFilter, view_filter
from tui.core.models import Conversation
from tui.core.queue import has_ai, is_open
from tui.core.queue_state import QueueState
from tui.core.queue_views import View


async def open_ones(client: ApiClient) -> list[Conversation]:
    return (await client.list_conversations(ConversationFilter(status="open"))).data


async def test_who_i_am_and_the_agents(client: ApiClient, sandbox: Any) -> None:
    me = await client.get_me()
    assert (me.id, me.display_name) == (7, "Maria Silva")
    users = await client.list_users()
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


async def every(client: ApiClient, filters: ConversationFilter | None = None) -> list[Conversation]:
    rows: list[Conversation] = []
    skip = 0
    while True:
        page = await client.list_conversations(filters, skip=skip)
        rows.extend(page.data)
        skip = page.skip + len(page.data)
        if not page.data or not page.has_more:
            return rows


async def test_every_view_is_the_servers_query_and_its_count_the_same_with_limit_zero(
    client: ApiClient, transport: Any
) -> None:
    me = (await client.get_me()).id
    everything = await every(client)
    opened = [c for c in everything if is_open(c)]
    expected = {
        View.MINE: {c.id for c in opened if c.assigned_user_id == me},
        View.UNASSIGNED: {c.id for c in opened if c.assigned_user_id is None and not has_ai(c)},
        View.UNREAD: {c.id for c in opened if c.unread_count > 0},
    }
    for view, ids in expected.items():
        rows = await every(client, view_filter(view, me=me))
        assert {c.id for c in rows} == ids, view
        assert await client.count_conversations(view_filter(view, me=me)) == len(ids)
    waiting = await every(client, view_filter(View.NEEDS_REPLY, me=me))
    assert waiting and all(is_open(c) for c in waiting)
    for c in waiting:  # the customer's message is the newest that is not a note
        page = await client.list_messages(c.id, channel=c.channel)
        newest = next(m for m in page.data if not m.is_note)
        assert newest.is_inbound
    before = len(transport.requests)
    queue = QueueState()
    await queue.read(client, me=me)
    assert len(transport.requests) - before == 4  # four requests for every figure
    assert queue.counts[View.UNREAD] == len(expected[View.UNREAD])
    assert queue.counts[View.NEEDS_REPLY] == len(waiting)
    assert set(queue.unread) == expected[View.UNREAD]


async def test_a_page_is_fifty_rows_read_on_the_servers_answer(client: ApiClient, transport: Any) -> None:
    page = await client.list_conversations(limit=500)
    assert page.limit <= 50 and len(page.data) <= 50
    sent = transport.requests[-1].url.params
    assert sent["$limit"] == "50" and sent["organization_id"] == str(client.org)


async def test_the_server_searches_contacts_and_messages(client: ApiClient) -> None:
    found = await client.list_conversations(ConversationFilter(search_term="soren"))
    await client.fill_contacts(found.data)
    names = {client.cache.get(c.id).contact_name for c in found.data}  # type: ignore[union-attr]
    assert names == {"Søren Holm"}
    text = await client.list_conversations(ConversationFilter(message_search_term="duplicate charge"))
    assert text.data
    for c in text.data:
        page = await client.list_messages(c.id, channel=c.channel)
        shown = [m.message_text or "" for m in page.data]
        assert any("duplicate charge" in t.lower() for t in shown)


async def test_a_channel_keeps_every_view_to_it(client: ApiClient) -> None:
    rows = await every(client, view_filter(View.UNREAD, me=None, channel="whatsapp"))
    assert rows and {c.channel for c in rows} == {"whatsapp"}
