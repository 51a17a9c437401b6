"""The organization's shared replies (contract: "Canned replies of the organization"), for the
snippet picker and `switchboard replies`.

The picker reads them through one `TeamReplyBook` per profile (`book_for(client)`): read once and
kept `KEEP_SECONDS`, however often the picker opens, read again when the agent asks (the picker's
refresh key); a create, an edit or a delete changes the book from the server's answer, with no
read after it. A refusal for want of a role (403) is one sentence saying so and what to do.

What it costs the team's budget: the list is one request per 50 replies, at most once per profile
every 10 minutes (plus a refresh when asked); a create, an edit or a delete is one request (a new
reply with a file, two more: the upload's signing and registering, its bytes going to the storage
host). A media reply's file comes from the storage host, which is no API request
(`team_reply_media`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from tui.core.client_parse import Skipped
from tui.core.errors import AuthError, NotFoundError, SwitchboardError
from tui.core.models import TeamReply
from tui.core.payloads import team_reply_body, team_reply_patch

if TYPE_CHECKING:
    from tui.core.client import ApiClient
    from tui.core.files import LocalFile

#: How long a read of the team's replies serves the picker (seconds).
KEEP_SECONDS = 600.0
#: Where a personal reply goes instead, said when the role may not change the team's.
PERSONAL = "keep it as a personal snippet in snippets.toml"


def refused(verb: str, exc: SwitchboardError) -> SwitchboardError:
    """A 403 on a change: one sentence about the role (the key itself works: it just read them)."""
    if isinstance(exc, AuthError) and exc.status == 403:
        return AuthError(
            f"Your account may not {verb} the team's replies (403: the organization keeps that to "
            f"some roles); ask an admin of your organization, or {PERSONAL}.",
            status=403,
            name=exc.name,
        )
    return exc


async def create(client: ApiClient, title: str, content: str, file: LocalFile | None = None) -> TeamReply:
    """A new team reply; with `file`, uploaded first (the three steps, with no conversation),
    then saved as its storage key, name, type and kind."""
    from tui.core.uploads import upload_file

    try:
        media = await upload_file(client, None, file) if file is not None else None
        return await client.create_team_reply(team_reply_body(client.org, title, content, media))
    except SwitchboardError as exc:
        raise refused("add to", exc) from None


async def edit(
    client: ApiClient, reply_id: int | str, *, title: str | None = None, content: str | None = None
) -> TeamReply:
    try:
        return await client.patch_team_reply(reply_id, team_reply_patch(title=title, content=content))
    except SwitchboardError as exc:
        raise refused("change", exc) from None


async def remove(client: ApiClient, reply_id: int | str) -> None:
    try:
        await client.remove_team_reply(reply_id)
    except SwitchboardError as exc:
        raise refused("delete from", exc) from None


def _order(replies: list[TeamReply]) -> list[TeamReply]:
    """By title, as the server sorts them (for a reply the book added or renamed)."""
    return sorted(replies, key=lambda r: r.name.casefold())


class TeamReplyBook:
    """One profile's team replies as last read, and the changes made through it."""

    def __init__(self, client: ApiClient, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        self.replies: list[TeamReply] = []
        #: Replies the server sent that could not be read (left out of `replies`).
        self.skipped: list[Skipped] = []
        self.read_at: float | None = None

    def fresh(self) -> list[TeamReply] | None:
        """The replies read less than `KEEP_SECONDS` ago, else None (time to read them)."""
        if self.read_at is None or self.clock() - self.read_at > KEEP_SECONDS:
            return None
        return self.replies

    async def load(self, *, refresh: bool = False) -> list[TeamReply]:
        """The replies: as kept when fresh (no request), else read (every page)."""
        kept = None if refresh else self.fresh()
        if kept is not None:
            return kept
        skipped: list[Skipped] = []
        self.replies = await self.client.list_team_replies(skipped)
        self.skipped = skipped
        self.read_at = self.clock()
        return self.replies

    async def create(self, title: str, content: str, file: LocalFile | None = None) -> TeamReply:
        reply = await create(self.client, title, content, file)
        self.replies = _order([*self.replies, reply])
        return reply

    async def edit(
        self, reply_id: int | str, *, title: str | None = None, content: str | None = None
    ) -> TeamReply:
        try:
            reply = await edit(self.client, reply_id, title=title, content=content)
        except NotFoundError:
            self._forget(reply_id)
            raise
        self.replies = _order([reply if str(r.id) == str(reply_id) else r for r in self.replies])
        return reply

    async def remove(self, reply_id: int | str) -> None:
        try:
            await remove(self.client, reply_id)
        except NotFoundError:
            self._forget(reply_id)  # a teammate deleted it first: off the list as well
            raise
        self._forget(reply_id)

    def _forget(self, reply_id: int | str) -> None:
        self.replies = [r for r in self.replies if str(r.id) != str(reply_id)]


_BOOKS: WeakKeyDictionary[ApiClient, TeamReplyBook] = WeakKeyDictionary()


def book_for(client: ApiClient) -> TeamReplyBook:
    """The profile's book (one per client: a profile switch starts a new one)."""
    book = _BOOKS.get(client)
    if book is None:
        book = _BOOKS[client] = TeamReplyBook(client)
    return book
