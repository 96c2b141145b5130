"""The factuality rule: no number or attribute value that the product data lack."""

from __future__ import annotations

from ddm_lang.copy import Facts, is_factual, violations
from ddm_lang.copy.facts import numbers_in

SNEAKER = {"id": "s", "title": "轻盈跑步鞋 Aero Runner", "lang": "zh", "category": "apparel",
           "brand": {"name": "Aero", "logos": []},
           "price": {"amount": 499, "currency": "CNY", "discount": 15},
           "selling_points": ["透气网面", "缓震中底", "仅重 220 克"],
           "attributes": {"weight": "220 g", "color": "navy"}, "images": ["a.jpg"]}


def test_invented_number_is_rejected() -> None:
    facts = Facts.from_product(SNEAKER)
    assert is_factual("仅重 220 克", facts)
    problems = violations("仅重 180 克", facts)
    assert problems and "180" in problems[0]


def test_numbers_compare_by_value() -> None:
    facts = Facts.from_product({"id": "o", "title": "Olive Oil", "images": [],
                                "price": {"amount": 12.9, "currency": "USD", "discount": 20}})
    assert is_factual("$12.90 −20%", facts)
    assert not is_factual("$12.99", facts)
    assert numbers_in("Skimmed milk 1,5%") >= {1.5}


def test_invented_attribute_value_is_rejected() -> None:
    facts = Facts.from_content("类型#裙*图案#条纹*裙型#鱼尾裙")
    assert is_factual("条纹鱼尾裙", facts)
    assert any("蕾丝" in p for p in violations("蕾丝鱼尾裙", facts))
    # 高领 inside 半高领 is the value 半高领: a product with 半高领 does not license 高领
    half = Facts.from_content("类型#上衣*衣领型#半高领")
    assert is_factual("半高领设计", half)
    assert not is_factual("高领设计", half)


def test_english_terms_are_whole_words_from_the_data() -> None:
    orange = Facts.from_product({"id": "o", "title": "Orange Class 1", "images": []})
    assert is_factual("Orange", orange)
    assert not is_factual("Black Orange", orange)
    assert is_factual("Goldfish", orange)   # "gold" only as a word


def test_writer_connectives_are_allowed_only_when_vouched_for() -> None:
    facts = Facts.from_content("类型#裤*版型#宽松")
    assert is_factual("宽松版型", facts)    # 版型 is a key, not a value: fine anyway
