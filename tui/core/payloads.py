"""Every JSON body Switchboard sends, built here and nowhere else.

Three families share the wire: the Meta/webchat "transform outgoing" endpoints, SMS/MMS, and
the playground. Field names follow the seed page exactly. A draft with several files becomes
several messages according to the channel's `Split` rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tui.core.channels import ChannelSpec, Family, Split
from tui.core.errors import BadResponseError, UnsafeKeyError
from tui.core.models import Conversation, Template, Uploaded
from tui.core.templates import HeaderMedia, Slot, api_object, rendered_body
from tui.core.text import one_line


@dataclass(frozen=True)
class Outgoing:
    """One POST: which endpoint (a `Paths` key) and its body."""

    path_key: str
    body: dict[str, Any]


def public_media_url(media_base_url: str, s3_key: str) -> str:
    """The object's public URL: the base plus the key, each segment percent-encoded. A key with
    a `.`, `..` or empty segment is refused (`UnsafeKeyError`): `quote` leaves dots as they are
    and an HTTP client resolves them, so such a link could leave the media folder."""
    raw = s3_key.lstrip("/").split("/")
    if any(seg in ("", ".", "..") for seg in raw):
        raise UnsafeKeyError(
            f"The server gave the storage key {one_line(s3_key, 60)!r}, which has an empty, '.' or "
            "'..' part; no link is built from it."
        )
    return media_base_url.rstrip("/") + "/" + "/".join(quote(seg, safe="") for seg in raw)


# -- the three families ---------------------------------------------------------------------------


def transform_body(
    conversation: Conversation, text: str, message_type: str, upload: Uploaded | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conversation_id": conversation.id,
        "message_text": text,
        "message_type": message_type,
    }
    if upload is not None:
        body |= {
            "s3_path": upload.s3_path,
            "conversation_file_id": upload.conversation_file_id,
            "file_size": upload.file_size,
        }
    return body


def sms_body(conversation: Conversation, text: str, media_url: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"conversation_id": conversation.id, "message_text": text}
    if media_url is not None:
        body["media_url"] = media_url
    return body


def playground_body(
    conversation: Conversation, text: str, message_type: str, upload: Uploaded | None = None
) -> dict[str, Any]:
    if conversation.organization_id is None or conversation.contact_id is None:
        raise BadResponseError(
            f"Playground conversation {conversation.id} came back without organization_id or "
            "contact_id, which the playground send needs; check the API's conversation answer.",
            status=200,
        )
    body: dict[str, Any] = {
        "conversation_id": conversation.id,
        "organization_id": conversation.organization_id,
        "contact_id": conversation.contact_id,
        "message_text": text,
        "message_type": message_type,
    }
    if upload is not None:
        body |= {
            "s3_key": upload.s3_key,
            "s3_path": upload.s3_path,
            "file_name": upload.file_name,
            "file_type": upload.file_type,
            "file_size": upload.file_size,
            "conversation_file_id": upload.conversation_file_id,
        }
    return body


def _one(
    spec: ChannelSpec,
    conversation: Conversation,
    text: str,
    upload: Uploaded | None,
    media_base_url: str,
    message_type: str | None = None,
) -> Outgoing:
    kind = message_type or (upload.file_category if upload else "text")
    if spec.family is Family.SMS:
        url = public_media_url(media_base_url, upload.s3_key) if upload else None
        return Outgoing(spec.path_key, sms_body(conversation, text, url))
    if spec.family is Family.PLAYGROUND:
        return Outgoing(spec.path_key, playground_body(conversation, text, kind, upload))
    return Outgoing(spec.path_key, transform_body(conversation, text, kind, upload))


# -- drafts -> requests ---------------------------------------------------------------------------


def build_reply(
    spec: ChannelSpec,
    conversation: Conversation,
    text: str,
    uploads: list[Uploaded],
    media_base_url: str,
) -> list[Outgoing]:
    """A customer-facing reply, split into messages the way the channel takes files."""
    if not uploads:
        return [_one(spec, conversation, text, None, media_base_url)]
    if spec.split is Split.TEXT_APART:
        head = [_one(spec, conversation, text, None, media_base_url)] if text.strip() else []
        return head + [_one(spec, conversation, "", u, media_base_url) for u in uploads]
    # CAPTION_FIRST and ONE_URL: the text rides with the first file.
    return [
        _one(spec, conversation, text if i == 0 else "", u, media_base_url) for i, u in enumerate(uploads)
    ]


def build_note(spec: ChannelSpec, conversation: Conversation, text: str) -> list[Outgoing]:
    """An internal note: the channel's own endpoint, `message_type: "note"`."""
    return [_one(spec, conversation, text, None, "", message_type="note")]


