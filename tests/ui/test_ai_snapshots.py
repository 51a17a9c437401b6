"""The AI picker and the delete question as the agent sees them, pinned at 80x24: server names
and the quoted message are plain text (markup and escapes shown as typed), the current holder
is marked, the u option says whom it unassigns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from tests.ui.test_pickers import PickerHost
from tui.core.ai import Named
from tui.core.models import Conversation, Message
from tui.screens.choose import ChooseScreen
from tui.screens.message_delete import DeleteQuestion, question

ASSISTANTS = [
    Named(id="asst_support", name="Ava (returns)"),
    Named(id=42, name="Orbit (billing)"),
    Named(id=7, name="[bold red]Evil[/] \x1b[2J\u202eBot"),
]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_the_ai_picker(snap_compare: Any) -> None:
    picker = ChooseScreen(
        "Hand Ana Souza to an AI assistant",
        ASSISTANTS,
        noun="AI assistant",
        verb="hands it over",
        current="42",
        option="Also unassign Tom Becker",
    )

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("k", "u")
        await pilot.pause()

    assert snap_compare(PickerHost(picker), terminal_size=(80, 24), run_before=run_before)


def test_the_delete_question(snap_compare: Any) -> None:
    message = Message.model_validate(
        {
            "_id": "6650c1f2a9e4b3d2c1a0f9e8",
            "direction": "outbound",
            "message_text": "Your refund of [b]€42[/b] is on its way\nit takes 3 days",
            "sender_name": "Maria Silva",
            "created_at": "2026-12-01T09:12:00Z",
        }
    )
    conversation = Conversation(id=3, channel="whatsapp")
    assert snap_compare(
        PickerHost(DeleteQuestion(question(message, conversation, NOW))), terminal_size=(80, 24)
    )
