"""What the API returns, parsed tolerantly: unknown fields ignored, numeric strings accepted,
documented alternatives (`signedUrl`, `_id`/`id`, a bare list for a page) understood.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from tui.core.times import NOT_A_TIME as NOT_A_TIME
from tui.core.times import OUT_OF_RANGE as OUT_OF_RANGE
from tui.core.times import iso as iso
from tui.core.times import parse_time as parse_time

T = TypeVar("T")


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)


class Ref(ApiModel):
    """A contact list row's embedded `owner` (`{"id", "first_name", "last_name"}`) or `company`
    (`{"id", "name"}`) [docs: contacts]."""

    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None

    @property
    def display_name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.name or None


class Contact(ApiModel):
    """A customer (`/contacts`): the conversation record names only its `contact_id`, so names
    come from here, batched (`ConversationCache`), or from a server's optional embedded copy."""

    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    phone_country_code: str | None = None
    phone_country_iso: str | None = None
    company_id: int | None = None
    owned_by_user_id: int | None = None
    channel_whatsapp_wa_id: str | None = None
    channel_instagram_user_id: str | None = None
    custom_fields_by_name: dict[str, Any] | None = None
    owner: Ref | None = None
    company: Ref | None = None

    @field_validator("custom_fields_by_name", mode="before")
    @classmethod
    def _fields(cls, v: Any) -> Any:
        return v if isinstance(v, dict) else None  # another shape: shown as none, never unreadable

    @field_validator("owner", "company", mode="before")
    @classmethod
    def _ref(cls, v: Any) -> Any:
        return v if isinstance(v, dict) else None  # a list row may carry them; a get does not

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.phone or self.email or (f"Contact {self.id}" if self.id else "Unknown")


