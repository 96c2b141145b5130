"""Headlines shortened from titles keep what the product is: head nouns, compounds,
measures and Chinese words stay whole."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddm_lang.copy.facts import Facts
from ddm_lang.copy.headline import head_noun, keeps_head_noun, parse_title, title_candidates
from ddm_lang.copy.phrases import ZH_LEXICON
from ddm_lang.copy.segment import cjk_words
from ddm_lang.copy.writer import write


def cands(title: str, lang: str = "en", brand: str | None = None) -> list[str]:
    return list(title_candidates(title, lang, brand))


def test_english_headline_drops_whole_words_away_from_the_noun() -> None:
    got = cands("Evergreen Cold-Pressed Olive Oil (500 ml) NEW")
    assert got[0] == "Evergreen Cold-Pressed Olive Oil"   # bracket and filler gone
    assert got[1:] == ["Cold-Pressed Olive Oil", "Olive Oil"]   # the compound stays whole


def test_units_sizes_and_variant_suffixes_are_modifiers() -> None:
    """The issue's examples: the head noun wins over what only qualifies it."""
    assert cands("Brand Notebook A5, 120 Pages", brand="Brand") == [
        "Brand Notebook A5, 120 Pages", "Brand Notebook A5", "Brand Notebook", "Notebook"]
    assert cands("Brand Mug Set, 2 x 11 oz", brand="Brand") == [
        "Brand Mug Set, 2 x 11 oz", "Brand Mug Set", "Mug Set"]
    assert cands("Brand Snapback Cap - Black", brand="Brand") == [
        "Brand Snapback Cap - Black", "Brand Snapback Cap", "Snapback Cap", "Cap"]


def test_the_bare_noun_only_where_it_names_the_product_alone() -> None:
    """The head's partner goes last, and only after a style word: a grouping, container
    or form word, or a noun the compound makes, keeps it ("Bank" is no product)."""
    assert cands("Plush Teddy Bear 30 cm, Beige")[-1] == "Teddy Bear"
    assert cands("Power Bank 20000mAh, Fast Charging")[-1] == "Power Bank"
    assert cands("Evergreen Olive Oil, 500 ml")[-1] == "Olive Oil"
    assert cands("Tomato Ketchup 500 ml Squeezy Bottle")[-1] == "Ketchup"   # a preparation
    assert cands("Basmati Rice 5 kg Bag")[-2:] == ["Basmati Rice", "Rice"]


def test_counts_and_model_names_go_whole() -> None:
    assert "Watercolour Paint Set 24" not in cands("Watercolour Paint Set 24 Colours with Brush")
    assert "Blackout Curtains 2" not in cands("Blackout Curtains 2 Panels 140 x 260 cm")
    got = cands("Aero Trail Runner 2 Women's Trail Running Shoe, Olive", brand="Aero")
    assert not any("Runner 2" in c and "Trail Runner 2" not in c for c in got)
    assert head_noun("Football Size 5 Training Ball", "en") == "Football"
    # a Latin name in a Chinese title is one segment: "Aero Runner", never "Aero" alone
    got = cands("轻盈跑步鞋 Aero Runner", "zh", brand="Aero")
    assert not any(c.endswith("Aero") for c in got)


def test_compounds_stay_whole() -> None:
    assert cands("Vitamin C Glow Serum", brand="Lumen")[-2:] == ["Glow Serum", "Serum"]
    assert "C Glow Serum" not in cands("Vitamin C Glow Serum")
    assert cands("Men's Classic Crew Neck T-Shirt (Navy, XL)")[-2:] == [
        "Crew Neck T-Shirt", "T-Shirt"]
    assert cands("Hydra Insulated Water Bottle, 32 oz")[-1] == "Water Bottle"
    assert cands("Bamboo Cutting Board Set, 3 Pieces")[-1] == "Cutting Board Set"


def test_measures_go_whole_with_their_container() -> None:
    title = ("Ridgeline Roasters Whole Bean Coffee, Ethiopia Yirgacheffe Single Origin, "
             "Medium Roast, 1 kg Bag")
    got = cands(title, brand="Ridgeline Roasters")
    assert "Ridgeline Roasters kg Bag" not in got
    assert all("kg" not in c or "1 kg Bag" in c for c in got)
    assert got[-1] == "Coffee"
    assert "Ridgeline Roasters Coffee" in got    # the brand goes whole, last


def test_noun_first_shelf_labels() -> None:
    """Grocery shelf labels put the noun first: "Apple Golden Delicious Class 1"."""
    assert head_noun("Apple Golden Delicious Class 1", "en") == "Apple"
    assert cands("Apple Golden Delicious Class 1") == ["Apple Golden Delicious", "Apple"]
    assert head_noun("Pepper Orange Class 1", "en") == "Pepper"   # a colour is no head
    assert head_noun("Smooth Style Utan Fruktkött Färskpressad Juice", "sv") == "Juice"
    assert head_noun("Mild Lättyoghurt Naturell 0,5%", "sv") == "Lättyoghurt"


def test_function_phrases_go_whole() -> None:
    got = cands("Electric Toothbrush with 2 Brush Heads, White")
    assert "Electric Toothbrush" in got
    assert not any(c.endswith(("with", "with 2", "with 2 Brush")) for c in got)
    assert head_noun("Eau de Parfum Rose Oud 100 ml", "en") == "Eau de Parfum"


