"""The app's notifier: rings the bell, raises a desktop notification (OSC 9 / OSC 777) and keeps
the unread count in the terminal's title, when a customer writes where the agent is not looking.

"Not looking" is the terminal not focused (Textual's driver turns on focus reporting,
`ESC [ ? 1004 h`, and keeps `App.app_focus` up to date from the FocusIn/FocusOut it sends back;
inside tmux that needs `set -g focus-events on`) or the conversation not on screen.

The sequences are built in `tui.core.notify` (every byte of server text neutralised there) and
written through the app's driver, on the app's thread, like `App.bell()`: the driver's writer
thread writes whole strings in order, and a frame (with its synchronized-update markers) is
written in one go on this same thread, so a notification never lands inside a frame. Under
Pilot or `--headless` (no terminal) nothing is written: every sequence is recorded in `written`
either way, for tests and for the log.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.core import notify

if TYPE_CHECKING:
    from textual.app import App

    from tui.core.config import Notifications
    from tui.core.models import Conversation, Message

#: At most one desktop notification per conversation in this many seconds, and one bell a second.
DESKTOP_GAP = 5.0
BELL_GAP = 1.0


class Notifier:
    """Owned by the app; fed by its live events. `settings` is the config's `[notifications]`,
    `me` says who the agent is (None until the server has said), `tmux` defaults to whether
    `$TMUX` is set, `clock` is monotonic seconds (a test's fake)."""

    def __init__(
        self,
        app: App[Any],
        settings: Notifications,
        *,
        me: Callable[[], int | None] = lambda: None,
        tmux: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.settings = settings
        self.me = me
        self.tmux = bool(os.environ.get("TMUX")) if tmux is None else tmux
        self.clock = clock
        #: Every sequence this notifier wrote (or, without a terminal, would have written).
        self.written: deque[str] = deque(maxlen=200)
        self.reminders = notify.WindowReminders(settings.window_minutes)
        self._last_desktop: dict[int, float] = {}
        self._last_bell: float | None = None
        self._unread: int | None = None
        self._title_pushed = False

    @property
    def terminal_focused(self) -> bool:
        """Whether the terminal has focus, as its focus reports say (Textual's `app_focus`;
        True where the terminal sends none)."""
        return bool(self.app.app_focus)

    def customer_wrote(self, conversation: Conversation, message: Message, *, on_screen: bool) -> bool:
        """A new message arrived in `conversation`: ring and notify if it is the customer's,
        the rule takes the conversation, and the agent is not already looking at it. Returns
        whether anything was written."""
        if not message.is_inbound or message.is_note:
            return False
        if not notify.should_notify(conversation, self.me(), self.settings.rule):
            return False
        if on_screen and self.terminal_focused:
            return False
        body = notify.message_body(
            conversation.contact_name, message.message_text, show_text=self.settings.show_text
        )
        return self._alert(conversation.id, body)

    def window_closing(
        self, conversation: Conversation, minutes_left: int, *, on_screen: bool = False
    ) -> bool:
        """A reply window with a waiting draft closes in `minutes_left`: notify once per window,
        unless the agent is looking at that conversation (then the reminder stays due, for when
        they look away). Returns whether anything was written."""
        if self.settings.window_minutes <= 0 or (on_screen and self.terminal_focused):
            return False
        if not self.reminders.claim(conversation):
            return False
        return self._alert(conversation.id, notify.window_body(conversation.contact_name, minutes_left))

    def check_windows(
        self,
        conversations: Iterable[Conversation],
        drafts: Collection[int],
        *,
        on_screen: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Remind about each of `conversations` with a draft (its id in `drafts`) whose window
        closes within the configured minutes, once per window; `on_screen` is the id of the
        conversation open on screen, if any. Returns how many were reminded about (call it on a
        timer, e.g. every 30 s, and when the list is re-read)."""
        self.reminders.minutes = self.settings.window_minutes
        reminded = 0
        for conversation, left in self.reminders.due(conversations, drafts, now):
            reminded += self.window_closing(conversation, left, on_screen=conversation.id == on_screen)
        return reminded

    def set_unread(self, count: int) -> None:
        """Show `count` unread messages in the terminal's title ("(3) Switchboard"); written
        only when it changes. The title the terminal had is saved first, for `restore`."""
        if not self.settings.title or count == self._unread:
            return
        self._unread = count
        if not self._title_pushed:
            self._title_pushed = True
            self._write(notify.TITLE_PUSH)
        self._write(notify.osc2(notify.window_title(count)))

    def restore(self) -> None:
        """Give the terminal back the title it had (call when the app exits, before the driver
        stops)."""
        if self._title_pushed:
            self._title_pushed = False
            self._unread = None
            self._write(notify.TITLE_POP)

    def _alert(self, conversation_id: int, body: str) -> bool:
        now = self.clock()
        wrote = False
        if self.settings.bell and (self._last_bell is None or now - self._last_bell >= BELL_GAP):
            self._last_bell = now
            self._write(notify.bell())
            wrote = True
        last = self._last_desktop.get(conversation_id)
        if self.settings.desktop != "off" and (last is None or now - last >= DESKTOP_GAP):
            self._last_desktop[conversation_id] = now
            self._write(notify.desktop(notify.APP_NAME, body, codes=self.settings.desktop, tmux=self.tmux))
            wrote = True
        return wrote

    def _write(self, sequence: str) -> None:
        self.written.append(sequence)
        driver = self.app._driver
        if driver is None or self.app.is_headless:
            return
        driver.write(sequence)
        driver.flush()
