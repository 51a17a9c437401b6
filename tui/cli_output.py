"""How the CLI prints what it fetched: padded tables, JSON, and a failure as JSON."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
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


def print_json(data: Any) -> None:
    """`data` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def error_json(exc: Any) -> dict[str, Any]:
    """The `error` object of a failed command's `{"ok": false, ...}`."""
    data: dict[str, Any] = {"type": type(exc).__name__, "message": exc.sentence}
    for attr in ("reason", "status", "errors", "retry_after"):
        value = getattr(exc, attr, None)
        if value not in (None, {}, ""):
            data[attr] = value
    return data
