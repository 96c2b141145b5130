"""Text fitting invariants: never overflow, never below the minimum without an ellipsis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddm_lang.layout.text import ELLIPSIS, fit_text, tokens, wrap
from ddm_lang.renderer.fonts import FontRegistry

FONTS = FontRegistry.default()


def measure(text: str, size: float) -> float:
    return FONTS.measure(text, "Inter", 700, False, size)


words = st.sampled_from(["olive", "oil", "Cold-Pressed", "extra", "virgin", "500ml", "轻盈",
                         "跑步鞋", "—", "a", "supercalifragilistic", "%", "Évora"])


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=12).map(" ".join),
       st.floats(60, 800), st.floats(0, 400), st.floats(6, 40), st.floats(0, 60),
       st.one_of(st.none(), st.integers(1, 4)), st.sampled_from([1.0, 1.2, 1.5]))
def test_fitted_text_never_overflows(text: str, width: float, extra_h: float, lo: float,
                                     span: float, max_lines: int | None, lh: float) -> None:
    height = lo * lh + extra_h  # always room for one line at the minimum size
    hi = lo + span
    layout = fit_text(text, width, height, lo, hi, measure, max_lines, lh)
    assert lo <= layout.size <= hi
    assert len(layout.lines) * layout.size * lh <= height + 1e-6
    if max_lines is not None:
        assert len(layout.lines) <= max_lines
    for line in layout.lines:
        # A single glyph wider than the whole box is the only allowed overflow.
        assert measure(line, layout.size) <= width + 1e-6 or len(line) <= 2
    if layout.ellipsized:
        assert layout.size == lo and layout.lines[-1].endswith(ELLIPSIS)
    else:
        assert "".join(layout.lines).replace(" ", "") == text.replace(" ", "")


def test_fit_prefers_smaller_type_to_a_broken_word() -> None:
    layout = fit_text("Evergreen Cold-Pressed Olive Oil", 430, 390, 14, 64, measure, 3)
    assert layout.lines == ("Evergreen", "Cold-Pressed", "Olive Oil")


def test_cjk_breaks_between_characters_and_keeps_punctuation_attached() -> None:
    assert tokens("好鞋，轻盈！") == ["好", "鞋，", "轻", "盈！"]
    lines = wrap("轻盈跑步鞋，透气网面，缓震中底。", 80, 20, measure)
    assert all(not line.startswith(("，", "。")) for line in lines)


def test_a_box_shorter_than_one_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="less than one line"):
        fit_text("hello world this will not fit", 50, 5, 10, 20, measure)


def test_a_word_longer_than_the_line_breaks_at_the_minimum_size_without_losing_text() -> None:
    layout = fit_text("supercalifragilistic", 60, 200, 14, 20, measure)
    assert layout.size == 14 and not layout.ellipsized and len(layout.lines) > 1
    assert "".join(layout.lines) == "supercalifragilistic"
    assert all(measure(line, 14) <= 60 for line in layout.lines)
