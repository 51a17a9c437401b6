"""How the CLI prints what it fetched: padded tables, JSON, and a failure as JSON."""

from __future__ import annotations

import json
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from tui.cli_common import _out

#: No column but the flexible one is wider than this, whatever a server sends.
MAX_COLUMN = 40
#: The flexible column keeps at least this many cells, even on a narrow terminal.
MIN_FLEXIBLE = 10


def column_widths(natural: list[int], floors: list[int], flexible: int, room: int) -> list[int]:
    """Widths that fit `room` cells where they can: each column capped at MAX_COLUMN (the
    flexible one at the room left), then the flexible one and the widest others shrunk toward
    their floors until the row fits."""
    gaps = 2 * (len(natural) - 1)
    widths = [n if i == flexible else min(n, MAX_COLUMN) for i, n in enumerate(natural)]
    floors = [min(f, w) for f, w in zip(floors, widths, strict=True)]
    fixed = sum(w for i, w in enumerate(widths) if i != flexible) + gaps
    widths[flexible] = max(floors[flexible], min(widths[flexible], room - fixed))
    while sum(widths) + gaps > room:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i] - floors[i])
        widths[widest] -= 1
    return widths


def table(rows: Sequence[Sequence[str | None]], headers: list[str], flexible: int) -> None:
    """Server data as columns padded in terminal cells, every cell neutralised and cut to its
    column, so no value can restyle the terminal or widen every row; the `flexible` column takes
    what the terminal has left."""
    from tui.core.text import cell_width, fit, one_line

    room = shutil.get_terminal_size((120, 24)).columns
    cells = [[one_line(c) for c in row] for row in rows]
    natural = [max([cell_width(h)] + [cell_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    floors = [MIN_FLEXIBLE if i == flexible else max(cell_width(h), 6) for i, h in enumerate(headers)]
    widths = column_widths(natural, floors, flexible, room)
    for row in [headers, *cells]:
        _out("  ".join(fit(cell, widths[i]) for i, cell in enumerate(row)).rstrip())


#: Characters JSON may carry raw but a terminal must not see: everything outside printable
#: ASCII is checked, and controls (C0, DEL, C1), format characters (bidi marks, overrides,
#: isolates, ZWJ, soft hyphen, tags), lone surrogates and line/paragraph separators become
#: \uXXXX escapes. Parsing gives back exactly the same string.
_CANDIDATE = re.compile(r"[^\x20-\x7e\n]")
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if unicodedata.category(ch) not in _ESCAPED_CATEGORIES:
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # a surrogate pair, as JSON spells a character beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps(data: Any) -> str:
    """`data` as indented JSON that is safe on a terminal and still readable: accents, CJK and
    emoji as themselves, every control or format character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return _CANDIDATE.sub(_escape, text)


def print_json(data: Any, *, line: bool = False) -> None:
    """`data` as JSON on stdout (see `dumps`); with `line`, on one line (see `dumps_line`)."""
    sys.stdout.write((dumps_line(data) if line else dumps(data)) + "\n")


def dumps_line(data: Any) -> str:
    """`data` as one line of ASCII JSON, for a stream of JSON Lines (`watch --json`) that a
    script reads line by line: every non-ASCII character escaped, and DEL too (json leaves it)."""
    text = json.dumps(data, ensure_ascii=True, separators=(", ", ": "), default=str)
    return text.replace("\x7f", "\\u007f")


Mask = Callable[[str], str]


def masked(data: Any, masks: Sequence[Mask]) -> Any:
    """`data` with every string, dictionary keys included and at any depth, passed through
    `masks` (the clients' `redact`): a server can echo the key in a field's name as well."""
    if isinstance(data, str):
        for mask in masks:
            data = mask(data)
        return data
    if isinstance(data, dict):
        return {masked(str(k), masks): masked(v, masks) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [masked(v, masks) for v in data]
    return data


def error_json(exc: BaseException, sentence: str, code: int, masks: Sequence[Mask] = ()) -> dict[str, Any]:
    """The `error` object of a failed command's `{"ok": false, "error": ...}`: its type, the
    sentence printed on stderr, the exit code, and what the error knows (reason, status, the
    server's per-field errors, retry_after, what may be sent instead, the newest message when a send
    --if-last found the conversation moved on), the key masked throughout."""
    data: dict[str, Any] = {"type": type(exc).__name__, "message": sentence, "exit_code": code}
    for attr in ("reason", "status", "errors", "retry_after", "allowed", "newest_message_id"):
        value = getattr(exc, attr, None)
        if value not in (None, {}, "", ()):
            data[attr] = value
    return dict(masked(data, masks))
