"""How the CLI prints what it fetched: padded tables, JSON, and a failure as JSON."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from tui.cli_common import _out


def table(rows: Sequence[Sequence[str | None]], headers: list[str], flexible: int) -> None:
    """Columns padded to fit; the `flexible` column absorbs what the terminal lacks."""
    from tui.core.text import cell_width, fit, one_line

    width = shutil.get_terminal_size((120, 24)).columns
    cells = [[one_line(c) for c in row] for row in rows]
    widths = [max([cell_width(h)] + [cell_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    fixed = sum(w for i, w in enumerate(widths) if i != flexible) + 2 * (len(headers) - 1)
    widths[flexible] = max(10, min(widths[flexible], width - fixed))
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
