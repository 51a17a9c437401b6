"""The history items of this device's sends before the server confirms them: made when the agent
presses send, or from an outbox entry found unresolved (a restart, another instance)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tui.core.drafts import Draft, attachment_paths, draft_from_dict
from tui.core.models import Message
from tui.core.store import OutboxEntry
from tui.widgets.history_item import HistoryItem


def local_message(conversation_id: int, client_id: str, draft: Draft, text: str, now: datetime) -> Message:
    """The message a send will become, as the agent wrote it (its id is the client id)."""
    kind = "template" if draft.template else "note" if draft.note else "text"
    names = attachment_paths(draft.attachments)
    return Message(
        id=client_id,
        conversation_id=conversation_id,
        direction="outbound",
        message_type=kind,
        message_text=text,
        created_at=now,
        sender_name="You",
        file_name=Path(names[0]).name if names else None,
        reply_to_message_id=draft.reply_to,
    )


def outbox_item(entry: OutboxEntry, now: datetime) -> HistoryItem:
    """The item of an outbox entry, in its state and with its reason."""
    draft = draft_from_dict(entry.draft)
    client_id = entry.client_id or f"entry:{entry.id}"
    return HistoryItem(
        local_message(entry.conversation_id, client_id, draft, entry.preview, now),
        now=now,
        client_id=client_id,
        draft=draft,
        entry_id=entry.id,
        state=entry.state,
        reason=entry.reason,
    )
