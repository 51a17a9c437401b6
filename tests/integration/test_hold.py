"""A reply is held before its first request when the conversation moved on since the agent
looked: a customer message, another agent's message or note, a reassignment or a close. Over real
loopback HTTP; the server changes under the test through the sandbox's own store."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FaultyTransport, find, sandbox_profile
from tui.core.client import ApiClient
from tui.core.drafts import Draft
from tui.core.hold import People, Seen
from tui.core.models import Message
from tui.core.outbox import Outbox, RetryPolicy
from tui.core.send_states import RESOLVABLE, describe
from tui.core.store import OutboxEntry, Store
from tui.core.text import cell_width

FAST = RetryPolicy(base=0.01, cap=0.05, max_attempts=5)
POSTS = "/conversation-messages-"
STATE = "state/store.sqlite3"


def is_send(request: Any) -> bool:
    return request.method == "POST" and request.url.path.startswith(POSTS)


def posts(transport: FaultyTransport) -> int:
    return sum(1 for r in transport.requests if is_send(r))


class Heard:
    def __init__(self) -> None:
        self.states: list[tuple[int, str, str | None]] = []

    def __call__(self, entry: OutboxEntry, created: list[Message]) -> None:
        self.states.append((entry.id, entry.state, entry.reason))


@pytest.fixture
async def opened(sandbox: Any, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """make(plan=..., store=None) -> (outbox, transport, heard); all closed afterwards, and the
    store too (one passed in as well)."""
    made: list[tuple[Outbox, Store]] = []

    def make(
        plan: Callable[[Any], str | None] = lambda r: None, store: Store | None = None, **kw: Any
    ) -> Any:
        store = store or Store(tmp_path / STATE)
        transport = FaultyTransport(plan)
        heard = Heard()
        client = ApiClient(sandbox_profile(sandbox), transport=transport)
        outbox = Outbox(store, client, "sandbox", retry=FAST, rng=random.Random(1), on_change=heard, **kw)
        made.append((outbox, store))
        return outbox, transport, heard

    yield make
    for outbox, store in made:
        await outbox.aclose(grace=0)
        await outbox.client.aclose()
        store.close()


def inject(
    sandbox: Any,
    conversation_id: int,
    text: str,
    *,
    sender: str = "Ana Lima",
    direction: str = "inbound",
    kind: str = "text",
) -> int:
    """A message the server received meanwhile (a customer, or another agent), as the sandbox
    itself stores one."""
    sb = sandbox.state
    at = sb.clock()
    message_id = sb.store.add_message(
        conversation_id=conversation_id,
        direction=direction,
        message_type=kind,
        message_text=text,
        created_at=at,
        status=None if kind == "note" else "delivered",
        sender_name=sender,
    )
    if kind != "note":
        sb.store.touch_conversation(conversation_id, text, at, inbound=direction == "inbound")
    return int(message_id)


def patch_row(sandbox: Any, conversation_id: int, **fields: Any) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    sandbox.state.store.execute(
        f"UPDATE conversations SET {sets} WHERE id = ?", [*fields.values(), conversation_id]
    )


def state(store: Store, entry_id: int) -> str | None:
    entry = store.get(entry_id)
    return entry.state if entry is not None else None


async def looked(client: ApiClient, conversation_id: int) -> Seen:
    """What the conversation screen shows right now."""
    conversation = await client.get_conversation(conversation_id)
    page = await client.list_messages(conversation_id)
    return Seen.of(conversation, page.data)


async def count(client: ApiClient, conversation_id: int, text: str) -> int:
    page = await client.list_messages(conversation_id)
    return sum(1 for m in page.data if m.message_text == text and not m.is_inbound)


async def held_reply(opened: Any, sandbox: Any, change: Callable[[int], Any], text: str, **kw: Any) -> Any:
    """Look, let `change` happen on the server, then send a reply: the entry after the outbox is idle."""
    outbox, transport, heard = opened(**kw)
    conv = await find(outbox.client, "webchat")
    patch_row(sandbox, conv.id, status="open")
    seen = await looked(outbox.client, conv.id)
    change(conv.id)
    entry = await outbox.submit(conv.id, Draft(text=text), text, seen=seen)
    await outbox.wait_idle()
    return outbox, transport, heard, outbox.store.get(entry.id), conv


async def test_a_customer_message_after_the_agent_looked_holds_the_reply(opened: Any, sandbox: Any) -> None:
    text = "Yes, it ships today"
    outbox, transport, heard, entry, conv = await held_reply(
        opened, sandbox, lambda cid: inject(sandbox, cid, "Is it shipped?"), text
    )
    assert entry.state == "held" and entry.state in RESOLVABLE
    assert entry.reason == "Ana Lima wrote a message since you looked: “Is it shipped?”"
    assert describe(entry.state, entry.reason).startswith("held: Ana Lima wrote a message")
    assert posts(transport) == 0 and await count(outbox.client, conv.id, text) == 0
    assert (entry.id, "held", entry.reason) in heard.states  # the screen heard it
    assert entry.seen is not None and entry.seen.conversation_id == conv.id


async def test_with_nothing_new_the_reply_goes_out(opened: Any, sandbox: Any) -> None:
    text = "Nothing moved, so this goes"
    outbox, transport, _heard, entry, conv = await held_reply(opened, sandbox, lambda cid: None, text)
    assert entry.state == "sent" and posts(transport) == 1
    assert await count(outbox.client, conv.id, text) == 1


async def test_several_customer_messages_are_counted_and_the_newest_quoted(opened: Any, sandbox: Any) -> None:
    def two(cid: int) -> None:
        inject(sandbox, cid, "Hello?")
        inject(sandbox, cid, "Is it shipped?")

    *_, entry, _conv = await held_reply(opened, sandbox, two, "Reply")
    assert entry.reason == "Ana Lima wrote 2 messages since you looked: “Is it shipped?”"


async def test_a_full_page_of_news_says_there_may_be_more(opened: Any, sandbox: Any) -> None:
    def flood(cid: int) -> None:
        for i in range(55):
            inject(sandbox, cid, f"ping {i}")

    *_, entry, _conv = await held_reply(opened, sandbox, flood, "Reply")
    assert entry.reason.startswith("Ana Lima wrote 50 or more messages since you looked: “ping 54”")


async def test_another_agents_reply_or_note_holds_it(opened: Any, sandbox: Any) -> None:
    def reply(cid: int) -> None:
        inject(sandbox, cid, "I'll take this one", sender="Jonas Berg", direction="outbound")

    *_, entry, _conv = await held_reply(opened, sandbox, reply, "Mine")
    assert entry.reason == "Jonas Berg replied since you looked: “I'll take this one”"

    def note(cid: int) -> None:
        inject(sandbox, cid, "Refund approved", sender="Jonas Berg", direction="outbound", kind="note")

    *_, entry, _conv = await held_reply(opened, sandbox, note, "Mine again")
    assert entry.reason == "Jonas Berg added a note since you looked"


async def test_a_reassignment_or_a_close_holds_it(opened: Any, sandbox: Any) -> None:
    *_, entry, _conv = await held_reply(
        opened, sandbox, lambda cid: patch_row(sandbox, cid, assigned_user_id=4242), "To someone else"
    )
    assert entry.reason == "Reassigned to user 4242 since you looked"

    *_, entry, _conv = await held_reply(
        opened, sandbox, lambda cid: patch_row(sandbox, cid, status="closed"), "Too late"
    )
    assert entry.reason == "Closed since you looked"

    def both(cid: int) -> None:
        inject(sandbox, cid, "Still there?")
        patch_row(sandbox, cid, assigned_user_id=None)

    *_, entry, _conv = await held_reply(opened, sandbox, both, "All of it")
    assert entry.reason == "Ana Lima wrote a message since you looked: “Still there?”; also unassigned"


async def test_a_note_is_never_held(opened: Any, sandbox: Any) -> None:
    outbox, transport, _heard = opened()
    conv = await find(outbox.client, "webchat")
    seen = await looked(outbox.client, conv.id)
    inject(sandbox, conv.id, "Is it shipped?")
    # Even handed a snapshot, a note (the customer never sees it) goes out unchecked.
    entry = await outbox.submit(conv.id, Draft(text="Checking stock", note=True), "Checking stock", seen=seen)
    await outbox.wait_idle()
    assert outbox.store.get(entry.id).state == "sent"
    assert posts(transport) == 1


async def test_our_own_earlier_send_is_not_a_collision(opened: Any, sandbox: Any) -> None:
    outbox, transport, _heard = opened()
    conv = await find(outbox.client, "webchat")
    patch_row(sandbox, conv.id, status="open")
    seen = await looked(outbox.client, conv.id)
    # Two replies pressed one after the other from the same screen: the first one's message is
    # newer than what the screen showed for the second, but it is ours.
    first = await outbox.submit(conv.id, Draft(text="One moment"), "One moment", seen=seen)
    second = await outbox.submit(conv.id, Draft(text="Found it"), "Found it", seen=seen)
    await outbox.wait_idle()
    store = outbox.store
    assert [store.get(first.id).state, store.get(second.id).state] == ["sent", "sent"]
    assert posts(transport) == 2
    sent_ids = {str(i) for e in (first, second) for i in store.get(e.id).sent_ids}
    assert store.own_message_ids("sandbox", conv.id) == sent_ids and len(sent_ids) == 2
    assert store.own_message_ids("sandbox", conv.id + 1000) == set()


async def test_a_held_reply_survives_a_restart_and_recovery_does_not_send_it(
    opened: Any, sandbox: Any, tmp_path: Path
) -> None:
    text = "Held across a restart"
    outbox, _transport, _heard, entry, conv = await held_reply(
        opened, sandbox, lambda cid: inject(sandbox, cid, "Hello?"), text
    )
    assert entry.state == "held"
    await outbox.aclose(grace=0)
    outbox.store.close()

    reopened = Store(tmp_path / STATE)
    later, transport, _heard = opened(store=reopened)  # closed by the fixture
    again = reopened.get(entry.id)
    assert again is not None and again.state == "held" and again.reason == entry.reason
    assert again.seen == entry.seen
    assert entry.id not in [e.id for e in reopened.recover("sandbox").resumable]
    unresolved = await later.start()
    assert entry.id in [e.id for e in unresolved]  # listed for the agent to resolve
    await later.wait_idle()
    assert state(reopened, entry.id) == "held"
    assert await later.retry_now(entry.id) is not None  # a retry never runs past a hold
    await later.wait_idle()
    assert state(reopened, entry.id) == "held"
    assert posts(transport) == 0 and await count(later.client, conv.id, text) == 0


async def test_send_anyway_sends_it_exactly_once(opened: Any, sandbox: Any) -> None:
    text = "Sending regardless"
    outbox, transport, heard, entry, conv = await held_reply(
        opened, sandbox, lambda cid: inject(sandbox, cid, "Hello?"), text
    )
    assert entry.state == "held"
    pressed = await asyncio.gather(outbox.send_anyway(entry.id), outbox.send_anyway(entry.id))
    assert {p.state for p in pressed if p is not None} <= {"queued", "uploading", "sending", "sent"}
    await outbox.wait_idle()
    done = outbox.store.get(entry.id)
    assert done is not None and done.state == "sent" and done.seen is None
    assert posts(transport) == 1 and await count(outbox.client, conv.id, text) == 1
    assert await outbox.send_anyway(entry.id) is not None  # once sent, asking again does nothing
    await outbox.wait_idle()
    assert posts(transport) == 1 and heard.states[-1][1] == "sent"


async def test_a_held_reply_is_discarded_or_taken_back_like_a_failed_one(opened: Any, sandbox: Any) -> None:
    outbox, transport, _heard = opened()
    conv = await find(outbox.client, "webchat")
    patch_row(sandbox, conv.id, status="open")
    seen = await looked(outbox.client, conv.id)
    inject(sandbox, conv.id, "Wait, one more thing")
    store = outbox.store
    store.save_draft("sandbox", conv.id, "reply", "Drop me", [])
    dropped = await outbox.submit(conv.id, Draft(text="Drop me"), "Drop me", draft_mode="reply", seen=seen)
    await outbox.wait_idle()
    assert store.get(dropped.id).state == "held"
    assert await outbox.discard(dropped.id)
    assert store.get(dropped.id).state == "discarded"
    assert store.drafts("sandbox", conv.id) == {}

    edited = await outbox.submit(conv.id, Draft(text="Edit me"), "Edit me", seen=seen)
    await outbox.wait_idle()
    assert await outbox.discard(edited.id, state="edited")
    assert store.get(edited.id).state == "edited"
    assert await outbox.send_anyway(edited.id) is not None  # no longer held: not sent
    await outbox.wait_idle()
    assert posts(transport) == 0


async def test_news_during_a_retry_holds_it_before_the_next_try(opened: Any, sandbox: Any) -> None:
    """The first try is refused before anything left; the customer writes meanwhile: the
    automatic retry is checked again and held, not sent."""
    refused: list[int] = []

    def plan(request: Any) -> str | None:
        if is_send(request) and not refused:
            refused.append(inject(sandbox, conv.id, "Actually, cancel it"))
            return "refuse"
        return None

    outbox, transport, _heard = opened(plan)
    conv = await find(outbox.client, "webchat")
    patch_row(sandbox, conv.id, status="open")
    seen = await looked(outbox.client, conv.id)
    entry = await outbox.submit(conv.id, Draft(text="Shipping now"), "Shipping now", seen=seen)
    await outbox.wait_idle()
    final = outbox.store.get(entry.id)
    assert final is not None and final.state == "held" and "Actually, cancel it" in (final.reason or "")
    assert posts(transport) == 1 and await count(outbox.client, conv.id, "Shipping now") == 0


async def test_a_check_that_cannot_read_is_not_a_hold(opened: Any, sandbox: Any) -> None:
    """Best-effort: the check's two reads are refused, so it cannot see the customer's message;
    the send goes on instead of waiting or holding."""
    refused: list[str] = []

    def plan(request: Any) -> str | None:
        if request.method == "GET" and not is_send(request) and len(refused) < 2:
            refused.append(request.url.path)
            return "refuse"
        return None

    outbox, transport, _heard = opened()
    conv = await find(outbox.client, "webchat")
    patch_row(sandbox, conv.id, status="open")
    seen = await looked(outbox.client, conv.id)
    inject(sandbox, conv.id, "Unseen by the check")
    transport.plan = plan
    entry = await outbox.submit(conv.id, Draft(text="Goes anyway"), "Goes anyway", seen=seen)
    await outbox.wait_idle()
    final = outbox.store.get(entry.id)
    assert len(refused) == 2
    assert final is not None and final.state == "sent" and final.attempts == 0
    assert posts(transport) == 1


async def test_untrusted_names_and_texts_are_one_safe_clipped_line(opened: Any, sandbox: Any) -> None:
    hostile_name = "\x1b[31mEvil\u202e Corp\x07" + "x" * 80
    hostile_text = "line one\nline two \x1b]8;;http://x\x07" + "é" * 200

    def change(cid: int) -> None:
        inject(sandbox, cid, hostile_text, sender=hostile_name)

    *_, entry, _conv = await held_reply(opened, sandbox, change, "Careful")
    reason = entry.reason or ""
    assert entry.state == "held"
    assert not any(ch in reason for ch in "\x1b\x07\u202e\n\r")
    assert "line one line two" in reason
    name, _, rest = reason.partition(" wrote a message since you looked: ")
    quote = rest.removeprefix("“").removesuffix("”")
    assert cell_width(name) <= 30 and name.endswith("…")
    assert cell_width(quote) <= 60 and quote.endswith("…")


async def test_a_new_assignee_is_named_when_the_outbox_knows_the_people(opened: Any, sandbox: Any) -> None:
    people = People(me=7, names={4242: "Maria \x1b[1mSilva\u202e"})
    *_, entry, _conv = await held_reply(
        opened,
        sandbox,
        lambda cid: patch_row(sandbox, cid, assigned_user_id=4242),
        "Hi",
        people=lambda: people,
    )
    assert entry.reason == "Reassigned to Maria ␛[1mSilva\ufffd since you looked"
    *_, entry, _conv = await held_reply(
        opened, sandbox, lambda cid: patch_row(sandbox, cid, assigned_user_id=7), "Hi", people=lambda: people
    )
    assert entry.reason == "Reassigned to you since you looked"
