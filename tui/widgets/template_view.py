"""A sent WhatsApp template in the history: its header (the kind and the file's name, or the
header's text), the body as sent, the footer, and the buttons with their filled URLs.

Read from the message's `template` object (what was sent) and, when the backend gives them,
`template_components` (the template as it was then). Everything here came from a server, so it
enters as plain `rich.Text` from `visible()` strings, never markup; a malformed object shows what
can be read, never an error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError
from rich.text import Text

from tui.core.models import Message, Template
from tui.core.templates import MEDIA_HEADERS, Slot, button_lines, header_format, render, slots
from tui.core.text import one_line, visible

#: A media parameter's type -> the header kind shown.
_KINDS = {v: k.lower() for k, v in MEDIA_HEADERS.items()}


def _components(obj: dict[str, Any]) -> list[dict[str, Any]]:
    raw = obj.get("components")
    return [c for c in raw if isinstance(c, dict)] if isinstance(raw, list) else []


def _params(component: dict[str, Any]) -> list[dict[str, Any]]:
    raw = component.get("parameters")
    return [p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []


def _definition(m: Message) -> Template | None:
    if not m.template_components:
        return None
    try:
        return Template.model_validate(
            {"name": str((m.template or {}).get("name") or "?"), "components": m.template_components}
        )
    except ValidationError:
        return None


def _media_of(obj: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, file name) of the header file the object carries, or None."""
    for component in _components(obj):
        if str(component.get("type", "")).lower() != "header":
            continue
        for p in _params(component):
            kind = p.get("type")
            media = p.get(kind) if isinstance(kind, str) else None
            if isinstance(media, dict):
                name = media.get("filename")
                if not isinstance(name, str) or not name:
                    link = media.get("link")
                    path = urlsplit(link).path if isinstance(link, str) else ""
                    name = unquote(path.rsplit("/", 1)[-1]) or "file"
                return _KINDS.get(str(kind), str(kind)), name
    return None


def _texts(obj: dict[str, Any], kind: str, definition: Template) -> dict[Slot, str]:
    """The text parameters the object gave one component, by slot (named, else in order)."""
    wanted = [s for s in slots(definition) if s.component.lower() == kind]
    given = [
        p
        for c in _components(obj)
        if str(c.get("type", "")).lower() == kind
        for p in _params(c)
        if p.get("type") == "text" and isinstance(p.get("text"), str)
    ]
    filled: dict[Slot, str] = {}
    positional = [p for p in given if not p.get("parameter_name")]
    for slot in wanted:
        named = next((p["text"] for p in given if p.get("parameter_name") == slot.key), None)
        if named is not None:
            filled[slot] = named
        elif slot.positional and positional:
            filled[slot] = positional.pop(0)["text"]
    return filled


def _button_values(obj: dict[str, Any]) -> dict[int, str]:
    values: dict[int, str] = {}
    for c in _components(obj):
        if str(c.get("type", "")).lower() != "button":
            continue
        index, params = c.get("index"), _params(c)
        if str(index).isdigit() and params and isinstance(params[0].get("text"), str):
            values[int(str(index))] = params[0]["text"]
    return values


def template_text(m: Message) -> Text:
    """The template part of a history item: header, body, footer, buttons (one block each)."""
    obj = m.template or {}
    definition = _definition(m)
    out = Text(end="")
    media = _media_of(obj)
    fmt = header_format(definition) if definition is not None else None
    if media is not None:
        out.append(f"▣ {one_line(media[0], 12)} · {one_line(media[1], 80)}", style="bold")
        out.append("\n")
    elif definition is not None and fmt == "TEXT":
        header = definition.component("HEADER")
        if header is not None and header.text:
            out.append(
                visible(render(header.text, "HEADER", _texts(obj, "header", definition))), style="bold"
            )
            out.append("\n")
    elif fmt is not None:
        out.append(f"▣ {one_line(fmt.lower(), 12)} header", style="bold")
        out.append("\n")
    out.append(visible(m.message_text))
    if definition is not None:
        footer = definition.component("FOOTER")
        if footer is not None and footer.text:
            out.append("\n")
            out.append(visible(footer.text), style="dim")
        lines = button_lines(definition, _button_values(obj))
        if lines:
            out.append("\n")
            out.append("  ".join(one_line(line, 120) for line in lines), style="italic")
    return out
