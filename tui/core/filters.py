"""Which conversations a list asks the server for: the documented filters of `GET /conversations`
[docs: conversations/list] as one value, and the queue views as such values.

The server filters and counts (`$limit=0`); nothing here scans. No pydantic: the inbox builds
its first query before the models load.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.queue_views import View

#: The list's order [docs]: newest interaction first.
SORT = {"last_interaction_at": -1}
#: Message search is sent from this many characters (a shorter one finds too much, slowly).
MESSAGE_SEARCH_FROM = 3


@dataclass(frozen=True)
class ConversationFilter:
    """A `GET /conversations` query without its page. `unassigned` / `no_ai` ask for a null
    assignee (`assigned_user_id=`), `assigned_user_id` for an agent's."""

    status: str | None = None
    channel: str | None = None
    exclude_channel: str | None = None
    assigned_user_id: int | None = None
    unassigned: bool = False
    no_ai: bool = False
    unread_only: bool = False
    waiting_only: bool = False
    search_term: str | None = None
    message_search_term: str | None = None
    contact_id: int | None = None
    ids: tuple[int, ...] = field(default=())

    def query(self) -> dict[str, Any]:
        """The Feathers query (`tui.core.query.encode` writes it), in a fixed order."""
        q: dict[str, Any] = {}
        if self.status:
            q["status"] = self.status
        if self.channel:
            q["channel"] = self.channel
        elif self.exclude_channel:
            q["channel"] = {"$ne": self.exclude_channel}
        if self.unassigned:
            q["assigned_user_id"] = None
        elif self.assigned_user_id is not None:
            q["assigned_user_id"] = self.assigned_user_id
        if self.no_ai:
            q["assigned_ai_assistant_id"] = None
        if self.unread_only:
            q["unread_count"] = {"$gt": 0}
        if self.waiting_only:
            q["waitingResponseOnly"] = True
        if self.search_term:
            q["searchTerm"] = self.search_term
        if self.message_search_term:
            q["messageSearchTerm"] = self.message_search_term
        if self.contact_id is not None:
            q["contact_id"] = self.contact_id
        if self.ids:
            q["id"] = {"$in": list(self.ids)}
        return q


class NeedsMe(Exception):
    """The Mine view needs to know who the agent is, and that is not known (yet)."""


def view_filter(
    view: View, *, me: int | None, channel: str | None = None, status: str | None = None
) -> ConversationFilter:
    """The server's query for a queue view [contract: "List conversations"]: Needs reply =
    open and waiting for a response; Mine = open and assigned to me; Unassigned = open with no
    agent and no AI; Unread = open with unread messages; All = every status, or `status`.
    Snoozed is local (its ids are asked for with `id[$in]`)."""
    if view is View.ALL:
        return ConversationFilter(status=status, channel=channel)
    if view is View.NEEDS_REPLY:
        return ConversationFilter(status="open", channel=channel, waiting_only=True)
    if view is View.MINE:
        if me is None:
            raise NeedsMe
        return ConversationFilter(status="open", channel=channel, assigned_user_id=me)
    if view is View.UNASSIGNED:
        return ConversationFilter(status="open", channel=channel, unassigned=True, no_ai=True)
    if view is View.UNREAD:
        return ConversationFilter(status="open", channel=channel, unread_only=True)
    return ConversationFilter(channel=channel)


def searching(base: ConversationFilter, term: str, *, messages: bool) -> ConversationFilter:
    """`base` narrowed to a search: the contact's name or phone (`searchTerm`), or, with
    `messages`, the messages' text (`messageSearchTerm`, from `MESSAGE_SEARCH_FROM` characters)."""
    if messages:
        return replace(base, message_search_term=term)
    return replace(base, search_term=term)


__all__ = ["MESSAGE_SEARCH_FROM", "SORT", "ConversationFilter", "NeedsMe", "searching", "view_filter"]
