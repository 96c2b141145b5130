"""The offline writer: every kind fits its box, states only data, repeats nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddm_lang.copy import KINDS, Facts, fits, is_factual, write
from ddm_lang.copy.prices import format_price

OLIVE = {"id": "olive", "title": "Evergreen Cold-Pressed Olive Oil", "category": "grocery",
         "lang": "en", "brand": {"name": "Grove & Co", "logos": []},
         "price": {"amount": 12.9, "currency": "USD", "discount": 20},
         "selling_points": ["First cold press", "Single-estate olives",
                            "Glass bottle keeps it fresh"],
         "attributes": {"volume": "500 ml", "origin": "Crete"}, "images": ["b.jpg"]}
DRESS = "类型#裙*材质#蕾丝*风格#宫廷*图案#刺绣*图案#蕾丝*裙型#大裙摆*裙下摆#花边*裙袖型#泡泡袖"


def test_price_is_formatted_per_locale() -> None:
    assert format_price(1.99, "EUR", "en") == "€1.99"
    assert format_price(2.5, "USD", "en") == "$2.50"
    assert format_price(199, "CNY", "zh") == "¥199"
    assert format_price(1.99, "EUR", "de") == "1,99 €"
    assert format_price(12.9, "SEK", "sv") == "12,90 kr"
    assert format_price(1299, "USD", "en") == "$1,299"
    assert format_price(5, "XAU", "en") == "5 XAU"


def test_price_discount_only_when_the_data_have_one() -> None:
    facts = Facts.from_product(OLIVE)
    # $12.90 less 20 %: the price the buyer pays, never the list price beside "−20%"
    assert write("price", facts, chars_per_line=12, max_lines=1).text == "$10.32 −20%"
    assert write("price", facts, chars_per_line=4, max_lines=1).text == "$10.32"
    no_discount = Facts.from_product({**OLIVE, "price": {"amount": 18, "currency": "EUR",
                                                         "discount": 0}})
    assert write("price", no_discount, chars_per_line=12, max_lines=1).text == "€18"
    no_price = Facts.from_product({k: v for k, v in OLIVE.items() if k != "price"})
    assert write("price", no_price, chars_per_line=12, max_lines=1).text == ""


def test_cta_by_language_and_category() -> None:
    facts = Facts.from_product(OLIVE)
    assert write("cta", facts, chars_per_line=10, max_lines=1).text == "Order today"
    assert write("cta", facts, chars_per_line=10, max_lines=1, lang="zh").text == "立即下单"
    mug = Facts.from_product({**OLIVE, "category": "home"})
    assert write("cta", mug, chars_per_line=10, max_lines=1).text == "Shop now"
    assert write("cta", mug, chars_per_line=10, max_lines=1, variant=1).text == "Buy now"


def test_headline_compresses_the_title() -> None:
    facts = Facts.from_product(OLIVE)
    assert write("headline", facts, chars_per_line=20, max_lines=1).text == \
        "Evergreen Cold-Pressed Olive Oil"
    assert write("headline", facts, chars_per_line=6, max_lines=1).text == "Olive Oil"
    assert write("headline", facts, chars_per_line=1, max_lines=1).text == ""


def test_brand_is_whole_or_absent() -> None:
    facts = Facts.from_product(OLIVE)
    assert write("brand", facts, chars_per_line=8, max_lines=1).text == "Grove & Co"
    assert write("brand", facts, chars_per_line=3, max_lines=1).text == ""


def test_selling_points_are_not_repeated_across_boxes() -> None:
    for facts in (Facts.from_product(OLIVE), Facts.from_content(DRESS)):
        used: set[str] = set()
        texts = []
        for _ in range(4):
            cap = write("selling_point", facts, chars_per_line=12, max_lines=1, used=used)
            assert not (cap.facts & used)
            used |= cap.facts
            if cap.text:
                texts.append(cap.text)
        assert len(texts) == len(set(texts)) >= 2


def test_attribute_copy_leads_with_salient_values() -> None:
    facts = Facts.from_content("类型#裙*材质#牛仔布*图案#刺绣*裙长#连衣裙")
    cap = write("selling_point", facts, chars_per_line=6, max_lines=1)
    assert cap.text == "刺绣图案"           # 牛仔布 is rarely mentioned as such
    head = write("headline", facts, chars_per_line=12, max_lines=1)
    assert head.text.endswith("连衣裙") and "attr:裙长=连衣裙" in head.facts


def test_writer_is_deterministic() -> None:
    facts = Facts.from_content(DRESS)
    a = [write(k, facts, chars_per_line=9, max_lines=2) for k in KINDS]
    b = [write(k, facts, chars_per_line=9, max_lines=2) for k in KINDS]
    assert a == b


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown caption kind"):
        write("slogan", Facts.from_product(OLIVE), chars_per_line=9, max_lines=1)


# ---- properties ---------------------------------------------------------------------------
EN_WORDS = ["Organic", "Olive", "Oil", "Stoneware", "Mug", "Runner", "Extra-Virgin", "(1l)",
            "Class", "1", "Premium", "Juice", "with", "Pulp"]
ZH_WORDS = ["轻盈", "跑步鞋", "透气", "网面", "连衣裙", "简约", "条纹", "Aero", "2024新款"]
ATTRS = [("图案", "条纹"), ("风格", "简约"), ("版型", "宽松"), ("材质", "蕾丝"),
         ("volume", "500 ml"), ("origin", "Crete"), ("裙长", "连衣裙"), ("类型", "裙")]


@st.composite
def products(draw: st.DrawFn) -> Facts:
    zh = draw(st.booleans())
    title = " ".join(draw(st.lists(st.sampled_from(ZH_WORDS if zh else EN_WORDS),
                                   min_size=0, max_size=6)))
    data = {"id": "p", "title": title or "x", "lang": "zh" if zh else "en", "images": [],
            "attributes": dict(draw(st.lists(st.sampled_from(ATTRS), max_size=5))),
            "selling_points": draw(st.lists(st.sampled_from(
                ["透气网面", "Hand-glazed", "Holds 350 ml", "Dishwasher safe"]), max_size=3))}
    if draw(st.booleans()):
        data["price"] = {"amount": draw(st.floats(0, 10000, allow_nan=False)),
                         "currency": draw(st.sampled_from(["USD", "EUR", "CNY", "SEK"])),
                         "discount": draw(st.sampled_from([None, 0, 15, 50]))}
    if draw(st.booleans()):
        data["brand"] = {"name": draw(st.sampled_from(["Aero", "Grove & Co", "Kiln"])),
                         "logos": []}
    return Facts.from_product(data)


@settings(max_examples=150, deadline=None)
@given(products(), st.sampled_from(KINDS), st.floats(0.5, 30, allow_nan=False),
       st.integers(0, 4))
def test_caption_never_exceeds_its_box_and_is_factual(facts: Facts, kind: str, chars: float,
                                                      lines: int) -> None:
    cap = write(kind, facts, chars_per_line=chars, max_lines=lines)
    assert cap.text == "" or fits(cap.text, chars, lines)
    assert is_factual(cap.text, facts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(ATTRS[:4] + ATTRS[6:]), min_size=1, max_size=8))
def test_advertisegen_captions_fit_and_are_factual(pairs: list[tuple[str, str]]) -> None:
    facts = Facts.from_content("*".join(f"{k}#{v}" for k, v in pairs))
    used: set[str] = set()
    for kind in ("headline", "selling_point", "selling_point"):
        cap = write(kind, facts, chars_per_line=7, max_lines=2, used=used)
        assert cap.text == "" or fits(cap.text, 7, 2)
        assert is_factual(cap.text, facts)
        if kind == "selling_point":
            assert not (cap.facts & used)
        used |= cap.facts


def test_a_decimal_number_in_a_title_is_never_cut() -> None:
    from ddm_lang.copy.headline import title_candidates
    shortened = list(title_candidates("Mild Lättyoghurt Naturell 0,5%", "sv"))
    assert all(not c.endswith(" 0") and "0,5" not in c.replace("0,5%", "") for c in shortened)
    assert shortened[0].endswith("0,5%")


def test_a_decimal_point_does_not_end_a_sentence() -> None:
    """A feed's "Power Cable - 5.5mm x 2.1mm." was cut to "Power Cable - 5." on a subline."""
    facts = Facts(title="Cable", description="DC Power Cable - 5.5mm x 2.1mm. Works at 12.5 V!")
    assert facts.description_sentences() == ("DC Power Cable - 5.5mm x 2.1mm.", "Works at 12.5 V!")
