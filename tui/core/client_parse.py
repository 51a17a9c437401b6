"""From an answer's bytes to models, raising nothing but our typed errors.

JSON is bounded in size and in depth: the API's documents are a handful of levels deep, and
`json.loads` on 100,000 nested brackets raises `RecursionError`, which no caller expects. A
model that does not validate becomes a `BadResponseError` naming the field and why.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tui.core.errors import BadResponseError

M = TypeVar("M", bound=BaseModel)

#: JSON answers larger than this are refused rather than parsed (a misrouted download, a loop).
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: Deeper JSON is refused: the API's documents are a few levels deep, error data a few more.
MAX_JSON_DEPTH = 64


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


def parse_model(model: type[M], data: Any, what: str, *, status: int = 200) -> M:
    """`data` as `model`, or a `BadResponseError` that names the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        detail = reasons(exc, most=1)
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        detail = f"a value in it cannot be read: {type(exc).__name__}"  # a validator's defect, typed
    raise BadResponseError(
        f"The server's answer for {what} is not what the API documents ({detail}); check base_url "
        "and the profile's paths.",
        status=status,
    )
