"""WhatsApp templates: their variables, how values fill them, and the rendered text.

Variables are positional (`{{1}}`) or named (`{{first_name}}`), in the HEADER (TEXT format) and the
BODY. Positional values fill the header's slots first, then the body's; named values fill every
slot of that name. A URL button whose url holds a variable takes one value of its own, and an
IMAGE, VIDEO or DOCUMENT header takes a file. The API object mirrors the WhatsApp Cloud API's
`template`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.core.client_parse import Skipped
from tui.core.models import Contact, Template, TemplateButton

VAR = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
FILLED_COMPONENTS = ("HEADER", "BODY")
#: A media header's format -> the Cloud API's parameter type.
MEDIA_HEADERS = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document"}
#: A media header's format -> the API's file_category (the channel's limits are per category).
HEADER_CATEGORIES = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "file"}
#: Variable names a conversation's contact fills in.
CONTACT_KEYS = ("first_name", "last_name", "name", "phone", "email")


class TemplateList(list[Template]):
    """The templates that could be read, in the server's order; `skipped` are those left out
    because they could not be (one bad template never hides the others)."""

    def __init__(self, templates: Iterable[Template] = (), skipped: Iterable[Skipped] = ()) -> None:
        super().__init__(templates)
        self.skipped: list[Skipped] = list(skipped)


def skipped_line(count: int) -> str:
    """What a listing says of the templates it could not read: one line, "" for none."""
    if not count:
        return ""
    if count == 1:
        return "1 template could not be read and is not shown."
    return f"{count} templates could not be read and are not shown."


@dataclass(frozen=True)
class Slot:
    """One variable of one component; `key` is "1" or "first_name"."""

    component: str  # "HEADER" or "BODY"
    key: str

    @property
    def positional(self) -> bool:
        return self.key.isdigit()

    @property
    def label(self) -> str:
        where = "header" if self.component == "HEADER" else "body"
        return f"{where} {{{{{self.key}}}}}"


@dataclass(frozen=True)
class ButtonSlot:
    """A URL button whose url holds a variable; `index` is its position among all the buttons."""

    index: int
    button: TemplateButton
    key: str

    @property
    def label(self) -> str:
        return f"button {self.button.text or self.index + 1} {{{{{self.key}}}}}"


def _text_of(template: Template, kind: str) -> str | None:
    comp = template.component(kind)
    if comp is None or comp.text is None:
        return None
    if kind == "HEADER" and (comp.format or "TEXT") != "TEXT":
        return None
    return comp.text


def header_format(template: Template) -> str | None:
    """TEXT, IMAGE, VIDEO, DOCUMENT (or a kind this client does not know); None without a header."""
    comp = template.component("HEADER")
    if comp is None:
        return None
    return comp.format or "TEXT"


def media_header(template: Template) -> str | None:
    """IMAGE, VIDEO or DOCUMENT when the header is a file the agent supplies, else None."""
    fmt = header_format(template)
    return fmt if fmt in MEDIA_HEADERS else None


def buttons(template: Template) -> list[TemplateButton]:
    comp = template.component("BUTTONS")
    return list(comp.buttons) if comp is not None else []


def button_slots(template: Template) -> list[ButtonSlot]:
    """The URL buttons that take a value, in button order (their index counts every button)."""
    found = []
    for index, button in enumerate(buttons(template)):
        if button.type == "URL" and button.url and (m := VAR.search(button.url)):
            found.append(ButtonSlot(index, button, m.group(1)))
    return found


def slots(template: Template) -> list[Slot]:
    """The distinct variables in fill order: header then body, positional in number order."""
    found: list[Slot] = []
    for kind in FILLED_COMPONENTS:
        text = _text_of(template, kind)
        if not text:
            continue
        keys = list(dict.fromkeys(VAR.findall(text)))
        keys.sort(key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0))
        found.extend(Slot(kind, k) for k in keys)
    return found


def contact_value(key: str, contact: Contact | None) -> str:
    """What the contact says for a well-known variable name (first_name, name, phone...), or ""."""
    if contact is None or key.lower() not in CONTACT_KEYS:
        return ""
    known = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "name": " ".join(p for p in (contact.first_name, contact.last_name) if p) or None,
        "phone": contact.phone,
        "email": contact.email,
    }
    return " ".join((known[key.lower()] or "").split())


@dataclass
class TemplateValues:
    """What the user typed: positional values in order, named values by name, and one value per
    URL button that takes one (in button order)."""

    positional: list[str] = field(default_factory=list)
    named: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)

    def assign(self, template: Template) -> tuple[dict[Slot, str], list[Slot], list[str]]:
        """(filled slots, missing slots, leftover positional values)."""
        filled: dict[Slot, str] = {}
        queue = list(self.positional)
        missing: list[Slot] = []
        for slot in slots(template):
            keyed = self.named.get(f"{slot.component.lower()}.{slot.key}", self.named.get(slot.key))
            if keyed is not None:
                filled[slot] = keyed
            elif slot.positional and queue:
                filled[slot] = queue.pop(0)
            else:
                missing.append(slot)
        return filled, missing, queue

    def assign_buttons(self, template: Template) -> tuple[dict[int, str], list[ButtonSlot], list[str]]:
        """(button index -> value, URL buttons left without a value, values left over)."""
        wanted = button_slots(template)
        filled = {b.index: v for b, v in zip(wanted, self.buttons, strict=False)}
        return filled, wanted[len(self.buttons) :], list(self.buttons[len(wanted) :])


def render(text: str, component: str, filled: Mapping[Slot, str]) -> str:
    """The text with each filled variable replaced; an empty one shows as its own `{{key}}`."""

    def sub(m: re.Match[str]) -> str:
        value = filled.get(Slot(component, m.group(1)))
        return value if value is not None and value.strip() else "{{" + m.group(1) + "}}"

    return VAR.sub(sub, text)


def rendered_body(template: Template, filled: Mapping[Slot, str]) -> str:
    return render(_text_of(template, "BODY") or "", "BODY", filled)


def button_url(button: TemplateButton, value: str | None) -> str:
    """A URL button's address with its variable filled (or left as `{{1}}` when empty)."""
    url = button.url or ""
    return VAR.sub(lambda m: value if value and value.strip() else "{{" + m.group(1) + "}}", url, count=1)


