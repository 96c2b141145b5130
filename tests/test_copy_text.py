"""Width model, line breaking and the CJK word-boundary rule of the copy writer."""

from __future__ import annotations

from ddm_lang.copy.segment import cjk_words
from ddm_lang.copy.text import NARROW, fits, width, wrap


def test_width_counts_cjk_as_one_and_latin_as_narrow() -> None:
    assert width("跑步鞋") == 3
    assert abs(width("Shop") - 4 * NARROW) < 1e-9
    assert abs(width("¥199") - 4 * NARROW) < 1e-9   # ¥ is narrow (East Asian Width Na)


def test_wrap_breaks_between_words_never_inside() -> None:
    assert wrap("Shop the look", 3) == ["Shop", "the", "look"]
    assert wrap("Extraordinarily", 3) is None      # one word wider than a line
    assert not fits("Extraordinarily", 3, 5)


def test_wrap_keeps_closing_punctuation_with_its_character() -> None:
    lines = wrap("简约条纹，显瘦版型", 4)
    assert lines is not None
    assert not any(line.startswith("，") for line in lines)


def test_fits_respects_lines() -> None:
    assert fits("透气网面", 4, 1)
    assert not fits("透气网面", 3, 1)
    assert fits("透气网面", 3, 2)
    assert not fits("透气网面", 3, 0)


def test_segment_keeps_words_whole() -> None:
    assert cjk_words("轻盈跑步鞋") == ("轻盈", "跑步鞋")
    assert cjk_words("丝绒哑光口红") == ("丝绒", "哑光", "口红")
