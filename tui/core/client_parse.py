"""From an answer's bytes to models, raising nothing but our typed errors.

JSON is bounded in size and in depth: the API's documents are a handful of levels deep, and
`json.loads` on 100,000 nested brackets raises `RecursionError`, which no caller expects. A
model that does not validate becomes a `BadResponseError` naming the field and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError

from tui.core.errors import BadResponseError
from tui.core.models import Page

M = TypeVar("M", bound=BaseModel)

#: JSON answers larger than this are refused rather than parsed (a misrouted download, a loop).
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: Deeper JSON is refused: the API's documents are a few levels deep, error data a few more.
MAX_JSON_DEPTH = 64


#: Fields a server cannot set: the client's own verdict on an item it could not read.
CLIENT_ONLY = frozenset({"unreadable"})


class UnreadableJson(ValueError):
    """The bytes are not JSON this client will read; `shape` says what they look like."""

    def __init__(self, shape: str) -> None:
        super().__init__(shape)
        self.shape = shape


def load_json(body: bytes) -> Any:
    """`body` parsed, or `UnreadableJson` whose `shape` fits "answered ... with <shape>"."""
    if len(body) > MAX_RESPONSE_BYTES:
        raise UnreadableJson(f"more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB")
    if not body.strip():
        raise UnreadableJson("nothing")
    try:
        value = json.loads(body)
    except RecursionError:
        raise UnreadableJson(f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError:  # also a bad encoding, and an integer too long to convert
        raise UnreadableJson("an HTML page" if body.lstrip()[:1] == b"<" else "broken JSON") from None
    if too_deep(value, MAX_JSON_DEPTH):
        raise UnreadableJson(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def too_deep(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def reason(error: dict[str, Any]) -> str:
    """One pydantic error as "field: why" ("created_at: not a timestamp")."""
    where = ".".join(str(p) for p in error.get("loc", ())) or "the body"
    msg = str(error.get("msg", "is not valid"))
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{where}: {msg[:1].lower()}{msg[1:]}"


def reasons(exc: ValidationError, most: int = 3) -> str:
    """Up to `most` field problems, "; "-separated."""
    errors = exc.errors(include_url=False, include_input=False)
    return "; ".join(reason(dict(e)) for e in errors[:most])


def _from_server(model: type[BaseModel], data: Any) -> Any:
    """`data` without the fields only the client may set (`unreadable`)."""
    if isinstance(data, dict) and CLIENT_ONLY & data.keys() and CLIENT_ONLY & model.model_fields.keys():
        return {k: v for k, v in data.items() if k not in CLIENT_ONLY}
    return data


def parse_model(model: type[M], data: Any, what: str, *, status: int = 200) -> M:
    """`data` as `model`, or a `BadResponseError` that names the field."""
    try:
        return model.model_validate(_from_server(model, data))
    except ValidationError as exc:
        detail = reasons(exc, most=1)
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        detail = f"a value in it cannot be read: {type(exc).__name__}"  # a validator's defect, typed
    raise BadResponseError(
        f"The server's answer for {what} is not what the API documents ({detail}); check base_url "
        "and the profile's paths.",
        status=status,
    )


def parse_items(
    model: type[M], data: Any, what: str, *, noun: str, fallback_id: Callable[[int], Any]
) -> Page[M]:
    """A page read item by item: one that does not validate stays in its place as a placeholder
    (its readable fields kept, `unreadable` saying why), so one bad row never empties a page,
    and `total`, positions and `has_more` stay the server's. `fallback_id(index)` names an item
    whose own id is unusable. The page itself (not a list, no `data`) is still read strictly."""
    envelope = parse_model(Page[Any], data, what)
    items = [_item(model, raw, noun, fallback_id(index)) for index, raw in enumerate(envelope.data)]
    return cast("Page[M]", envelope.model_copy(update={"data": items}))


@dataclass(frozen=True)
class Skipped:
    """An item left out of a list because it does not validate: its `name` when it has a
    readable one (server text: shown through `one_line`), and `why` ("components: ...")."""

    name: str | None
    why: str


def parse_each(model: type[M], data: Any, what: str) -> tuple[Page[Any], list[M], list[Skipped]]:
    """A page read item by item, for lists whose bad items are left out rather than kept in
    place (a template nobody can send has no place to keep): (the envelope with the server's
    raw `data`, so paging stays the server's; the items that validate; those that do not)."""
    envelope = parse_model(Page[Any], data, what)
    good: list[M] = []
    skipped: list[Skipped] = []
    for raw in envelope.data:
        try:
            good.append(model.model_validate(_from_server(model, raw)))
            continue
        except ValidationError as exc:
            why = reasons(exc, most=1)
        except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
            why = f"a value in it cannot be read: {type(exc).__name__}"
        name = raw.get("name") if isinstance(raw, dict) else None
        skipped.append(
            Skipped(
                name if isinstance(name, str) else None, why if isinstance(raw, dict) else "not an object"
            )
        )
    return envelope, good, skipped


def _item(model: type[M], raw: Any, noun: str, fallback_id: Any) -> M:
    raw = _from_server(model, raw)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        why = reasons(exc)
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        errors, why = [], f"a value in it cannot be read: {type(exc).__name__}"
    if not isinstance(raw, dict):
        kept: dict[str, Any] = {}
        why = "not an object"
    else:
        bad = {e["loc"][0] for e in errors if e.get("loc")}
        kept = {k: v for k, v in raw.items() if k not in bad}
    if not _usable_id(kept.get("id")):
        kept["id"] = fallback_id
    try:
        item = model.model_validate(kept)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        item = model.model_validate({"id": fallback_id})
    return item.model_copy(update={"unreadable": f"This {noun} could not be read ({why})."})


def _usable_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and 0 < len(value.strip()) <= 200