def build_template(
    spec: ChannelSpec,
    conversation: Conversation,
    template: Template,
    filled: Mapping[Slot, str],
    *,
    header: Uploaded | None = None,
    media_base_url: str = "",
    button_values: Mapping[int, str] | None = None,
) -> list[Outgoing]:
    """A WhatsApp template: the rendered body as text, and the Cloud-API-shaped object. An
    uploaded header file goes as its public URL, built as for MMS."""
    body = transform_body(conversation, rendered_body(template, filled), "template")
    media = None
    if header is not None:
        media = HeaderMedia(public_media_url(media_base_url, header.s3_key), header.file_name)
    body["template"] = api_object(template, filled, header=media, button_values=button_values)
    return [Outgoing(spec.path_key, body)]


def quoting(requests: list[Outgoing], reply_to: int | str | None) -> list[Outgoing]:
    """The send's first message carries `reply_to_message_id` (contract: "Reply to a message"):
    one quote per reply, however many messages the channel splits it into."""
    if reply_to is None or not requests:
        return requests
    first = Outgoing(requests[0].path_key, {**requests[0].body, "reply_to_message_id": reply_to})
    return [first, *requests[1:]]


# -- conversation updates (PATCH /conversations/:id) ----------------------------------------------
# The contract's field names; `unread_count` 0 marks read and 1 marks unread.


def read_patch() -> dict[str, Any]:
    return {"unread_count": 0}


def unread_patch() -> dict[str, Any]:
    return {"unread_count": 1}


def close_patch() -> dict[str, Any]:
    return {"status": "closed"}


def reopen_patch() -> dict[str, Any]:
    return {"status": "open"}


def assign_patch(user_id: int | None) -> dict[str, Any]:
    """To an agent, or to nobody with None."""
    return {"assigned_user_id": user_id}


def unassign_patch() -> dict[str, Any]:
    return assign_patch(None)


def takeover_patch(me_id: int, reason: str) -> dict[str, Any]:
    """From the AI assistant to me: the assistant cleared, its auto-assignment turned off (with
    why, so a teammate sees it), the conversation assigned to me."""
    return {
        "assigned_ai_assistant_id": None,
        "ai_auto_assignment_disabled": True,
        "ai_auto_assignment_disabled_reason": reason,
        "assigned_user_id": me_id,
    }


# -- the organization's team replies (/conversation-predefined-messages [docs]) ---------------------

#: A team reply's `message_type` for an upload's file_category: the service says `document`
#: where uploads say `file` [docs: conversations/predefined-messages].
REPLY_TYPES = {"image": "image", "video": "video", "audio": "audio", "file": "document"}


def team_reply_body(
    organization_id: int, title: str, content: str, media: Uploaded | None = None
) -> dict[str, Any]:
    """A new team reply; with `media`, the uploaded file as its storage key (`media_url`, as the
    web app saves it), `filename`, `mime_type` and the `message_type` of its kind."""
    body: dict[str, Any] = {
        "organization_id": organization_id,
        "title": title,
        "content": content,
        "message_type": "text",
    }
    if media is not None:
        body |= {
            "message_type": REPLY_TYPES.get(media.file_category, "document"),
            "media_url": media.s3_key,
            "filename": media.file_name,
            "mime_type": media.file_type,
        }
    return body


def team_reply_patch(*, title: str | None = None, content: str | None = None) -> dict[str, Any]:
    """A change of a team reply: only what is given (its file stays as it is)."""
    body: dict[str, Any] = {}
    if title is not None:
        body["title"] = title
    if content is not None:
        body["content"] = content
    return body
