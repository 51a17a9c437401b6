"""Feathers queries as the API's own REST client writes them: the `qs` library's bracket form.

`{"$sort": {"last_interaction_at": -1}, "id": {"$in": [4, 9]}, "assigned_user_id": None}`
becomes `$sort[last_interaction_at]=-1&id[$in][]=4&id[$in][]=9&assigned_user_id=`: nested
objects as `a[b]`, arrays as `a[]` repeated, `None` as an empty value (the API reads it as
null), booleans as `true`/`false`. The pairs keep their order, so golden tests can pin them.

A stock Feathers server's `qs` parser turns an array of more than 20 values into an object,
which its query schema refuses: `MAX_IN` is the longest array a query may hold, and `chunks`
splits a longer list into several queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

#: The most rows a page holds: the API answers at most this many, whatever is asked.
MAX_PAGE = 50
#: The most values one array of a query may hold.
MAX_IN = 20

Query = Mapping[str, Any]
Pairs = list[tuple[str, str]]


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _walk(prefix: str, value: Any, out: Pairs) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _walk(f"{prefix}[{key}]", inner, out)
    elif isinstance(value, list | tuple):
        if len(value) > MAX_IN:
            raise ValueError(f"{prefix} holds {len(value)} values; a query array holds at most {MAX_IN}")
        for inner in value:
            _walk(f"{prefix}[]", inner, out)
    else:
        out.append((prefix, _scalar(value)))


def encode(query: Query) -> Pairs:
    """The query's (key, value) pairs in the bracket form, in order; values unescaped (httpx
    percent-encodes them on the wire). An array longer than `MAX_IN` is a programming error."""
    out: Pairs = []
    for key, value in query.items():
        _walk(str(key), value, out)
    return out


def query_string(query: Query) -> str:
    """The pairs joined as a readable query string (unescaped): for golden tests and logs."""
    return "&".join(f"{k}={v}" for k, v in encode(query))


def chunks(values: Iterable[T], size: int = MAX_IN) -> Iterator[list[T]]:
    """`values` in lists of at most `size`, in order, without repeats."""
    batch: list[T] = []
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            continue
        seen.add(value)
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def page_query(limit: int = MAX_PAGE, skip: int = 0) -> dict[str, int]:
    """`$limit` (never above `MAX_PAGE`; 0 asks for the count alone) and `$skip`."""
    return {"$limit": max(0, min(limit, MAX_PAGE)), "$skip": max(skip, 0)}


def merged(*parts: Query | None) -> dict[str, Any]:
    """Several queries as one, later keys replacing earlier ones (None parts skipped)."""
    out: dict[str, Any] = {}
    for part in parts:
        if part:
            out.update(part)
    return out


__all__ = ["MAX_IN", "MAX_PAGE", "chunks", "encode", "merged", "page_query", "query_string"]
