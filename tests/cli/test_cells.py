"""Terminal cells: the widths the CLI pads its columns by, for what names are really made of."""

from __future__ import annotations

import pytest

from tui.core.text import cell_width, fit

# What a terminal draws in two cells: one glyph each, however many code points.
ONE_WIDE_GLYPH = [
    "👩\u200d💻",  # ZWJ sequence: woman technologist
    "👍🏽",  # thumbs up + skin tone modifier
    "1\ufe0f\u20e3",  # keycap one
    "🇵🇹",  # flag: two regional indicators
    "❤\ufe0f",  # text heart turned emoji by VS16
    "愛",  # CJK ideograph
]


@pytest.mark.parametrize("glyph", ONE_WIDE_GLYPH)
def test_one_glyph_is_two_cells(glyph: str) -> None:
    assert cell_width(glyph) == 2
    assert cell_width(f"Ana {glyph} Lima") == 11


def test_narrow_text_combining_marks_and_joiners() -> None:
    assert cell_width("Ana") == 3
    assert cell_width("e\u0301") == 1  # e + combining acute
    assert cell_width("Zoe\u0308 Ro\u0301z") == 7
    assert cell_width("愛子 田中") == 9
    assert cell_width("") == 0


@pytest.mark.parametrize("glyph", ONE_WIDE_GLYPH)
def test_fit_pads_to_exact_cells_and_never_splits_a_glyph(glyph: str) -> None:
    name = f"{glyph}{glyph}{glyph} Lima"
    whole = [glyph * n for n in range(4)] + [glyph * 3 + " Lima"[:n] for n in range(1, 6)]
    assert fit(name, 20) == name + " " * 9
    for width in range(1, 12):
        cut = fit(name, width)
        assert cell_width(cut) == width, (width, cut)
        assert cut.rstrip(" ").removesuffix("…") in whole, (width, cut)
    assert fit(name, 5) == f"{glyph}{glyph}…"
    assert fit(name, 4) == f"{glyph}… "


def test_fit_cuts_cjk_and_marks_by_cells() -> None:
    assert fit("愛子 田中", 12) == "愛子 田中   "
    assert fit("愛子 田中", 6) == "愛子 …"
    assert fit("Ana Lima", 5) == "Ana …"
    assert fit("Zoe\u0308 Lima", 4) == "Zoe\u0308…"
    assert fit("anything", 0) == ""


def test_fit_is_quick_on_a_huge_name() -> None:
    name = "👩\u200d💻" * 50_000 + "x" * 100_000
    assert cell_width(fit(name, 30)) == 30


def test_clip_cuts_without_padding() -> None:
    from tui.core.text import clip

    assert clip("Ana Lima", 20) == "Ana Lima"
    assert clip("Ana Lima", 5) == "Ana …"
    assert clip("👩\u200d💻👩\u200d💻", 3) == "👩\u200d💻…"
    assert clip("👩\u200d💻👩\u200d💻", 2) == "…"
    assert clip("x", 0) == ""
