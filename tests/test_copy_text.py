"""Width model, line breaking and the CJK word-boundary rule of the copy writer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ddm_lang.copy.headline import title_candidates, title_words
from ddm_lang.copy.phrases import ZH_LEXICON
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


def test_english_headline_drops_whole_words_away_from_the_noun() -> None:
    cands = list(title_candidates("Evergreen Cold-Pressed Olive Oil (500 ml) NEW", "en"))
    assert cands[0] == "Evergreen Cold-Pressed Olive Oil"   # bracket and filler gone
    assert cands[1:] == ["Cold-Pressed Olive Oil", "Olive Oil", "Oil"]


def test_headline_keeps_the_brand_until_last() -> None:
    cands = list(title_candidates("轻盈跑步鞋 Aero Runner", "zh", brand="Aero"))
    assert cands == ["轻盈跑步鞋 Aero Runner", "轻盈跑步鞋 Aero", "跑步鞋 Aero", "跑步鞋"]


WORDS = sorted(w for w in ZH_LEXICON if len(w) >= 2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_cjk_title_is_only_cut_between_words(parts: list[str]) -> None:
    """Every shortened title is a subsequence of the title's words: no lexicon word is
    ever cut in two."""
    title = "".join(parts)
    words = [w for w, _ in title_words(title)]
    for cand in title_candidates(title, "zh"):
        rest, i = cand, 0
        while rest:
            while i < len(words) and not rest.startswith(words[i]):
                i += 1
            assert i < len(words), f"{cand!r} cuts a word of {words}"
            rest = rest[len(words[i]):].lstrip()
            i += 1
