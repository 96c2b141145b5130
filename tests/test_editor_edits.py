"""The visual editor's edits as source edits (ddm_lang/serve/editor_edits.py, editor_geometry.py,
editor_palette.py, editor_inspect.py).

A drag, an inspector field or the palette must come back as text the author would have
written: the box in the units it was written in (so a `%` layout stays responsive), in an
override when the change is for one format, with the `;` structure of the block intact,
and formatted when the template was. A wrong unit or a misplaced edit silently changes
every other format, so most tests compile the result and look at where the element is
drawn. Nothing here needs perception: templates with images are only checked, not
compiled, and the stdlib round trip edits the text without compiling it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddm_lang
from ddm_lang.bind.placements import is_length_quad
from ddm_lang.scene import Box
from ddm_lang.semantics.checker import check
from ddm_lang.serve.editor_edits import (
    EditRefused,
    TextEdit,
    delete,
    elements,
    one_edit,
    set_argument,
    set_property,
    utf16_offset,
)
from ddm_lang.serve.editor_geometry import Frame, length_text, set_box
from ddm_lang.serve.editor_inspect import inspect
from ddm_lang.serve.editor_palette import insert
from ddm_lang.stdlib_templates import stdlib_dir
from ddm_lang.syntax import ast
from ddm_lang.syntax.formatter import format_module, format_source
from ddm_lang.syntax.parser import parse

PRODUCT = {"id": "p1", "title": "Crunchy peanut butter"}
HEAD = 'template t "T"\nformats feed 1000x500, story 500x1000\n\n'
FEED = Frame(0, 0, 1000, 500)
FRAME_1080 = Frame(0, 0, 1080, 1080)


def element(source: str, name: str) -> ast.Element:
    return next(e for e in elements(parse(source, "<template>").items) if e.name == name)


def start_of(source: str, name: str) -> int:
    return element(source, name).span.start


def box_value(source: str, name: str) -> ast.Expr:
    return next(p.value for p in element(source, name).body.properties if p.name == "box")


def box_text(source: str, name: str) -> str:
    value = box_value(source, name)
    return source[value.span.start:value.span.end]


def drawn(source: str, name: str, fmt: str = "feed") -> Box:
    creative = ddm_lang.template_from_string(source).compile(PRODUCT, fmt)
    assert creative.source_map is not None
    return next(p.box for p in creative.source_map.placements if p.name == name)


def placed(source: str, name: str, fmt: str = "feed"):
    creative = ddm_lang.template_from_string(source).compile(PRODUCT, fmt)
    assert creative.source_map is not None
    return next(p for p in creative.source_map.placements if p.name == name)


def move(source: str, name: str, box: list[float], frame: Frame = FEED, **kwargs) -> str:
    """`set_box` on the element's own `box` value, as the editor calls it."""
    return set_box(source, start_of(source, name), box, frame,
                   value_start=box_value(source, name).span.start, **kwargs)


def assert_box(actual: Box, expected: list[float], tol: float = 1e-3) -> None:
    got = [actual.x, actual.y, actual.width, actual.height]
    assert got == pytest.approx(expected, abs=tol), (got, expected)


# ---- units --------------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "target", "expected"), [
    ("10% 20% 30% 40%", [150, 50, 250, 100], "15% 10% 25% 20%"),
    ("10px 20px 300px 400px", [15, 25, 200, 100], "15px 25px 200px 100px"),
    ("10 20 300 400", [15, 25, 200, 100], "15 25 200 100"),
    ("10% 20px 5vw 10vh", [150, 30, 100, 100], "15% 30px 10vw 20vh"),
    ("0 0 100% 50%", [100, 50, 500, 250], "10% 10% 50% 50%"),   # a bare 0 among % is %
    ("0 10px 50% 50%", [20, 10, 500, 250], "20 10px 50% 50%"),  # among mixed units, px
    ("10% 20% 30% 40%", [123.4, 50, 250, 100], "12.3% 10% 25% 20%"),  # half a pixel, no more
])
def test_a_box_keeps_the_units_it_was_written_in(written: str, target: list[float],
                                                 expected: str) -> None:
    source = HEAD + f"rect r {{ box: {written}; fill: #000 }}\n"
    after = move(source, "r", target)
    assert box_text(after, "r") == expected
    assert after.replace(expected, written) == source  # nothing else changed
    box = drawn(after, "r")
    assert [box.x, box.y, box.width, box.height] == pytest.approx(target, abs=0.5)


