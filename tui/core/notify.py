"""Notifications that reach a terminal, even over SSH and through tmux: what to write, and when.

Pure functions that build the escape sequences (bell, OSC 9 and OSC 777 desktop notifications,
the OSC 2 window title) and the rules that decide whether a customer's message or a closing
reply window deserves one. Nothing here writes to a terminal: `tui.notifier` does, through the
app's driver.

Every piece of server text (a contact's name, a message's text) goes through `osc_text` first: it is
neutralised by `text.one_line` (controls, ESC, BEL, C1 ST, bidi overrides become placeholders;
newlines become spaces), `;` becomes `,` (it separates OSC 777's fields, and ConEmu reads
`OSC 9 ; <digit> ;` as a command), and it is cut to a bounded number of characters. So a name can
neither end the sequence early nor start another one.

This module loads no pydantic (the app imports it before its first frame): the work queue's
window helpers are imported where they are used.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from tui.core.text import one_line

if TYPE_CHECKING:
    from tui.core.models import Conversation

Rule = Literal["all", "mine", "none"]

ESC = "\x1b"
BEL = "\a"
APP_NAME = "Switchboard"
#: Longest title and body, in characters, once neutralised (an ellipsis marks a cut).
TITLE_CHARS = 80
BODY_CHARS = 200


def osc_text(text: str | None, limit: int) -> str:
    """Server text made safe inside an OSC string: one line, no control of any kind, no `;`,
    at most `limit` characters."""
    return one_line(text, limit).replace(";", ",")


def bell() -> str:
    """The terminal bell. tmux handles it itself (the window's bell flag, `bell-action`), so it
    is never wrapped for tmux."""
    return BEL


def osc9(body: str) -> str:
    """A desktop notification, OSC 9 (iTerm2, kitty, WezTerm, Ghostty, Windows Terminal...)."""
    return f"{ESC}]9;{osc_text(body, BODY_CHARS)}{BEL}"


def osc777(title: str, body: str) -> str:
    """A desktop notification, OSC 777 `notify` (urxvt, foot, Ghostty, WezTerm, some VTE builds)."""
    return f"{ESC}]777;notify;{osc_text(title, TITLE_CHARS)};{osc_text(body, BODY_CHARS)}{BEL}"


def osc2(title: str) -> str:
    """Set the terminal's window title (tmux keeps it as the pane's title: never wrap it)."""
    return f"{ESC}]2;{osc_text(title, TITLE_CHARS)}{BEL}"


#: XTWINOPS: save the window title on the terminal's stack, and restore it (xterm, tmux, VTE).
#: Written before the first title and at exit, so quitting gives the shell its title back.
TITLE_PUSH = f"{ESC}[22;2t"
TITLE_POP = f"{ESC}[23;2t"


def tmux_wrap(sequence: str) -> str:
    """`sequence` in tmux's DCS passthrough (`ESC P tmux; ... ESC \\`, every ESC inside doubled),
    so tmux hands it to the outer terminal instead of swallowing it.

    tmux drops passthrough unless the pane allows it (`set -g allow-passthrough on`, off by
    default since tmux 3.3), and with `on` it passes only from a pane on screen: from a window in
    the background (when a notification matters most) it needs `allow-passthrough all`, tmux 3.4
    or later (tmux #3265). tmux 3.3a drops it there, as seen in a nested tmux; the bell still
    reaches the terminal and flags the window."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ESC}\\"


def desktop(title: str, body: str, *, codes: str = "both", tmux: bool = False) -> str:
    """The desktop notification(s): OSC 9, OSC 777 or both (`codes`: "both", "osc9", "osc777"),
    each wrapped for tmux when `tmux`. A terminal that understands both shows two; the config
    can pick one."""
    parts = []
    if codes in ("both", "osc9"):
        parts.append(osc9(f"{title}: {body}" if title else body))
    if codes in ("both", "osc777"):
        parts.append(osc777(title, body))
    return "".join(tmux_wrap(p) if tmux else p for p in parts)


def window_title(unread: int, name: str = APP_NAME) -> str:
    """The terminal title: "(3) Switchboard" with unread messages, "Switchboard" without."""
    return f"({unread}) {name}" if unread > 0 else name


def message_body(contact_name: str, text: str | None, *, show_text: bool) -> str:
    """What a notification says about a new message: the contact's name only, unless the
    config opts in to the message's text ("Ana: where is my order?")."""
    name = osc_text(contact_name, TITLE_CHARS)
    if show_text and text and text.strip():
        return f"{name}: {osc_text(text, BODY_CHARS)}"
    return f"New message from {name}"


def window_body(contact_name: str, minutes_left: int) -> str:
    """What a notification says about a reply window closing on a waiting draft."""
    name = osc_text(contact_name, TITLE_CHARS)
    left = "under a minute" if minutes_left < 1 else f"{minutes_left} min"
    return f"Reply window with {name} closes in {left}, and your draft is not sent"


def is_mine(conversation: Conversation, me_id: int | None) -> bool:
    """Assigned to me, or to nobody: no agent and no AI assistant (the Unassigned view's rule).
    A conversation an AI assistant holds is the AI's to answer, so it is not "mine"; with `me_id`
    unknown, only unassigned conversations are."""
    from tui.core.queue import has_ai

    if conversation.assigned_user_id is not None:
        return me_id is not None and conversation.assigned_user_id == me_id
    return not has_ai(conversation)


def should_notify(conversation: Conversation, me_id: int | None, rule: Rule | str) -> bool:
    """Whether a new customer message in `conversation` notifies, by the config's `rule`:
    "all" every conversation, "mine" those `is_mine` accepts, "none" never."""
    if rule == "all":
        return True
    if rule == "mine":
        return is_mine(conversation, me_id)
    return False


def minutes_left(conversation: Conversation, now: datetime | None = None) -> int | None:
    """Whole minutes left in a Meta channel's reply window (rounded down); None when the channel
    has no window or it is closed."""
    from tui.core.queue import window_left

    left = window_left(conversation, now)
    return None if left is None else int(left.total_seconds() // 60)


@dataclass
class WindowReminders:
    """The window-closing rule: a conversation with a waiting draft whose reply window closes
    within `minutes` is due ONCE per window. A window is known by the customer message that
    opened it, so a new customer message (a new window) may remind again. `minutes = 0` is off."""

    minutes: int
    _done: set[tuple[int, datetime | None]] = field(default_factory=set)

    def key(self, conversation: Conversation) -> tuple[int, datetime | None]:
        return (conversation.id, conversation.last_inbound_message_at)

    def claim(self, conversation: Conversation) -> bool:
        """True the first time for this conversation's window, False ever after."""
        key = self.key(conversation)
        if key in self._done:
            return False
        self._done.add(key)
        return True

    def due(
        self, conversations: Iterable[Conversation], drafts: Collection[int], now: datetime | None = None
    ) -> list[tuple[Conversation, int]]:
        """The conversations (with their whole minutes left) a reminder is due for now: a draft
        waits (the id is in `drafts`), the window closes within `minutes`, and this window was
        not claimed yet. Nothing is claimed here: `claim` when the reminder is given."""
        if self.minutes <= 0:
            return []
        out = []
        for conversation in conversations:
            if conversation.id not in drafts or conversation.unreadable:
                continue
            left = minutes_left(conversation, now)
            if left is not None and left < self.minutes and self.key(conversation) not in self._done:
                out.append((conversation, left))
        return out
