"""`caption` in templates: checked as a text's value, written from the product's data for
the box it fills, facts not repeated across a creative's boxes, left out (with a note)
when nothing in the data fits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddm_lang import DiagnosticError, template_from_string
from ddm_lang.copy import Facts, violations
from ddm_lang.scene import TextNode

SAMPLES = Path(__file__).resolve().parent.parent / "ddm_lang" / "stdlib_templates" / "samples"
PRODUCTS = {p["id"]: p for p in json.loads((SAMPLES / "catalogue.json").read_text("utf-8"))}
HEAD = 'template t "T"\nformats feed 1080x1080, banner 1200x628\n'
BOXES = """
text brand-line = caption(kind: brand) { box: 6% 6% 60% 5%; size: fit(12, 4%); max-lines: 1 }
text headline = caption(kind: headline) { box: 6% 14% 70% 24%; size: fit(20, 9%); max-lines: 2 }
text point-a = caption(kind: selling_point) { box: 6% 42% 60% 6%; size: fit(12, 4%); max-lines: 1 }
text point-b = caption(kind: selling_point) { box: 6% 50% 60% 6%; size: fit(12, 4%); max-lines: 1 }
text price-line = caption(kind: price) { box: 6% 62% 40% 8%; size: fit(14, 6%); max-lines: 1 }
text cta = caption(kind: cta) { box: 6% 78% 34% 10%; size: fit(12, 4%); max-lines: 1 }
"""


def _codes(source: str) -> list[tuple[str, int, int]]:
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source)
    return [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics]


def _texts(product_id: str, fmt: str = "feed") -> dict[str, TextNode]:
    creative = template_from_string(HEAD + BOXES).compile(PRODUCTS[product_id], fmt, base_dir=SAMPLES)
    return {c.name: c for c in creative.scene.children if isinstance(c, TextNode)}


def test_caption_arguments_are_checked() -> None:
    assert _codes(HEAD + "text h = caption(kind: tagline) { box: 0 0 50% 10% }\n") == [
        ("check.operation-arg", 3, 18)]
    assert _codes(HEAD + "text h = caption(style: bold) { box: 0 0 50% 10% }\n") == [
        ("check.operation-arg", 3, 18)]
    assert _codes(HEAD + "let h = caption(kind: headline)\n") == [("check.caption-place", 3, 9)]


@pytest.mark.parametrize("fmt", ["feed", "banner"])
@pytest.mark.parametrize("product_id", sorted(PRODUCTS))
def test_captions_state_only_facts_and_fit_their_boxes(product_id: str, fmt: str) -> None:
    facts = Facts.from_product(PRODUCTS[product_id])
    texts = _texts(product_id, fmt)
    assert {"headline", "cta", "point-a"} <= set(texts)
    for node in texts.values():
        copy = " ".join(line.text for line in node.lines)
        assert not violations(copy, facts, allowed=frozenset({"−"})) or node.name == "price-line"
        assert not copy.endswith("…")  # written to fit, never cut by the fitter


def test_selling_points_are_not_repeated_across_boxes() -> None:
    texts = _texts("sample-bottle")
    a, b = (" ".join(line.text for line in texts[n].lines) for n in ("point-a", "point-b"))
    assert a and b and a != b
    assert a in PRODUCTS["sample-bottle"]["selling_points"]


def test_price_and_call_to_action_follow_the_language() -> None:
    zh, en = _texts("sample-sneaker"), _texts("sample-bottle")
    # the price paid: ¥499 less 15 %, $12.90 less 20 %
    assert zh["price-line"].lines[0].text.startswith("¥424.15")
    assert en["price-line"].lines[0].text.startswith("$10.32")
    assert all("\u4e00" <= ch <= "\u9fff" for ch in zh["cta"].lines[0].text)
    assert en["cta"].lines[0].text.isascii()


def test_a_caption_with_nothing_to_say_is_left_out_with_a_note() -> None:
    product = {"id": "plain", "title": "Plain tea", "images": []}
    creative = template_from_string(HEAD + BOXES).compile(product, "feed")
    names = {c.name for c in creative.scene.children if isinstance(c, TextNode)}
    assert "headline" in names and "price-line" not in names and "brand-line" not in names
    assert any("price-line" in n and "left out" in n for n in creative.scene.notes)