def test_lengths_resolve_in_the_frame_they_are_written_in() -> None:
    """A part of a component instance is written relative to the instance's box."""
    source = (HEAD + "component badge() {\n  rect bar { box: 0 0 10% 10%; fill: #fff }\n}\n"
              "badge k { box: 50% 50% 20% 40% }\n")
    instance = Frame(500, 250, 200, 200)
    after = move(source, "bar", [520, 290, 100, 50], instance)
    assert box_text(after, "bar") == "10% 20% 50% 25%"
    assert_box(drawn(after, "bar"), [520, 290, 100, 50])


def test_length_text_and_refused_units() -> None:
    assert length_text(250, "%", "w", FEED) == "25%"
    assert length_text(250, "%", "h", FEED) == "50%"
    assert length_text(250, "vmin", "w", FEED) == "50vmin"
    assert length_text(12.25, "px", "w", FEED) == "12px"
    with pytest.raises(EditRefused, match="em"):
        length_text(10, "em", "w", FEED)


@settings(max_examples=200, deadline=None)
@given(px=st.floats(0, 5000), unit=st.sampled_from(["", "px", "%", "vw", "vh", "vmin", "vmax"]),
       axis=st.sampled_from("wh"), width=st.integers(1, 4000), height=st.integers(1, 4000))
def test_length_text_reads_back_within_half_a_pixel(px: float, unit: str, axis: str,
                                                    width: int, height: int) -> None:
    frame = Frame(0, 0, width, height)
    text = length_text(px, unit, axis, frame)
    number = parse(f'template t "T"\nformats f 10x10\n\nrect {{ rx: {text} }}\n', "x").items[-1]
    value = number.body.properties[0].value
    assert isinstance(value, ast.Number) and value.unit == unit
    per = {"": 1, "px": 1, "%": width / 100 if axis == "w" else height / 100,
           "vw": width / 100, "vh": height / 100, "vmin": min(width, height) / 100,
           "vmax": max(width, height) / 100}[unit]
    assert abs(value.value * per - px) <= 0.5 + 1e-9


@settings(max_examples=40, deadline=None)
@given(data=st.data(), width=st.integers(50, 3000), height=st.integers(50, 3000))
def test_a_dragged_box_is_drawn_where_it_was_dropped(data: st.DataObject, width: int,
                                                     height: int) -> None:
    source = (f'template t "T"\nformats feed {width}x{height}\n\n'
              "rect r { box: 10% 20% 30% 40%; fill: #000 }\n")
    assert format_source(source) == source
    x = data.draw(st.floats(0, width - 1), "x")
    y = data.draw(st.floats(0, height - 1), "y")
    w = data.draw(st.floats(1, width - x), "w")
    h = data.draw(st.floats(1, height - y), "h")
    after = move(source, "r", [x, y, w, h], Frame(0, 0, width, height))
    assert format_source(after) == after
    assert box_text(after, "r").count("%") == 4
    box = drawn(after, "r")
    for got, want in zip((box.x, box.y, box.width, box.height), (x, y, w, h), strict=True):
        assert abs(got - want) <= 0.5 + 1e-9
    # each length is within half a pixel, so an edge made of two is within one
    assert abs(box.right - (x + w)) <= 1 + 1e-9 and abs(box.bottom - (y + h)) <= 1 + 1e-9


@pytest.mark.parametrize("target", [[100, -20, 300, 200], [-20, 50, 300, 200]],
                         ids=["above-the-top", "left-of-the-left"])
def test_a_box_dragged_past_the_canvas_edge_stays_four_lengths(target: list[float]) -> None:
    source = HEAD + "rect r { box: 10% 10% 30% 40%; fill: #000 }\n"
    after = move(source, "r", target)
    p = placed(after, "r")  # raises DiagnosticError for `10% -4% 30% 40%`
    assert_box(p.box, target, 0.5)
    assert p.form == "box"
    move(after, "r", [100, 100, 300, 200])  # and it can be dragged again


