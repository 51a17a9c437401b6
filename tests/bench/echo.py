"""Row 3: keystroke -> echo with a 4,000-character draft, the composer (live counter on) vs a bare
TextArea app.

Both get the same draft by bracketed paste (paragraphs of soft-wrapped prose ending in a line
`END`), so the cursor sits after `END`. Then single letters are written to the pty one at a time;
a keystroke is echoed when the emulated screen shows `END` followed by every letter typed so far
(and, in the composer, when the live counter shows the new length as well).
"""

from __future__ import annotations

import time

from tests.bench import screens
from tests.bench.common import BARE_TEXTAREA, SWITCHBOARD, Home, log, median, temp_home
from tests.bench.pty_harness import PtyApp

DRAFT_CHARS = 4000
WARM_KEYS = 5
TIMED_KEYS = 30
LETTERS = "abcdefghijklmnoprstuvwxyz"
CONVERSATION = "Ana Lima"
COUNTER_SEEN: list[bool] = []  # WhatsApp, reply window open: the counter counts against 4,096


def draft() -> str:
    """Exactly DRAFT_CHARS characters: paragraphs of ~420 characters, then a last line `END`."""
    sentence = (
        "thanks for waiting while I checked the order with our warehouse team and the courier, "
        "who said the parcel left on Tuesday and should reach you by Friday. "
    )
    body = DRAFT_CHARS - len("\nEND")
    paragraph = (sentence * 3)[:419].rstrip() + "."
    text = "\n".join([paragraph] * (body // len(paragraph) + 1))[:body]
    text = text[:-1] + "."
    out = text + "\nEND"
    assert len(out) == DRAFT_CHARS, len(out)
    return out


def paste(app: PtyApp, text: str) -> None:
    app.write(b"\x1b[200~" + text.encode() + b"\x1b[201~")


def _type(app: PtyApp, counter: bool) -> list[float]:
    typed = ""
    times: list[float] = []
    for k in range(WARM_KEYS + TIMED_KEYS):
        ch = LETTERS[k % len(LETTERS)]
        typed += ch
        want = "END" + typed
        count = f"{DRAFT_CHARS + len(typed):,}/"

        def echoed(a: PtyApp, want: str = want, count: str = count) -> bool:
            return a.contains(want) and (not counter or a.contains(count))

        t0 = app.write(ch)
        t1 = app.wait_for(echoed, timeout=10, what=f"echo of {ch!r}")
        if k >= WARM_KEYS:
            times.append(t1 - t0)
        time.sleep(0.03)
    return times


def _bare(home: Home, text: str) -> list[float]:
    with PtyApp(BARE_TEXTAREA, home.env) as app:
        app.wait_for(lambda a: a.bytes_read > 0, what="bare TextArea")
        app.settle(0.3)
        paste(app, text)
        app.wait_for(lambda a: a.contains("END"), what="pasted draft")
        app.settle(0.3)
        return _type(app, counter=False)


def _composer(home: Home, text: str) -> list[float]:
    with PtyApp([SWITCHBOARD], home.env) as app:
        app.wait_for(screens.rows_drawn(10), what="inbox rows")
        app.settle(0.2)
        target = next((y for y in screens.row_lines(app) if CONVERSATION in app.screen.display[y]), None)
        assert target is not None, app.dump()
        for _ in range(target - screens.LIST_TOP):
            app.write("j")
            time.sleep(0.02)
        app.settle(0.2)
        assert screens.cursor_line(app) == target, app.dump()
        app.write("\r")
        app.wait_for(lambda a: a.contains("Reply to the customer"), what="composer")
        app.settle(0.5)
        paste(app, text)
        app.wait_for(lambda a: a.contains("END"), what="pasted draft")
        app.settle(0.3)
        # The counter is part of the echo when it is on screen (at 100x30 a long draft can push the
        # composer's bottom line out of view; the run notes it).
        visible = app.contains(f"{DRAFT_CHARS:,}/")
        COUNTER_SEEN.append(visible)
        return _type(app, counter=visible)


def run(runs: int, warmup: int = 1) -> dict[str, list[float]]:
    text = draft()
    out: dict[str, list[float]] = {"bare": [], "composer": [], "bare_all": [], "composer_all": []}
    for i in range(warmup + runs):
        # A fresh home each run: the app keeps a conversation's unsent draft between sessions.
        with temp_home() as home:
            bare = _bare(home, text)
            comp = _composer(home, text)
            if i < warmup:
                continue
            out["bare"].append(median(bare))
            out["composer"].append(median(comp))
            out["bare_all"].extend(bare)
            out["composer_all"].extend(comp)
            log(
                f"  echo run {i - warmup + 1}/{runs}: bare TextArea {median(bare) * 1e3:.1f} ms, "
                f"composer {median(comp) * 1e3:.1f} ms (medians of {len(comp)} keys)"
            )
    return out
