"""The snippet picker with the team's replies, as the agent sees it at 80x24: the agent's own
snippets marked "yours", the team's marked "team" (📎 with a file), a media reply's preview.

The picker runs on the pickers' small host app with a backend whose book of team replies was
read a moment ago (the seed's replies, fixed times), so the picture needs no server and no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from tests.ui.test_picker_snapshots import still
from tests.ui.test_pickers import PickerHost, type_text
from tui.core.models import Contact, Conversation, TeamReply
from tui.core.team_replies import book_for
from tui.sandbox.seed_team_replies import MEDIA_REPLIES, TEAM_REPLIES
from tui.screens.snippets import SnippetScreen

WHEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def seeded() -> list[TeamReply]:
    """The first organization's seeded replies, by title, as the sandbox serves them."""
    replies = [
        TeamReply(id=i, organization_id=1, title=title, content=text, message_type=kind, updated_at=WHEN)
        for i, (org, _, title, text, kind) in enumerate(TEAM_REPLIES, start=1)
        if org == 1
    ]
    replies += [
        TeamReply(
            id=20 + i,
            organization_id=1,
            title=title,
            content=text,
            message_type=kind,
            media_url=f"org-1/predefined-messages/k{i}/{name}",
            filename=name,
            mime_type=mime,
            updated_at=WHEN,
        )
        for i, (_, title, text, kind, name, mime, _) in enumerate(MEDIA_REPLIES)
    ]
    return sorted(replies, key=lambda r: r.title.casefold())


class Client:
    """Stands for the profile's ApiClient: only the key of its book."""


@dataclass
class Backend:
    client: Client = field(default_factory=Client)
    profile: Any = None


class TeamHost(PickerHost):
    """The pickers' host, with a backend whose team replies are fresh (no request, no clock)."""

    def __init__(self, picker: SnippetScreen) -> None:
        self.backend = Backend()
        book = book_for(self.backend.client)  # type: ignore[arg-type]
        book.replies, book.read_at = seeded(), book.clock()
        super().__init__(picker)

    def notify_error(self, error: object) -> None:
        raise AssertionError(f"unexpected error: {error}")


def picker() -> SnippetScreen:
    ana = Contact(id=1, first_name="Ana", last_name="Lima", phone="+15550100")
    return SnippetScreen(Conversation(id=1, channel="whatsapp", contact=ana, contact_id=1))


def test_picker_with_team_replies(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("down", "down", "down")  # the first of the team's
        await still(pilot)

    assert snap_compare(TeamHost(picker()), terminal_size=(80, 24), run_before=run_before)


def test_picker_media_reply_found(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot) -> None:
        await type_text(pilot, "returns")
        await still(pilot)

    assert snap_compare(TeamHost(picker()), terminal_size=(80, 24), run_before=run_before)
