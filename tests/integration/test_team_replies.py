"""The team's replies through the service layer, against the embedded sandbox on loopback: the
list (by title, the key's organization only), the book's cache (one read per profile, kept ten
minutes, read again when asked), create, edit and delete (one request each, the book following
the answer), a role's 403 in one sentence, a media reply's file (uploaded with no conversation,
fetched from a key or a full URL into the cache, refused up front where the channel refuses it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CountingTransport, make_pdf, sandbox_profile
from tui.core import team_replies
from tui.core.channels import channel_spec
from tui.core.client import ApiClient
from tui.core.config import Secret
from tui.core.errors import AuthError, NotFoundError, PolicyRefusal
from tui.core.files import inspect_file
from tui.core.models import TeamReply
from tui.core.team_replies import KEEP_SECONDS, TeamReplyBook
from tui.core.team_reply_media import cache_folder, check_media, fetch_file
from tui.sandbox.seed_files import PARCEL_JPEG
from tui.sandbox.seed_team_replies import RETURNS_FORM

PATH = "/conversation-predefined-messages"
SEEDED = [
    "Address change",
    "Apology for the delay",
    "Cancel an order",
    "How to pack a return",
    "Opening hours",
    "Order status",
    "Refund policy",
    "Returns form",
    "Store location",
    "Thanks and goodbye",
    "Warranty",
    "Wrong item received",
]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Any]:
    """One sandbox (team replies are the same with or without the [ours] conversation fields)."""
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(data_dir=tmp_path / "sandbox")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
async def client(sandbox: Any, transport: CountingTransport) -> AsyncIterator[ApiClient]:
    async with ApiClient(sandbox_profile(sandbox), transport=transport) as c:
        yield c


def as_agent(sandbox: Any, user_id: int) -> ApiClient:
    agent = sandbox.agent(user_id)
    update = {"api_key": Secret(agent.api_key), "organization_id": agent.organization_id}
    return ApiClient(sandbox_profile(sandbox).model_copy(update=update))


def asked(transport: CountingTransport, method: str = "GET") -> int:
    return sum(1 for r in transport.requests if r.method == method and r.url.path.startswith(PATH))


def by_title(replies: list[TeamReply], title: str) -> TeamReply:
    return next(r for r in replies if r.title == title)


async def test_the_seeded_replies_by_title_and_the_other_organizations_apart(
    client: ApiClient, sandbox: Any
) -> None:
    replies = await client.list_team_replies()
    assert [r.title for r in replies] == SEEDED
    media = [r for r in replies if r.has_media]
    assert [(r.title, r.message_type, r.filename, r.mime_type) for r in media] == [
        ("How to pack a return", "image", "packing-guide.jpg", "image/jpeg"),
        ("Returns form", "document", "returns-form.pdf", "application/pdf"),
    ]
    assert {r.organization_id for r in replies} == {1}
    async with as_agent(sandbox, 21) as eve:  # another organization: its own replies only
        theirs = await eve.list_team_replies()
        assert [r.title for r in theirs] == ["Closing time", "Welcome"]
        with pytest.raises(NotFoundError):
            await eve.patch_team_reply(999, {"title": "x"})
        with pytest.raises(AuthError):  # the first organization's reply is not hers to change
            await eve.patch_team_reply(replies[0].id, {"title": "x"})
    assert by_title(await client.list_team_replies(), SEEDED[0]).title == SEEDED[0]


async def test_the_book_reads_once_and_again_when_asked_or_stale(
    client: ApiClient, transport: CountingTransport
) -> None:
    now = [1000.0]
    book = TeamReplyBook(client, clock=lambda: now[0])
    assert book.fresh() is None
    first = await book.load()
    again = await book.load()
    assert again is first and asked(transport) == 1  # the picker opened twice: one request
    await book.load(refresh=True)
    assert asked(transport) == 2
    now[0] += KEEP_SECONDS - 1
    await book.load()
    assert asked(transport) == 2
    now[0] += 2
    assert book.fresh() is None
    await book.load()
    assert asked(transport) == 3
    assert team_replies.book_for(client) is team_replies.book_for(client)


async def test_create_edit_delete_one_request_each(client: ApiClient, transport: CountingTransport) -> None:
    book = TeamReplyBook(client)
    await book.load()
    made = await book.create("Back soon", "We're back at {{contact.first_name}}'s door on Monday.")
    assert [r.title for r in book.replies][:3] == ["Address change", "Apology for the delay", "Back soon"]
    assert made.created_by_user_id == 7 and made.message_type == "text"
    changed = await book.edit(made.id, title="Back on Monday")
    assert changed.content == made.content and by_title(book.replies, "Back on Monday").id == made.id
    await book.remove(made.id)
    assert made.id not in [r.id for r in book.replies]
    assert [asked(transport, m) for m in ("GET", "POST", "PATCH", "DELETE")] == [1, 1, 1, 1]
    again = [r.title for r in await client.list_team_replies()]
    assert again == SEEDED  # the server agrees with the book


async def test_a_reply_a_teammate_deleted_leaves_the_book(client: ApiClient) -> None:
    book = TeamReplyBook(client)
    replies = await book.load()
    gone = by_title(replies, "Warranty")
    await client.remove_team_reply(gone.id)  # as a teammate would
    with pytest.raises(NotFoundError, match="404"):
        await book.edit(gone.id, title="Warranty (2 years)")
    assert gone.id not in [r.id for r in book.replies]


async def test_a_role_that_may_not_change_them_is_one_sentence(sandbox: Any) -> None:
    async with as_agent(sandbox, 12) as aiko:  # the sandbox's read-only role
        replies = await aiko.list_team_replies()  # reading is allowed
        assert len(replies) == len(SEEDED)
        for attempt, verb in (
            (team_replies.create(aiko, "Mine", "text"), "add to"),
            (team_replies.edit(aiko, replies[0].id, title="x"), "change"),
            (team_replies.remove(aiko, replies[0].id), "delete from"),
        ):
            with pytest.raises(AuthError) as caught:
                await attempt
            sentence = caught.value.sentence
            assert sentence.startswith(f"Your account may not {verb} the team's replies (403")
            assert sentence.endswith("keep it as a personal snippet in snippets.toml.")
            assert sentence.count(". ") == 0


async def test_a_media_reply_uploads_with_no_conversation_then_its_file_comes_back(
    client: ApiClient, sandbox: Any, transport: CountingTransport, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "care-guide.pdf")
    reply = await team_replies.create(client, "Care guide", "How to look after it", inspect_file(pdf))
    steps = [(r.method, r.url.path) for r in transport.requests]
    assert steps[0] == ("POST", "/s3-url-signing") and steps[-2:] == [
        ("POST", "/conversation-files"),
        ("POST", PATH),
    ]
    assert all(b'"conversation_id"' not in r.content for r in transport.requests if r.method == "POST")
    assert reply.message_type == "document" and reply.filename == "care-guide.pdf"
    assert reply.media_url is not None and reply.media_url.startswith("org-1/predefined-messages/")
    fetched = await fetch_file(reply, client.profile)
    assert fetched.read_bytes() == pdf.read_bytes() and fetched.parent == cache_folder(reply)


async def test_the_seeded_media_is_fetched_once_into_the_cache(client: ApiClient) -> None:
    replies = await client.list_team_replies()
    form = by_title(replies, "Returns form")
    path = await fetch_file(form, client.profile)
    assert path.name == "returns-form.pdf" and path.read_bytes() == RETURNS_FORM
    assert path.stat().st_mode & 0o777 == 0o600
    stamp = path.stat().st_mtime_ns
    assert await fetch_file(form, client.profile) == path and path.stat().st_mtime_ns == stamp
    photo = await fetch_file(by_title(replies, "How to pack a return"), client.profile)
    assert photo.read_bytes() == PARCEL_JPEG


async def test_a_full_url_is_fetched_as_given(client: ApiClient, sandbox: Any) -> None:
    seeded = by_title(await client.list_team_replies(), "How to pack a return")
    assert seeded.media_url is not None
    url = f"{sandbox.media_base_url}/{seeded.media_url}"
    body = {"organization_id": 1, "title": "Photo by link", "content": "", "message_type": "image"}
    reply = await client.create_team_reply({**body, "media_url": url, "mime_type": "image/jpeg"})
    path = await fetch_file(reply, client.profile)
    assert path.name == "packing-guide.jpg" and path.read_bytes() == PARCEL_JPEG


def test_a_type_the_channel_refuses_is_refused_before_any_download() -> None:
    reply = TeamReply(
        id=5, title="Care", media_url="org-1/x/care.txt", filename="care.txt", mime_type="text/plain"
    )
    check_media(reply, channel_spec("whatsapp"))  # WhatsApp takes text documents
    with pytest.raises(PolicyRefusal) as caught:
        check_media(reply, channel_spec("instagram"))
    assert caught.value.sentence.startswith("Instagram does not take text/plain files like 'care.txt'")
    nameless = TeamReply(id=6, media_url="https://cdn.example.test/files/guide.pdf")
    check_media(nameless, channel_spec("instagram"))  # the type from the link's name: a PDF
