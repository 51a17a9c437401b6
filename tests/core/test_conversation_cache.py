"""The one owner of conversation data: records merged with the contacts read, the newest message
and the customer's last one as the messages say, set aside when the conversation moved since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.channels import channel_spec
from tui.core.conversation_cache import ConversationCache, newest_of
from tui.core.models import Contact, Conversation, Message
from tui.core.policy import window_state

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def record(**fields: object) -> Conversation:
    return Conversation.model_validate({"id": 1, "channel": "whatsapp", "contact_id": 4, **fields})


def msg(
    key: str, minutes: int, *, inbound: bool = False, note: bool = False, kind: str | None = None
) -> Message:
    return Message.model_validate(
        {
            "_id": key,
            "direction": "inbound" if inbound else "outbound",
            "message_type": kind or ("note" if note else "text"),
            "message_text": key,
            "created_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        }
    )


def test_a_bare_record_has_no_name_no_preview_and_an_unknown_window() -> None:
    cache = ConversationCache()
    c = cache.record(record(last_interaction_at=T0.isoformat()))
    assert c.contact_name == "Contact 4"
    assert c.last_message_text is None
    state = window_state(c, channel_spec("whatsapp"), T0)
    assert state.applies and not state.known and not state.open and not state.never_opened


def test_names_fill_in_on_every_conversation_of_the_contact() -> None:
    cache = ConversationCache()
    heard: list[set[int]] = []
    cache.listeners.append(heard.append)
    cache.records([record(), record(id=2)])
    assert cache.missing_contacts([cache.get(1), cache.get(2)]) == [4]  # type: ignore[list-item]
    cache.learn_contacts([Contact(id=4, first_name="Zoë", last_name="Müller")])
    assert cache.get(1).contact_name == "Zoë Müller"  # type: ignore[union-attr]
    assert cache.get(2).contact_name == "Zoë Müller"  # type: ignore[union-attr]
    assert heard[-1] == {1, 2}
    assert cache.missing_contacts([cache.get(1)]) == []  # type: ignore[list-item]


def test_a_record_without_its_contact_keeps_the_one_known() -> None:
    cache = ConversationCache()
    cache.record(record(contact={"id": 4, "first_name": "Ana"}))
    assert cache.record(record(status="closed")).contact_name == "Ana"


def test_the_messages_say_the_newest_and_the_customers_last() -> None:
    cache = ConversationCache()
    cache.record(record(last_interaction_at=(T0 + timedelta(minutes=9)).isoformat()))
    page = [msg("note", 9, note=True), msg("reply", 8), msg("hi", 5, inbound=True), msg("old", 1)]
    cache.learn_messages(1, page, more=True)
    c = cache.get(1)
    assert c is not None
    assert c.last_message_text == "note" and c.inbound_known
    assert c.last_inbound_message_at == T0 + timedelta(minutes=5)
    assert cache.waiting(1) is False  # an agent replied after the customer (the note does not count)
    assert window_state(c, channel_spec("whatsapp"), T0 + timedelta(hours=1)).open


def test_a_page_without_the_customer_with_more_behind_it_leaves_the_window_unknown() -> None:
    known = newest_of([msg("a", 2), msg("b", 1)], more=True)
    assert known is not None and not known.inbound_known and known.waiting is False
    never = newest_of([msg("a", 2)], more=False)
    assert never is not None and never.inbound_known and never.inbound_at is None


def test_what_was_read_is_set_aside_once_the_conversation_moved() -> None:
    cache = ConversationCache()
    cache.record(record(last_interaction_at=(T0 + timedelta(minutes=5)).isoformat()))
    cache.learn_messages(1, [msg("hi", 5, inbound=True)], more=False)
    assert cache.get(1).inbound_known  # type: ignore[union-attr]
    moved = cache.record(record(last_interaction_at=(T0 + timedelta(minutes=30)).isoformat()))
    assert not moved.inbound_known and moved.last_message_text is None
    assert cache.waiting(1) is None


def test_a_pushed_message_moves_what_is_known() -> None:
    cache = ConversationCache()
    cache.record(record(last_interaction_at=(T0 + timedelta(minutes=5)).isoformat()))
    cache.learn_messages(1, [msg("reply", 5)], more=False)
    cache.learn_message(1, msg("help!", 20, inbound=True))
    c = cache.get(1)
    assert (
        c is not None
        and c.last_message_text == "help!"
        and c.last_interaction_at == T0 + timedelta(minutes=20)
    )
    assert c.last_inbound_message_at == T0 + timedelta(minutes=20) and cache.waiting(1) is True
    cache.learn_message(1, msg("thumbs", 21, inbound=True, kind="reaction"))
    assert cache.get(1).last_message_text == "help!"  # type: ignore[union-attr]  # a reaction is no message


def test_a_server_list_of_waiting_conversations_counts_until_the_conversation_moves() -> None:
    cache = ConversationCache()
    cache.record(record(last_interaction_at=T0.isoformat()))
    cache.assume_waiting(1)
    assert cache.waiting(1) is True
    cache.record(record(last_interaction_at=(T0 + timedelta(minutes=1)).isoformat()))
    assert cache.waiting(1) is None


def test_the_servers_own_fields_win_when_they_are_newer() -> None:
    cache = ConversationCache()
    later = (T0 + timedelta(hours=1)).isoformat()
    cache.record(
        record(last_message_text="sent by server", last_message_at=later, last_inbound_message_at=later)
    )
    cache.learn_messages(1, [msg("older", 1, inbound=True)], more=False)
    c = cache.get(1)
    assert c is not None and c.last_message_text == "sent by server"
    assert c.last_inbound_message_at == T0 + timedelta(hours=1)


def test_fresh_copies_and_eviction() -> None:
    now = [0.0]
    cache = ConversationCache(clock=lambda: now[0])
    cache.record(record())
    now[0] = 30.0
    assert cache.fresh(1, 60) is not None and cache.fresh(1, 10) is None and cache.fresh(1, 0) is None