def header_line(template: Template, file_name: str | None = None) -> str | None:
    """A media header in words: "[image: photo.jpg]", or "[image: no file yet]"."""
    fmt = header_format(template)
    if fmt is None or fmt == "TEXT":
        return None
    kind = fmt.lower()
    return f"[{kind}: {file_name}]" if file_name else f"[{kind}: no file yet]"


def button_lines(template: Template, values: Mapping[int, str] | None = None) -> list[str]:
    """Each button in words: "[Track → https://…/A-1001]", "[Stop]", "[Call → +1555…]"."""
    values = values or {}
    lines = []
    for index, b in enumerate(buttons(template)):
        label = b.text or b.type.lower().replace("_", " ") or "button"
        if b.type == "URL":
            lines.append(f"[{label} → {button_url(b, values.get(index))}]")
        elif b.type == "PHONE_NUMBER":
            lines.append(f"[{label} → {b.phone_number or 'no number'}]")
        elif b.type == "QUICK_REPLY":
            lines.append(f"[{label}]")
        else:
            lines.append(f"[{label} · {b.type.lower() or 'unknown kind'}]")
    return lines


def rendered_preview(
    template: Template,
    filled: Mapping[Slot, str],
    *,
    header_file: str | None = None,
    button_values: Mapping[int, str] | None = None,
) -> str:
    """Header, body, footer and buttons as the customer will read them."""
    parts = []
    header = _text_of(template, "HEADER")
    if header:
        parts.append(render(header, "HEADER", filled))
    elif line := header_line(template, header_file):
        parts.append(line)
    parts.append(rendered_body(template, filled))
    footer = template.component("FOOTER")
    if footer and footer.text:
        parts.append(footer.text)
    if lines := button_lines(template, button_values):
        parts.append("\n".join(lines))
    return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True)
class HeaderMedia:
    """An uploaded header file: its public URL (built as for MMS) and its name."""

    link: str
    filename: str


def api_object(
    template: Template,
    filled: Mapping[Slot, str],
    *,
    header: HeaderMedia | None = None,
    button_values: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The Cloud-API-shaped `template` object of the send payload: header, body, then buttons."""
    components: list[dict[str, Any]] = []
    media = media_header(template)
    for kind in FILLED_COMPONENTS:
        params: list[dict[str, Any]] = []
        if kind == "HEADER" and media is not None and header is not None:
            kind_name = MEDIA_HEADERS[media]
            obj = {"link": header.link}
            if kind_name == "document":
                obj["filename"] = header.filename
            params.append({"type": kind_name, kind_name: obj})
        for slot in (s for s in slots(template) if s.component == kind):
            param: dict[str, Any] = {"type": "text", "text": filled[slot]}
            if not slot.positional:
                param = {"type": "text", "parameter_name": slot.key, "text": filled[slot]}
            params.append(param)
        if params:
            components.append({"type": kind.lower(), "parameters": params})
    values = button_values or {}
    for b in button_slots(template):
        components.append(
            {
                "type": "button",
                "sub_type": "url",
                "index": str(b.index),
                "parameters": [{"type": "text", "text": values[b.index]}],
            }
        )
    return {"name": template.name, "language": {"code": template.language}, "components": components}


def find_template(templates: Sequence[Template], name: str, language: str | None) -> list[Template]:
    """Templates called `name` (and in `language` when given)."""
    return [t for t in templates if t.name == name and (language is None or t.language == language)]
