"""The one entry point for sending: conversation + draft -> policy -> uploads -> payload -> post.

`prepare` reads the conversation (and the templates when needed) and applies every rule without
side effects, so a refusal costs no upload and no send. `execute` then uploads every file first
(nothing is sent if an upload fails) and posts the messages in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tui.core.channels import ChannelSpec, channel_spec
from tui.core.client import ApiClient
from tui.core.drafts import Draft, TemplateChoice
from tui.core.errors import PolicyRefusal, SwitchboardError
from tui.core.files import LocalFile
from tui.core.models import Conversation, Message, Template, Uploaded
from tui.core.payloads import Outgoing, build_note, build_reply, build_template, quoting
from tui.core.policy import WINDOW, check_draft, check_template
from tui.core.template_parts import check_buttons, check_header_file, check_limits
from tui.core.templates import Slot, TemplateList, find_template
from tui.core.text import one_line
from tui.core.uploads import upload_file

#: How old a read of the conversation may be for the rules: back-to-back sends share one read.
#: The backend enforces the window itself (409), so a read this stale can never get a reply past it.
CONVERSATION_FRESH_SECONDS = 3.0
#: How old a read of the template list may be for a send (the picker read it a moment ago).
TEMPLATES_FRESH_SECONDS = 600.0
#: How many pages of messages a reply reads, at most, to find the customer's last message.
WINDOW_PAGES = 10


@dataclass(frozen=True)
class SendProgress:
    stage: str  # "uploading" | "sending"
    detail: str  # file name, or "message 2 of 3"
    done: int
    total: int


ProgressFn = Callable[[SendProgress], None]


@dataclass
class Prepared:
    """A draft that passed every rule: ready to upload and post."""

    conversation: Conversation
    spec: ChannelSpec
    draft: Draft
    files: list[LocalFile]
    template: Template | None = None
    filled: dict[Slot, str] = field(default_factory=dict)
    #: A template's header file (uploaded first) and its URL buttons' values, by button index.
    header_file: LocalFile | None = None
    button_values: dict[int, str] = field(default_factory=dict)


@dataclass
class SendResult:
    conversation: Conversation
    messages: list[Message]


class PartialSendError(SwitchboardError):
    """Some messages of a multi-message send went out before a failure."""

    def __init__(self, cause: SwitchboardError, sent: list[Message], total: int, *, already: int = 0) -> None:
        done = already + len(sent)
        super().__init__(f"{done} of {total} messages went out before this failure: {cause.sentence}")
        self.cause = cause
        self.sent = sent
        self.exit_code = cause.exit_code
        # Whether the failed message itself may be retried is the cause's call; the ones before it
        # went out and are never sent again.
        self.retry_safe = cause.retry_safe


def _pick_template(templates: TemplateList, choice: TemplateChoice) -> Template:
    matches = find_template(templates, choice.name, choice.language)
    unread = next((s for s in templates.skipped if s.name == choice.name), None)
    if not matches and unread is not None:
        raise PolicyRefusal(
            f"The template {one_line(choice.name, 60)!r} could not be read ({one_line(unread.why, 120)}), "
            "so it cannot be sent; fix it in WhatsApp Manager or pick another with `switchboard templates`.",
            reason="template_unreadable",
        )
    if not matches:
        where = f" in {choice.language}" if choice.language else ""
        raise PolicyRefusal(
            f"There is no WhatsApp template named {choice.name!r}{where}; run `switchboard templates` "
            "to see the ones you can use.",
            reason="template_unknown",
        )
    if len(matches) > 1:
        approved = [t for t in matches if t.status == "APPROVED"]
        if len(approved) == 1:
            return approved[0]
        languages = ", ".join(sorted(t.language for t in matches))
        raise PolicyRefusal(
            f"The template {choice.name!r} exists in {languages}; choose one with --language.",
            reason="template_ambiguous",
        )
    return matches[0]


async def known_window(client: ApiClient, conversation: Conversation) -> Conversation:
    """The conversation with its customer's last message known: the record may not say it
    [docs], so the newest messages are read (one request, usually; more only while a page holds
    no message of the customer's and none older than a day). Never guessed."""
    if conversation.inbound_known:
        return conversation
    skip, oldest = 0, None
    for _ in range(WINDOW_PAGES):
        page = await client.list_messages(conversation.id, channel=conversation.channel, skip=skip)
        merged = client.cache.get(conversation.id) or conversation
        if merged.inbound_known:
            return merged
        inbound = next((m for m in page.data if m.is_inbound and m.created_at is not None), None)
        if inbound is not None:
            return merged.model_copy(update={"last_inbound_message_at": inbound.created_at})
        times = [m.created_at for m in page.data if m.created_at is not None]
        oldest = min(times, default=oldest)
        if not page.has_more or not page.data:
            return merged.model_copy(update={"last_inbound_message_at": None})
        if oldest is not None and oldest < datetime.now(UTC) - WINDOW:
            # Every message read is the agents'; the customer's last one is older still.
            return merged.model_copy(update={"last_inbound_message_at": oldest})
        skip = page.skip + len(page.data)
    return conversation


async def prepare(
    client: ApiClient,
    conversation_id: int,
    draft: Draft,
    *,
    now: datetime | None = None,
    record_age: float = CONVERSATION_FRESH_SECONDS,
) -> Prepared:
    """Read what the rules need and apply them; no upload, no send. A reply on a channel with a
    reply window whose customer message is unknown reads the newest messages first.
    `record_age`: how old the cache's copy of the conversation may be (while live, any)."""
    age = max(record_age, CONVERSATION_FRESH_SECONDS)
    conversation = await client.get_conversation(conversation_id, max_age=age)
    spec = channel_spec(conversation.channel, client.profile.limits)
    if spec is not None and spec.reply_window and draft.template is None and not draft.note:
        conversation = await known_window(client, conversation)
    spec, files = check_draft(conversation, spec, draft, now)
    if draft.template is not None:
        template = _pick_template(
            await client.list_templates(max_age=TEMPLATES_FRESH_SECONDS), draft.template
        )
        check_limits(template)  # before the values: a 1,000-variable template is not listed back
        check_template(template, draft.template.values)
        filled, _, _ = draft.template.values.assign(template)
        header = check_header_file(template, spec, draft.template.header_file)
        buttons = check_buttons(template, draft.template.values)
        return Prepared(conversation, spec, draft, [], template, filled, header, buttons)
    return Prepared(conversation, spec, draft, files)


#: Called with a message's index just before it is posted, and with the created message after.
BeforePost = Callable[[int], Awaitable[None]]
AfterPost = Callable[[int, Message], Awaitable[None]]


async def execute(
    client: ApiClient,
    prepared: Prepared,
    *,
    progress: ProgressFn | None = None,
    skip: int = 0,
    before_post: BeforePost | None = None,
    after_post: AfterPost | None = None,
) -> SendResult:
    """Upload every file, then post each message in order, from message `skip` on (the ones
    before it went out in an earlier attempt). The hooks let the outbox record each step."""
    conversation, spec = prepared.conversation, prepared.spec
    uploads: list[Uploaded] = []
    for f in [*prepared.files, *([prepared.header_file] if prepared.header_file else [])]:

        def on_bytes(name: str, done: int, total: int) -> None:
            if progress is not None:
                progress(SendProgress("uploading", name, done, total))

        uploads.append(await upload_file(client, conversation, f, on_bytes))

    if prepared.template is not None:
        requests = build_template(
            spec,
            conversation,
            prepared.template,
            prepared.filled,
            header=uploads[-1] if prepared.header_file else None,
            media_base_url=client.profile.media_base_url,
            button_values=prepared.button_values,
        )
    elif prepared.draft.note:
        requests = build_note(spec, conversation, prepared.draft.text)
    else:
        requests = build_reply(
            spec, conversation, prepared.draft.text, uploads, client.profile.media_base_url
        )
    if client.profile.send_reply_to:
        requests = quoting(requests, prepared.draft.reply_to)
    sent = await _post_all(
        client, conversation.id, requests, prepared.draft.kind, progress, skip, before_post, after_post
    )
    return SendResult(conversation, sent)


async def _post_all(
    client: ApiClient,
    conversation_id: int,
    requests: list[Outgoing],
    kind: str,
    progress: ProgressFn | None,
    skip: int = 0,
    before_post: BeforePost | None = None,
    after_post: AfterPost | None = None,
) -> list[Message]:
    sent: list[Message] = []
    what = {"reply": "the message", "note": "the note", "template": "the template message"}[kind]
    for i, req in enumerate(requests[skip:], skip + 1):
        if progress is not None:
            progress(SendProgress("sending", f"message {i} of {len(requests)}", i - 1, len(requests)))
        path = getattr(client.paths, req.path_key)
        if before_post is not None:
            await before_post(i - 1)
        try:
            message = await client.post_message(path, req.body, what=what, conversation_id=conversation_id)
        except SwitchboardError as exc:
            if sent or skip:
                raise PartialSendError(exc, sent, len(requests), already=skip) from None
            raise
        sent.append(message)
        if after_post is not None:
            await after_post(i - 1, message)
    return sent


async def send_draft(
    client: ApiClient,
    conversation_id: int,
    draft: Draft,
    *,
    progress: ProgressFn | None = None,
    now: datetime | None = None,
) -> SendResult:
    """Check, upload, build and post; the created messages or a typed error."""
    prepared = await prepare(client, conversation_id, draft, now=now)
    return await execute(client, prepared, progress=progress)
