"""How much colour the terminal shows, decided once before the first frame.

Textual draws in truecolour and lets Rich downgrade it for the terminal. Two terminals need more:

* TERM=dumb: Rich detects no colour system, and Textual then falls back to truecolour escapes.
  Every colour is dropped instead (Textual's own NoColor filter) and the app carries
  `-no-colour`, where the stylesheet marks what colour alone marked (the list's cursor row).
* 16 colours (TERM=xterm, xterm-16color, a Linux console): a translucent modal background blends
  the screen behind into mid-greys that all become light grey on white (a light theme) or nothing
  (an ANSI theme cannot blend). The app carries `-few-colours`, where modals are transparent.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.filter import Monochrome, NoColor

NO_COLOUR = "-no-colour"
FEW_COLOURS = "-few-colours"


def adapt_to_terminal(app: App[Any]) -> None:
    """Give `app` the class (and for TERM=dumb, the filter) its terminal needs."""
    console = app.console
    if console.is_dumb_terminal:
        app.no_color = True
        # NO_COLOR's Monochrome filter draws greys in truecolour: NoColor sends no colour at all.
        # Textual has no public way to change its filters after start-up.
        kept = [f for f in app._filters if not isinstance(f, Monochrome | NoColor)]
        app._filters[:] = [*kept, NoColor()]
        app.add_class(NO_COLOUR)
    elif console.color_system in ("standard", "windows"):
        app.add_class(FEW_COLOURS)
