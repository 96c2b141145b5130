"""Width model, line breaking and the CJK word-boundary rule of the copy writer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ddm_lang.copy.segment import cjk_words, line_units
from ddm_lang.copy.text import NARROW, fits, width, wrap
from ddm_lang.layout.text import wrap as layout_wrap


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


# ---- line breaking at `segment.line_units`, shared with the fitter ------------------------

def test_wrap_keeps_cjk_words_whole() -> None:
    assert wrap("不锈钢保温杯", 4) == ["不锈钢", "保温杯"]     # never 不锈钢保 / 温杯
    assert wrap("便携保温水瓶", 3) == ["便携", "保温", "水瓶"]
    assert wrap("不锈钢保温杯", 2) is None                      # 不锈钢 is wider than a line


def test_wrap_keeps_hyphenated_words_numbers_with_units_and_dashes() -> None:
    assert wrap("Organic Cotton T-Shirt", 4) == ["Organic", "Cotton", "T-Shirt"]
    assert wrap("Big Mug 11 oz", 3.5) == ["Big", "Mug", "11 oz"]  # not "Mug 11" / "oz"
    assert wrap("Cap - Black", 3) == ["Cap -", "Black"]
    assert not fits("Dotted Notebook 120 Pages", 2, 9)         # "120 Pages" is one unit


PIECES = ["Shop", "the", "look", "T-Shirt", "11", "oz", "—", "-", "保温杯", "瓶", "，", "。",
          "轻盈", "跑步鞋", "Évora", "500ml", "(", ")", "不锈钢"]
texts = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", ""])),
                 min_size=1, max_size=10).map(lambda ps: "".join(p + j for p, j in ps).strip())


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(2, 40).map(lambda n: n * NARROW / 2))
def test_wrap_is_whole_units_within_the_line(text: str, chars_per_line: float) -> None:
    lines = wrap(text, chars_per_line)
    if lines is None:
        assert any(width(u.strip()) > chars_per_line for u in line_units(text))
        return
    assert "".join("".join(lines).split()) == "".join(text.split())
    assert all(width(line) <= chars_per_line + 1e-9 for line in lines)
    ends, pos = set(), 0
    for unit in line_units(text):
        pos += len("".join(unit.split()))
        ends.add(pos)
    pos = 0
    for line in lines:
        pos += len("".join(line.split()))
        assert pos in ends


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(2, 40).map(lambda n: n * NARROW / 2))
def test_the_writer_and_the_fitter_break_alike(text: str, chars_per_line: float) -> None:
    """One way to break lines: with the width model as its measure, the fitter's greedy
    wrap is the writer's."""
    def em(line: str, size: float) -> float:
        return round(width(line) * size, 6)

    assert layout_wrap(text, chars_per_line, 1.0, em, strict=True) == wrap(text, chars_per_line)