def test_x_y_width_height_keep_their_own_units() -> None:
    source = HEAD + "rect c { x: 10; y: 20px; width: 30%; height: 40; fill: #000 }\n"
    after = set_box(source, start_of(source, "c"), [20, 30, 250, 60], FEED)
    assert "x: 20; y: 30px; width: 25%; height: 60;" in after
    assert_box(drawn(after, "c"), [20, 30, 250, 60])


def test_x_y_are_written_for_a_rect_that_has_only_a_size() -> None:
    source = HEAD + "rect c { width: 100; height: 50; fill: #000 }\n"
    after = set_box(source, start_of(source, "c"), [200, 100, 300, 150], FEED)
    assert_box(drawn(after, "c"), [200, 100, 300, 150])


@pytest.mark.parametrize("props", ["cx: 76%; cy: 50%; r: 40%", "cx: 700; cy: 250px; r: 20vmin"])
def test_a_circle_moves_by_its_centre_and_resizes_by_its_radius(props: str) -> None:
    source = HEAD + f"circle c {{ {props}; fill: #000 }}\n"
    assert placed(source, "c").form == "center"
    after = set_box(source, start_of(source, "c"), [100, 50, 300, 200], FEED)
    units = [re.sub(r"[-\d.()]", "", v) for v in re.findall(r"(?:cx|cy|r): ([^;]+);", after)]
    assert units == [re.sub(r"[-\d.()]", "", v) for v in re.findall(r"(?:cx|cy|r): ([^;]+);", source)]
    # the largest circle that fits the box, centred in it
    assert_box(drawn(after, "c"), [150, 50, 200, 200], 1.0)


def test_an_ellipse_takes_the_box_it_is_dragged_to() -> None:
    source = HEAD + "ellipse e { cx: 50%; cy: 50%; rx: 10%; ry: 20%; fill: #000 }\n"
    before = placed(source, "e")
    assert before.form == "center" and [before.box.x, before.box.width] == [400, 200]
    after = set_box(source, start_of(source, "e"), [100, 50, 300, 200], FEED)
    assert "cx: 25%; cy: 30%; rx: 15%; ry: 20%;" in after
    assert_box(drawn(after, "e"), [100, 50, 300, 200], 0.5)


# ---- per-format overrides -----------------------------------------------------------------
def test_only_format_writes_one_override_for_that_format() -> None:
    source = HEAD + "rect r { box: 10% 20% 30% 40%; fill: #000 }\n"
    story = drawn(source, "r", "story")
    after = move(source, "r", [200, 100, 300, 200], only_format="feed")
    assert after.count('when format.name == "feed"') == 1
    assert 'when format.name == "feed" { box: 20% 20% 30% 40% }' in after
    assert box_text(after, "r") == "10% 20% 30% 40%"  # its own box is untouched
    assert_box(drawn(after, "r"), [200, 100, 300, 200])
    assert drawn(after, "r", "story") == story
    p = placed(after, "r")
    assert p.override is not None and after[p.override.start:].startswith("when format.name")
    # dragged again in the feed: the placement names the override's box, edited in place
    assert p.value is not None
    again = set_box(after, p.span.start, [100, 50, 100, 100], FEED, value_start=p.value.start,
                    only_format="feed")
    assert again.count("when format.name") == 1
    assert_box(drawn(again, "r"), [100, 50, 100, 100])
    assert drawn(again, "r", "story") == story
    # given the element's own box, the existing override is still the one edited
    third = move(again, "r", [300, 150, 200, 100], only_format="feed")
    assert third.count("when format.name") == 1
    assert box_text(third, "r") == "10% 20% 30% 40%"
    assert_box(drawn(third, "r"), [300, 150, 200, 100])
    assert format_source(third) == third