def test_filler_is_only_dropped_as_a_whole_word() -> None:
    assert cands("Mechanical Keyboard 75% Hot-Swappable")[0] == \
        "Mechanical Keyboard 75% Hot-Swappable"


def test_chinese_titles_keep_their_words() -> None:
    got = cands("丝绒哑光口红 #520 正红色", "zh")
    assert got == ["丝绒哑光口红 #520 正红色", "丝绒哑光口红 #520", "丝绒哑光口红", "哑光口红", "口红"]
    assert not any(c.startswith("光") for c in got)       # 哑光 is never cut in half
    assert cands("家用陶瓷马克杯套装", "zh")[-1] == "马克杯套装"
    jacket = cands("男女同款轻薄羽绒服 90%白鸭绒 立领保暖外套", "zh", "北境")
    assert "同款轻薄羽绒服" not in jacket                    # 男女同款 goes whole
    assert jacket[-1] == "羽绒服"


def test_headline_keeps_the_brand_until_last() -> None:
    got = cands("轻盈跑步鞋 Aero Runner", "zh", brand="Aero")
    assert got[0] == "轻盈跑步鞋 Aero Runner"
    assert got[-1] == "跑步鞋"


def test_keeps_head_noun() -> None:
    assert keeps_head_noun("Brand Mug Set, 2 x 11 oz", "Mug Set", "en")
    assert not keeps_head_noun("Brand Mug Set, 2 x 11 oz", "Brand x 11 oz", "en")
    assert not keeps_head_noun("Vitamin C Glow Serum", "Vitamin C Glow", "en")
    assert keeps_head_noun("丝绒哑光口红 #520 正红色", "哑光口红", "zh")
    assert not keeps_head_noun("丝绒哑光口红 #520 正红色", "丝绒哑光 #520", "zh")


def test_writer_never_gives_a_headline_without_the_noun() -> None:
    facts = Facts(title="Brand Notebook A5, 120 Pages", lang="en", brand="Brand")
    for chars in (3, 5, 7, 9, 12, 16):
        text = write("headline", facts, chars_per_line=chars, max_lines=1).text
        assert text == "" or "Notebook" in text


WORDS = sorted(w for w in ZH_LEXICON if len(w) >= 2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_cjk_title_is_only_cut_between_words(parts: list[str]) -> None:
    """Every shortened title is made of whole words of the title: no word is ever cut
    in two, and the head noun is always there."""
    title = "".join(parts)
    words = list(cjk_words(title))
    noun = head_noun(title, "zh")
    for cand in title_candidates(title, "zh"):
        assert noun in cand
        rest, i = cand, 0
        while rest:
            while i < len(words) and not rest.startswith(words[i]):
                i += 1
            assert i < len(words), f"{cand!r} cuts a word of {words}"
            rest = rest[len(words[i]):].lstrip()
            i += 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["Brand", "Classic", "Water", "Bottle", "Mug", "Set", "2",
                                 "x", "11", "oz", "-", "Black", ",", "with", "Lid",
                                 "Vitamin", "C", "Serum", "Pack", "of", "6"]),
                min_size=1, max_size=9))
def test_candidates_shrink_and_keep_the_head(tokens: list[str]) -> None:
    title = " ".join(tokens).replace(" ,", ",")
    parse = parse_title(title, "en", "Brand")
    got = cands(title, "en", "Brand")
    assert got, title
    for a, b in pairwise(got):
        assert len(b) < len(a), (title, got)
    if parse.words:
        # every candidate keeps the head phrase, but the bare noun that may come last
        bare = parse.join(parse.bare) if parse.bare else None
        assert all(parse.head_text in c for c in got[1:] if c != bare), (title, got)
        assert all(parse.join(parse.noun) in c for c in got), (title, got)
        assert bare is None or got[-1] == bare


def test_a_title_that_names_no_kind_of_product_is_kept_as_a_name() -> None:
    got = cands("Truly Open Commerce: Battle-Tested at Brands Like Lush (Paperback)")
    assert got == ["Truly Open Commerce: Battle-Tested at Brands Like Lush",
                   "Truly Open Commerce"]


@pytest.mark.parametrize(("title", "shortest"), [
    # a style word may go; a word that names another kind of product may not
    ("Heritage Bucket Hat - Olive", "Hat"),
    ("Storm Rain Poncho, Yellow", "Rain Poncho"),
    ("Oak Wall Shelf 60 cm", "Wall Shelf"),
    ("Trail Running Shoes Men's - Grey", "Running Shoes"),
    ("Camping Stove 2 Burner", "Stove"),
    ("Rose Hand Cream 75 ml", "Hand Cream"),
    # an ingredient before a preparation, a variety before produce
    ("Tea Tree Face Wash 150 ml", "Face Wash"),
    ("Lavender Oil Soap Bar 100 g", "Soap"),
    ("Cherry Tomatoes 250 g", "Tomatoes"),
    ("Roll-On Deodorant Stick 50 ml", "Deodorant"),
    # a grouping word keeps the thing it groups; a classifier's own noun goes with it
    ("Acrylic Paint Set 12 Colours", "Paint Set"),
    ("Kitchen Herb Garden Kit", "Herb Garden Kit"),
    # a number that counts the word after it is a measure, not a model name
    ("Sleeping Bag 3 Season", "Sleeping Bag"),
    ("Night Light Kids Star", "Night Light"),
])
def test_the_shortest_headline_still_names_the_kind_of_product(title: str, shortest: str) -> None:
    assert cands(title)[-1] == shortest
