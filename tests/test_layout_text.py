"""Text fitting invariants: never overflow, never below the minimum without an ellipsis;
lines break only where `segment.line_units` allows, are balanced, and avoid the defects
`line_defects` names whenever some size in range can."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ddm_lang.copy.segment import DASHES, cjk_at, line_units
from ddm_lang.layout.text import (
    ELLIPSIS,
    _room,
    _sizes,
    balance,
    fit_text,
    line_defects,
    wrap,
)
from ddm_lang.renderer.fonts import FontRegistry

FONTS = FontRegistry.default()
CLOSING = set("，。、；：！？）》」』】〕〉”’,.;:!?)]}")


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


# Copy as product titles are written: Latin and CJK words, hyphenated words, dashes,
# numbers with units, punctuation, one-character CJK words ("瓶").
PIECES = ["olive", "oil", "Cold-Pressed", "T-Shirt", "Evergreen", "11", "oz", "120",
          "Pages", "Mug", "—", "-", "保温杯", "保温", "不锈钢", "瓶", "，", "。", "轻盈",
          "跑步鞋", "Évora", "500ml", "(", ")", "!", "大容量", "水杯", "Aero", "Runner",
          "ランニングシューズ", "과일", "주스", "1리터"]
titles = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", "", " "])),
                  min_size=1, max_size=10).map(lambda ps: "".join(p + j for p, j in ps).strip())


def _strict(text: str, layout_size: float, width: float) -> bool:
    """Whether every break unit fits a line at that size: no word had to break."""
    return wrap(text, width, layout_size, measure, strict=True) is not None


def _defect_free_somewhere(text: str, width: float, height: float, lo: float, hi: float,
                           max_lines: int | None, lh: float) -> bool:
    """Brute force: some size in range sets the text (greedy or balanced) without a
    defect and within the box."""
    for size in _sizes(lo, hi):
        room = _room(size, height, max_lines, lh)
        lines = wrap(text, width, size, measure, strict=True, limit=room) if room else None
        if lines is None:
            continue
        if not line_defects(lines) or not line_defects(balance(text, lines, size, measure)):
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(titles, st.floats(80, 700), st.floats(0, 300), st.floats(10, 30), st.floats(0, 30),
       st.one_of(st.none(), st.integers(1, 5)), st.sampled_from([1.0, 1.2]))
def test_fitted_lines_are_well_set(text: str, width: float, extra_h: float, lo: float,
                                   span: float, max_lines: int | None, lh: float) -> None:
    # a hyphen the text follows with a space ("pre- and post-war") is one
    # `line_defects` cannot tell from a broken "T-" / "Shirt" once it ends a line
    assume(text and not re.search(r"\w-\s", text))
    height = lo * lh + extra_h
    layout = fit_text(text, width, height, lo, lo + span, measure, max_lines, lh)
    if layout.ellipsized:
        return
    # the lines joined give the text back, modulo whitespace
    assert "".join("".join(layout.lines).split()) == "".join(text.split())
    if not _strict(text, layout.size, width):
        return  # a word wider than the line broke between letters at the minimum size
    units = line_units(text)
    for line in layout.lines[1:]:
        assert line[:1] not in CLOSING and line[:1] not in DASHES, layout.lines
    # every line is whole break units: no CJK word split, no break after "T-"
    ends, pos = set(), 0
    for unit in units:
        pos += len("".join(unit.split()))
        ends.add(pos)
    pos = 0
    for line in layout.lines:
        pos += len("".join(line.split()))
        assert pos in ends, (layout.lines, units)
    if line_defects(layout.lines) and not _spaced_cjk(text):
        assert not _defect_free_somewhere(text, width, height, lo, lo + span, max_lines, lh), (
            layout, line_defects(layout.lines))


def _spaced_cjk(text: str) -> bool:
    """Whether a space separates two CJK runs: once a line breaks there, `line_defects`
    sees the runs joined and may read one word across them ("シューズ" / "ランニング")."""
    return any(m.start() > 0 and m.end() < len(text) and cjk_at(text, m.start() - 1)
               and cjk_at(text, m.end()) for m in re.finditer(r"\s+", text))


@settings(max_examples=150, deadline=None)
@given(titles, st.floats(80, 600), st.floats(12, 60))
def test_balance_keeps_the_line_count_and_the_width(text: str, width: float,
                                                    size: float) -> None:
    greedy = wrap(text, width, size, measure, strict=True)
    assume(greedy is not None)
    balanced = balance(text, greedy, size, measure)
    assert len(balanced) == len(greedy)
    assert "".join("".join(balanced).split()) == "".join(text.split())
    widest = max(measure(line, size) for line in greedy)
    assert all(measure(line, size) <= min(width, widest) + 1e-6 for line in balanced)


def test_fit_prefers_smaller_type_to_a_broken_word() -> None:
    layout = fit_text("Evergreen Cold-Pressed Olive Oil", 430, 390, 14, 64, measure, 3)
    assert layout.lines == ("Evergreen", "Cold-Pressed", "Olive Oil")


def test_cjk_breaks_between_words_and_keeps_punctuation_attached() -> None:
    assert wrap("好鞋，轻盈！", measure("好鞋，", 20) + 1, 20, measure) == ["好鞋，", "轻盈！"]
    lines = wrap("轻盈跑步鞋，透气网面，缓震中底。", 80, 20, measure)
    assert lines is not None
    assert all(not line.startswith(("，", "。")) for line in lines)
    assert not line_defects(lines)


def test_a_box_shorter_than_one_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="less than one line"):
        fit_text("hello world this will not fit", 50, 5, 10, 20, measure)


def test_a_word_longer_than_the_line_breaks_at_the_minimum_size_without_losing_text() -> None:
    layout = fit_text("supercalifragilistic", 60, 200, 14, 20, measure)
    assert layout.size == 14 and not layout.ellipsized and len(layout.lines) > 1
    assert "".join(layout.lines) == "supercalifragilistic"
    assert all(measure(line, 14) <= 60 for line in layout.lines)


def test_a_two_line_headline_is_balanced() -> None:
    text = "Pulse Audio Wireless Noise-Cancelling Headphones"
    size = 40
    width = measure("Pulse Audio Wireless Noise-Cancelling", size) + 2
    greedy = wrap(text, width, size, measure, strict=True)
    assert greedy == ["Pulse Audio Wireless Noise-Cancelling", "Headphones"]
    layout = fit_text(text, width, 2 * size * 1.2, 20, size, measure, 2)
    # the narrowest two lines, the same size: not a full line and a stub
    assert layout.size == size
    assert layout.lines == ("Pulse Audio Wireless", "Noise-Cancelling Headphones")


def test_no_line_starts_with_a_dash_nor_breaks_after_an_in_word_hyphen() -> None:
    for text in ("Cap - Black Edition", "Organic Cotton T-Shirt Navy", "Serum — 30 ml"):
        for width in range(60, 400, 7):
            lines = wrap(text, width, 24, measure, strict=True)
            if lines is None:
                continue
            assert not any(line.startswith(tuple(DASHES)) for line in lines), lines
            assert not any(line.endswith("T-") for line in lines), lines
            assert not {"hyphen-break", "dash-start"} & set(line_defects(lines)), lines


def test_a_number_keeps_its_unit_and_no_unit_is_left_alone() -> None:
    for text in ("Stoneware Coffee Mug 11 oz", "Dotted Notebook A5 120 Pages"):
        for width in range(80, 500, 9):
            layout = fit_text(text, width, 200, 12, 40, measure, 3)
            assert layout.lines[-1] not in ("oz", "Pages"), layout
            if not layout.ellipsized:
                assert not line_defects(layout.lines), layout


def test_one_cjk_character_is_never_left_alone_on_the_last_line() -> None:
    text = "大容量不锈钢保温杯瓶"
    size = 30
    width = measure("大容量不锈钢保温杯", size) + 1
    assert wrap(text, width, size, measure, strict=True) == ["大容量不锈钢保温杯", "瓶"]
    layout = fit_text(text, width, 200, 12, size, measure, 2)
    assert layout.size == size and layout.lines[-1] != "瓶"
    assert not line_defects(layout.lines)


def test_an_orphan_balance_keeps_is_mended_at_the_same_size() -> None:
    # The long word sets the balanced width and leaves "Arc" alone; the word above it
    # moves down to join it, at the same size and line count.
    text, size = "Supercalifragilistic Lamp Cold Extra Arc", 40
    greedy = wrap(text, 370, size, measure, strict=True)
    assert balance(text, greedy, size, measure) == ["Supercalifragilistic", "Lamp Cold Extra",
                                                    "Arc"]
    layout = fit_text(text, 370, 3 * size * 1.2, 12, size, measure, 3)
    assert layout.size == size
    assert layout.lines == ("Supercalifragilistic", "Lamp Cold", "Extra Arc")


def test_an_orphan_no_setting_mends_is_traded_for_a_smaller_size() -> None:
    text, size = "a b Supercalifragilistic Mugs", 30
    width = measure("a b Supercalifragilistic", size) + 2
    assert measure("Supercalifragilistic Mugs", size) > width   # nothing to move down
    assert wrap(text, width, size, measure, strict=True) == ["a b Supercalifragilistic", "Mugs"]
    layout = fit_text(text, width, 2 * size * 1.2, 12, size, measure, 2)
    assert layout.size < size and layout.lines == (text,)


def test_japanese_and_korean_words_stay_whole() -> None:
    for text in ("軽量ランニングシューズ、通気性メッシュ", "신선한 과일 주스 1리터 병"):
        for width in range(60, 400, 11):
            lines = wrap(text, width, 20, measure, strict=True)
            if lines is not None:
                assert "word-split" not in line_defects(lines), lines
                assert not any(line.endswith(("シュー", "1", "과")) for line in lines), lines


def test_a_cjk_word_is_not_split_across_lines() -> None:
    for width in range(40, 300, 5):
        layout = fit_text("不锈钢保温杯 便携保温水瓶", width, 300, 12, 30, measure, 4)
        if layout.ellipsized or not _strict("不锈钢保温杯 便携保温水瓶", layout.size, width):
            continue
        assert "word-split" not in line_defects(layout.lines), layout
        assert not any(line.endswith("保") for line in layout.lines), layout


@pytest.mark.parametrize(("lines", "defects"), [
    (["Cap", "- Black"], ["dash-start"]),
    (["– 20% today"], []),                            # the text's own first character
    (["Organic Cotton T-", "Shirt Navy"], ["hyphen-break"]),
    (["Organic Cotton —", "Navy Blue"], []),          # a spaced dash ends a line well
    (["不锈钢保温杯", "瓶"], ["orphan"]),
    (["不锈钢保温杯", "瓶。"], ["orphan"]),
    (["不锈钢", "保温杯瓶"], []),
    (["Stoneware Coffee Mug 11", "oz"], ["orphan"]),
    (["Dotted Notebook A5, 120", "Pages"], ["orphan"]),
    (["Evergreen Cold-Pressed Olive", "Oil"], ["orphan"]),
    (["Evergreen", "Oil"], []),                       # nothing to move down
    (["Arc Table", "Lamp"], []),                      # no better two-line form
    (["A B C", "Supercalifragilistic"], []),          # a long last word stands
    (["Olive Oil", "11 oz"], []),                     # two words
    (["不锈钢保", "温杯"], ["word-split"]),
    (["大容量保", "温杯瓶"], ["word-split"]),
    (["不锈钢", "保温杯"], []),
    (["軽量ランニングシュー", "ズ、通気性"], ["word-split"]),   # ー belongs to its word
    (["신선한 과일", "주스 1리터"], []),
    (["T-", "Shirt", "– x", "瓶"], ["orphan", "hyphen-break", "dash-start"]),
    ([], []),
    (["one line"], []),
])
def test_line_defects(lines: list[str], defects: list[str]) -> None:
    assert line_defects(lines) == defects


def test_a_break_that_took_a_space_splits_no_word() -> None:
    lines = ["Solidus 帆布包女", "单肩托特包 大容量"]
    assert "word-split" in line_defects(lines)   # on the lines alone it reads as one run
    assert line_defects(lines, "Solidus 帆布包女 单肩托特包 大容量") == []
    assert line_defects(["保", "温杯"], "保温杯") == ["word-split"]