def test_a_box_in_an_override_is_edited_there() -> None:
    source = (HEAD + 'rect r {\n  box: 10% 20% 30% 40%;\n  fill: #000;\n'
              '  when format.name == "story" { box: 0 0 50% 50% }\n}\n')
    p = placed(source, "r", "story")
    assert p.value is not None and source[p.value.start:p.value.end] == "0 0 50% 50%"
    after = set_box(source, p.span.start, [50, 100, 250, 500], Frame(0, 0, 500, 1000),
                    value_start=p.value.start)
    assert box_text(after, "r") == "10% 20% 30% 40%"
    assert 'when format.name == "story" { box: 10% 10% 50% 50% }' in after
    assert_box(drawn(after, "r", "story"), [50, 100, 250, 500])
    assert_box(drawn(after, "r"), [100, 100, 300, 200])


def test_set_property_for_one_format() -> None:
    source = HEAD + "rect r { box: 10% 20% 30% 40%; fill: #000 }\n"
    after = set_property(source, start_of(source, "r"), "fill", "#ff0000", only_format="story")
    assert ddm_lang.template_from_string(after).compile(PRODUCT, "story").svg.count("#ff0000") == 1
    assert "#ff0000" not in ddm_lang.template_from_string(after).compile(PRODUCT, "feed").svg
    again = set_property(after, start_of(after, "r"), "stroke", "#00ff00", only_format="story")
    assert again.count("when format.name") == 1
    assert 'when format.name == "story" { fill: #ff0000; stroke: #00ff00 }' in again


def test_clearing_a_property_for_one_format_leaves_a_template_that_parses() -> None:
    source = (HEAD + 'rect r {\n  box: 10% 20% 30% 40%;\n  fill: #000;\n'
              '  when format.name == "feed" { fill: #fff }\n}\n')
    try:
        after = set_property(source, start_of(source, "r"), "fill", "", only_format="feed")
    except EditRefused:
        return
    ddm_lang.template_from_string(after)


# ---- flows, anchors and slots ---------------------------------------------------------------
def test_detach_removes_the_flow_and_writes_a_literal_box() -> None:
    source = format_source(HEAD + "rect a { box: 10% 20% 30% 40%; fill: #000 }\n"
              "text f = product.title {\n  box: 0 0 50% 20%;\n  size: 20;\n"
              "  flow: below a gap 10;\n}\n")
    assert placed(source, "f").flow == "below a"
    after = move(source, "f", [100, 400, 500, 100], detach=True)
    assert "flow" not in after
    p = placed(after, "f")
    assert (p.flow, p.form) == (None, "box")
    assert_box(p.box, [100, 400, 500, 100])
    assert format_source(after) == after


def test_an_anchored_box_moves_only_when_detached() -> None:
    source = HEAD + "circle c { box: top-right margin 4% size 16%; fill: #e4572e }\n"
    with pytest.raises(EditRefused, match="detach"):
        move(source, "c", [100, 100, 80, 80])
    after = move(source, "c", [100, 100, 80, 80], detach=True)
    value = box_value(after, "c")
    assert is_length_quad(value) and box_text(after, "c") == "10% 20% 8% 16%"
    p = placed(after, "c")
    assert p.form == "box"
    assert_box(p.box, [100, 100, 80, 80])


IMAGE = ('template t "T"\nformats feed 1000x500, story 500x1000\n\n'
         "object hero = image from product.images\n\n"
         "image hero | place in slot(10% 10% 50% 50%) fit subject\n")


def test_a_slot_is_rewritten_where_it_is() -> None:
    start = IMAGE.index("image hero")
    region = IMAGE.index("10% 10% 50% 50%")
    after = set_box(IMAGE, start, [100, 50, 200, 100], FEED, value_start=region)
    assert after == IMAGE.replace("slot(10% 10% 50% 50%)", "slot(10% 10% 20% 20%)")
    ddm_lang.template_from_string(after)
    with pytest.raises(EditRefused, match="slot"):
        set_box(IMAGE, start, [100, 50, 200, 100], FEED, value_start=region, only_format="feed")


def test_an_edit_of_text_that_changed_is_refused() -> None:
    source = HEAD + "rect r { box: 10% 20% 30% 40%; fill: #000 }\n"
    with pytest.raises(EditRefused, match="no longer"):
        set_box(source, start_of(source, "r") + 1, [0, 0, 10, 10], FEED)
    with pytest.raises(EditRefused, match="no longer"):
        set_box(source, start_of(source, "r"), [0, 0, 10, 10], FEED, value_start=3)
    with pytest.raises(EditRefused, match="parse"):
        set_box(source + "rect {", start_of(source, "r"), [0, 0, 10, 10], FEED)


