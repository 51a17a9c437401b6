"""A template send's header file and button values, checked before anything is uploaded.

A media header (IMAGE, VIDEO, DOCUMENT) needs one file, and that file must be what the channel
takes for that kind: WhatsApp's image 5 MB jpeg/png, video 16 MB mp4/3gpp, document 100 MB, from
the same channel table (and profile overrides) as any attachment. A URL button whose url holds a
variable needs one value.
"""

from __future__ import annotations

from pathlib import Path

from tui.core.channels import ChannelSpec
from tui.core.errors import PolicyRefusal
from tui.core.files import LocalFile, inspect_file
from tui.core.models import Template
from tui.core.policy import check_file
from tui.core.templates import HEADER_CATEGORIES, TemplateValues, header_format, media_header


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