class User(ApiModel):
    """An agent of the organization (`GET /users/me`, `GET /users`): whom a conversation is
    assigned to, and who "me" is for the Mine view and "assign to me"."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    organization_id: int | None = None

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email or f"User {self.id}"


class Conversation(ApiModel):
    id: int
    organization_id: int | None = None
    contact_id: int | None = None
    channel: str = ""
    status: str | None = None
    unread_count: int = 0
    assigned_user_id: int | None = None
    assigned_ai_assistant_id: int | str | None = None
    pipeline_id: int | None = None
    pipeline_stage_id: int | None = None
    ai_context_cut: Any = None
    ai_auto_assignment_disabled: bool | None = None
    ai_auto_assignment_disabled_reason: str | None = None
    blocked: bool | None = None
    #: The list's sort key: when anything last happened in the conversation [docs].
    last_interaction_at: datetime | None = None
    created_at: datetime | None = None
    #: Optional [ours] fields: a server may send them; without them the contact comes from
    #: `/contacts` and the last messages from reading the conversation (`ConversationCache`).
    contact: Contact | None = None
    last_message_text: str | None = None
    last_message_at: datetime | None = None
    last_inbound_message_at: datetime | None = None
    #: Set by the client, never by the server: why this row of a list could not be read (one
    #: sentence). Its readable fields are kept, the others are at their defaults, so it must not
    #: be acted on (its window may look closed or never opened); its id is negative when the
    #: server's was unusable. `client.get_conversation` reads it strictly (or names the field).
    unreadable: str | None = None

    _times = field_validator(
        "last_message_at", "last_inbound_message_at", "last_interaction_at", "created_at", mode="before"
    )(classmethod(lambda cls, v: parse_time(v)))

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, v: Any) -> str:
        return str(v or "").strip().lower()

    @field_validator("unread_count", mode="before")
    @classmethod
    def _unread(cls, v: Any) -> Any:
        return 0 if v is None else v

    @property
    def contact_name(self) -> str:
        if self.contact is not None:
            return self.contact.display_name
        return f"Contact {self.contact_id}" if self.contact_id is not None else "Unknown"

    @property
    def inbound_known(self) -> bool:
        """Whether `last_inbound_message_at` is known (None then means the customer never
        wrote): the server sent the field, or the client learnt it from the messages. Until
        then the reply window is unknown, never "closed"."""
        return "last_inbound_message_at" in self.model_fields_set

    @property
    def active_at(self) -> datetime | None:
        """When the conversation last moved: its newest message when known, else the server's
        `last_interaction_at` (rows show its age)."""
        return self.last_message_at or self.last_interaction_at


class Message(ApiModel):
    #: Opaque [docs]: a Mongo-style `_id` string on the WhatsApp-style services, a numeric `id`
    #: on others; kept exactly as the server gave it and never computed with (`message_key`).
    id: int | str = Field(validation_alias=AliasChoices("_id", "id"))
    conversation_id: int | None = None
    direction: str = "outbound"
    message_type: str = "text"
    message_text: str | None = None
    created_at: datetime | None = None
    status: str | None = None
    sender_name: str | None = None
    conversation_file_id: str | None = None
    file_name: str | None = None
    file_type: str | None = None
    file_size: int | None = None
    media_url: str | None = None
    #: The message this one answers (contract: "Reply to a message"); shown as a quote above it.
    reply_to_message_id: int | str | None = None
    #: A reaction's target ([ours]): reactions are marks on that message, never history items.
    reaction_to: int | str | None = None
    #: Set when the message was deleted (soft delete [docs]): shown as deleted.
    deleted_at: datetime | None = None
    #: An inbound file's object key on the storage host (public at media_base_url + "/" + key).
    s3_key: str | None = None
    #: Why the channel did not deliver it (`status: "failed"`), e.g. WhatsApp's 131049.
    error_code: int | str | None = None
    error_text: str | None = None
    #: A template message: the Cloud-API `template` object it was sent with, and (sandbox, [ours])
    #: the template's components at send time, so the history shows header, footer and buttons.
    template: dict[str, Any] | None = None
    template_components: list[dict[str, Any]] | None = None
    #: Set by the client, never by the server: why this item of a history page could not be read
    #: (one sentence, "This message could not be read (created_at: not a timestamp)."). Its
    #: readable fields are kept; its id is "unreadable-<index>-<skip>" when the server's was unusable.
    unreadable: str | None = None

    _time = field_validator("created_at", "deleted_at", mode="before")(
        classmethod(lambda cls, v: parse_time(v))
    )

    @field_validator("id", "reply_to_message_id", "reaction_to", mode="before")
    @classmethod
    def _opaque(cls, v: Any) -> Any:
        """An id stays the type the server gave (a number is not made a string)."""
        if isinstance(v, bool) or (isinstance(v, float) and not v.is_integer()):
            raise ValueError("an id must be a string or a whole number")
        return int(v) if isinstance(v, float) else v

    @field_validator("template", mode="before")
    @classmethod
    def _template(cls, v: Any) -> Any:
        return v if isinstance(v, dict) else None  # shown as a plain message, never unreadable

    @field_validator("template_components", mode="before")
    @classmethod
    def _template_components(cls, v: Any) -> Any:
        return [c for c in v if isinstance(c, dict)] if isinstance(v, list) else None

    @property
    def key(self) -> str:
        """The id as compared within one conversation (one channel service): its text."""
        return message_key(self.id)

    @property
    def is_note(self) -> bool:
        return self.message_type == "note"

    @property
    def is_reaction(self) -> bool:
        return self.message_type == "reaction"

    @property
    def is_inbound(self) -> bool:
        return self.direction == "inbound"


def message_key(value: int | str) -> str:
    """How a message id is compared: its text (`57` and `"57"` are one id within a service;
    a message's identity across conversations is (channel service, key))."""
    return str(value).strip()


class TemplateButton(ApiModel):
    """A BUTTONS entry: URL (its url may hold one variable), QUICK_REPLY, PHONE_NUMBER, or a kind
    this client does not know (shown by its name, never a crash)."""

    type: str = ""
    text: str | None = None
    url: str | None = None
    phone_number: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> str:
        return str(v or "").upper()


class TemplateComponent(ApiModel):
    type: str
    #: HEADER only: TEXT, IMAGE, VIDEO, DOCUMENT (others are shown, not sent).
    format: str | None = None
    text: str | None = None
    buttons: list[TemplateButton] = Field(default_factory=list)

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> str:
        return str(v or "").upper()

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, v: Any) -> str | None:
        return str(v).upper() if v else None

    @field_validator("buttons", mode="before")
    @classmethod
    def _buttons(cls, v: Any) -> list[Any]:
        """Only objects are buttons; anything else in the list is dropped."""
        return [b for b in v if isinstance(b, dict)] if isinstance(v, list) else []


