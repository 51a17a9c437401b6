"""WhatsApp templates: their variables, how values fill them, and the rendered text.

Variables are positional (`{{1}}`) or named (`{{first_name}}`), in the HEADER (TEXT format) and the
BODY. Positional values fill the header's slots first, then the body's; named values fill every
slot of that name. The API object mirrors the WhatsApp Cloud API's `template`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.core.models import Template

VAR = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
FILLED_COMPONENTS = ("HEADER", "BODY")


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


def _text_of(template: Template, kind: str) -> str | None:
    comp = template.component(kind)
    if comp is None or comp.text is None:
        return None
    if kind == "HEADER" and (comp.format or "TEXT").upper() != "TEXT":
        return None
    return comp.text


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


@dataclass
class TemplateValues:
    """What the user typed: positional values in order, and named values by name."""

    positional: list[str] = field(default_factory=list)
    named: dict[str, str] = field(default_factory=dict)

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


def render(text: str, component: str, filled: Mapping[Slot, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        value = filled.get(Slot(component, m.group(1)))
        return value if value is not None else m.group(0)

    return VAR.sub(sub, text)


def rendered_body(template: Template, filled: Mapping[Slot, str]) -> str:
    return render(_text_of(template, "BODY") or "", "BODY", filled)


def rendered_preview(template: Template, filled: Mapping[Slot, str]) -> str:
    """Header, body and footer as the customer will read them."""
    parts = []
    header = _text_of(template, "HEADER")
    if header:
        parts.append(render(header, "HEADER", filled))
    parts.append(rendered_body(template, filled))
    footer = template.component("FOOTER")
    if footer and footer.text:
        parts.append(footer.text)
    return "\n\n".join(p for p in parts if p)


def api_object(template: Template, filled: Mapping[Slot, str]) -> dict[str, Any]:
    """The Cloud-API-shaped `template` object of the send payload."""
    components: list[dict[str, Any]] = []
    for kind in FILLED_COMPONENTS:
        params: list[dict[str, Any]] = []
        for slot in (s for s in slots(template) if s.component == kind):
            param: dict[str, Any] = {"type": "text", "text": filled[slot]}
            if not slot.positional:
                param = {"type": "text", "parameter_name": slot.key, "text": filled[slot]}
            params.append(param)
        if params:
            components.append({"type": kind.lower(), "parameters": params})
    return {"name": template.name, "language": {"code": template.language}, "components": components}


def find_template(templates: Sequence[Template], name: str, language: str | None) -> list[Template]:
    """Templates called `name` (and in `language` when given)."""
    return [t for t in templates if t.name == name and (language is None or t.language == language)]