# ---- properties and arguments ---------------------------------------------------------------
LAID_OUT = HEAD + "rect r {\n  box: 10% 20% 30% 40%;\n  rx: 4;\n  fill: #000000;\n}\n"


@pytest.mark.parametrize("source", [
    LAID_OUT,
    HEAD + "rect r { box: 10% 20% 30% 40%; fill: #000000 }\n",
    HEAD + "rect r { box: 10% 20% 30% 40%; fill: #000000; }\n",
    HEAD + "rect r {\n  box: 10% 20% 30% 40%;\n  fill: #000000;\n"
           '  when format.name == "feed" { rx: 2 }\n}\n',
], ids=["laid-out", "one-line", "one-line-closed", "before-an-override"])
def test_set_property_replaces_adds_and_removes(source: str) -> None:
    start = start_of(source, "r")
    replaced = set_property(source, start, "fill", "#ff0000")
    assert replaced == source.replace("#000000", "#ff0000")
    added = set_property(source, start, "stroke", "#00ff00")
    props = [p.name for p in element(added, "r").body.properties]
    assert props[-1] == "stroke" and props.count("stroke") == 1
    svg = ddm_lang.template_from_string(added).compile(PRODUCT, "feed").svg
    assert 'fill="#000000" stroke="#00ff00"' in svg
    if format_source(source) == source:
        assert format_source(added) == added
    removed = set_property(source, start, "fill", "")
    assert "fill" not in [p.name for p in element(removed, "r").body.properties]
    ddm_lang.template_from_string(removed)
    assert set_property(removed, start, "fill", "") == removed  # nothing left to remove


def test_the_laid_out_block_gets_a_line_of_its_own() -> None:
    after = set_property(LAID_OUT, start_of(LAID_OUT, "r"), "stroke", "#00ff00")
    assert after == LAID_OUT.replace("fill: #000000;\n", "fill: #000000;\n  stroke: #00ff00;\n")


@pytest.mark.parametrize(("name", "value"), [
    ("fill", "#fff } rect x { fill: red"),
    ("fill", "#fff; stroke: red"),
    ("fill", "#fff }"),
    ("fill;x", "#fff"),
])
def test_set_property_refuses_what_is_not_one_value(name: str, value: str) -> None:
    with pytest.raises(EditRefused):
        set_property(LAID_OUT, start_of(LAID_OUT, "r"), name, value)


@pytest.mark.parametrize("kind", ["circle", "image"])
def test_a_property_is_added_to_an_element_written_without_a_block(kind: str) -> None:
    if kind == "circle":
        source, name = HEAD + "circle c\n", "c"
    else:
        source, name = insert(HEAD + "rect r { box: 0 0 10% 10%; fill: #000 }\n", "image")
    after = set_property(source, start_of(source, name), "opacity", "0.5")
    assert [p.name for p in element(after, name).body.properties] == ["opacity"]
    ddm_lang.template_from_string(after)


SHADOWED = IMAGE.replace("fit subject", "fit subject\n  | shadow(kind: drop, opacity: 0.25)")


def test_set_argument_changes_one_argument() -> None:
    start = SHADOWED.index("image hero")
    after = set_argument(SHADOWED, start, 1, "opacity", "0.5")
    assert after == SHADOWED.replace("opacity: 0.25", "opacity: 0.5")
    ddm_lang.template_from_string(after)
    with pytest.raises(EditRefused, match="no argument"):
        set_argument(SHADOWED, start, 1, "blur", "3")
    with pytest.raises(EditRefused, match="no longer"):
        set_argument(SHADOWED, start, 2, "opacity", "0.5")
    with pytest.raises(EditRefused):
        set_argument(SHADOWED, start, 1, "opacity", "0.5) | cutout")


