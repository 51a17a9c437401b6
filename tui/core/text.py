"""Untrusted text made safe to show: controls and bidi overrides become visible placeholders.

Customer text, contact names, file names and server errors are data. Before they reach a terminal
(the CLI prints them; the app renders them as Rich `Text`, never markup), C0/C1 controls, DEL,
escape sequences and bidi overrides are replaced; emoji, ZWJ and ZWNJ are kept.
"""

from __future__ import annotations

import unicodedata

#: Bidi embeddings, overrides, isolates and marks: they can reorder what follows on screen.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
KEEP_FORMAT = frozenset("\u200c\u200d\ufe0e\ufe0f")  # ZWNJ, ZWJ, variation selectors
BIDI_MARK = "\u2983\u2984"  # shown as ⦃⦄ so the reader sees something was there


def _placeholder(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC)
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def visible(text: str | None, *, multiline: bool = True) -> str:
    """`text` with every control shown as a placeholder; newlines kept when `multiline`. Costs
    time in the length of `text`: cut a long text first (`one_line`, `cut_body`)."""
    if not text:
        return ""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append("    " if multiline else " ")
        elif ch == "\r":
            if not multiline:
                out.append(" ")
        elif code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
            out.append(_placeholder(ch))
        elif ch in BIDI:
            out.append("\ufffd")
        elif ch in KEEP_FORMAT:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cs", "Co", "Cn") or ch in ("\u2028", "\u2029"):
            out.append("\n" if multiline and ch in ("\u2028", "\u2029") else "\ufffd")
        else:
            out.append(ch)
    return "".join(out)


#: The longest line `one_line` makes without a `width`: no preview needs more, and a 5 MB
#: message must not be neutralised whole to draw one row.
MAX_LINE = 4096


def one_line(text: str | None, width: int | None = None) -> str:
    """A preview: one line, whitespace collapsed, cut to `width` (else `MAX_LINE`) with an
    ellipsis. Only as much of the start as the cut needs is neutralised: the cost follows
    `width`, not the length of what the server sent."""
    if not text:
        return ""
    width = MAX_LINE if width is None else max(width, 0)
    limit = max(width * 4, 256)
    while True:
        flat = " ".join(visible(text[:limit], multiline=False).split())
        if len(flat) > width or limit >= len(text):
            break
        limit *= 4  # mostly whitespace or controls so far: read further
    if len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat


#: The most of a message body drawn in the history (characters): a 5 MB message must neither
#: freeze the screen nor fill the memory; `y` copies and `s` saves the whole.
BODY_MAX = 16_000


def cut_body(text: str | None, limit: int = BODY_MAX) -> tuple[str, int]:
    """The start of a body, neutralised, and how many characters were left out (0: whole)."""
    if not text:
        return "", 0
    if len(text) <= limit:
        return visible(text), 0
    return visible(text[:limit]), len(text) - limit


def redact(text: str, *secrets: str) -> str:
    """Remove every occurrence of a secret (an API key) from text meant for output."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return text


def cell_width(text: str) -> int:
    """Terminal columns `text` takes, grapheme by grapheme (wcwidth): a ZWJ sequence, a skin
    tone, a keycap or a flag is one glyph of two cells; marks and joiners take none. (The CLI
    cannot use Rich's measure.) Controls count zero: neutralise text with `visible` first.
    wcwidth is imported here: it costs ~20 ms, and only the CLI's tables need it."""
    import wcwidth

    return max(wcwidth.width(text, control_codes="ignore"), 0)


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` terminal columns, with an ellipsis when cut; a glyph (ZWJ
    sequence, flag, letter and its marks) is never split."""
    import wcwidth

    if width <= 0:
        return ""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for glyph in wcwidth.iter_graphemes(text):
        w = cell_width(glyph)
        if used + w > width - 1:
            break
        out.append(glyph)
        used += w
    return "".join(out) + "…"


def fit(text: str, width: int) -> str:
    """`text` cut (with an ellipsis) and padded to exactly `width` terminal columns; a wide glyph
    that does not fit leaves a space instead."""
    text = clip(text, width)
    return text + " " * max(width - cell_width(text), 0)
