"""The AchieveApex API, endpoint by endpoint, over the plumbing of `tui.core.client_base`.

Every query follows the reference [docs]: pages of at most 50 read on the `total`, `limit` and
`skip` the server answers, `$limit=0` for a count, `organization_id` on every list, messages
from the conversation's own channel service with reactions left out, contacts read 20 ids at a
time. Whatever is read about a conversation goes into the one `ConversationCache` (`cache`),
and the merged copy is what every caller gets back.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from tui.core.budget import RequestBudget
from tui.core.client_base import MAX_RESPONSE_BYTES, USER_AGENT, HttpApi, api_error, transport_error
from tui.core.client_parse import Skipped, parse_each, parse_items
from tui.core.config import ResolvedProfile
from tui.core.conversation_cache import ConversationCache
from tui.core.errors import ConfigError, NotFoundError
from tui.core.filters import SORT, ConversationFilter
from tui.core.http import httpx
from tui.core.models import (
    Contact,
    Conversation,
    ConversationFile,
    Message,
    Page,
    SignedUpload,
    TeamReply,
    Template,
    User,
)
from tui.core.query import MAX_IN, MAX_PAGE, chunks, page_query
from tui.core.templates import TemplateList
from tui.core.text import clip, one_line

M = TypeVar("M", bound=BaseModel)

#: How many pages an "every page" read follows at most (5,000 rows): a server whose `total`
#: never ends cannot keep the client reading.
MAX_PAGES = 100
#: The messages query's fixed part [docs: messages-list]: no reactions, newest first.
MESSAGES_QUERY: dict[str, Any] = {"message_type": {"$ne": "reaction"}, "$sort": {"created_at": -1}}


class ApiClient(HttpApi):
    """One profile's connection to the API. Use as an async context manager."""

    def __init__(
        self,
        profile: ResolvedProfile,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        budget: RequestBudget | None = None,
        cache: ConversationCache | None = None,
    ) -> None:
        super().__init__(profile, transport=transport, budget=budget)
        #: The one owner of conversation data for this profile.
        self.cache = cache or ConversationCache()
        self._templates: dict[str | None, tuple[float, TemplateList]] = {}

    # -- conversations ----------------------------------------------------------------------------

    def _list_query(self, filters: ConversationFilter | None, limit: int, skip: int) -> dict[str, Any]:
        return {
            "organization_id": self.org,
            **page_query(limit, skip),
            "$sort": SORT,
            **(filters.query() if filters is not None else {}),
        }

    async def list_conversations(
        self, filters: ConversationFilter | None = None, *, limit: int = MAX_PAGE, skip: int = 0
    ) -> Page[Conversation]:
        """One page of conversations, newest interaction first; each row merged in the cache
        (a row that cannot be read stays in its place, marked, and is not cached)."""
        what = "the conversation list"
        data = await self.request(
            "GET", self.paths.conversations, what=what, params=self._list_query(filters, max(limit, 1), skip)
        )
        return self.conversations_page(data, skip=skip)

    def adopt_first_page(self, data: Any) -> Page[Conversation]:
        """The first page of All, read before this client existed (`tui.core.first_page`): read
        as any page, and spent from the budget now."""
        self.budget.spend()
        return self.conversations_page(data, skip=0)

    def conversations_page(self, data: Any, *, skip: int) -> Page[Conversation]:
        """A page's answer read row by row into the cache (merged copies come back)."""
        what = "the conversation list"
        page = parse_items(
            Conversation, data, what, noun="conversation", fallback_id=lambda i: -(skip + i + 1)
        )
        readable = self.cache.records(c for c in page.data if not c.unreadable)
        merged = iter(readable)
        rows = [c if c.unreadable else next(merged) for c in page.data]
        return page.model_copy(update={"data": rows})

    async def count_conversations(self, filters: ConversationFilter | None = None) -> int:
        """How many conversations match: the same query with `$limit=0` [docs], no rows read."""
        data = await self.request(
            "GET",
            self.paths.conversations,
            what="a conversation count",
            params=self._list_query(filters, 0, 0),
        )
        return self._parse(Page[Any], data, "a conversation count").total

    async def conversations_by_id(self, ids: Iterable[int]) -> list[Conversation]:
        """The conversations with these ids (20 a request: `id[$in]`), in no particular order."""
        found: list[Conversation] = []
        for batch in chunks(ids):
            page = await self.list_conversations(ConversationFilter(ids=tuple(batch)), limit=len(batch))
            found.extend(c for c in page.data if not c.unreadable)
        return found

    async def get_conversation(self, conversation_id: int, *, max_age: float = 0.0) -> Conversation:
        """The conversation; with `max_age`, a copy the cache had from at most that many seconds
        ago will do (a list read, a push, a script sending many messages to one conversation)."""
        known = self.cache.fresh(conversation_id, max_age)
        if known is not None:
            return known
        what = f"conversation {conversation_id}"
        data = await self.request(
            "GET",
            f"{self.paths.conversations}/{conversation_id}",
            what=what,
            params={"organization_id": self.org},
        )
        return self.cache.record(self._parse(Conversation, data, what))

    # -- contacts -------------------------------------------------------------------------------

    async def get_contacts(self, ids: Iterable[int]) -> list[Contact]:
        """Contacts by id, 20 a request [contract: a stock Feathers server refuses longer
        arrays]; what comes back goes into the cache. A contact that cannot be read is skipped."""
        found: list[Contact] = []
        for batch in chunks(ids):
            params = {"organization_id": self.org, "id": {"$in": batch}, "$limit": MAX_IN}
            data = await self.request("GET", self.paths.contacts, what="the contacts' names", params=params)
            page = parse_items(
                Contact, data, "the contacts' names", noun="contact", fallback_id=lambda i: None
            )
            found.extend(c for c in page.data if not getattr(c, "unreadable", None) and c.id in batch)
        self.cache.learn_contacts(found)
        return found

    async def fill_contacts(self, conversations: Iterable[Conversation]) -> int:
        """Read the contacts these rows need and nobody has read (rows first, names after)."""
        missing = self.cache.missing_contacts(conversations)
        if not missing:
            return 0
        return len(await self.get_contacts(missing))

    # -- messages ---------------------------------------------------------------------------------

    async def _messages_path(self, conversation_id: int, channel: str | None) -> str:
        if channel is None:
            channel = (await self.get_conversation(conversation_id, max_age=300.0)).channel
        return self.paths.messages_for(channel)

    async def list_messages(
        self, conversation_id: int, *, channel: str | None = None, skip: int = 0
    ) -> Page[Message]:
        """A page of the conversation's messages, newest first, reactions left out [docs], from
        its channel's service (`channel`; read from the conversation when not given). The
        newest page tells the cache who wrote last and when the customer last did."""
        path = await self._messages_path(conversation_id, channel)
        what = f"the messages of conversation {conversation_id}"
        params = {"conversation_id": conversation_id, **MESSAGES_QUERY, **page_query(MAX_PAGE, skip)}
        data = await self.request("GET", path, what=what, params=params)
        # Item by item: one bad message is shown as unreadable in place, never an empty history.
        page = parse_items(
            Message, data, what, noun="message", fallback_id=lambda i: f"unreadable-{i}-{skip}"
        )
        if skip == 0:
            self.cache.learn_messages(conversation_id, page.data, more=page.has_more)
        return page

    async def get_message(
        self, conversation_id: int, message_id: int | str, *, channel: str | None = None
    ) -> Message:
        """One message by its id, as the server gave it (a quoted one not on the pages read)."""
        path = await self._messages_path(conversation_id, channel)
        what = f"message {clip(one_line(str(message_id)), 40)}"
        data = await self.request("GET", f"{path}/{_segment(message_id)}", what=what)
        return self._parse(Message, data, what)

    async def delete_message(
        self, conversation_id: int, message_id: int | str, *, channel: str | None = None
    ) -> Message | None:
        """Delete one message (soft [docs]): the record with `deleted_at`, or None for an empty answer."""
        path = await self._messages_path(conversation_id, channel)
        what = f"the deletion of message {clip(one_line(str(message_id)), 40)}"
        data = await self.request("DELETE", f"{path}/{_segment(message_id)}", what=what, allow_empty=True)
        return None if data is None else self._parse(Message, data, what)

    # -- templates ------------------------------------------------------------------------------

    async def list_templates(self, *, status: str | None = None, max_age: float = 0.0) -> TemplateList:
        """Every WhatsApp template of the organization (all pages); with `max_age`, the list read
        that many seconds ago or less will do (the picker's read serves the send after it).
        Read template by template: one that does not validate is left out and counted in
        `skipped`, so one malformed template never takes the others with it."""
        held = self._templates.get(status)
        if held is not None and max_age > 0 and time.monotonic() - held[0] <= max_age:
            return TemplateList(held[1], held[1].skipped)
        query: dict[str, Any] = {"organization_id": self.org, "channel": "whatsapp"}
        if status:
            query["status"] = status
        skipped: list[Skipped] = []
        rows = await self._all_pages(
            Template, self.paths.templates, query, "the template list", skipped=skipped
        )
        templates = TemplateList(rows, skipped)
        self._templates[status] = (time.monotonic(), templates)
        return TemplateList(templates, skipped)

    async def _all_pages(
        self,
        model: type[M],
        path: str,
        query: dict[str, Any],
        what: str,
        *,
        skipped: list[Skipped] | None = None,
    ) -> list[M]:
        """Every page of a find, paged on the `skip` and rows the server answers. With `skipped`,
        items are read one by one and those that do not validate are left out and go there."""
        rows: list[M] = []
        skip = 0
        for _ in range(MAX_PAGES):
            data = await self.request("GET", path, what=what, params={**query, **page_query(MAX_PAGE, skip)})
            if skipped is None:
                page = self._parse(Page[model], data, what)  # type: ignore[valid-type]
                rows.extend(page.data)
            else:
                page, good, bad = parse_each(model, data, what)
                rows.extend(good)
                skipped.extend(bad)
            skip = page.skip + len(page.data) if page.limit else skip + len(page.data)
            if not page.data or not page.has_more:
                break
        return rows

    # -- who the agent is ----------------------------------------------------------------------

    async def get_me(self) -> User:
        """The agent this key belongs to. A server without `GET /users/me` (404) falls back to
        the profile's `user_id`; without one, a `ConfigError` says to set it. A profile that
        sends its login knows from the login's `user` [docs: authentication], with no request."""
        said = self.profile.login.user.user_fields() if self.profile.login is not None else None
        if said is not None:
            return User.model_validate(said)
        what = "who you are"
        try:
            data = await self.request("GET", self.paths.users_me, what=what)
        except NotFoundError:
            if self.profile.user_id is not None:
                return User(id=self.profile.user_id)
            raise ConfigError(
                f"The server does not say who you are ({self.paths.users_me} answered 404); set "
                f"user_id = <your user id> in profiles.{self.profile.name} of the config "
                "(`switchboard users` lists the ids)."
            ) from None
        return self._parse(User, data, what)

    async def list_users(self) -> list[User]:
        """The organization's agents, every page (for "assign to…")."""
        return await self._all_pages(
            User, self.paths.users, {"organization_id": self.org}, "the list of agents"
        )

    # -- update ---------------------------------------------------------------------------------

    async def patch_conversation(self, conversation_id: int, body: dict[str, Any]) -> Conversation:
        """Patch the conversation (a body from `payloads`); the answer, the whole patched
        conversation, is read as strictly as `get_conversation` and goes into the cache, whose
        merged copy comes back."""
        what = f"the update of conversation {conversation_id}"
        data = await self.request(
            "PATCH",
            f"{self.paths.conversations}/{conversation_id}",
            what=what,
            params={"organization_id": self.org},
            json_body=body,
        )
        return self.cache.record(self._parse(Conversation, data, what))

    async def bulk_action(self, body: dict[str, Any]) -> int | None:
        """`POST /conversations-bulk-actions` (a body from `tui.core.bulk`): how many the server
        says it processed, or None when its answer does not say [docs: `processed_count`]."""
        data = await self.request("POST", self.paths.bulk_actions, what="the bulk action", json_body=body)
        count = data.get("processed_count") if isinstance(data, dict) else None
        return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None

    # -- upload steps ---------------------------------------------------------------------------

    async def sign_upload(
        self, *, file_name: str, file_type: str, conversation_id: int | None
    ) -> SignedUpload:
        """Step 1; `conversation_id` None for a file of no conversation (a team reply's)."""
        what = f"the upload of {file_name!r}"
        body: dict[str, Any] = {"file_name": file_name, "file_type": file_type}
        if conversation_id is not None:
            body["conversation_id"] = conversation_id
        body["organization_id"] = self.org
        data = await self.request("POST", self.paths.sign_upload, what=what, json_body=body)
        return self._parse(SignedUpload, data, what)

    async def create_file(self, body: dict[str, Any]) -> ConversationFile:
        what = f"the upload of {body.get('file_name')!r}"
        data = await self.request("POST", self.paths.files, what=what, json_body=body)
        return self._parse(ConversationFile, data, what)

    # -- the team's replies (/conversation-predefined-messages [docs]) --------------------------

    async def list_team_replies(self, skipped: list[Skipped] | None = None) -> list[TeamReply]:
        """Every reply the organization shares, by title [docs], every page; one that does not
        validate is left out (and goes to `skipped`), never taking the others with it."""
        query: dict[str, Any] = {"organization_id": self.org, "$sort": {"title": 1}}
        path, what = self.paths.predefined_messages, "the team's replies"
        return await self._all_pages(TeamReply, path, query, what, skipped=[] if skipped is None else skipped)

    async def create_team_reply(self, body: dict[str, Any]) -> TeamReply:
        """Create one (a body from `payloads.team_reply_body`); the created reply."""
        what = "the new team reply"
        data = await self.request("POST", self.paths.predefined_messages, what=what, json_body=body)
        return self._parse(TeamReply, data, what)

    async def patch_team_reply(self, reply_id: int | str, body: dict[str, Any]) -> TeamReply:
        """Change one (a body from `payloads.team_reply_patch`); the whole changed reply."""
        what = f"team reply {clip(one_line(str(reply_id)), 40)}"
        path = f"{self.paths.predefined_messages}/{_segment(reply_id, 'team reply')}"
        data = await self.request("PATCH", path, what=what, json_body=body)
        return self._parse(TeamReply, data, what)

    async def remove_team_reply(self, reply_id: int | str) -> None:
        """Delete one (the answer, the removed record or nothing, is not needed)."""
        what = f"team reply {clip(one_line(str(reply_id)), 40)}"
        path = f"{self.paths.predefined_messages}/{_segment(reply_id, 'team reply')}"
        await self.request("DELETE", path, what=what, allow_empty=True)

    # -- send -----------------------------------------------------------------------------------

    async def post_message(
        self,
        path: str,
        body: dict[str, Any],
        *,
        what: str = "the message",
        conversation_id: int | None = None,
    ) -> Message:
        """Send (a body from `payloads`); the created message is what the conversation's newest
        is now (`conversation_id`: whose)."""
        data = await self.request("POST", path, what=what, json_body=body)
        message = self._parse(Message, data, what)
        if conversation_id is not None:
            self.cache.learn_message(conversation_id, message)
        return message


def _segment(message_id: int | str, noun: str = "message") -> str:
    """An id as one path segment: percent-encoded, so an id is never a path of its own."""
    from urllib.parse import quote

    text = str(message_id)
    if text in (".", "..") or not text:
        raise NotFoundError(f"There is no {noun} {text!r} to read; check the id.", status=404)
    return quote(text, safe="")


__all__ = ["MAX_RESPONSE_BYTES", "MESSAGES_QUERY", "USER_AGENT", "ApiClient", "api_error", "transport_error"]
