"""Quoted replies in the app, against the sandbox: `q` on a message quotes it in the composer and
the send carries `reply_to_message_id`; the quote can be dropped; the history shows the quote
above a reply; Enter on a reply jumps to the original, reading older pages; an original the
server no longer lists is said in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot

from tests.cli.conftest import store
from tests.ui.conftest import BOTH_WAYS, notifications, sandbox_both_ways, wait_for
from tests.ui.test_flows import inbox_ready, sandbox_messages, type_text
from tui.app import SwitchboardApp
from tui.sandbox.seed import HANDY_IDS
from tui.sandbox.seed_quotes import QUOTING_CONVERSATION
from tui.screens.conversation import ConversationScreen, HistoryItem
from tui.screens.quote_actions import NOT_FOUND
from tui.widgets.composer import QuoteLine

#: The main flows run on both kinds of server: with the optional fields, and the documented
#: record alone (names from /contacts, the window from the messages).
sandbox = pytest.fixture(params=BOTH_WAYS)(sandbox_both_ways)


async def open_id(pilot: Pilot, cid: int) -> ConversationScreen:
    """Move the inbox's cursor to conversation `cid` with the keyboard and open it."""
    rows = await inbox_ready(pilot)
    await pilot.press("g")
    for index in range(rows.total):
        if rows.row(index) is None:
            await pilot.press("G")
            await wait_for(pilot, lambda i=index: rows.row(i) is not None)
            await pilot.press("g")
            for _ in range(index):
                await pilot.press("j")
        row = rows.row(index)
        assert row is not None
        if row.id == cid:
            assert rows.cursor == index
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
            screen: ConversationScreen = pilot.app.screen  # type: ignore[assignment]
            await wait_for(pilot, lambda s=screen: len(s.history.items) > 0)
            return screen
        await pilot.press("j")
    raise LookupError(f"conversation {cid} is not in the inbox")


def shown_text(item: HistoryItem) -> str:
    return str(item.render())


def served_id(sandbox: Any, row_id: int) -> int | str:
    """A message's id as the API serves it (an opaque `_id` on the WhatsApp-style channels)."""
    served = store(sandbox).message(row_id)
    return served.get("_id", served.get("id"))  # type: ignore[no-any-return]


def plant_history(sandbox: Any, cid: int, older: int) -> tuple[int, int]:
    """An agent's message, `older` messages after it, then the customer's reply quoting it (the
    newest): the original is pages away. Returns their row ids (`served_id` gives the API's)."""
    db = store(sandbox)
    now = db.clock()
    common = {"conversation_id": cid, "message_type": "text", "status": "sent"}
    original = db.add_message(
        **common,
        direction="outbound",
        message_text="Your parcel left the depot\nsecond line",
        created_at=now - 3000,
        sender_name="Maria (Support)",
    )
    for i in range(older):
        db.add_message(
            **common,
            direction="inbound",
            message_text=f"filler {i}",
            created_at=now - 2900 + i,
            sender_name="Zoë",
        )
    reply = db.add_message(
        **common,
        direction="inbound",
        message_text="It never arrived",
        created_at=now - 10,
        sender_name="Zoë",
        reply_to_message_id=original,
    )
    return original, reply


async def test_q_quotes_a_message_and_the_send_carries_it(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    cid = HANDY_IDS["whatsapp_open"]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, cid)
        await pilot.press("ctrl+l")  # the newest message
        focused = app.focused
        assert isinstance(focused, HistoryItem)
        original = focused.message
        await pilot.press("q")
        quote = screen.composer.query_one(QuoteLine)
        assert quote.has_class("-shown") and app.focused is screen.composer.area
        assert "Replying to" in str(quote.label)
        await type_text(pilot, "About this")
        await pilot.press("ctrl+j")

        async def sent() -> list[Any]:
            return await sandbox_messages(sandbox, cid)

        await wait_for(pilot, lambda: not quote.has_class("-shown"))
        for _ in range(200):
            newest = (await sent())[0]
            if newest.message_text == "About this":
                break
            await pilot.pause(0.05)
        assert newest.message_text == "About this"
        assert str(newest.reply_to_message_id) == str(original.id)
        # the history shows the quote above the reply
        mine = [i for i in screen.history.items if i.message.message_text == "About this"]
        await wait_for(pilot, lambda: bool(mine) and mine[-1].quoted is not None)
        assert "↩" in shown_text(mine[-1])


async def test_a_quote_can_be_dropped(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    cid = HANDY_IDS["whatsapp_open"]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, cid)
        await pilot.press("ctrl+l", "q")
        quote = screen.composer.query_one(QuoteLine)
        assert quote.has_class("-shown")
        await pilot.press("shift+tab")  # from the text to the quote above it
        assert app.focused is quote
        await pilot.press("escape")
        assert not quote.has_class("-shown") and screen.composer.reply_to is None
        assert app.focused is screen.composer.area
        assert isinstance(app.screen, ConversationScreen)  # escape dropped the quote, not the screen


