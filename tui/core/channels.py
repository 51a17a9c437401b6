"""The channel table: one row per channel with its endpoint, window rule, limits and send shape.

Everything channel-specific that is not the JSON itself lives here, so that a reader finds each
channel's rules in one place. Limits are pydantic models so a profile can override any of them
from TOML (`[profiles.NAME.limits.CHANNEL]`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tui.core.channel_names import KNOWN_CHANNELS as KNOWN_CHANNELS
from tui.core.channel_names import LABELS
from tui.core.channel_names import META_CHANNELS as META_CHANNELS
from tui.core.channel_names import label as label

MB = 1024 * 1024

FileCategory = Literal["image", "audio", "video", "file"]


class Family(StrEnum):
    """Which payload builder serves a channel."""

    TRANSFORM = "transform"
    SMS = "sms"
    PLAYGROUND = "playground"


class Split(StrEnum):
    """How a draft with several attachments becomes several messages."""

    CAPTION_FIRST = "caption_first"  # one message per file, the text as caption of the first
    TEXT_APART = "text_apart"  # the text as a message of its own, then one message per file
    ONE_URL = "one_url"  # SMS/MMS: one media_url per message, the text with the first


class MediaRule(BaseModel):
    """Which MIME types a channel takes in one file category, and how large."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: int = Field(gt=0)
    #: Accepted MIME types; an empty tuple means any type in this category.
    mime_types: tuple[str, ...] = ()

    def accepts(self, mime: str) -> bool:
        return not self.mime_types or mime in self.mime_types


class TextUnit(StrEnum):
    CHARS = "chars"
    BYTES = "bytes"  # UTF-8 bytes (Instagram)
    SMS = "sms"  # characters, with GSM-7/UCS-2 segments reported


class ChannelLimits(BaseModel):
    """A channel's limits. Every field may be overridden per profile."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text_max: int = Field(gt=0)
    text_unit: TextUnit = TextUnit.CHARS
    caption_max: int | None = None
    media: dict[FileCategory, MediaRule] = Field(default_factory=dict)


class ChannelSpec(BaseModel):
    """One row of the channel table."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    family: Family
    #: The key in `Paths` for this channel's send endpoint.
    path_key: str
    reply_window: bool
    notes: bool
    templates: bool
    split: Split
    limits: ChannelLimits


_OFFICE = (
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)

_PRODUCT_DEFAULT: dict[FileCategory, MediaRule] = {
    "image": MediaRule(max_bytes=25 * MB),
    "video": MediaRule(max_bytes=25 * MB),
    "audio": MediaRule(max_bytes=25 * MB),
    "file": MediaRule(max_bytes=25 * MB),
}

CHANNELS: dict[str, ChannelSpec] = {
    "whatsapp": ChannelSpec(
        name="whatsapp",
        label=LABELS["whatsapp"],
        family=Family.TRANSFORM,
        path_key="whatsapp",
        reply_window=True,
        notes=True,
        templates=True,
        split=Split.CAPTION_FIRST,
        limits=ChannelLimits(
            text_max=4096,
            caption_max=1024,
            media={
                "image": MediaRule(max_bytes=5 * MB, mime_types=("image/jpeg", "image/png")),
                "video": MediaRule(max_bytes=16 * MB, mime_types=("video/mp4", "video/3gpp")),
                "audio": MediaRule(
                    max_bytes=16 * MB,
                    mime_types=("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"),
                ),
                "file": MediaRule(max_bytes=100 * MB, mime_types=("application/pdf", "text/plain", *_OFFICE)),
            },
        ),
    ),
    "instagram": ChannelSpec(
        name="instagram",
        label=LABELS["instagram"],
        family=Family.TRANSFORM,
        path_key="instagram",
        reply_window=True,
        notes=True,
        templates=False,
        split=Split.TEXT_APART,
        limits=ChannelLimits(
            text_max=1000,
            text_unit=TextUnit.BYTES,
            media={
                "image": MediaRule(max_bytes=8 * MB, mime_types=("image/png", "image/jpeg")),
                "video": MediaRule(max_bytes=25 * MB),
                "audio": MediaRule(max_bytes=25 * MB),
                "file": MediaRule(max_bytes=25 * MB, mime_types=("application/pdf",)),
            },
        ),
    ),
    "messenger": ChannelSpec(
        name="messenger",
        label=LABELS["messenger"],
        family=Family.TRANSFORM,
        path_key="messenger",
        reply_window=True,
        notes=True,
        templates=False,
        split=Split.TEXT_APART,
        limits=ChannelLimits(text_max=2000, media=_PRODUCT_DEFAULT),
    ),
    "webchat": ChannelSpec(
        name="webchat",
        label=LABELS["webchat"],
        family=Family.TRANSFORM,
        path_key="webchat",
        reply_window=False,
        notes=True,
        templates=False,
        split=Split.CAPTION_FIRST,
        limits=ChannelLimits(text_max=4096, media=_PRODUCT_DEFAULT),
    ),
    "sms": ChannelSpec(
        name="sms",
        label=LABELS["sms"],
        family=Family.SMS,
        path_key="sms",
        reply_window=False,
        notes=False,
        templates=False,
        split=Split.ONE_URL,
        limits=ChannelLimits(
            text_max=1600,
            text_unit=TextUnit.SMS,
            media={
                "image": MediaRule(max_bytes=5 * MB),
                "video": MediaRule(max_bytes=5 * MB),
                "audio": MediaRule(max_bytes=5 * MB),
                "file": MediaRule(max_bytes=5 * MB),
            },
        ),
    ),
    "playground": ChannelSpec(
        name="playground",
        label=LABELS["playground"],
        family=Family.PLAYGROUND,
        path_key="playground",
        reply_window=False,
        notes=False,
        templates=False,
        split=Split.CAPTION_FIRST,
        limits=ChannelLimits(text_max=4096, media=_PRODUCT_DEFAULT),
    ),
}


def channel_spec(name: str, overrides: dict[str, dict[str, Any]] | None = None) -> ChannelSpec | None:
    """The row for `name` with a profile's limit overrides applied; None for an unknown channel."""
    spec = CHANNELS.get((name or "").lower())
    if spec is None:
        return None
    override = (overrides or {}).get(spec.name)
    if not override:
        return spec
    return spec.model_copy(update={"limits": merge_limits(spec.limits, override)})


def merge_limits(base: ChannelLimits, override: dict[str, Any]) -> ChannelLimits:
    """Apply a TOML override; `media.<category>` entries merge field by field."""
    data = base.model_dump()
    for key, value in override.items():
        if key == "media" and isinstance(value, dict):
            for category, rule in value.items():
                merged = dict(data["media"].get(category, {}))
                merged.update(rule if isinstance(rule, dict) else {})
                data["media"][category] = merged
        else:
            data[key] = value
    return ChannelLimits.model_validate(data)