def test_inspect_shows_properties_overrides_and_pipeline() -> None:
    source = (SHADOWED + 'rect r {\n  box: 10% 20% 30% 40%;\n  fill: #000;\n'
              '  when format.name == "feed" { fill: #fff; rx: 3 }\n}\n')
    seen = inspect(source, start_of(source, "r"))
    assert (seen["kind"], seen["name"]) == ("rect", "r")
    assert [(p["name"], p["value"], p["kind"]) for p in seen["properties"]] == [
        ("box", "10% 20% 30% 40%", "box"), ("fill", "#000", "color")]
    (override,) = seen["overrides"]
    assert override["format"] == "feed"
    assert [p["name"] for p in override["properties"]] == ["fill", "rx"]
    image = inspect(source, source.index("image hero"))
    assert [op["name"] for op in image["pipeline"]] == ["place", "shadow"]
    assert image["pipeline"][1]["args"] == [{"name": "kind", "value": "drop"},
                                            {"name": "opacity", "value": "0.25"}]


def test_inspect_states_when_an_else_override_applies() -> None:
    source = (HEAD + 'rect r {\n  box: 10% 20% 30% 40%;\n  fill: #000;\n'
              '  when format.name == "feed" { fill: #f00 } else when format.name == "story" '
              '{ fill: #0f0 } else { fill: #00f }\n}\n')
    last = inspect(source, start_of(source, "r"))["overrides"][-1]
    assert "story" in last["condition"]


# ---- the palette ------------------------------------------------------------------------------
PLAIN = (HEAD + "component badge(tone: color, label: string) {\n"
         "  circle disc { box: 0 0 100% 100%; fill: tone }\n}\n\n"
         "text headline = product.title { box: 5% 5% 90% 30%; size: fit(12, 64) }\n")


@pytest.mark.parametrize("kind", ["caption", "text", "rect", "circle", "image", "badge"])
def test_insert_adds_an_element_that_checks_with_a_new_name(kind: str) -> None:
    once, first = insert(PLAIN, kind)
    twice, second = insert(once, kind)
    assert first != second
    names = [e.name for e in elements(parse(twice, "<template>").items) if e.name]
    assert len(names) == len(set(names))  # also: no name the template already had
    assert {first, second} <= set(names)
    assert first != "headline"  # taken
    module = parse(twice, "<template>")
    assert isinstance(module.items[-1], ast.Element) and module.items[-1].name == second
    ddm_lang.template_from_string(twice)
    if format_source(PLAIN) == PLAIN:
        assert format_source(twice) == twice


def test_insert_an_image_declares_its_object() -> None:
    after, name = insert(PLAIN, "image", where="subject.found and quality > 0.3",
                         prefer="megapixels desc")
    module = parse(after, "<template>")
    (obj,) = [i for i in module.items if isinstance(i, ast.ObjectDecl)]
    assert obj.name == name
    assert after[obj.where.span.start:obj.where.span.end] == "subject.found and quality > 0.3"
    assert "prefer megapixels desc" in after
    # the object comes before the body, after the header
    assert module.items.index(obj) < module.items.index(next(
        i for i in module.items if isinstance(i, ast.ComponentDecl)))
    ddm_lang.template_from_string(after)
    with pytest.raises(EditRefused):
        insert(PLAIN, "image", where="subject.found }\nrect x {")
    with pytest.raises(EditRefused, match="nothing called"):
        insert(PLAIN, "hexagon")


# ---- text edits and offsets ------------------------------------------------------------------
def test_one_edit_is_the_replacement_between_head_and_tail() -> None:
    before = HEAD + "rect r { box: 10% 20% 30% 40%; fill: #000 }\n"
    after = move(before, "r", [150, 100, 300, 200])
    edit = one_edit(before, after)
    at = before.index("10%")
    assert edit == TextEdit(at + 1, at + 2, "5")  # 10% → 15%: only the digit that changed
    assert edit.apply(before) == after
    assert one_edit("aa", "aaa").apply("aa") == "aaa"
    assert one_edit("same", "same") == TextEdit(4, 4, "")


