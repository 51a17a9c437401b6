"""Two of the inbox's keys that need more than a binding: `q`, which quits only when pressed
again, and `/` followed at once by letters (a fast typist, a paste), which must all land in the
search. The screen keeps the state; these are its handlers' bodies."""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

from textual.widgets import Input
from textual.widgets.input import Selection

if TYPE_CHECKING:
    from textual import events

    from tui.screens.inbox import InboxScreen

#: `q` quits when pressed again within this long: a stray q beside the list's letters is harmless.
QUIT_AGAIN_SECONDS = 2.0


async def quit_twice(screen: InboxScreen) -> None:
    """`q` quits on a second press within two seconds (ctrl+q at once): one q among the list's
    letters is too easy to type by mistake to end the shift without a word."""
    now = monotonic()
    if now - screen.quit_asked_at <= QUIT_AGAIN_SECONDS:
        await screen.app.run_action("quit")
        return
    screen.quit_asked_at = now
    keys = {active.binding.id: key for key, active in screen.active_bindings.items()}
    again, at_once = keys.get("inbox.quit", "q"), keys.get("app.quit", "ctrl+q")
    screen.notify(f"Press {again} again to quit ({at_once} quits at once).", timeout=QUIT_AGAIN_SECONDS)


def burst_key(screen: InboxScreen, event: events.Key) -> None:
    """A key that reached the screen. Keys typed in one burst ("/zoe") are all queued for the
    list before the `/` binding would run: `/` moves the focus to the search at once, and the
    letters behind it (reaching the screen with the search focused: Input keeps its own) go
    into the search, never to the list's letter keys (z snoozes, a assigns, t takes over)."""
    search = screen.query_one("#search", Input)
    active = screen.active_bindings.get(event.key)
    if screen.focused is not search and active is not None and active.binding.id == "inbox.search":
        event.stop()
        event.prevent_default()
        screen.action_search()
        if search.select_on_focus:
            # What its Focus event (still queued) would do, now: the letters replace the last
            # query. The event itself must not select them again once they are in.
            search.selection = Selection(0, len(search.value))
            search.select_on_focus = False
            search.call_later(setattr, search, "select_on_focus", True)
    elif screen.focused is search and event.is_printable and event.character:
        event.stop()
        event.prevent_default()
        if search.selection.is_empty:  # as Input types a key
            search.insert_text_at_cursor(event.character)
        else:
            search.replace(event.character, *search.selection)
