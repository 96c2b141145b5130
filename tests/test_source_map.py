"""The source map a compile keeps for the visual editor, and the `when` overrides it reports.

Each `Placement` must point at the element's own text, give the box the SVG draws, say how
the template writes the position (and which source to rewrite: the `box` value, the slot
region, the override it came from), and keep component parts on the canvas. A map that
points one element off, or a box that disagrees with the SVG, makes a drag rewrite the
wrong text. Overrides (`when COND { prop: value }` inside an element) are checked like the
element's own properties and must change only the creatives their condition holds in.

Templates here need no perception except the one sample compile (module-scoped) that
checks what an abstract `object` chose and why.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import ddm_lang
from ddm_lang.bind import Placement, bind
from ddm_lang.bind.placements import is_length_quad, position_form
from ddm_lang.emit import emit
from ddm_lang.perception.catalogue import load_catalogue
from ddm_lang.scene import Box
from ddm_lang.stdlib_templates import stdlib_dir
from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.formatter import format_source
from ddm_lang.syntax.parser import parse

PRODUCT = {"id": "p1", "title": "Crunchy peanut butter"}
SVG_NS = "{http://www.w3.org/2000/svg}"

# every way of writing a position, a component, a loop, defs and a left-out element
SHAPES = '''template t "T"
formats feed 1000x500, story 500x1000

component badge(tone: color) {
  circle disc { box: 0 0 100% 100%; fill: tone }
  rect bar { box: 10% 20% 50% 25%; fill: #ffffff }
}

defs {
  linearGradient wash {
    stop { offset: 0; stop-color: #ffffff }
    stop { offset: 1; stop-color: #000000 }
  }
}
rect a { box: 10% 20% 30% 40%; fill: "url(#wash)" }
rect b { box: top-right margin 4% size 14%; fill: #00ff00 }
rect c { x: 10; y: 20; width: 30; height: 40; fill: #0000ff }
text d = "Hello" { x: 50; y: 60; size: 20 }
rect e { box: 10% 20% (30% + 10px) 40%; fill: #000000 }
text f = product.title { box: 0 0 50% 20%; size: fit(10, 30); flow: below a gap 10 }
for i in range(3) {
  rect g { box: (i * 10%) 0 5% 5%; fill: #000000 }
}
rect h when format.name == "story" { box: 0 0 10% 10%; fill: #000000 }
circle z { cx: 100; cy: 50; r: 20; fill: #000000 }
badge k { tone: #123456; box: 50% 50% 20% 40% }
group grp {
  rect x1 { box: 0 0 10% 10%; fill: #000000 }
  rect x2 { box: 20% 20% 10% 10%; fill: #000000 }
}
'''

OVERRIDES = '''template t "T"
formats feed 1000x500, story 500x1000, square 600x600

rect a {
  box: 10% 20% 30% 40%;
  fill: #ff0000;
  when format.name == "feed" { box: 0 0 50% 50% }
  when format.width > 550 { fill: #00ff00; stroke: #0000ff }
  when format.name == "story" { fill: #111111 } else when format.name == "square" { fill: #222222 } else { opacity: 0.5 }
}
text b = "Hi" {
  box: 0 80% 50% 20%;
  size: 20;
  when format.name == "story" { box: 10% 10% 80% 10% }
}
'''


def compiled(source: str, fmt: str = "feed", **kwargs) -> ddm_lang.Creative:
    return ddm_lang.template_from_string(source).compile(PRODUCT, fmt, **kwargs)


def placements(creative: ddm_lang.Creative) -> tuple[Placement, ...]:
    assert creative.source_map is not None
    return creative.source_map.placements


def by_name(creative: ddm_lang.Creative) -> dict[str, Placement]:
    return {p.name: p for p in placements(creative) if p.name}


def svg_elements(svg: str) -> dict[str, dict[str, str]]:
    """Each element of the SVG with an id, as its attributes."""
    return {e.get("id"): dict(e.attrib) for e in ET.fromstring(svg).iter() if e.get("id")}


def svg_box(attrs: dict[str, str]) -> Box:
    if "r" in attrs:
        r = float(attrs["r"])
        return Box(float(attrs["cx"]) - r, float(attrs["cy"]) - r, 2 * r, 2 * r)
    return Box(*(float(attrs[k]) for k in ("x", "y", "width", "height")))


def assert_box(actual: Box, expected: Box | tuple[float, ...], tol: float = 1e-3) -> None:
    want = tuple(expected) if isinstance(expected, tuple) else (
        expected.x, expected.y, expected.width, expected.height)
    got = (actual.x, actual.y, actual.width, actual.height)
    assert got == pytest.approx(want, abs=tol), (got, want)


def text_of(source: str, span: ast.Span | None) -> str | None:
    return None if span is None else source[span.start:span.end]


@pytest.fixture(scope="module")
def shapes() -> ddm_lang.Creative:
    return compiled(SHAPES)


# ---- spans ------------------------------------------------------------------------------
def test_every_span_starts_at_its_elements_kind_and_name(shapes: ddm_lang.Creative) -> None:
    found = placements(shapes)
    assert len(found) >= 10
    for p in found:
        text = SHAPES[p.span.start:p.span.end]
        assert text.startswith(f"{p.kind} {p.name}"), (p.name, text[:30])
        # the line and column agree with the offset, as an editor counts them
        assert p.span.line == SHAPES.count("\n", 0, p.span.start) + 1
        assert p.span.column == p.span.start - SHAPES.rfind("\n", 0, p.span.start)
        assert p.span.file == "<template>"
    # the span covers the whole element, its block included
    a = by_name(shapes)["a"]
    assert SHAPES[a.span.start:a.span.end] == 'rect a { box: 10% 20% 30% 40%; fill: "url(#wash)" }'
    assert a.as_json()["span"]["start"] == a.span.start


def test_boxes_are_what_the_svg_draws(shapes: ddm_lang.Creative) -> None:
    attrs = svg_elements(shapes.svg)
    named = by_name(shapes)
    for name in ("a", "b", "c", "e", "f", "z"):  # rects, a circle and a boxed text
        assert_box(named[name].box, svg_box(attrs[name]))
    assert_box(named["a"].box, (100, 100, 300, 200))
    assert_box(named["f"].box, (0, 310, 500, 100))  # the text box: flowed below `a`
    for p in placements(shapes):  # the canvas is every top-level element's frame
        if p.inside is None:
            assert_box(p.frame, (0, 0, 1000, 500))


def test_forms_name_how_the_position_is_written(shapes: ddm_lang.Creative) -> None:
    named = by_name(shapes)
    forms = {name: named[name].form for name in ("a", "b", "c", "d", "e", "f", "z", "grp")}
    assert forms == {"a": "box", "b": "anchored", "c": "xywh", "d": "point", "e": "computed",
                     "f": "box", "z": "center", "grp": "drawn"}
    assert text_of(SHAPES, named["a"].value) == "10% 20% 30% 40%"
    assert text_of(SHAPES, named["b"].value) == "top-right margin 4% size 14%"
    assert text_of(SHAPES, named["e"].value) == "10% 20% (30% + 10px) 40%"
    assert named["c"].value is None and named["d"].value is None
    assert_box(named["b"].box, (910, 20, 70, 70))  # 4% of the shorter side from the corner
    assert_box(named["e"].box, (100, 100, 310, 200))
    d = named["d"].box  # a line at x 50, baseline 60: size 20 above it, 1.2 lines tall
    assert (d.x, d.y, d.height) == pytest.approx((50, 40, 24)) and d.width > 0
    assert all(p.override is None and not p.solved for p in placements(shapes))


def test_position_form_reads_the_source() -> None:
    module = parse(SHAPES, "<template>")
    elements = {i.name: i for i in module.items if isinstance(i, ast.Element)}
    assert position_form(elements["a"])[0] == "box"
    assert position_form(elements["b"])[0] == "anchored"
    assert position_form(elements["e"]) == ("computed", elements["e"].body.properties[0].value.span)
    box_a = elements["a"].body.properties[0].value
    assert is_length_quad(box_a)
    assert not is_length_quad(elements["e"].body.properties[0].value)


def test_flow_is_reported_with_the_box_it_moved_to(shapes: ddm_lang.Creative) -> None:
    named = by_name(shapes)
    assert named["f"].flow == "below a"
    assert named["a"].flow is None
    assert named["f"].box.y == pytest.approx(named["a"].box.bottom + 10)


def test_a_loop_gives_one_placement_per_pass_with_the_same_span(shapes: ddm_lang.Creative) -> None:
    cells = [p for p in placements(shapes) if p.name == "g"]
    assert len(cells) == 3
    assert len({p.span for p in cells}) == 1
    assert [p.box.x for p in cells] == pytest.approx([0, 100, 200])
    attrs = svg_elements(shapes.svg)
    for i, p in enumerate(cells, 1):
        assert_box(p.box, svg_box(attrs[f"g-{i}"]))
        assert p.form == "computed"


def test_component_parts_follow_their_instance_on_the_canvas(shapes: ddm_lang.Creative) -> None:
    order = [p.name for p in placements(shapes)]
    assert order.index("k") < order.index("disc") < order.index("bar")
    named = by_name(shapes)
    k, disc, bar = named["k"], named["disc"], named["bar"]
    assert k.inside is None and disc.inside == "k" and bar.inside == "k"
    assert_box(k.box, (500, 250, 200, 200))
    assert_box(k.frame, (0, 0, 1000, 500))
    assert_box(disc.frame, k.box)
    assert_box(bar.frame, k.box)
    # 10% 20% 50% 25% of the 200 × 200 instance, moved to where the instance is
    assert_box(bar.box, (520, 290, 100, 50))
    attrs = svg_elements(shapes.svg)
    assert attrs["k"]["transform"] == "translate(500 250)"
    local = svg_box(attrs["bar"])
    assert_box(bar.box, (local.x + 500, local.y + 250, local.width, local.height))
    local = svg_box(attrs["disc"])
    assert_box(disc.box, (local.x + 500, local.y + 250, local.width, local.height))


def test_a_group_comes_before_its_children_around_them(shapes: ddm_lang.Creative) -> None:
    order = [p.name for p in placements(shapes)]
    assert order.index("grp") < order.index("x1") < order.index("x2")
    named = by_name(shapes)
    assert named["x1"].inside is None  # a group is no frame
    assert_box(named["grp"].box, (0, 0, 300, 150))


def test_defs_gradients_and_left_out_elements_give_no_placement(shapes: ddm_lang.Creative) -> None:
    kinds = {p.kind for p in placements(shapes)}
    assert not kinds & {"defs", "linearGradient", "stop"}
    assert "wash" not in by_name(shapes)
    assert "h" not in by_name(shapes)  # `when format.name == "story"` is false in feed
    story = compiled(SHAPES, "story")
    assert "h" in by_name(story)
    assert_box(by_name(story)["h"].box, (0, 0, 50, 100))


def test_an_image_without_a_box_fills_the_canvas(studio: Path) -> None:
    source = ('template t "T"\nformats feed 1000x500\n\nimage = "small.png"\n'
              'image = "big.jpg" { box: 10% 10% 20% 20%; fit: cover }\n')
    creative = compiled(source, base_dir=studio)
    whole, boxed = placements(creative)
    assert (whole.form, boxed.form) == ("canvas", "box")
    assert whole.material is not None and whole.material.endswith("small.png")
    assert boxed.material is not None and boxed.material.endswith("big.jpg")
    assert_box(whole.box, (250, 0, 500, 500))  # the square photo, contained
    assert_box(boxed.box, (100, 50, 200, 100))
    # drawn as an <image>, and a cropped one as an <svg> viewport around its <image>
    drawn = [e for e in ET.fromstring(creative.svg) if e.tag != f"{SVG_NS}title"]
    assert [e.tag for e in drawn] == [f"{SVG_NS}image", f"{SVG_NS}svg"]
    for element, p in zip(drawn, (whole, boxed), strict=True):
        assert_box(p.box, svg_box(dict(element.attrib)))


def test_the_map_does_not_change_the_svg(shapes: ddm_lang.Creative) -> None:
    template = ddm_lang.template_from_string(SHAPES)
    again = template.compile(PRODUCT, "feed")
    assert again.svg == shapes.svg
    assert again.source_map == shapes.source_map
    scene = bind(template.ir, PRODUCT, "feed", base_dir=Path.cwd())
    assert emit(scene, shapes.environment.fonts) == shapes.svg


# ---- overrides ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def overridden() -> dict[str, ddm_lang.Creative]:
    template = ddm_lang.template_from_string(OVERRIDES)
    return {f: template.compile(PRODUCT, f) for f in ("feed", "story", "square")}


def test_an_override_applies_in_its_format_only(overridden: dict[str, ddm_lang.Creative]) -> None:
    feed = svg_elements(overridden["feed"].svg)["a"]
    story = svg_elements(overridden["story"].svg)["a"]
    square = svg_elements(overridden["square"].svg)["a"]
    assert_box(svg_box(feed), (0, 0, 500, 250))       # the feed override's box
    assert_box(svg_box(story), (50, 200, 150, 400))   # the element's own 10% 20% 30% 40%
    assert_box(svg_box(square), (60, 120, 180, 240))
    assert_box(svg_box(svg_elements(overridden["story"].svg)["b"]), (50, 100, 400, 100))
    assert_box(svg_box(svg_elements(overridden["feed"].svg)["b"]), (0, 400, 500, 100))


def test_later_overrides_win_and_else_branches_apply(
        overridden: dict[str, ddm_lang.Creative]) -> None:
    feed = svg_elements(overridden["feed"].svg)["a"]
    story = svg_elements(overridden["story"].svg)["a"]
    square = svg_elements(overridden["square"].svg)["a"]
    # feed: wider than 550 (green, a stroke it does not set itself), then the `else`
    assert (feed["fill"], feed.get("stroke"), feed.get("opacity")) == ("#00ff00", "#0000ff", "0.5")
    # story: the first branch of the chain; too narrow for the stroke
    assert (story["fill"], story.get("stroke"), story.get("opacity")) == ("#111111", None, None)
    # square: wide enough for green, but the later `else when` sets the fill again
    assert (square["fill"], square.get("stroke"), square.get("opacity")) == (
        "#222222", "#0000ff", None)
    # an overridden property keeps its place among the attributes; an added one comes last
    assert list(feed)[-3:] == ["fill", "stroke", "opacity"]


def test_the_placement_names_the_override_its_box_came_from(
        overridden: dict[str, ddm_lang.Creative]) -> None:
    feed, story, square = (by_name(overridden[f]) for f in ("feed", "story", "square"))
    a = feed["a"]
    assert a.form == "box"
    assert text_of(OVERRIDES, a.value) == "0 0 50% 50%"
    assert text_of(OVERRIDES, a.override) == 'when format.name == "feed" { box: 0 0 50% 50% }'
    assert a.override is not None and a.value is not None
    assert a.override.start < a.value.start and a.value.end < a.override.end
    assert_box(a.box, (0, 0, 500, 250))
    # its own box in the other formats; an override of the fill only is not the box's
    assert story["a"].override is None and square["a"].override is None
    assert text_of(OVERRIDES, story["a"].value) == "10% 20% 30% 40%"
    assert text_of(OVERRIDES, story["b"].override).startswith('when format.name == "story"')
    assert text_of(OVERRIDES, story["b"].value) == "10% 10% 80% 10%"
    assert feed["b"].override is None
    assert a.as_json()["override"]["start"] == a.override.start


def test_an_instance_override_sets_a_component_parameter() -> None:
    source = SHAPES.replace("badge k { tone: #123456; box: 50% 50% 20% 40% }",
                            'badge k {\n  tone: #123456;\n  box: 50% 50% 20% 40%;\n'
                            '  when format.name == "story" { tone: #654321 }\n}')
    assert svg_elements(compiled(source, "feed").svg)["disc"]["fill"] == "#123456"
    assert svg_elements(compiled(source, "story").svg)["disc"]["fill"] == "#654321"


def test_the_checker_accepts_overrides() -> None:
    template = ddm_lang.template_from_string(OVERRIDES)
    assert template.name == "t"


def diagnostics(element: str) -> list:
    with pytest.raises(DiagnosticError) as info:
        ddm_lang.template_from_string('template t "T"\nformats feed 100x100\n\n' + element)
    return info.value.diagnostics


@pytest.mark.parametrize(("element", "code"), [
    ('text b = "x" {\n  box: 0 0 10% 10%;\n  when format.name == "feed" { size: "big" }\n}',
     "check.type"),
    ('rect r {\n  box: 0 0 10% 10%;\n  when format.name == "feed" { box: 1 2 3 }\n}', "check.box"),
    ('rect r {\n  box: 0 0 10% 10%;\n  when format.name == "feed" { fill: #fff; fill: #000 }\n}',
     "check.duplicate-property"),
    ('rect r {\n  box: 0 0 10% 10%;\n  when format.name == "feed" { fill: #fff } else { max-lines: 2 }\n}',
     "check.property-kind"),
    ('rect r {\n  box: 0 0 10% 10%;\n  when format.name == "feed" { fill: #fff }'
     ' else when format.width > "wide" { fill: #000 }\n}', "check.type"),
    ('rect r {\n  box: 0 0 10% 10%;\n  when format.name == "feed" { box: 1 2 3 4; rect q { box: 0 0 1 1 } }\n}',
     "check.override-mixed"),
])
def test_the_checker_reports_a_bad_override(element: str, code: str) -> None:
    found = diagnostics(element)
    assert [d.code for d in found] == [code]
    assert found[0].span.line == 6  # the override's line, not the element's


def test_formatting_keeps_overrides() -> None:
    once = format_source(OVERRIDES)
    assert format_source(once) == once
    assert parse(once, "<template>") == parse(OVERRIDES, "<template>")
    for fmt in ("feed", "story", "square"):
        assert compiled(once, fmt).svg == compiled(OVERRIDES, fmt).svg


# ---- selections ---------------------------------------------------------------------------
def test_a_selection_says_which_condition_left_a_photo_out(studio: Path, product: dict) -> None:
    source = ('template t "T"\nformats feed 1000x500\n\n'
              "object shot = image from product.images\n"
              "  where width >= 200 and aspect > 1\n  prefer megapixels desc, index asc\n\n"
              "image shot { box: 0 0 50% 100% }\n")
    creative = ddm_lang.template_from_string(source).compile(product, "feed", base_dir=studio)
    assert creative.source_map is not None
    (selection,) = creative.source_map.selections
    assert (selection.object, selection.where) == ("shot", "width >= 200 and aspect > 1")
    assert selection.prefer == ("megapixels", "index")
    small, big = selection.candidates  # in the product's order
    assert Path(small.path).name == "small.png" and Path(big.path).name == "big.jpg"
    assert small.rejected == "`aspect > 1` is false"  # the square photo, by the condition it failed
    assert big.rejected == "" and big.keys == ("0.48", "1")
    assert selection.chosen == (big.path,)
    assert by_name(creative)["shot"].material == big.path


# ---- a stdlib sample: slots and selections (perception) -----------------------------------
@pytest.fixture(scope="module")
def hero() -> ddm_lang.Creative:
    catalogue = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    product = catalogue.products[3].as_dict()  # two photos to choose between
    assert len(product["images"]) == 2
    template = ddm_lang.load_template(stdlib_dir() / "product_hero.ddm")
    return template.compile(product, "feed", base_dir=catalogue.base_dir)


def test_the_object_says_what_it_chose_among_which_candidates(hero: ddm_lang.Creative) -> None:
    assert hero.source_map is not None
    (selection,) = hero.source_map.selections
    assert selection.object == "hero"
    assert selection.where == "subject.found"
    assert selection.prefer == ("suitability.collage", "index", "text.area", "quality",
                                "megapixels")
    assert len(selection.candidates) == 2
    paths = [c.path for c in selection.candidates]
    assert [Path(p).name for p in paths] == ["coffee.jpg", "coffee-scene.jpg"]
    assert len(selection.chosen) == 1 and selection.chosen[0] in paths
    for candidate in selection.candidates:
        assert len(candidate.keys) == len(selection.prefer)
        assert candidate.rejected == ""
    assert [c.keys[1] for c in selection.candidates] == ["0", "1"]  # `index`
    image = by_name(hero)["hero"]
    assert image.material == selection.chosen[0]
    assert selection.as_json()["chosen"] == list(selection.chosen)


def test_an_image_placed_in_a_slot_reports_the_slot(hero: ddm_lang.Creative) -> None:
    source = (stdlib_dir() / "product_hero.ddm").read_text("utf-8")
    named = by_name(hero)
    image = named["hero"]
    assert image.form == "slot"
    assert text_of(source, image.value) == "12% 5% 76% 58%"
    assert image.slot is not None
    assert_box(image.slot, (129.6, 54, 820.8, 626.4))
    # the photo is drawn inside the slot it was placed in
    assert image.slot.x - 1e-6 <= image.box.x and image.box.right <= image.slot.right + 1e-6
    assert image.slot.y - 1e-6 <= image.box.y and image.box.bottom <= image.slot.bottom + 1e-6
    assert source[image.span.start:image.span.end].startswith("image hero")
    assert named["cta-plate"].flow == "below headline"
    attrs = svg_elements(hero.svg)
    for name in ("background", "headline", "cta-plate", "cta"):
        assert_box(named[name].box, svg_box(attrs[name]))
