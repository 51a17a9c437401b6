"""Search folding: case and accents folded the same way in the app, the CLI and the sandbox,
so `mul` finds "Müller" and `soren` finds "Søren".

NFKD splits "ü" into "u" and a combining mark, which is dropped; a few Latin letters have no
decomposition ("ø", "ł", "đ", "æ") and are mapped by hand, the way a user would type them on a
keyboard without them.
"""

from __future__ import annotations

import unicodedata

_BY_HAND = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
    }
)


def fold(text: str) -> str:
    """`text` for matching: NFKD, combining marks dropped, hand-mapped letters, casefolded."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.translate(_BY_HAND))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def matches(needle: str, *haystacks: str | None) -> bool:
    """Whether folded `needle` occurs in any of the folded `haystacks` (None ones skipped)."""
    folded = fold(needle.strip())
    if not folded:
        return True
    return any(folded in fold(h) for h in haystacks if h)
