"""What the inbox does with pushed news: a changed conversation's row shows its new copy at
once, the views' counts move with the scan the app keeps current, and All's pages on screen
are re-read (at most every `ALL_REFRESH_SECONDS`) so a conversation that just got a message
climbs to the top. After every (re)connect everything shown is read again.

While the feed is live the interval refresh rests, except every `LIVE_REFRESH_SECONDS`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tui.core.queue_views import View
from tui.messages import LiveResynced, LiveStatus, LiveUpdate

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.widgets.conversation_list import ConversationList

#: While live, the interval refresh runs only this often (a safety net).
LIVE_REFRESH_SECONDS = 120.0
#: All's pages on screen are re-read at most this often under a burst of events.
ALL_REFRESH_SECONDS = 0.5


class InboxLive:
    """Mixed into `InboxScreen`, which provides what is declared here."""

    ctx: Any
    view: View
    _last_refresh: float = 0.0
    _all_refresh_at: float = 0.0
    _all_refresh_timer: Timer | None = None

    if TYPE_CHECKING:

        @property
        def list(self) -> ConversationList: ...

        def refresh_held_pages(self) -> None: ...

        def refresh_pages_on_screen(self) -> None: ...

        def _show_scan(self, *, keep_cursor: bool) -> None: ...

    def refresh_due(self) -> bool:
        """Whether the interval refresh should read the server now."""
        if self.ctx.polls_may_rest and time.monotonic() - self._last_refresh < LIVE_REFRESH_SECONDS:
            return False
        self._last_refresh = time.monotonic()
        return True

    def live_news(self, news: LiveUpdate | LiveStatus | LiveResynced) -> None:
        if isinstance(news, LiveResynced):
            self._last_refresh = time.monotonic()
            self.refresh_held_pages()
        elif isinstance(news, LiveUpdate):
            event = news.event
            if event.kind != "conversation_patched" or event.conversation is None:
                return
            scan = self.ctx.queue  # the app merged the push into it (a missing contact kept)
            rows = scan.conversations if scan is not None else []
            held = next((c for c in rows if c.id == event.conversation.id), None)
            self.list.replace_row(held or event.conversation)
            if self.view is View.ALL:
                self._refresh_all_soon()
            else:
                self._show_scan(keep_cursor=True)

    def _refresh_all_soon(self) -> None:
        """The first event re-reads at once; a burst after it is one more read, at its end."""
        if self._all_refresh_timer is not None:
            return
        wait = self._all_refresh_at + ALL_REFRESH_SECONDS - time.monotonic()
        if wait <= 0:
            self._refresh_all_now()
        else:
            self._all_refresh_timer = self.ctx.set_timer(wait, self._refresh_all_now)

    def _refresh_all_now(self) -> None:
        self._all_refresh_timer = None
        self._all_refresh_at = time.monotonic()
        self.refresh_pages_on_screen()