@settings(max_examples=300, deadline=None)
@given(before=st.text(alphabet="ab😀 \n;", max_size=12), after=st.text(alphabet="ab😀 \n;", max_size=12))
def test_one_edit_reproduces_the_new_text_minimally(before: str, after: str) -> None:
    edit = one_edit(before, after)
    assert edit.apply(before) == after
    head = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
                min(len(before), len(after)))
    rest_before, rest_after = before[head:][::-1], after[head:][::-1]
    tail = next((i for i, (a, b) in enumerate(zip(rest_before, rest_after, strict=False)) if a != b),
                min(len(rest_before), len(rest_after)))
    assert edit == TextEdit(head, len(before) - tail, after[head:len(after) - tail])


def test_offsets_count_utf16_code_units() -> None:
    assert utf16_offset("a😀b", 0) == 0
    assert utf16_offset("a😀b", 2) == 3  # the emoji is a surrogate pair
    assert utf16_offset("aéb", 2) == 2   # one code unit below U+FFFF
    source = HEAD + 'text t = "😀😀 deal" { box: 0 0 50% 50% }\nrect r { fill: #000 }\n'
    after = set_property(source, start_of(source, "r"), "fill", "#fff")
    edit = one_edit(source, after)
    shown = edit.as_json(source)
    assert (shown["start"], shown["end"], shown["text"]) == (edit.start, edit.end, edit.text)
    assert shown["start16"] == edit.start + 2 and shown["end16"] == edit.end + 2


# ---- every stdlib template -------------------------------------------------------------------
def _px(number: ast.Number, axis: str, width: int, height: int) -> float:
    per = {"": 1, "px": 1, "%": (width if axis == "w" else height) / 100, "vw": width / 100,
           "vh": height / 100, "vmin": min(width, height) / 100,
           "vmax": max(width, height) / 100}[number.unit]
    return number.value * per


def _boxes_to_move(module: ast.Module) -> list[tuple[int, ast.Element, ast.ValueList]]:
    """One element for each way the template writes a literal box (which units, where a
    bare 0 is), with its place among the template's elements: editing all ~470 boxes of
    the stdlib, each parsed and checked, would take a minute."""
    found: dict[object, tuple[int, ast.Element, ast.ValueList]] = {}
    for index, el in enumerate(elements(module.items)):
        value = next((p.value for p in el.body.properties if p.name == "box"), None)
        if value is None or not is_length_quad(value):
            continue
        assert isinstance(value, ast.ValueList)
        units = tuple(n.unit or str(n.value == 0) for n in value.items if isinstance(n, ast.Number))
        found.setdefault(units, (index, el, value))
    return list(found.values())


@pytest.mark.parametrize("path", sorted(stdlib_dir().glob("*.ddm")), ids=lambda p: p.stem)
def test_moving_every_kind_of_box_in_a_stdlib_template(path: Path) -> None:
    source = path.read_text("utf-8")
    formatted = format_source(source) == source
    module = parse(source, "<template>")
    first = next(i for i in module.items if isinstance(i, ast.FormatsDecl)).formats[0]
    frame = Frame(0, 0, first.width, first.height)
    moves = _boxes_to_move(module)
    assert moves, f"{path.name} has no literal box"
    for index, el, value in moves:
        numbers = [n for n in value.items if isinstance(n, ast.Number)]
        x, y, w, h = (_px(n, a, first.width, first.height)
                      for n, a in zip(numbers, "whwh", strict=True))
        after = set_box(source, el.span.start, [x + 10, y, w, h], frame,
                        value_start=value.span.start)
        where = f"{path.name}: {el.kind} {el.name} at line {el.span.line}"
        edited = parse(after, "<template>")  # one parse for the three checks below
        if formatted:
            assert format_module(edited) == after, where
        check(edited, root=stdlib_dir())  # what template_from_string(after, root=...) does
        moved = list(elements(edited.items))[index]
        assert (moved.kind, moved.name) == (el.kind, el.name), where
        new = next(p.value for p in moved.body.properties if p.name == "box")
        assert isinstance(new, ast.ValueList) and is_length_quad(new), where
        got = [_px(n, a, first.width, first.height)
               for n, a in zip(new.items, "whwh", strict=True) if isinstance(n, ast.Number)]
        assert got == pytest.approx([x + 10, y, w, h], abs=0.5), where
        # each length keeps its unit; a bare 0 takes the box's one unit, if it has one
        written = {n.unit for n in numbers if n.unit}
        shared = written.pop() if len(written) == 1 else ""
        assert [n.unit for n in new.items if isinstance(n, ast.Number)] == [
            n.unit or (shared if n.value == 0 else "") for n in numbers], where