async def test_the_seeded_quote_shows_above_the_reply(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, QUOTING_CONVERSATION)
        replies = [i for i in screen.history.items if i.message.reply_to_message_id is not None]
        assert len(replies) == 1
        reply = replies[0]
        assert reply.quoted is not None and str(reply.quoted.id) == str(reply.message.reply_to_message_id)
        header, quote = shown_text(reply).splitlines()[:2]  # the quote under the reply's header
        assert header.startswith(reply.message.sender_name or "Customer")
        assert quote == f"↩ {reply.quoted.sender_name}: {reply.quoted.message_text}"


async def test_enter_on_a_quote_jumps_to_an_original_pages_away(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    cid = HANDY_IDS["messenger_open"]
    original, reply = plant_history(sandbox, cid, older=120)  # pages of 50: the original is 3 away
    original, reply = served_id(sandbox, original), served_id(sandbox, reply)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, cid)
        await pilot.press("ctrl+l")
        item = app.focused
        assert isinstance(item, HistoryItem) and item.message.id == reply
        assert item.quoted is None and "an earlier message" in shown_text(item)
        assert screen.history.loaded_count < screen.history.total
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.focused, HistoryItem) and app.focused.message.id == original,
            timeout=20,
        )
        target = app.focused
        assert isinstance(target, HistoryItem)
        history = screen.history
        await wait_for(pilot, lambda: history.region.contains_region(target.region) or False)
        # the reply now quotes what it answers: sender and first line, dimmed
        assert item.quoted is not None
        assert shown_text(item).splitlines()[1] == "↩ Maria (Support): Your parcel left the depot"


async def test_an_original_the_server_no_longer_lists_is_said(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    cid = HANDY_IDS["messenger_open"]
    original, reply = plant_history(sandbox, cid, older=135)
    store(sandbox).execute("DELETE FROM messages WHERE id = ?", (original,))
    reply_id = served_id(sandbox, reply)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, cid)
        await pilot.press("ctrl+l", "enter")
        await wait_for(pilot, lambda: NOT_FOUND in notifications(app), timeout=20)
        # Asked for by its id (one request): no older page was read to find it gone.
        assert screen.history.loaded_count == 50 < screen.history.total
        assert isinstance(app.focused, HistoryItem) and app.focused.message.id == reply_id


def test_a_hostile_original_is_quoted_as_data() -> None:
    from tui.core.models import Message
    from tui.widgets.quote import composer_quote, history_quote, with_quote

    evil = Message(
        id=5, direction="inbound", sender_name="[red]Eve\u202e", message_text="\n\n[b]hi\x1b[2J\nmore"
    )
    for line in (history_quote(evil), composer_quote(evil)):
        assert "\x1b" not in line.plain and "\u202e" not in line.plain
        assert "[red]Eve" in line.plain and "[b]hi" in line.plain and "more" not in line.plain
    assert not any(span.style == "red" for span in history_quote(evil).spans)
    shown = with_quote(history_quote(None), Text("Eve · 10:00\nbody"))
    assert shown.plain == "Eve · 10:00\n↩ an earlier message (enter finds it)\nbody"


async def test_a_template_sent_while_quoting_carries_the_quote(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    from tui.screens.templates import TemplateFormScreen, TemplatePickerScreen

    cid = HANDY_IDS["whatsapp_closed"]  # only a template may go: the window is closed
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_id(pilot, cid)
        await pilot.press("ctrl+l")
        for _ in range(6):  # the newest customer message (a note or a failed send cannot be quoted)
            if isinstance(app.focused, HistoryItem) and app.focused.message.is_inbound:
                break
            await pilot.press("up")
        focused = app.focused
        assert isinstance(focused, HistoryItem) and focused.message.is_inbound
        original = focused.message.id
        await pilot.press("q", "ctrl+t")
        await wait_for(
            pilot, lambda: isinstance(app.screen, TemplatePickerScreen) and bool(app.screen.templates)
        )
        await pilot.press("tab")
        await pilot.click("#template-search")
        await type_text(pilot, "order_update")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen))
        await type_text(pilot, "Ana")
        await pilot.press("tab")
        await type_text(pilot, "A-1001")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        assert screen.composer.reply_to is None  # used up by the template
        for _ in range(200):
            newest = (await sandbox_messages(sandbox, cid))[0]
            if newest.message_type == "template":
                break
            await pilot.pause(0.05)
        assert newest.message_type == "template" and str(newest.reply_to_message_id) == str(original)


async def test_a_refused_quote_stays_visible_and_edit_gives_the_quote_back(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    """The server refuses a quote of a message it no longer has (400): the failed send shows
    why; `e` puts its text and its quote back in the composer."""
    cid = HANDY_IDS["whatsapp_open"]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, cid)
        await pilot.press("ctrl+l")
        focused = app.focused
        assert isinstance(focused, HistoryItem)
        original = focused.message
        await pilot.press("q")
        store(sandbox).execute("DELETE FROM messages WHERE coalesce(uid, id) = ?", (original.id,))
        await type_text(pilot, "Gone already")
        await pilot.press("ctrl+j")
        sent = [i for i in screen.history.items if i.message.message_text == "Gone already"]
        await wait_for(pilot, lambda: bool(sent) and sent[-1].resolvable, timeout=20)
        failed = sent[-1]
        assert "reply_to_message_id" in shown_text(failed) and "↩" in shown_text(failed)
        failed.focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: screen.composer.text == "Gone already")
        assert screen.composer.reply_to == original.id
