"""Feathers queries as the sandbox's finds read them, strictly, one schema per service.

The query string is read the way a stock Feathers server's `qs` parser and query schema read it:
- `field=value` (equality), `field[$op]=value` for `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, and the
  arrays `field[$in][]=a&field[$in][]=b` (bracket form) or `field[$in][0]=a&field[$in][1]=b`
  (indices form), also for `$nin`; more than `ARRAY_MAX` (20) values in one array is refused
  (400), as `qs` turns a longer array into an object that the schema refuses;
- `$limit` (at most `PAGE_MAX`, 50: more answers `limit: 50`, as Feathers' `paginate.max`;
  `$limit=0` answers the count alone), `$skip`, `$sort[field]=1|-1` (several keep their order),
  `$select[]=field` (the record holds only those fields, and always its id);
- an empty value, or the literal `null`, is null where the field may be null.

Anything the service's `Schema` does not name, an operator it does not allow on that field, a
value of the wrong type or a parameter given twice is a 400 BadRequest whose `errors` names the
parameter: a client that sends what the API does not document finds out here, not in production.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui.sandbox.feathers import Fail

__all__ = [
    "ARRAY_MAX",
    "PAGE_MAX",
    "Field",
    "Query",
    "Schema",
    "boolean",
    "integer",
    "iso_time",
    "millis",
    "one_of",
    "parse_query",
    "text",
    "where",
]

ARRAY_MAX = 20
PAGE_MAX = 50
ARRAY_OPS = frozenset({"$in", "$nin"})
SCALAR_OPS = frozenset({"$ne", "$gt", "$gte", "$lt", "$lte"})
_KEY = re.compile(r"(?P<name>[^\[\]]+)(?P<rest>(?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_INTEGER = re.compile(r"-?\d{1,18}")


def integer(value: str) -> int:
    if not _INTEGER.fullmatch(value.strip()):
        raise ValueError("must be a number")
    return int(value)


def text(value: str) -> str:
    return value


def boolean(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ValueError("must be true or false")
    return value.lower() == "true"


def iso_time(value: str) -> int:
    """An ISO 8601 date or time (`Z` or an offset; a bare date is UTC midnight), as epoch
    milliseconds: compared with `millis(column)`, so that a time read back from a record (served
    to the millisecond) matches that record."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be an ISO 8601 date") from None
    return round((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() * 1000)


def millis(column: str) -> str:
    """SQL: a stored epoch-seconds column in whole milliseconds, as records serve it."""
    return f"CAST({column} * 1000 AS INTEGER)"


def one_of(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return check


@dataclass(frozen=True)
class Field:
    """A filterable field: how its values read, which operators it takes (`$eq` is the plain
    `field=value`), and whether an empty value or `null` means null."""

    kind: Callable[[str], Any]
    ops: frozenset[str] = frozenset({"$eq"})
    nullable: bool = False


@dataclass(frozen=True)
class Schema:
    """What one find accepts."""

    fields: dict[str, Field]
    sorts: tuple[str, ...] = ()
    selects: tuple[str, ...] = ()
    extras: dict[str, Callable[[str], Any]] = field(default_factory=dict)  # plain, not filters
    required: tuple[str, ...] = ()


@dataclass
class Query:
    """A parsed find: the page, the order, the selection, the filters and the other parameters."""

    limit: int = PAGE_MAX
    skip: int = 0
    sort: list[tuple[str, int]] = field(default_factory=list)
    select: list[str] | None = None
    filters: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> operator -> value
    extras: dict[str, Any] = field(default_factory=dict)

    def eq(self, name: str, default: Any = None) -> Any:
        return self.filters.get(name, {}).get("$eq", default)


def _bad(key: str, reason: str) -> Fail:
    return Fail(400, f"Invalid query parameter {key}: {reason}", {key: reason})


def _value(spec: Field, key: str, raw: str, *, nullable: bool) -> Any:
    if nullable and spec.nullable and raw.strip() in ("", "null"):
        return None
    try:
        return spec.kind(raw)
    except ValueError as exc:
        raise _bad(key, str(exc)) from None


class _Arrays:
    """Array parameters as they arrive: pushed (`[]`) or indexed (`[3]`), each capped."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[list[Any], dict[int, Any]]] = {}

    def add(self, name: str, index: str, value: Any, key: str) -> None:
        pushed, indexed = self.items.setdefault(name, ([], {}))
        if index == "":
            pushed.append(value)
        elif index.isdigit():
            if int(index) in indexed:
                raise _bad(key, "is given twice")
            indexed[int(index)] = value
        else:
            raise _bad(key, "is not an array index")
        if len(pushed) + len(indexed) > ARRAY_MAX:
            raise _bad(key.split("[")[0], f"at most {ARRAY_MAX} values in one array")

    def values(self, name: str) -> list[Any]:
        pushed, indexed = self.items[name]
        return [indexed[i] for i in sorted(indexed)] + pushed


def parse_query(items: Iterable[tuple[str, str]], schema: Schema) -> Query:
    """The find's query (`request.query_params.multi_items()`), checked against `schema`."""
    query = Query()
    arrays = _Arrays()
    seen: set[str] = set()
    for key, raw in items:
        match = _KEY.fullmatch(key)
        if match is None:
            raise _bad(key, "is not a query parameter")
        name, segments = match["name"], _SEGMENT.findall(match["rest"])
        if not segments or (segments[-1] != "" and not segments[-1].isdigit()):  # not an array item
            if key in seen:
                raise _bad(key, "is given twice")
            seen.add(key)
        if name in ("$limit", "$skip") and not segments:
            number = _value(Field(integer), key, raw, nullable=False)
            if number < 0:
                raise _bad(key, "must be 0 or more")
            if name == "$limit":
                query.limit = min(number, PAGE_MAX)
            else:
                query.skip = number
        elif name == "$sort" and len(segments) == 1:
            if segments[0] not in schema.sorts:
                raise _bad(key, f"cannot sort by {segments[0]!r}; sortable: {', '.join(schema.sorts)}")
            if raw.strip() not in ("1", "-1"):
                raise _bad(key, "must be 1 or -1")
            query.sort.append((segments[0], int(raw)))
        elif name == "$select" and len(segments) == 1:
            if raw not in schema.selects:
                raise _bad(key, f"cannot select {raw!r}")
            arrays.add("$select", segments[0], raw, key)
        elif name in schema.extras and not segments:
            query.extras[name] = _value(Field(schema.extras[name]), key, raw, nullable=False)
        elif name in schema.fields:
            _filter(query, arrays, schema.fields[name], name, segments, key, raw)
        else:
            raise Fail(400, f"Unknown query parameter {key}", {key: "is not allowed"})
    for name in list(arrays.items):
        if name == "$select":
            query.select = arrays.values(name)
        else:
            column, op = name.split(" ")
            query.filters.setdefault(column, {})[op] = arrays.values(name)
    for name in schema.required:
        if name not in query.filters:
            raise Fail(400, f"{name} is required", {name: "is required"})
    return query


def _filter(
    query: Query, arrays: _Arrays, spec: Field, name: str, segments: list[str], key: str, raw: str
) -> None:
    op = segments[0] if segments else "$eq"
    if op not in spec.ops:
        raise _bad(key, f"{name} takes no {op}" if segments else f"{name} is not an equality filter")
    if op in ARRAY_OPS:
        if len(segments) == 1:  # `id[$in]=4`: one value
            segments = [op, ""]
        if len(segments) != 2:
            raise _bad(key, "is not a query parameter")
        arrays.add(f"{name} {op}", segments[1], _value(spec, key, raw, nullable=False), key)
    elif len(segments) <= 1:
        query.filters.setdefault(name, {})[op] = _value(spec, key, raw, nullable=op in ("$eq", "$ne"))
    else:
        raise _bad(key, "is not a query parameter")


SQL_OPS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def where(query: Query, columns: dict[str, str]) -> tuple[list[str], list[Any]]:
    """SQL conditions (and their arguments) for the filters on `columns` (field -> expression).
    `$ne` and `$nin` keep the rows where the field is null, as Feathers' memory and Mongo
    adapters do."""
    clauses: list[str] = []
    args: list[Any] = []
    for name, expr in columns.items():
        for op, value in query.filters.get(name, {}).items():
            if op == "$eq":
                clauses.append(f"{expr} IS ?")
                args.append(value)
            elif op == "$ne":
                clauses.append(f"{expr} IS NOT ?")
                args.append(value)
            elif op in ARRAY_OPS:
                marks = ", ".join("?" for _ in value)
                if op == "$in":
                    clauses.append(f"{expr} IN ({marks})" if value else "0")
                elif value:
                    clauses.append(f"({expr} IS NULL OR {expr} NOT IN ({marks}))")
                args.extend(value)
            else:
                clauses.append(f"{expr} {SQL_OPS[op]} ?")
                args.append(value)
    return clauses, args


def order_by(query: Query, default: tuple[str, int], columns: dict[str, str], tie: str) -> str:
    """The ORDER BY clause: the query's sort (else `default`), ties broken by `tie` in the
    direction of the first key."""
    keys = query.sort or [default]
    parts = [f"{columns[name]} {'ASC' if d == 1 else 'DESC'} NULLS LAST" for name, d in keys]
    parts.append(f"{tie} {'ASC' if keys[0][1] == 1 else 'DESC'}")
    return ", ".join(parts)


def selected(doc: dict[str, Any], query: Query, always: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """`doc` with only the `$select`ed fields (and its id), when the query selects."""
    if query.select is None:
        return doc
    keep = set(query.select) | set(always)
    return {k: v for k, v in doc.items() if k in keep}