def test_delete_removes_the_element_and_its_lines() -> None:
    source = HEAD + "rect a { box: 0 0 10% 10%; fill: #000 }\ntext t = \"Hi\" {\n  box: 10% 10% 50% 20%;\n  fill: #111111;\n}\nrect b { box: 50% 50% 10% 10%; fill: #fff }\n"
    after = delete(source, start_of(source, "t"))
    assert after == HEAD + "rect a { box: 0 0 10% 10%; fill: #000 }\nrect b { box: 50% 50% 10% 10%; fill: #fff }\n"
    ddm_lang.template_from_string(after)


def test_a_detached_slot_becomes_the_images_box_and_draws_the_same() -> None:
    """`place in slot(R) … avoid headline` → `place … avoid headline { box: R }`: the same
    creative, and now a box an override can change per format."""
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.stdlib_templates import stdlib_dir
    catalogue = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    source = (stdlib_dir() / "product_hero.ddm").read_text("utf-8")
    product = catalogue.products[0].as_dict()
    template = ddm_lang.template_from_string(source, root=stdlib_dir())
    before = template.compile(product, "feed", base_dir=catalogue.base_dir)
    hero = next(p for p in before.source_map.placements if p.name == "hero")
    assert hero.form == "slot" and hero.slot is not None and hero.value is not None
    slot = [hero.slot.x, hero.slot.y, hero.slot.width, hero.slot.height]
    after = set_box(source, hero.span.start, slot, FRAME_1080, value_start=hero.value.start,
                    detach=True)
    assert "place fit subject avoid headline" in after and "box: 12% 5% 76% 58%" in after
    detached = ddm_lang.template_from_string(after, root=stdlib_dir())
    same = detached.compile(product, "feed", base_dir=catalogue.base_dir)
    assert same.svg == before.svg
    moved = next(p for p in same.source_map.placements if p.name == "hero")
    assert moved.form == "box"
    # for one format: the slot's place stays the image's own box, the format overrides it
    feed_only = set_box(source, hero.span.start, [slot[0] + 54, *slot[1:]], FRAME_1080,
                        value_start=hero.value.start, detach=True, only_format="feed")
    assert "box: 12% 5% 76% 58%;" in feed_only
    assert 'when format.name == "feed" { box: 17% 5% 76% 58% }' in feed_only
    shifted = ddm_lang.template_from_string(feed_only, root=stdlib_dir()).compile(
        product, "feed", base_dir=catalogue.base_dir)
    image = next(p for p in shifted.source_map.placements if p.name == "hero")
    assert image.box.x == pytest.approx(hero.box.x + 54, abs=1)


@pytest.mark.parametrize(("shape", "props"), [
    ("rect", "x: 10; y: 20px; width: 30%; height: 40"),
    ("circle", "cx: 50%; cy: 50%; r: 10%"),
])
def test_lengths_of_their_own_move_for_one_format_as_the_same_properties(
        shape: str, props: str) -> None:
    """For one format, x/y/width/height (or cx/cy/r) go into the override as themselves:
    a `box` beside them would draw each attribute twice."""
    source = HEAD + f"{shape} s {{ {props}; fill: #000 }}\n"
    story = drawn(source, "s", "story")
    after = set_box(source, start_of(source, "s"), [100, 50, 200, 200], FEED, only_format="feed")
    override = after[after.index('when format.name == "feed"'):]
    assert "box:" not in override and after.count('when format.name == "feed"') == 1
    assert_box(drawn(after, "s"), [100, 50, 200, 200], 1.0)
    assert drawn(after, "s", "story") == story
    svg = ddm_lang.template_from_string(after).compile(PRODUCT, "feed").svg
    tag = svg[svg.index(f"<{shape}"):svg.index(">", svg.index(f"<{shape}"))]
    names = re.findall(r" ([a-z-]+)=", tag)
    assert len(names) == len(set(names)), tag
