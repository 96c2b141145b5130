"""Issue 17, part 4: what an art director rejected in the stdlib templates, and the language
features that fix it at the source: pill buttons from `rx` alone, the feed's main image
first (`index`), the price the buyer pays (`sale_price`, the `price` caption), two distinct
views, no decoration left without its content, copy and buttons clear of the edges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from ddm_lang import load_template, template_from_string
from ddm_lang.copy.facts import Facts
from ddm_lang.copy.writer import write
from ddm_lang.layout.elements import flatten
from ddm_lang.scene import ImageNode, Node, TextNode
from ddm_lang.semantics.functions import sale_price
from ddm_lang.values import sale_amount

NS = {"s": "http://www.w3.org/2000/svg"}
HEAD = 'template t "T"\nformats feed 1000x1000, banner 1200x600\n'
STDLIB = Path(__file__).parents[1] / "ddm_lang" / "stdlib_templates"
SAMPLES = STDLIB / "samples"


def compile_svg(source: str, product: dict, base: Path, fmt: str = "feed") -> etree._Element:
    svg = template_from_string(source).compile(product, fmt, base_dir=base).svg
    return etree.fromstring(svg.encode())


# ---- 1. rx alone is a pill, not an ellipse ------------------------------------------------
def test_rect_with_rx_alone_is_a_pill_clamped_to_half_the_shorter_side(
        studio: Path, product: dict) -> None:
    src = HEAD + "rect button { box: 10% 10% 40% 8%; rx: 999; fill: #123456 }\n"
    rect = compile_svg(src, product, studio).find("s:rect", NS)
    assert rect.get("width") == "400" and rect.get("height") == "80"
    assert rect.get("rx") == rect.get("ry") == "40"  # SVG alone would draw rx 200, ry 40


def test_small_rx_rounds_both_axes_and_ry_alone_works_the_same(
        studio: Path, product: dict) -> None:
    src = HEAD + ("rect a { box: 0 0 50% 10%; rx: 12 }\n"
                  "rect b { box: 0 20% 50% 10%; ry: 2vmin }\n")
    a, b = compile_svg(src, product, studio).findall("s:rect", NS)
    assert (a.get("rx"), a.get("ry")) == ("12", "12")
    assert (b.get("rx"), b.get("ry")) == ("20", "20")


def test_both_radii_and_raw_svg_keep_svg_semantics(studio: Path, product: dict) -> None:
    src = HEAD + ('rect a { box: 0 0 50% 10%; rx: 999; ry: 5 }\n'
                  'raw """<rect id="raw" x="0" y="0" width="400" height="80" rx="999"/>"""\n')
    root = compile_svg(src, product, studio)
    a = root.find("s:rect", NS)
    assert (a.get("rx"), a.get("ry")) == ("999", "5")
    raw = root.find(".//s:rect[@id='raw']", NS)
    assert raw.get("rx") == "999" and raw.get("ry") is None


def test_pill_inside_a_component_uses_the_instance_frame(studio: Path, product: dict) -> None:
    src = HEAD + ("component button() { rect plate { box: 0 0 100% 100%; rx: 999 } }\n"
                  "button { box: 10% 80% 30% 6% }\n")
    rect = compile_svg(src, product, studio).find(".//s:rect", NS)
    assert rect.get("rx") == rect.get("ry") == "30"


# ---- 5. the feed's main image: `index` ----------------------------------------------------
def test_index_prefers_the_feeds_main_image_over_a_bigger_one(
        studio: Path, product: dict) -> None:
    # small.png is listed first (the main image); big.jpg has more pixels
    src = HEAD + ("object hero = image from product.images prefer index asc, megapixels desc\n"
                  "image hero { box: 0 0 50% 50% }\n"
                  'text i = "{hero.index}" { box: 60% 0 30% 10%; size: 20px }\n')
    root = compile_svg(src, product, studio)
    assert root.find(".//s:image", NS).get("href").startswith("data:image/png")
    assert "".join(root.find(".//s:text", NS).itertext()).strip() == "0"


def test_index_in_where_and_on_the_chosen_material(studio: Path, product: dict) -> None:
    src = HEAD + ("object second = image from product.images where index >= 1\n"
                  "image second { box: 0 0 50% 50% }\n"
                  'text i = "{second.index}" { box: 60% 0 30% 10%; size: 20px }\n')
    root = compile_svg(src, product, studio)
    assert root.find(".//s:image", NS).get("href").startswith("data:image/jpeg")
    assert "".join(root.find(".//s:text", NS).itertext()).strip() == "1"


def test_a_file_listed_twice_is_one_candidate(studio: Path, product: dict) -> None:
    dup = {**product, "images": ["big.jpg", "big.jpg"]}
    src = HEAD + ("object views[2] = image from product.images\n"
                  'text n = "{len(views)}" { box: 0 0 30% 10%; size: 20px }\n')
    root = compile_svg(src, dup, studio)
    assert "".join(root.find(".//s:text", NS).itertext()).strip() == "1"


# ---- 6. the price the buyer pays ----------------------------------------------------------
def test_sale_amount_rounds_half_up_to_the_cent() -> None:
    assert sale_amount(12.9, 20) == 10.32
    assert sale_amount(10.05, 50) == 5.03        # 5.025: half up, not float's 5.02
    assert sale_amount(39, 25) == 29.25
    assert sale_amount(18, 0) == 18 and sale_amount(18, None) == 18


def test_sale_price_function_formats_like_price() -> None:
    fn = sale_price
    assert fn(12.9, 20, "USD") == "$10.32"
    assert fn(499, 15, "CNY", "zh") == "¥424.15"
    assert fn(40, 25, "EUR") == "€30"
    assert fn(18, 0, "EUR") == "€18"


def test_price_caption_states_the_price_paid_with_a_discount() -> None:
    olive = {"title": "Evergreen Olive Oil", "lang": "en",
             "price": {"amount": 12.9, "currency": "USD", "discount": 20}}
    facts = Facts.from_product(olive)
    assert write("price", facts, chars_per_line=12, max_lines=1).text == "$10.32 −20%"
    assert write("price", facts, chars_per_line=4, max_lines=1).text == "$10.32"
    full = Facts.from_product({**olive, "price": {"amount": 18, "currency": "EUR"}})
    assert write("price", full, chars_per_line=12, max_lines=1).text == "€18"


def test_struck_list_price_sits_on_the_sale_price_line(studio: Path, product: dict) -> None:
    src = HEAD + (
        "text now = sale_price(product.price.amount, product.price.discount, "
        "product.price.currency) { box: 5% 70% 30% 10%; size: fit(20, 60); max-lines: 1; "
        "valign: bottom }\n"
        "text was = price(product.price.amount, product.price.currency) { box: 0 70% 20% 6%; "
        "flow: after now gap 2% align end; size: fit(10, 30); max-lines: 1; valign: bottom; "
        "text-decoration: line-through }\n")
    root = compile_svg(src, product, studio)
    now, was = root.findall(".//s:text", NS)
    assert "".join(now.itertext()).strip() == "$10.32"
    assert "".join(was.itertext()).strip() == "$12.90"
    assert was.get("text-decoration") == "line-through"


# ---- the stdlib templates on the sample catalogue -----------------------------------------
def _products() -> dict[str, dict]:
    items = {p["id"]: p for p in json.loads((SAMPLES / "catalogue.json").read_text("utf-8"))}
    cap = items["sample-headphones"]
    items["no-points"] = {**cap, "id": "no-points", "selling_points": []}
    items["twice"] = {**items["sample-bottle"], "id": "twice",
                      "images": ["images/bottle.jpg", "images/bottle.jpg"]}
    return items


PRODUCTS = _products()
TEMPLATES = sorted(p.stem for p in STDLIB.glob("*.ddm"))


def _safe_margin(width: int, height: int) -> float:
    """3 % of the shorter side, at least 8 px (a 728×90 leaderboard keeps 74 px of height)."""
    return max(8.0, 0.03 * min(width, height))


def _walk(items: tuple, out: list) -> list:
    for item in items:
        out.append(item)
        if isinstance(item, Node):
            _walk(item.children, out)
    return out


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("name", TEMPLATES)
def test_copy_and_buttons_keep_a_safe_margin(name: str) -> None:
    template = load_template(STDLIB / f"{name}.ddm")
    problems = []
    for pid in ("sample-serum", "sample-jacket", "no-points"):
        for fmt in template.formats:
            scene = template.compile(PRODUCTS[pid], fmt.name, base_dir=SAMPLES).scene
            m = _safe_margin(fmt.width, fmt.height)
            for e in flatten(scene):
                words = set((e.name or "").replace("_", "-").split("-"))
                rounded = isinstance(e.item, Node) and "rx" in dict(e.item.attrs)
                button = e.kind == "shape" and rounded and bool(
                    words & {"plate", "button", "cta", "pill"})
                if e.kind != "text" and not button:
                    continue
                b = e.box
                edge = min(b.x, b.y, fmt.width - b.right, fmt.height - b.bottom)
                if edge < m - 0.5:
                    problems.append(f"{pid} {fmt.name}: {e.kind} {e.name} {edge:.1f}px < {m:.1f}")
    assert not problems, "\n".join(problems)


def test_feature_list_draws_no_bullet_without_a_point() -> None:
    """A product with nothing to say as a selling point: the bullets go with the points."""
    bare = {k: v for k, v in PRODUCTS["sample-headphones"].items()
            if k not in ("selling_points", "attributes", "description")}
    template = load_template(STDLIB / "feature_list.ddm")
    for fmt in template.formats:
        scene = template.compile(bare, fmt.name, base_dir=SAMPLES).scene
        items = _walk(scene.children, [])
        points = {i.name for i in items if isinstance(i, TextNode) and i.name in ("p1", "p2", "p3")}
        bullets = {i.name for i in items if isinstance(i, Node) and i.tag == "circle"
                   and i.name in ("b1", "b2", "b3")}
        assert bullets == {"b" + p[1] for p in points}, fmt.name
        full = template.compile(PRODUCTS["sample-serum"], fmt.name, base_dir=SAMPLES).scene
        assert any(isinstance(i, Node) and i.name == "b1" for i in _walk(full.children, []))


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("pid", ["sample-coffee", "twice", "sample-bottle"])
def test_duo_shows_two_different_photos_or_one(pid: str) -> None:
    template = load_template(STDLIB / "duo.ddm")
    for fmt in template.formats:
        scene = template.compile(PRODUCTS[pid], fmt.name, base_dir=SAMPLES).scene
        shown = [i.material.sha256 for i in _walk(scene.children, [])
                 if isinstance(i, ImageNode) and i.name != "logo"]
        assert len(shown) == len(set(shown)), f"{fmt.name}: the same photo twice"


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("name", TEMPLATES)
def test_discounted_price_shows_the_price_paid(name: str) -> None:
    """Serum: 39 EUR less 25 %: wherever a price shows, it is €29.25, never €39 alone."""
    template = load_template(STDLIB / f"{name}.ddm")
    for fmt in template.formats:
        scene = template.compile(PRODUCTS["sample-serum"], fmt.name, base_dir=SAMPLES).scene
        texts = [i for i in _walk(scene.children, []) if isinstance(i, TextNode)]
        lines = " | ".join(line.text for t in texts for line in t.lines)
        if "€39" in lines:
            assert "€29.25" in lines, f"{fmt.name}: list price without the sale price: {lines}"
        struck = [t for t in texts if ("text-decoration", "line-through") in t.attrs]
        for t in struck:
            assert all("€39" in line.text for line in t.lines), fmt.name


# ---- 3. no decoration without its content -------------------------------------------------
def test_a_bullet_beside_a_left_out_point_is_left_out(studio: Path, product: dict) -> None:
    src = HEAD + (
        "text headline = product.title { box: 10% 10% 80% 10%; size: 40px }\n"
        "text p1 = caption(kind: selling_point) { box: 20% 0 70% 8%; size: fit(10, 30); "
        "flow: below headline gap 2% }\n"
        "circle b1 { box: 0 0 20 20; flow: before p1 gap 10 align start; fill: #000000 }\n"
        "rect rule { box: 10% 0 30% 1%; flow: below p1 gap 2%; fill: #000000 }\n")
    bare = {k: v for k, v in product.items() if k != "selling_points"}
    root = compile_svg(src, bare, studio)
    assert root.find(".//s:circle", NS) is None  # the bullet went with its point
    assert root.find(".//s:rect", NS) is not None  # a stack below follows the chain
    root = compile_svg(src, product, studio)
    assert root.find(".//s:circle", NS) is not None


def test_flow_after_a_text_starts_after_its_last_glyph(studio: Path, product: dict) -> None:
    src = HEAD + ("text now = 'x' { box: 0 0 50% 10%; size: 20px }\n"
                  "rect tag { box: 0 0 10 10; flow: after now gap 5 }\n")
    rect = compile_svg(src, product, studio).find(".//s:rect", NS)
    assert float(rect.get("x")) < 30  # not 505, after the box's empty end
