"""The rules a draft must meet before anything leaves the machine.

The 24-hour reply window of the Meta channels and every limit of the channel table are checked
here, and only here; a violation is a `PolicyRefusal` with one plain sentence, raised before any
upload or request.
"""

from __future__ import annotations

from datetime import datetime

from tui.core.channels import ChannelSpec, MediaRule
from tui.core.drafts import Draft
from tui.core.errors import PolicyRefusal
from tui.core.files import LocalFile, human_size, inspect_file
from tui.core.models import Conversation, Template
from tui.core.templates import TemplateValues, slots
from tui.core.textcount import measure
from tui.core.timefmt import human_duration
from tui.core.window import WINDOW as WINDOW
from tui.core.window import WindowState as WindowState
from tui.core.window import window_at


def window_state(
    conversation: Conversation, spec: ChannelSpec | None, now: datetime | None = None
) -> WindowState:
    """The conversation's reply window on its channel (`tui.core.window.window_at`): none where
    the channel has no window or is unknown to the channel table."""
    return window_at(conversation, applies=spec is not None and spec.reply_window, now=now)


#: Letters whose name starts with a vowel sound: "an SMS", "an MMS", but "a URL".
_VOWEL_SOUND_LETTERS = "AEFHILMNORSX"


def article(word: str) -> str:
    """ "a" or "an" by how the word sounds: an SMS, an MMS, an Instagram, a WhatsApp."""
    if len(word) > 1 and word.isupper():  # an initialism is read letter by letter
        return "an" if word[0] in _VOWEL_SOUND_LETTERS else "a"
    return "an" if word[:1].lower() in "aeiou" else "a"


#: How a sentence names each file category, by whether the channel limits its types.
_NOUNS = {"image": "images", "video": "videos", "audio": "audio files"}

#: Short names for the types a channel lists, as a reader knows them.
_TYPE_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "video/mp4": "MP4",
    "video/3gpp": "3GP",
    "audio/aac": "AAC",
    "audio/amr": "AMR",
    "audio/mpeg": "MP3",
    "audio/mp4": "M4A",
    "audio/ogg": "OGG",
    "application/pdf": "PDF",
    "text/plain": "plain text",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
}


def _noun(category: str, rule: MediaRule) -> str:
    """images, videos, audio files; documents when only some types go, other files when any do."""
    return _NOUNS.get(category) or ("documents" if rule.mime_types else "other files")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _alternatives(spec: ChannelSpec) -> tuple[str, ...]:
    return ("note", "template") if spec.templates else ("note",)


def _offer(spec: ChannelSpec) -> str:
    return "leave a note or send an approved template" if spec.templates else "leave a note instead"


def check_channel(conversation: Conversation, spec: ChannelSpec | None) -> ChannelSpec:
    if spec is None:
        if not conversation.channel:
            sentence = "This conversation has no channel Switchboard can send on"
        else:
            sentence = f"Switchboard cannot send on {conversation.channel!r} conversations"
        raise PolicyRefusal(f"{sentence}; answer it from the AchieveApex web app.", reason="unknown_channel")
    return spec


def check_window(conversation: Conversation, spec: ChannelSpec, now: datetime | None = None) -> None:
    """Refuse a customer-facing reply outside a Meta channel's window. An unknown window is
    not refused here: the send reads the newest messages first (`sender.prepare`), then decides."""
    state = window_state(conversation, spec, now)
    if state.open or not state.known:
        return
    if state.never_opened:
        sentence = (
            f"The customer has never written on this {spec.label} conversation, so no reply "
            f"window is open; {_offer(spec)}."
        )
    else:
        sentence = (
            f"The {spec.label} reply window closed {human_duration(state.closed_for)} ago "
            f"(24 h after the customer's last message); {_offer(spec)}."
        )
    raise PolicyRefusal(sentence, reason="window_closed", allowed=_alternatives(spec))


def check_text(text: str, spec: ChannelSpec, *, caption: bool = False) -> None:
    limits = spec.limits
    cap = limits.caption_max if caption and limits.caption_max else None
    m = measure(text, limits, limit=cap)
    if m.over:
        what = "caption" if cap else "message"
        extra = "; send the text on its own or shorten it" if cap else "; shorten it"
        a = article(spec.label).capitalize()
        raise PolicyRefusal(
            f"{a} {spec.label} {what} holds at most {m.limit:,} {m.unit} and this one has {m.used:,}{extra}.",
            reason="text_too_long",
        )


def check_file(file: LocalFile, spec: ChannelSpec) -> None:
    rule = spec.limits.media.get(file.category)  # type: ignore[call-overload]
    if rule is None or not rule.accepts(file.mime):
        accepted = _accepted(spec)
        raise PolicyRefusal(
            f"{spec.label} does not take {file.mime} files like {file.name!r}; it takes {accepted}.",
            reason="file_type",
        )
    if file.size > rule.max_bytes:
        raise PolicyRefusal(
            f"{file.name!r} is {human_size(file.size)}, over the {human_size(rule.max_bytes)} "
            f"{spec.label} allows for {_noun(file.category, rule)}; send a smaller file.",
            reason="file_too_big",
        )


