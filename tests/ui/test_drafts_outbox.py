"""Nothing lost, nothing doubled, in the app: drafts come back after a restart, an unconfirmed
send stays visible and is never sent twice without the agent saying so, and the outbox resumes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import notifications, wait_for
from tests.ui.test_flows import items, open_conversation, sandbox_messages, type_text
from tui.app import SwitchboardApp
from tui.core.client import ApiClient
from tui.core.errors import TransportError
from tui.core.store import Store, default_store_path
from tui.screens.confirm import ConfirmScreen
from tui.screens.outbox import OutboxScreen


async def test_a_draft_is_saved_while_typing_and_restored_after_a_restart(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        conversation_id = screen.conversation.id
        await type_text(pilot, "Half a reply")
        typed_at = time.monotonic()
        await wait_for(
            pilot,
            lambda: (
                Store().drafts("local", conversation_id).get("reply") is not None
                and Store().drafts("local", conversation_id)["reply"].text == "Half a reply"
            ),
            timeout=2,
        )
        assert time.monotonic() - typed_at < 0.5 + 0.3  # the save came within the promised delay
        await pilot.press("ctrl+n")
        await type_text(pilot, "a note draft")
        await pilot.pause(0.6)
    stored = Store().drafts("local", conversation_id)
    assert stored["reply"].text == "Half a reply" and stored["note"].text == "a note draft"

    again = make_app()
    async with again.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        assert screen.conversation.id == conversation_id
        await wait_for(pilot, lambda: screen.composer.text == "Half a reply")
        assert screen.composer.mode == "reply"
        await pilot.press("ctrl+n")
        assert screen.composer.text == "a note draft"


async def test_an_unconfirmed_send_is_shown_checked_and_never_doubled(
    make_app: Callable[..., SwitchboardApp], sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_post = ApiClient.post_message

    async def post_then_lose_the_answer(self: ApiClient, *a: Any, **kw: Any) -> Any:
        await real_post(self, *a, **kw)
        raise TransportError("The connection broke before an answer came.", retry_safe=False)

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        monkeypatch.setattr(ApiClient, "post_message", post_then_lose_the_answer)
        await type_text(pilot, "Refund issued")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: items(screen)[-1].state == "unconfirmed")
        item = items(screen)[-1]
        assert "unconfirmed" in str(item.render()) and "broke before an answer" in str(item.render())
        assert any("broke before an answer" in n for n in notifications(app))
        monkeypatch.setattr(ApiClient, "post_message", real_post)

        # The outbox screen lists it.
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, OutboxScreen) and app.screen.entries)
        assert [e.state for e in app.screen.entries] == ["unconfirmed"]
        await pilot.press("escape")

        # Retry first checks the conversation: it is there, so the agent is asked; "n" sends nothing.
        await pilot.press("ctrl+l")
        assert app.focused is item
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "looks delivered" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await pilot.pause(0.3)
        on_server = [m for m in await sandbox_messages(sandbox, screen.conversation.id) if m.message_text]
        assert [m.message_text for m in on_server].count("Refund issued") == 1

        await pilot.press("d")
        await wait_for(pilot, lambda: item not in items(screen))
    assert Store().entries("local") == []


async def test_the_outbox_resumes_after_a_restart(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    store = Store(default_store_path())
    entry = store.enqueue("local", 19, {"text": "Queued before the crash"}, "Queued before the crash")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: store.get(entry.id).state == "sent")  # type: ignore[union-attr]
    texts = [m.message_text for m in await sandbox_messages(sandbox, 19)]
    assert texts.count("Queued before the crash") == 1


async def test_without_an_outbox_the_text_goes_back_into_the_composer(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        before = len(items(screen))
        outbox, app.outbox = app.outbox, None  # as if the connection had just dropped
        await type_text(pilot, "Keep me")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: screen.composer.text == "Keep me")
        assert len(items(screen)) == before
        assert any("Nothing was sent" in n for n in notifications(app))
        app.outbox = outbox


async def test_a_file_changed_after_it_was_attached_is_refused_not_sent(
    make_app: Callable[..., SwitchboardApp], sandbox: Any, tmp_path: Any
) -> None:
    from tests.helpers import make_png

    photo = make_png(tmp_path / "photo.png")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_conversation(pilot, "webchat")
        screen.composer.add_attachments([photo])
        await pilot.pause(0.1)
        make_png(photo, 9000)  # rewritten, bigger, after it was attached
        await type_text(pilot, "See attached")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: any("changed after it was picked" in n for n in notifications(app)))
        assert screen.composer.text == "See attached" and screen.composer.attachments == [photo]
    texts = [m.message_text for m in await sandbox_messages(sandbox, screen.conversation.id)]
    assert "See attached" not in texts
