"""What the sandbox checks in a WhatsApp template send, as a strict backend would: the template
exists and is APPROVED; the header and body get exactly their variables' parameters (named ones
by their names); a media header carries one `link` to a stored object of the right kind (a
document also its `filename`) within the channel's limits; every URL button with a variable gets
its parameter at its own index, and nothing else gets one. A failure is a 422 with `errors`
(413 for a header file over the channel's limit).

The message is stored with the object it was sent with, plus the template's components at that
moment (`_components`, read back as `template_components`), so a history can show the header,
footer and buttons.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from tui.core.channels import CHANNELS
from tui.core.files import category_of
from tui.core.models import Template
from tui.core.templates import HEADER_CATEGORIES, MEDIA_HEADERS, button_slots, media_header, slots
from tui.sandbox.feathers import Fail
from tui.sandbox.state import Sandbox
from tui.sandbox.template_faults import find


def _fail(errors: dict[str, str], reason: str) -> None:
    """The first problem found is the one said (under `template`, the field at fault)."""
    errors.setdefault("template", reason)


def _object_of_link(sb: Sandbox, link: Any) -> Any:
    """The stored object a public media URL names (`<base>/media/<key>`), or None."""
    path = urlsplit(link).path if isinstance(link, str) else ""
    key = unquote(path.split("/media/", 1)[1]) if "/media/" in path else None
    return sb.store.object(key) if key else None


def _components(spec: dict[str, Any], errors: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The sent components by type ("header", "body", "button:0"), each a list of parameters."""
    found: dict[str, list[dict[str, Any]]] = {}
    raw = spec.get("components", [])
    if not isinstance(raw, list):
        _fail(errors, "components must be a list")
        return found
    for component in raw:
        if not isinstance(component, dict):
            _fail(errors, "every component must be an object")
            continue
        kind = str(component.get("type", "")).lower()
        params = component.get("parameters", [])
        if not isinstance(params, list) or any(not isinstance(p, dict) for p in params):
            _fail(errors, f"{kind} parameters must be a list of objects")
            continue
        if kind == "button":
            if component.get("sub_type") != "url":
                _fail(errors, "only url buttons take parameters (sub_type url)")
                continue
            kind = f"button:{component.get('index')}"
        if kind in found:
            _fail(errors, f"the {kind} component is given twice")
        found[kind] = params
    return found


def _check_texts(template: Template, sent: dict[str, list[dict[str, Any]]], errors: dict[str, str]) -> None:
    media = media_header(template)
    for kind in ("header", "body"):
        wanted = [s for s in slots(template) if s.component.lower() == kind]
        params = sent.get(kind, [])
        if kind == "header" and media is not None:
            params = params[1:]  # the file comes first, checked apart
        texts = [p for p in params if p.get("type") == "text"]
        if len(texts) != len(params) or any(not isinstance(p.get("text"), str) for p in texts):
            _fail(errors, f"every {kind} parameter needs type text and a text")
        elif len(params) != len(wanted):
            _fail(errors, f"{kind} takes {len(wanted)} parameters, got {len(params)}")
        elif any(not p["text"].strip() for p in texts):
            _fail(errors, f"a {kind} parameter's text is empty")
        else:
            names = {s.key for s in wanted if not s.positional}
            for p in texts:
                name = p.get("parameter_name")
                if name is not None and name not in names:
                    _fail(errors, f"{kind} has no variable named {name!r}")


def _check_header(
    sb: Sandbox, template: Template, sent: dict[str, list[dict[str, Any]]], errors: dict[str, str]
) -> None:
    media = media_header(template)
    params = sent.get("header", [])
    if media is None:
        if any(p.get("type") != "text" for p in params):
            _fail(errors, "this template's header takes no file")
        return
    kind = MEDIA_HEADERS[media]
    noun = {"image": "an image", "video": "a video", "document": "a document"}[kind]
    first = params[0] if params else {}
    if first.get("type") != kind or not isinstance(first.get(kind), dict):
        _fail(errors, f"the header needs {noun} parameter with a link")
        return
    obj = _object_of_link(sb, first[kind].get("link"))
    if obj is None:
        _fail(errors, f"the {kind}'s link must be the public URL of an uploaded object")
        return
    category = HEADER_CATEGORIES[media]
    if category_of(obj["content_type"]) != category:
        _fail(errors, f"the {kind}'s link is a {obj['content_type']} object, not {noun}")
        return
    if kind == "document" and not isinstance(first[kind].get("filename"), str):
        _fail(errors, "a document header needs a filename")
        return
    rule = CHANNELS["whatsapp"].limits.media[category]  # type: ignore[index]
    if not rule.accepts(obj["content_type"]):
        _fail(errors, f"whatsapp does not take {obj['content_type']} {kind} headers")
    elif obj["size"] > rule.max_bytes:
        raise Fail(413, f"The {kind} header is larger than whatsapp allows ({rule.max_bytes} bytes)")


def _check_buttons(template: Template, sent: dict[str, list[dict[str, Any]]], errors: dict[str, str]) -> None:
    wanted = {f"button:{b.index}" for b in button_slots(template)}
    for key in wanted:
        params = sent.get(key)
        if not params:
            _fail(errors, f"the url button at index {key[7:]} has a variable and needs its parameter")
        elif (
            len(params) != 1 or params[0].get("type") != "text" or not str(params[0].get("text", "")).strip()
        ):
            _fail(errors, f"the url button at index {key[7:]} takes one parameter of type text with a text")
    for key in sent:
        if key.startswith("button:") and key not in wanted:
            _fail(errors, f"there is no url button with a variable at index {key[7:]}")


def check_template(sb: Sandbox, body: dict[str, Any], errors: dict[str, str]) -> dict[str, Any] | None:
    """Check the `template` of a send; returns what to store with the message (None on errors)."""
    spec = body.get("template")
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        _fail(errors, "must be an object with a name")
        return None
    language = (spec.get("language") or {}).get("code") if isinstance(spec.get("language"), dict) else None
    row = sb.store.one(
        "SELECT * FROM templates WHERE name = ? AND language = ?", (spec["name"], language or "")
    )
    data = (
        sb.store.template_json(row)
        if row is not None
        else find(sb.extra_templates, spec["name"], language or "")
    )
    if data is None:
        _fail(errors, f"no template {spec['name']!r} in {language}")
        return None
    try:
        template = Template.model_validate(data)
    except ValidationError:  # --bad-template's: listed, never sendable
        _fail(errors, f"{spec['name']} is malformed and cannot be sent")
        return None
    if template.status != "APPROVED":
        _fail(errors, f"{template.name} is {template.status}; only APPROVED templates can be sent")
        return None
    sent = _components(spec, errors)
    _check_texts(template, sent, errors)
    _check_header(sb, template, sent, errors)
    _check_buttons(template, sent, errors)
    for key in sent:
        if key not in ("header", "body") and not key.startswith("button:"):
            _fail(errors, f"unknown component type {key!r}")
    return None if errors else {**spec, "_components": data["components"]}
