"""A template send's limits, header file and button values, checked before anything is uploaded.

A template beyond WhatsApp's published limits (`WHATSAPP_LIMITS`) is refused in one sentence when
it is chosen, before a form is built for it. A media header (IMAGE, VIDEO, DOCUMENT) needs one
file, and that file must be what the channel takes for that kind: WhatsApp's image 5 MB jpeg/png,
video 16 MB mp4/3gpp, document 100 MB, from the same channel table (and profile overrides) as any
attachment. A URL button whose url holds a variable needs one value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.core.channels import ChannelSpec
from tui.core.errors import PolicyRefusal
from tui.core.files import LocalFile, inspect_file
from tui.core.models import Template
from tui.core.policy import check_file
from tui.core.templates import (
    HEADER_CATEGORIES,
    TemplateValues,
    buttons,
    header_format,
    media_header,
    slots,
)
from tui.core.text import one_line


@dataclass(frozen=True)
class TemplateLimits:
    """What one message template may hold.

    WhatsApp's published limits (Meta, WhatsApp Business Platform, "Message templates" and
    "Template components"): at most 10 buttons, of which at most 2 URL buttons and 1 phone-number
    button; body text at most 1,024 characters; a text header at most 60 characters with at most
    1 variable; footer at most 60 characters. WhatsApp publishes no count for the body's
    variables (its review refuses a template whose variables outweigh its words), and neither
    do the contract nor the seed, so Switchboard takes 100: a 1,024-character body holds at most
    about 140 `{{n}}`, and the form stays at about 100 fields. The counts are a template's own
    text, before any value fills it."""

    buttons: int = 10
    url_buttons: int = 2
    phone_buttons: int = 1
    body_chars: int = 1024
    header_chars: int = 60
    footer_chars: int = 60
    header_variables: int = 1
    body_variables: int = 100


WHATSAPP_LIMITS = TemplateLimits()


def limit_problem(template: Template, limits: TemplateLimits = WHATSAPP_LIMITS) -> str | None:
    """One sentence saying which of WhatsApp's limits the template goes beyond, or None."""
    kinds = [b.type for b in buttons(template)]
    header = template.component("HEADER")
    header_text = header.text if header is not None and (header.format or "TEXT") == "TEXT" else None
    texts = {kind: (c.text if (c := template.component(kind)) else None) for kind in ("BODY", "FOOTER")}

    def variables(kind: str) -> int:  # read last: the texts are within their limits by then
        return sum(s.component == kind for s in slots(template))

    counts = (  # (how many, at most, what: plural, as a count over a limit is at least 2)
        (lambda: len(kinds), limits.buttons, "buttons"),
        (lambda: kinds.count("URL"), limits.url_buttons, "URL buttons"),
        (lambda: kinds.count("PHONE_NUMBER"), limits.phone_buttons, "phone-number buttons"),
        (lambda: len(texts["BODY"] or ""), limits.body_chars, "characters of body text"),
        (lambda: len(header_text or ""), limits.header_chars, "characters of header text"),
        (lambda: len(texts["FOOTER"] or ""), limits.footer_chars, "characters of footer text"),
        (lambda: variables("HEADER"), limits.header_variables, "header variables"),
        (lambda: variables("BODY"), limits.body_variables, "body variables"),
    )
    for count_of, most, what in counts:
        if (count := count_of()) > most:
            return (
                f"The template {one_line(template.name, 60)!r} has {count:,} {what} and WhatsApp "
                f"allows at most {most:,}, so it cannot be sent; fix it in WhatsApp Manager or pick "
                "another template."
            )
    return None


def check_limits(template: Template, limits: TemplateLimits = WHATSAPP_LIMITS) -> None:
    """Refuse, in one sentence, a template beyond WhatsApp's published limits."""
    problem = limit_problem(template, limits)
    if problem is not None:
        raise PolicyRefusal(problem, reason="template_over_limits")


def header_spec(spec: ChannelSpec, fmt: str) -> ChannelSpec:
    """The channel as a header of this format sees it: only that kind's rule, so a file picker
    or a check refuses anything else with the channel's own sentence."""
    category = HEADER_CATEGORIES[fmt]
    rule = spec.limits.media.get(category)  # type: ignore[call-overload]
    media = {category: rule} if rule is not None else {}
    return spec.model_copy(update={"limits": spec.limits.model_copy(update={"media": media})})


def check_header_file(
    template: Template, spec: ChannelSpec, file: Path | LocalFile | None
) -> LocalFile | None:
    """The inspected header file (None when the header takes none), or one sentence why not."""
    fmt = header_format(template)
    media = media_header(template)
    if fmt is not None and fmt != "TEXT" and media is None:
        raise PolicyRefusal(
            f"The template {template.name!r} has a {fmt.lower()} header, which Switchboard cannot "
            "fill; send it from WhatsApp Manager or pick another template.",
            reason="template_header_unsupported",
        )
    if media is None:
        if file is not None:
            raise PolicyRefusal(
                f"The template {template.name!r} has no image, video or document header, so it "
                "takes no header file; remove it.",
                reason="template_header_unexpected",
            )
        return None
    noun = {"IMAGE": "an image", "VIDEO": "a video", "DOCUMENT": "a document"}[media]
    if file is None:
        raise PolicyRefusal(
            f"The template {template.name!r} has {noun} header; pick the file to send with it.",
            reason="template_header_missing",
        )
    local = inspect_file(file)
    restricted = header_spec(spec, media)
    if not restricted.limits.media:
        raise PolicyRefusal(
            f"{spec.label} takes no {media.lower()} files, so this template cannot be sent here.",
            reason="template_header_unsupported",
        )
    if local.category != HEADER_CATEGORIES[media]:
        raise PolicyRefusal(
            f"The template {template.name!r} needs {noun} header, and {local.name!r} is {local.mime}; "
            f"pick {noun}.",
            reason="file_type",
        )
    check_file(local, restricted)
    return local


def check_buttons(template: Template, values: TemplateValues) -> dict[int, str]:
    """Button index -> value for every URL button that takes one; one sentence when one is
    missing or empty, or when values are left over."""
    filled, missing, leftover = values.assign_buttons(template)
    if missing:
        raise PolicyRefusal(
            f"The template {template.name!r} needs a value for {', '.join(b.label for b in missing)}; "
            "fill every button variable.",
            reason="template_missing_values",
        )
    if leftover:
        wanted = len(values.buttons) - len(leftover)
        takes = f"{wanted} button value{'s' if wanted != 1 else ''}" if wanted else "no button values"
        raise PolicyRefusal(
            f"The template {template.name!r} takes {takes} but {len(values.buttons)} "
            f"{'was' if len(values.buttons) == 1 else 'were'} given; remove the extra ones.",
            reason="template_extra_values",
        )
    empty = [str(i + 1) for i, v in filled.items() if not v.strip()]
    if empty:
        raise PolicyRefusal(
            f"The template {template.name!r} has an empty value for button {', '.join(empty)}; "
            "fill every button variable.",
            reason="template_missing_values",
        )
    return filled