def _accepted(spec: ChannelSpec) -> str:
    """What a channel takes, in words: "images (JPEG, PNG) up to 5 MB, ... and documents (PDF)"."""
    parts = []
    for category, rule in spec.limits.media.items():
        names = list(dict.fromkeys(_TYPE_NAMES.get(m, m) for m in rule.mime_types))
        kinds = f" ({', '.join(names)})" if names else ""
        parts.append(f"{_noun(category, rule)}{kinds} up to {human_size(rule.max_bytes)}")
    return _and(parts) if parts else "no files"


def check_reply(
    conversation: Conversation,
    spec: ChannelSpec,
    text: str,
    files: list[LocalFile],
    now: datetime | None = None,
) -> None:
    """A customer-facing reply: window, then text, then every file."""
    if not text.strip() and not files:
        raise PolicyRefusal("There is nothing to send; write a message or attach a file.", reason="empty")
    check_window(conversation, spec, now)
    caption = bool(files) and spec.split.value == "caption_first"
    if text:
        check_text(text, spec, caption=caption)
    for f in files:
        check_file(f, spec)


def check_note(spec: ChannelSpec, text: str, files: list[LocalFile]) -> None:
    if not spec.notes:
        raise PolicyRefusal(
            f"The API keeps no internal notes on {spec.label} conversations; send a reply instead.",
            reason="notes_unsupported",
        )
    if files:
        raise PolicyRefusal(
            "A note cannot carry attachments; send the files as a reply or remove them.",
            reason="note_with_files",
        )
    if not text.strip():
        raise PolicyRefusal("The note is empty; write something first.", reason="empty")
    check_text(text, spec)


def check_template_allowed(spec: ChannelSpec, *, has_files: bool) -> None:
    """Whether this conversation takes a template at all; checked before templates are fetched."""
    if not spec.templates:
        takes, send = (
            ("replies and notes", "a reply or a note") if spec.notes else ("replies only", "a reply")
        )
        raise PolicyRefusal(
            f"Templates are a WhatsApp feature; {spec.label} conversations take {takes}, "
            f"so send {send} instead.",
            reason="templates_unsupported",
        )
    if has_files:
        raise PolicyRefusal(
            "A template cannot carry attachments here; send the files separately.",
            reason="template_with_files",
        )


def check_template(template: Template, values: TemplateValues) -> None:
    """Only APPROVED templates, every variable filled, no value left over."""
    if template.status != "APPROVED":
        raise PolicyRefusal(
            f"The template {template.name!r} is {template.status}, and only APPROVED templates "
            "can be sent; pick an approved one.",
            reason="template_not_approved",
        )
    variables = slots(template)
    known = {s.key for s in variables} | {f"{s.component.lower()}.{s.key}" for s in variables}
    unknown = [k for k in values.named if k not in known]
    if unknown and not variables:
        raise PolicyRefusal(
            f"The template {template.name!r} has no variables, so {unknown[0]!r} cannot be filled; "
            "remove it.",
            reason="template_unknown_value",
        )
    if unknown:
        raise PolicyRefusal(
            f"The template {template.name!r} has no variable named {unknown[0]!r}; its variables are "
            f"{_and([s.label for s in variables])}.",
            reason="template_unknown_value",
        )
    filled, missing, leftover = values.assign(template)
    if missing:
        names = ", ".join(s.label for s in missing)
        raise PolicyRefusal(
            f"The template {template.name!r} needs a value for {names}; fill every variable.",
            reason="template_missing_values",
        )
    if leftover:
        given, used = len(values.positional), len(values.positional) - len(leftover)
        takes = f"{used} value{'s' if used != 1 else ''}" if used else "no values"
        which = "the last one" if len(leftover) == 1 else f"the last {len(leftover)}"
        raise PolicyRefusal(
            f"The template {template.name!r} takes {takes} in order but {given} "
            f"{'was' if given == 1 else 'were'} given; remove {which}.",
            reason="template_extra_values",
        )
    empty = [s.label for s, v in filled.items() if not v.strip()]
    if empty:
        raise PolicyRefusal(
            f"The template {template.name!r} has an empty value for {', '.join(empty)}; fill every variable.",
            reason="template_missing_values",
        )


def check_draft(
    conversation: Conversation, spec: ChannelSpec | None, draft: Draft, now: datetime | None = None
) -> tuple[ChannelSpec, list[LocalFile]]:
    """Every rule a draft must meet that needs no server: the one check behind both the screen's
    instant refusal and `sender.prepare`. Returns the channel and the inspected files.

    A template's own rules (approved, every variable filled) need the template list, so
    `prepare` checks those after fetching it."""
    spec = check_channel(conversation, spec)
    if draft.template is not None:
        check_template_allowed(spec, has_files=bool(draft.attachments))
        return spec, []
    files = [inspect_file(p) for p in draft.attachments]
    if draft.note:
        check_note(spec, draft.text, files)
    else:
        check_reply(conversation, spec, draft.text, files, now)
    return spec, files
