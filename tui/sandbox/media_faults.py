"""The media route's faults: an ASGI `send` around the public media URL's answer that cuts the
file short or trickles it, so a client's download can be tested against the sandbox itself.

`media_short` (`--media-short`): the status line and headers go as the app made them (the whole
file's `Content-Length`), then the first half of the bytes; then the connection is closed (FIN,
after what was sent has gone), and nothing more of the file is sent. `media_trickle_bytes_per_s`
(`--media-trickle RATE`): the body goes a few bytes at a time at about RATE bytes per second, as
`--trickle` sends API answers; when the client goes or the sandbox stops, the rest goes at once.
Both apply to every GET of `/media/...`, whatever `fault_paths` and `fault_methods` say.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from tui.sandbox.answers import trickle
from tui.sandbox.faults import Faults

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

MEDIA_PREFIX = "/media/"


def media_faulted(faults: Faults, method: str, path: str) -> bool:
    """Whether the request is a media GET that the media faults change."""
    return faults.on_media and method == "GET" and path.startswith(MEDIA_PREFIX)


def media_send(
    send: Send,
    faults: Faults,
    *,
    alive: Callable[[], bool],
    close: Callable[[], Awaitable[None]],
    note: Callable[[str], None],
) -> Send:
    """`send`, with the media faults of `faults` applied to a file's answer. `close` ends the
    connection gracefully and returns once the server has seen it go."""
    rate = faults.media_trickle_bytes_per_s
    left: int | None = None  # bytes still to send before the connection is closed
    closed = False

    async def forward(message: Message) -> None:
        if rate is not None and message.get("body"):
            await trickle(send, message, rate, alive)
        else:
            await send(message)

    async def out(message: Message) -> None:
        nonlocal left, closed
        if closed:
            return  # the rest of the file goes nowhere
        if message["type"] == "http.response.start":
            if int(message["status"]) == 200:
                length = _content_length(message)
                if faults.media_short and length is not None:
                    left = length // 2
                    note("media_short")
                if rate is not None:
                    note("media_trickled")
            await send(message)
            return
        if message["type"] != "http.response.body" or left is None:
            await forward(message)
            return
        body = bytes(message.get("body", b""))
        if len(body) < left:
            left -= len(body)
            await forward(message)
            return
        if left:
            await forward({"type": "http.response.body", "body": body[:left], "more_body": True})
        closed = True
        await close()

    return out


def _content_length(message: Message) -> int | None:
    for name, value in message.get("headers", []):
        if name.lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


__all__ = ["MEDIA_PREFIX", "media_faulted", "media_send"]
