"""What "drawn" means, read off the emulated screen (never from timers in the app)."""

from __future__ import annotations

import re
from collections import Counter

from tests.bench.pty_harness import PtyApp

ROW = re.compile(r"^ (WA|IG|FB|WEB|SMS|PG)\s+\S")
LIST_TOP = 3  # header, views, filters, then the list


def bare_drawn(app: PtyApp) -> bool:
    """The bare app's header title, its Static and its footer are all on screen."""
    d = app.screen.display
    return "Bare" in d[0] and "Hello from the bare baseline app" in d[1] and "Quit" in d[-1]


def inbox_chrome_drawn(app: PtyApp) -> bool:
    """The inbox chrome: header title, views bar, filter line and the footer's key bar."""
    d = app.screen.display
    return (
        "Switchboard" in d[0]
        and "Needs reply" in d[1]
        and "all channels" in d[2]
        and "Search" in d[-1]
        and "Quit" in d[-1]
    )


def row_lines(app: PtyApp) -> list[int]:
    d = app.screen.display
    return [y for y in range(LIST_TOP, len(d) - 1) if ROW.match(d[y])]


def rows_drawn(minimum: int = 10):
    """The chrome and at least `minimum` conversation rows."""

    def check(app: PtyApp) -> bool:
        return inbox_chrome_drawn(app) and len(row_lines(app)) >= minimum

    return check


def list_bottom(app: PtyApp) -> int:
    """Last screen line of the list (the status line under it is hidden when empty)."""
    return app.lines - 2


def cursor_line(app: PtyApp, x: int = 60) -> int | None:
    """The list line drawn with the cursor background (the one background unlike the others)."""
    ys = range(LIST_TOP, list_bottom(app) + 1)
    bgs = {y: app.screen.buffer[y][x].bg for y in ys}
    common = Counter(bgs.values()).most_common(1)[0][0]
    odd = [y for y, bg in bgs.items() if bg != common]
    return odd[0] if len(odd) == 1 else None