class Template(ApiModel):
    id: int | str | None = None
    name: str
    language: str = "en_US"
    category: str | None = None
    status: str = "APPROVED"
    components: list[TemplateComponent] = Field(default_factory=list)

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, v: Any) -> Any:
        # Accept the Cloud API's `{"code": "en_US"}` as well as a bare code.
        return v.get("code", "en_US") if isinstance(v, dict) else v

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: Any) -> str:
        return str(v or "APPROVED").upper()

    def component(self, kind: str) -> TemplateComponent | None:
        return next((c for c in self.components if c.type == kind.upper()), None)


class Page(ApiModel, Generic[T]):
    """A Feathers page. A bare JSON list is accepted as a page holding everything."""

    total: int = 0
    limit: int = 0
    skip: int = 0
    data: list[T] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, v: Any) -> Any:
        if isinstance(v, list):
            return {"total": len(v), "limit": len(v), "skip": 0, "data": v}
        if isinstance(v, dict) and "total" not in v and isinstance(v.get("data"), list):
            return {**v, "total": v.get("total", len(v["data"]))}
        return v

    @property
    def has_more(self) -> bool:
        return self.skip + len(self.data) < self.total

    @property
    def unreadable_count(self) -> int:
        """Items kept in place as unreadable placeholders (see `Message.unreadable`)."""
        return sum(1 for item in self.data if getattr(item, "unreadable", None))


class SignedUpload(ApiModel):
    """Step 1 of an upload: where to PUT the bytes and the object's key."""

    url: str = Field(validation_alias=AliasChoices("url", "signedUrl", "signed_url"))
    s3_key: str = Field(validation_alias=AliasChoices("s3PathWithoutBucket", "s3_key", "key", "Key"))
    s3_path: str | None = Field(default=None, validation_alias=AliasChoices("s3Path", "s3_path"))


class ConversationFile(ApiModel):
    """Step 3 of an upload: the created document; its `_id` is the `conversation_file_id`."""

    id: str = Field(validation_alias=AliasChoices("_id", "id", "conversation_file_id"))


@dataclass(frozen=True)
class Uploaded:
    """A file the server now holds, with everything a send payload may need."""

    conversation_file_id: str
    s3_key: str
    s3_path: str
    file_name: str
    file_type: str
    file_size: int
    file_category: str


class TeamReply(ApiModel):
    """One of the organization's shared replies (`/conversation-predefined-messages` [docs]): a
    title (the picker's label), its text, and for a media reply the file at `media_url` (a storage
    key or a full URL, as saved) with its `filename` and `mime_type`. `message_type` is the API's
    word (`text`, `image`, `video`, `document`, `audio`, `location`, …)."""

    id: int | str
    organization_id: int | None = None
    title: str = ""
    content: str = ""
    message_type: str = "text"
    media_url: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    created_by_user_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _opaque(cls, v: Any) -> Any:
        if isinstance(v, bool) or (isinstance(v, float) and not v.is_integer()):
            raise ValueError("an id must be a string or a whole number")
        return int(v) if isinstance(v, float) else v

    @field_validator("title", "content", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else v  # a reply without a title or text is still listed

    @field_validator("message_type", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return v or "text"

    @field_validator("media_url", "filename", "mime_type", mode="before")
    @classmethod
    def _optional(cls, v: Any) -> Any:
        return v.strip() or None if isinstance(v, str) else v

    @field_validator("created_at", "updated_at", mode="before")
    @classmethod
    def _time(cls, v: Any) -> Any:
        try:
            return parse_time(v)
        except ValueError:
            return None  # shown without a date, never unreadable for it

    @property
    def name(self) -> str:
        """What the picker lists and searches: its title, else its id."""
        return self.title.strip() or f"Reply {self.id}"

    @property
    def text(self) -> str:
        return self.content

    @property
    def has_media(self) -> bool:
        return self.media_url is not None
