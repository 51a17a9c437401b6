"""The lines `watch` prints for each kind of event, and what no server string may put in them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.cli.test_bad_input_cli import forbidden
from tui.cli_watch import human_line, json_line
from tui.core.live_events import EventKind, LiveEvent
from tui.core.models import Conversation, Message

NOW = datetime(2026, 12, 1, 19, 5, 9).astimezone()
HOSTILE = "a\x1b[31mb\x07c\u202ed\u2066e\x7ff\x9bg\r\nh\u2028i"


def message_event(kind: EventKind = "message_created", **fields: Any) -> LiveEvent:
    m = Message.model_validate({"id": 9, "conversation_id": 4, **fields})
    return LiveEvent(kind, m, None, 4)


def test_a_message_line_names_the_sender_and_flattens_the_text() -> None:
    line = human_line(message_event(sender_name="Tom Becker", message_text="two\nlines"), {}, NOW)
    assert line == "19:05:09  message       #4  Tom Becker: two lines"


def test_a_customer_is_named_as_the_contact_and_a_note_says_so() -> None:
    inbound = message_event(direction="inbound", sender_name="+1555", message_text="hi")
    assert human_line(inbound, {4: "Ana Lima"}, NOW).endswith("#4  Ana Lima: hi")
    assert human_line(inbound, {}, NOW).endswith("#4  +1555: hi")
    note = message_event(message_type="note", sender_name="Aiko Tanaka", message_text="call her")
    assert human_line(note, {}, NOW).endswith("Aiko Tanaka (note): call her")
    photo = message_event(message_type="image", file_name="box.jpg")
    assert human_line(photo, {}, NOW).endswith("agent: [image] box.jpg")


def test_a_failed_delivery_says_the_code_and_text() -> None:
    failed = message_event("message_patched", status="failed", error_code=131049, error_text="Not delivered")
    assert (
        human_line(failed, {}, NOW) == "19:05:09  status        #4  message 9 failed (131049 Not delivered)"
    )
    read = message_event("message_patched", status="read")
    assert human_line(read, {}, NOW).endswith("message 9 read")


def test_a_conversation_line_says_status_unread_and_assignee() -> None:
    c = Conversation.model_validate(
        {
            "id": 4,
            "status": "open",
            "unread_count": 2,
            "assigned_user_id": 11,
            "contact": {"first_name": "Ana"},
        }
    )
    line = human_line(LiveEvent("conversation_patched", None, c, 4), {}, NOW)
    assert line == "19:05:09  conversation  #4  Ana: open, 2 unread, assigned to user 11"


def test_no_server_string_can_restyle_the_terminal() -> None:
    events = [
        message_event(sender_name=HOSTILE, message_text=HOSTILE),
        message_event("message_patched", id=HOSTILE, status=HOSTILE, error_code=HOSTILE, error_text=HOSTILE),
        message_event(direction="inbound", message_text=HOSTILE),
        LiveEvent(
            "conversation_patched",
            None,
            Conversation.model_validate({"id": 4, "status": HOSTILE, "contact": {"first_name": HOSTILE}}),
            4,
        ),
    ]
    for event in events:
        line = human_line(event, {4: HOSTILE}, NOW)
        assert not forbidden(line) and "\n" not in line and "\u2028" not in line, line
        text = json_line(event, "live")
        assert text.isascii() and not forbidden(text) and "\n" not in text, text
        doc = json.loads(text)
        assert doc["kind"] == event.kind and doc["conversation_id"] == 4 and doc["via"] == "live"
    assert json.loads(json_line(events[0], "live"))["message"]["message_text"] == HOSTILE  # intact
    assert json.loads(json_line(events[3], "poll"))["conversation"]["contact"]["first_name"] == HOSTILE


async def test_a_stop_during_a_reread_ends_the_watch_without_an_error() -> None:
    """Ctrl-C (or a reader gone) while a re-read waits on the server: the re-read is cancelled
    and the watch ends quietly. Awaiting a task cancelled a moment ago raised CancelledError
    (it is not `cancelled()` until its clean-up ends), which ended `watch` with exit 1 in CI."""
    import asyncio

    from tui.cli_watch import Watch
    from tui.core.live_watch import Tracker

    watch = Watch(Any, Tracker(None), as_json=False)  # type: ignore[arg-type]
    started = asyncio.Event()

    async def slow_reread() -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        finally:  # as httpx does when cancelled: a few turns of the loop to close its stream
            for _ in range(3):
                await asyncio.sleep(0)

    async def stop_soon() -> None:
        await started.wait()
        watch.stop.set()

    stopper = asyncio.ensure_future(stop_soon())
    await asyncio.wait_for(watch._unless_stopped(slow_reread()), 5)
    await stopper


async def test_a_reread_that_fails_still_fails_the_watch() -> None:
    """The other half: a failure of the re-read itself (a refused key) is the watch's."""
    import asyncio

    import pytest

    from tui.cli_watch import Watch
    from tui.core.live_watch import Tracker

    watch = Watch(Any, Tracker(None), as_json=False)  # type: ignore[arg-type]

    async def refused() -> None:
        await asyncio.sleep(0)
        raise PermissionError("refused")

    with pytest.raises(PermissionError):
        await asyncio.wait_for(watch._unless_stopped(refused()), 5)
