"""bind: scopes, missing data, arithmetic, control, components, boxes, images, selection, text.

Templates are built without the checker (tests/_ir_helper.py) so each test exercises the
binder alone; products and images come from the fixtures in conftest.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from _ir_helper import build, texts
from PIL import Image

from ddm_lang.bind import bind
from ddm_lang.emit import emit
from ddm_lang.environment import Environment, Limits
from ddm_lang.layout.boxes import Frame, LayoutError, resolve_box, to_px
from ddm_lang.perception import materials
from ddm_lang.perception.materials import MaterialError, header_record, load_material
from ddm_lang.renderer.fonts import FontRegistry
from ddm_lang.scene import Box, ImageNode, Node, RawNode, Scene, TextNode
from ddm_lang.syntax.diagnostics import Diagnostic, DiagnosticError
from ddm_lang.values import Length, LengthSum

HEAD = 'template t "T"\nformats feed 1000x1000, banner 1200x600\n'  # body starts on line 3


def scene_of(body: str, product: dict, base: Path, fmt: str = "feed", seed: int = 0) -> Scene:
    return bind(build(HEAD + body), product, fmt, base_dir=base, seed=seed)


def error_of(body: str, product: dict, base: Path, fmt: str = "feed") -> Diagnostic:
    with pytest.raises(DiagnosticError) as info:
        scene_of(body, product, base, fmt)
    assert len(info.value.diagnostics) == 1
    return info.value.diagnostics[0]


def say(expr: str) -> str:
    """A one-line text element showing `expr` interpolated."""
    return f'text = "{{{expr}}}" {{ x: 0; y: 10 }}\n'


# ---- scope roots ---------------------------------------------------------------------
def test_roots_product_brand_format_seed(studio: Path, product: dict) -> None:
    body = say("product.title") + say("brand.name") + say(
        "format.name} {format.width} {format.height} {format.aspect") + say("seed")
    scene = scene_of(body, product, studio, "banner", seed=7)
    assert texts(scene) == ["Evergreen Olive Oil", "Grove", "banner 1200 600 2", "7"]
    assert (scene.width, scene.height, scene.title) == (1200, 600, "T")


def test_brand_defaults_to_an_empty_record(studio: Path, product: dict) -> None:
    del product["brand"]
    assert texts(scene_of(say("default(brand.name, 'none')"), product, studio)) == ["none"]


def test_top_level_lets_are_visible_after_them_and_block_lets_stay_inside(
        studio: Path, product: dict) -> None:
    body = ("let a = 2\nlet b = a * 3\n" + say("b")
            + "group { let a = 10\n" + say("a") + "}\n" + say("a"))
    assert texts(scene_of(body, product, studio)) == ["6", "10", "2"]


# ---- data access and missing fields ------------------------------------------------------
def test_index_slice_and_negative_index(studio: Path, product: dict) -> None:
    body = (say("product.selling_points[0]") + say("product.selling_points[-1]")
            + say("product.selling_points[1:3]") + say("product.selling_points[:1]")
            + say("product.price['currency']"))
    assert texts(scene_of(body, product, studio)) == [
        "Cold pressed", "Fourth", "Single estate, Glass bottle", "Cold pressed", "USD"]


def test_missing_values_can_be_asked_about(studio: Path, product: dict) -> None:
    body = (say("product.stock == none} {product.stock.level > 3} {not product.stock")
            + say("product.selling_points[9] == none} {product.stock.level < 3")
            + say("default(product.price.was, 'n/a')} {product.stock != none"))
    assert texts(scene_of(body, product, studio)) == [
        "true false true", "true false", "n/a false"]


@pytest.mark.parametrize(("body", "field", "column"), [
    ('text t = "was {product.price.was}" { x: 0; y: 0 }\n', "product.price.was", 16),
    ("rect r { width: product.size.w }\n", "product.size.w", 17),
    ("rect r { width: product.price.was * 2 }\n", "product.price.was", 17),
    ("for p in product.tags { rect {} }\n", "product.tags", 10),
    ("text t = product.selling_points[7] { x: 0; y: 0 }\n", "product.selling_points[7]", 10),
])
def test_using_a_missing_value_names_the_product_and_the_field(
        studio: Path, product: dict, body: str, field: str, column: int) -> None:
    d = error_of(body, product, studio)
    assert d.code == "bind.missing-field"
    assert f'product "sku-1" has no field `{field}`' in d.message
    assert (d.span.line, d.span.column) == (3, column)


# ---- arithmetic and operators ------------------------------------------------------------
def test_mixed_units_resolve_on_the_axis_of_the_property(studio: Path, product: dict) -> None:
    scene = scene_of("rect r { x: 50% + 10px; y: 50% - 10; width: 2 * 10% ; height: 10vw / 2 }\n",
                     product, studio, "banner")
    assert dict(scene.children[0].attrs) == {"id": "r", "x": "610", "y": "290", "width": "240",
                                             "height": "60"}


def test_strings_numbers_membership_and_logic(studio: Path, product: dict) -> None:
    body = (say("'a' + 'b'} {'n' + 1} {1 + 2 * 3} {7 / 2} {-(3 - 5)")
            + say("'Fourth' in product.selling_points} {'Olive' in product.title} {'x' in []")
            + say("1 < 2 and 'b' > 'a'} {false or 'fallback'} {3 >= 3 and not true"))
    assert texts(scene_of(body, product, studio)) == [
        "ab n1 7 3.5 2", "true true false", "true fallback false"]


def test_colours_and_function_calls(studio: Path, product: dict) -> None:
    scene = scene_of("rect r { fill: #abc; stroke: mix(#000000, #ffffff, 0.5); "
                     "opacity: max(0.2, 0.4) }\n", product, studio)
    assert dict(scene.children[0].attrs) == {"id": "r", "fill": "#aabbcc", "stroke": "#808080",
                                             "opacity": "0.4"}


def test_a_failing_function_is_a_diagnostic_at_the_call(studio: Path, product: dict) -> None:
    d = error_of("rect r { fill: mix(#000000, 'red', 0.5) }\n", product, studio)
    assert d.code == "bind.call" and d.message.startswith("mix:")
    assert (d.span.line, d.span.column) == (3, 16)


def test_division_by_zero_is_a_diagnostic(studio: Path, product: dict) -> None:
    d = error_of("rect r { width: 10 / (product.price.discount - 20) }\n", product, studio)
    assert d.code == "bind.division"


# ---- statements ------------------------------------------------------------------------
def test_when_else_chains_and_element_guards(studio: Path, product: dict) -> None:
    body = ("when format.aspect > 1.5 { rect wide {} } else when format.aspect < 1.2 "
            "{ rect square {} } else { rect other {} }\n"
            "circle sale when product.price.discount > 0 {}\n"
            "circle none when product.price.discount > 50 {}\n")
    feed = [dict(n.attrs)["id"] for n in scene_of(body, product, studio).children]
    banner = [dict(n.attrs)["id"] for n in scene_of(body, product, studio, "banner").children]
    assert feed == ["square", "sale"] and banner == ["wide", "sale"]


def test_loops_with_index_give_unique_ids(studio: Path, product: dict) -> None:
    body = ("for p, i in product.selling_points[0:2] {\n"
            "  text item = '{i}:{p}' { x: 0; y: 10 }\n"
            "  for q in [1, 2] { rect dot { x: q } }\n"
            "}\n")
    scene = scene_of(body, product, studio)
    ids = [dict(n.attrs)["id"] for n in scene.children]
    assert ids == ["item-1", "dot-1-1", "dot-1-2", "item-2", "dot-2-1", "dot-2-2"]
    assert texts(scene) == ["0:Cold pressed", "1:Single estate"]


def test_loop_limit_and_non_list(studio: Path, product: dict) -> None:
    product["many"] = list(range(1001))
    d = error_of("for p in product.many { rect {} }\n", product, studio)
    assert d.code == "bind.loop" and "1000" in d.message
    d = error_of("for p in product.title { rect {} }\n", product, studio)
    assert d.code == "bind.type" and "cannot loop over" in d.message
    product["many"] = list(range(1000))
    assert len(scene_of("for p in product.many { rect {} }\n", product, studio).children) == 1000


def test_raw_svg_becomes_a_raw_node(studio: Path, product: dict) -> None:
    scene = scene_of('raw """<rect width="4" height="4"/>"""\n', product, studio)
    assert scene.children == (RawNode('<rect width="4" height="4"/>'),)


# ---- components --------------------------------------------------------------------------
COMPONENT = ("component chip(label, tone = #e11d48) {\n"
             "  rect { box: 0 0 100% 100%; fill: tone }\n"
             "  text = label { x: 50%; y: 50% }\n"
             "}\n")


def test_component_instance_binds_params_defaults_box_and_attributes(
        studio: Path, product: dict) -> None:
    body = COMPONENT + "chip sale { label: 'SALE'; box: 10% 20% 200 100; opacity: 0.5 }\n"
    g = scene_of(body, product, studio).children[0]
    assert isinstance(g, Node) and g.tag == "g"
    assert g.attrs == (("transform", "translate(100 200)"), ("id", "sale"), ("opacity", "0.5"))
    rect, text = g.children
    assert dict(rect.attrs) == {"x": "0", "y": "0", "width": "200", "height": "100",
                                "fill": "#e11d48"}
    assert isinstance(text, TextNode) and text.lines[0].text == "SALE"
    assert (text.lines[0].x, text.lines[0].y) == (100, 50)  # % of the instance's box


def test_component_used_twice_gets_distinct_ids(studio: Path, product: dict) -> None:
    body = COMPONENT + "chip a { label: 'x' }\nchip a { label: 'y'; tone: #000000 }\n"
    ids = [dict(n.attrs)["id"] for n in scene_of(body, product, studio).children]
    assert ids == ["a", "a-2"]


def test_component_missing_required_parameter(studio: Path, product: dict) -> None:
    d = error_of(COMPONENT + "chip a { tone: #000000 }\n", product, studio)
    assert d.code == "bind.missing-param" and "`label`" in d.message and d.span.line == 7


# ---- boxes -------------------------------------------------------------------------------
def test_box_forms_and_circle_ellipse(studio: Path, product: dict) -> None:
    body = ("rect a { box: 10% 10% 50% 20% }\n"
            "rect b { box: top-right margin 5% size 10% }\n"
            "rect c { box: bottom-left size 100 50 }\n"
            "circle d { box: 0 0 100 50 }\n"
            "ellipse e { box: 0 0 100 50 }\n")
    a, b, c, d, e = (dict(n.attrs) for n in scene_of(body, product, studio, "banner").children)
    assert (a["x"], a["y"], a["width"], a["height"]) == ("120", "60", "600", "120")
    assert (b["x"], b["y"], b["width"], b["height"]) == ("1110", "30", "60", "60")  # min side
    assert (c["x"], c["y"], c["width"], c["height"]) == ("0", "550", "100", "50")
    assert (d["cx"], d["cy"], d["r"]) == ("50", "25", "25")
    assert (e["cx"], e["cy"], e["rx"], e["ry"]) == ("50", "25", "50", "25")


def test_layout_helpers() -> None:
    frame = Frame(1200, 600)
    assert to_px(Length(10, "%"), "d", frame) == pytest.approx(((1200**2 + 600**2) / 2) ** 0.5 / 10)
    assert to_px(LengthSum((Length(50, "%"), Length(-20, "px"))), "w", frame) == 580
    assert to_px(Length(10, "vmax"), "h", frame) == 120
    assert resolve_box(("center", "size", Length(50, "%")), frame) == Box(450, 150, 300, 300)
    with pytest.raises(LayoutError):
        resolve_box((1, 2, 3), frame)
    with pytest.raises(LayoutError):
        resolve_box(("top-left", "margin", 4), frame)


# ---- images, objects and selection -------------------------------------------------------
def images(scene: Scene) -> list[ImageNode]:
    return [i for i in scene.children if isinstance(i, ImageNode)]


def test_image_defaults_to_the_whole_slot_contained(studio: Path, product: dict) -> None:
    body = "object hero = image from product.images prefer megapixels desc\nimage hero\n"
    (img,) = images(scene_of(body, product, studio))
    assert Path(img.material.path).name == "big.jpg"
    assert img.box == Box(0, 125, 1000, 750) and img.crop == Box(0, 0, 800, 600)
    assert img.attrs == (("id", "hero"),)


def test_fit_cover_and_anchor_crop(studio: Path, product: dict) -> None:
    body = ("object hero = image from product.images where width > 500\n"
            "image hero { box: 0 0 50% 50%; fit: cover; anchor: left; opacity: 0.5 }\n")
    (img,) = images(scene_of(body, product, studio))
    assert img.box == Box(0, 0, 500, 500) and img.crop == Box(0, 0, 600, 600)
    assert ("opacity", "0.5") in img.attrs


def test_selection_ranks_by_prefer_keeping_catalogue_order_on_ties(
        studio: Path, product: dict) -> None:
    body = ("object a = image from product.images prefer megapixels\n"
            "object b = image from product.images prefer has_alpha\n"
            "object c[5] = image from product.images prefer format desc\n"
            "object d[1] = image from product.images\n"
            "image a\nimage b\nfor x in c { image = x }\nfor x in d { image = x }\n")
    names = [Path(i.material.path).name for i in images(scene_of(body, product, studio))]
    assert names == ["small.png", "small.png", "small.png", "big.jpg", "small.png"]


def test_optional_objects_disappear_and_lists_can_be_empty(studio: Path, product: dict) -> None:
    body = ("object logo? = image from brand.logos where has_alpha\n"
            "object huge? = image from product.images where width > 5000\n"
            "object many?[3] = image from product.images where width > 5000\n"
            "object gone? = image from product.gallery\n"
            "image logo? { box: top-left margin 2% size 10% }\nimage huge?\nimage gone?\n"
            "for m in many { image = m }\n"
            "text = '{huge == none} {len(many)}' { x: 0; y: 0 }\n")
    scene = scene_of(body, product, studio)
    (logo,) = images(scene)
    assert Path(logo.material.path).name == "logo.png" and logo.box == Box(20, 20, 100, 100)
    assert texts(scene) == ["true 0"]


def test_required_object_with_no_candidate_names_everything(studio: Path, product: dict) -> None:
    d = error_of("object hero = image from product.images where width > 300 and aspect < 1\n",
                 product, studio)
    assert d.code == "bind.no-material" and "`hero`" in d.message and '"sku-1"' in d.message
    assert "small.png: `width > 300` is false" in d.message
    assert "big.jpg: `aspect < 1` is false" in d.message
    assert d.span.line == 3
    product["images"] = []
    d = error_of("object hero = image from product.images\n", product, studio)
    assert d.code == "bind.no-material" and "has no images" in d.message


@pytest.mark.model
def test_material_and_perception_attributes(studio: Path, product: dict) -> None:
    body = ("object hero = image from product.images where width > 300\n"
            + say("hero.width}x{hero.height} {hero.format} {hero.has_alpha} {hero.megapixels"))
    assert texts(scene_of(body, product, studio)) == ["800x600 jpeg false 0.48"]
    # big.jpg: a red square on a grey-blue studio backdrop, found by the subject model.
    body = ("object hero = image from product.images where subject.found and "
            "background.plain and width > 300\n"
            + say("hero.palette.dominant} {hero.background.color} {hero.text.found"))
    (line,) = texts(scene_of(body, product, studio))
    dominant, backdrop, text_found = line.split()
    assert dominant.startswith("#") and int(dominant[1:3], 16) > 150 > int(dominant[3:5], 16)
    assert backdrop == "#c8d2dc" and text_found == "false"


def test_perception_without_the_subject_model(studio: Path, product: dict, tmp_path_factory,
                                              monkeypatch) -> None:
    monkeypatch.setenv("DDM_MODEL_DIR", str(tmp_path_factory.mktemp("no-models")))
    monkeypatch.setenv("DDM_LIBRARY", str(tmp_path_factory.mktemp("lib") / "m.sqlite"))
    for expr in ("hero.subject.area", "hero.palette.dominant"):
        d = error_of("object hero = image from product.images\nlet a = 1\n"
                     f"rect r when {expr} > 0.1 {{}}\n", product, studio)
        assert d.code == "bind.perception"
        assert d.message.startswith(f"perception attribute `{expr.split('.', 1)[1]}` needs the "
                                    f"`{expr.split('.')[1]}` perceiver")
        assert "ddm models install" in d.message
        assert (d.span.line, d.span.column) == (5, 13)
    d = error_of("object hero = image from product.images where subject.found\n", product, studio)
    assert d.code == "bind.perception" and "`subject`" in d.message


def test_image_from_a_file_path_stays_under_base_dir(studio: Path, product: dict,
                                                      tmp_path_factory) -> None:
    (img,) = images(scene_of("image = 'logo.png' { box: 0 0 10 10 }\n", product, studio))
    assert img.material.width == 100
    outside = tmp_path_factory.mktemp("outside")
    Image.new("RGB", (10, 10)).save(outside / "secret.png")
    d = error_of(f"image = '../{outside.name}/secret.png'\n", product, studio)
    assert d.code == "bind.material" and "secret.png" in d.message and "outside" in d.message
    d = error_of("image = 'nope.png'\n", product, studio)
    assert d.code == "bind.material" and "nope.png" in d.message


def test_place_in_a_region_avoiding_a_later_element(studio: Path, product: dict) -> None:
    body = ("object hero = image from product.images where width > 300\n"
            "image hero | place in slot(right 60%) fit cover avoid headline\n"
            "text headline = 'Hi' { box: 0 0 50% 100%; size: 20 }\n"
            "image again = hero | place fit contain when format.aspect > 5\n")
    img, again = images(scene_of(body, product, studio))
    assert img.box == Box(500, 0, 500, 1000)  # slot's right 60%, clear of the headline
    assert img.crop.height == 600 and img.crop.width == pytest.approx(300)
    assert again.box == Box(0, 125, 1000, 750)  # the skipped `place` left the default


def test_binding_repeats_until_names_used_early_settle(studio: Path, product: dict) -> None:
    """A name used before it is laid out takes a second pass (then it is settled); with
    the environment's pass limit at one, the first pass is kept and a note says so."""
    body = ("object hero = image from product.images where width > 300\n"
            "image hero | place in slot(right 60%) fit cover avoid headline\n"
            "text headline = 'Hi' { box: 0 0 50% 100%; size: 20 }\n")
    template = build(HEAD + body)
    settled = bind(template, product, "feed", base_dir=studio)
    assert images(settled)[0].box == Box(500, 0, 500, 1000)
    assert not any("settled" in note for note in settled.notes)
    one = bind(template, product, "feed", base_dir=studio,
               environment=Environment(limits=Limits(passes=1)))
    assert images(one)[0].box != Box(500, 0, 500, 1000)   # the headline was not known yet
    assert any("had not settled after 1 passes" in note for note in one.notes)


def test_place_avoiding_all_text_keeps_clear_of_every_block(studio: Path,
                                                           product: dict) -> None:
    """`avoid text` is every text's lines, unnamed ones and ones laid out later too."""
    body = ("object hero = image from product.images where width > 300\n"
            "image hero | place in slot(0 0 100% 100%) fit contain avoid text\n"
            "text = 'Top line' { box: 5% 5% 90% 10%; size: 40 }\n"
            "text = 'Left' { box: 5% 20% 25% 70%; size: fit(12, 40); valign: top }\n")
    scene = scene_of(body, product, studio)
    (img,) = images(scene)
    blocks = [c for c in scene.children if getattr(c, "lines", None)]
    assert len(blocks) == 2
    for t in blocks:  # the lines' block (valign top, line height 1.2), not the whole box
        bottom = t.box.y + len(t.lines) * t.size * 1.2
        assert not (img.box.x < t.box.right and t.box.x < img.box.right
                    and img.box.y < bottom and t.box.y < img.box.bottom)
    assert img.box.y >= 200 + 48 and img.box.height > 600  # below both, most of the canvas


def test_unknown_operation_is_a_diagnostic(studio: Path, product: dict) -> None:
    d = error_of("object hero = image from product.images\nimage hero | recolour\n", product,
                 studio)
    assert d.code == "bind.operation" and "recolour" in d.message


# ---- text --------------------------------------------------------------------------------
def test_text_fits_wraps_and_aligns_in_its_box(studio: Path, product: dict) -> None:
    body = ("text t = 'Evergreen Olive Oil from the grove' { box: 10% 10% 30% 40%; "
            "size: fit(12, 200); font: 'Inter' bold italic; align: center; valign: middle; "
            "fill: #112233; line-height: 1 }\n")
    (node,) = scene_of(body, product, studio).children
    assert isinstance(node, TextNode)
    assert (node.family, node.weight, node.italic, node.anchor) == ("Inter", 700, True, "middle")
    assert ("fill", "#112233") in node.attrs and ("id", "t") in node.attrs
    fonts = FontRegistry.default()
    for line in node.lines:
        assert line.x == 250
        assert fonts.measure(line.text, "Inter", 700, True, node.size) <= 300 + 1e-6
    assert 12 < node.size <= 200 and node.size * 2 % 1 == 0  # a 0.5 px step
    assert len(node.lines) * node.size <= 400 + 1e-6
    ys = [line.y for line in node.lines]
    assert ys == sorted(ys) and ys[0] > 100 and ys[-1] < 500


def test_text_max_lines_and_ellipsis(studio: Path, product: dict) -> None:
    words = " ".join(["word"] * 60)
    body = (f"text t = '{words}' {{ box: 0 0 200 200; size: fit(20, 40); max-lines: 2; "
            "align: end }\n")
    (node,) = scene_of(body, product, studio).children
    assert node.size == 20 and len(node.lines) == 2 and node.lines[-1].text.endswith("…")
    assert node.anchor == "end" and node.lines[0].x == 200


def test_text_without_a_box_is_one_line_at_x_y(studio: Path, product: dict) -> None:
    body = "text t { content: product.title; x: 50%; y: 90%; size: 24px; font: 'Inter' 300 }\n"
    (node,) = scene_of(body, product, studio).children
    assert [(line.text, line.x, line.y) for line in node.lines] == [
        ("Evergreen Olive Oil", 500, 900)]
    assert (node.size, node.weight) == (24, 300)


def test_text_size_is_a_diagonal_length(studio: Path, product: dict) -> None:
    (node,) = scene_of("text t = 'x' { x: 0; y: 0; size: 5% }\n", product, studio).children
    assert node.size == pytest.approx(50)


def test_text_box_shorter_than_a_line_is_a_diagnostic(studio: Path, product: dict) -> None:
    d = error_of("text t = 'hello there' { box: 0 0 100 5; size: 20 }\n", product, studio)
    assert d.code == "bind.text-box" and d.span.line == 3


def test_bad_font_is_a_diagnostic(studio: Path, product: dict) -> None:
    d = error_of("text t = 'x' { x: 0; y: 0; font: 'Inter' 5000 }\n", product, studio)
    assert d.code == "bind.font"


# ---- materials -----------------------------------------------------------------------------
def test_material_header_hash_and_cache(studio: Path) -> None:
    path = studio / "logo.png"
    m = load_material(path, (studio,))
    assert m.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (m.width, m.height, m.format, m.has_alpha) == (100, 100, "png", True)
    assert load_material(path, (studio,)) is m
    assert header_record(m) == {"width": 100.0, "height": 100.0, "aspect": 1.0,
                                "megapixels": 0.01, "format": "png", "has_alpha": True,
                                "src": m.path}
    Image.new("RGB", (30, 20)).save(path)  # a new file: the cache key changes
    m2 = load_material(path, (studio,))
    assert (m2.width, m2.has_alpha) == (30, False)


def test_material_refusals_name_the_file(tmp_path: Path) -> None:
    big = tmp_path / "huge.png"
    Image.new("1", (7100, 7100)).save(big)  # 50.4 megapixels, a small file
    with pytest.raises(MaterialError, match=r"huge\.png.*megapixels"):
        load_material(big, (tmp_path,))
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    with pytest.raises(MaterialError, match=r"bad\.jpg"):
        load_material(tmp_path / "bad.jpg", (tmp_path,))
    inner = tmp_path / "inner"
    inner.mkdir()
    with pytest.raises(MaterialError, match=r"huge\.png.*outside"):
        load_material(big, (inner,))
    assert materials.MAX_PIXELS == 50_000_000


# ---- determinism ---------------------------------------------------------------------------
def test_same_inputs_same_scene_and_svg(studio: Path, product: dict) -> None:
    body = ("object hero = image from product.images prefer megapixels desc\n"
            "let paper = mix(#ffffff, #2e6e54, 0.1)\n"
            "rect bg { box: 0 0 100% 100%; fill: paper }\n"
            "image hero | place in slot(right 50%) fit cover\n"
            "for p, i in product.selling_points { text pt = p { box: 5% (10% + i * 10%) 40% 8%; "
            "size: fit(10, 40) } }\n")
    a = scene_of(body, product, studio, "banner")
    b = scene_of(body, dict(reversed(list(product.items()))), studio, "banner")
    assert a == b
    assert emit(a) == emit(b)


def test_flow_follows_the_laid_out_text(studio: Path, product: dict) -> None:
    body = ("text headline = 'Short' { box: 10% 10% 80% 40%; size: 50; line-height: 1 }\n"
            "text sub = 'Below it' { box: 10% 0 80% 10%; size: 20; flow: below headline gap 2% }\n"
            "rect tag { box: 0 0 100 40; flow: after early gap 10 }\n"
            "text early = 'x' { box: 5% 80% 10% 5%; size: 12 }\n")
    scene = scene_of(body, product, studio)
    head, sub, _ = (n for n in scene.children if isinstance(n, TextNode))
    # One line of 50 px from y=100: the subline starts 2 % (20 px) under that line, not
    # under the headline's 400 px box.
    assert sub.box == Box(100, 100 + 50 + 20, 800, 100)
    assert head.box.height == 400
    (tag,) = (n for n in scene.children if isinstance(n, Node) and n.tag == "rect")
    # `early` is laid out later: the second pass places the rect after it, 10 px after
    # the end of its one glyph (an "x" narrower than its 12 px size) from x = 50, not
    # after its 100 px declared box.
    x = float(dict(tag.attrs)["x"])
    assert 50 + 10 < x < 50 + 10 + 12 and dict(tag.attrs)["y"] == "0"


def test_flow_errors_are_check_errors() -> None:
    from ddm_lang import template_from_string
    with pytest.raises(DiagnosticError) as info:
        template_from_string(HEAD + "text t = 'x' { box: 0 0 1 1; flow: beneath nothing gap red "
                      "align middle }\n")
    codes = [d.code for d in info.value.diagnostics]
    assert codes == ["check.word", "check.unknown-element-name", "check.type", "check.word"]


def test_flow_aligns_across_the_flow(studio: Path, product: dict) -> None:
    body = ("rect card { box: 100 100 400 200 }\n"
            "rect under { box: 0 0 100 20; flow: below card gap 10 align center }\n"
            "rect beside { box: 0 0 50 50; flow: after card align end }\n"
            "rect kept { box: 7 0 30 30; flow: below card }\n")
    rects = {n.attrs[0][1]: dict(n.attrs) for n in scene_of(body, product, studio).children
             if isinstance(n, Node) and n.tag == "rect"}
    assert (rects["under"]["x"], rects["under"]["y"]) == ("250", "310")
    assert (rects["beside"]["x"], rects["beside"]["y"]) == ("500", "250")
    assert (rects["kept"]["x"], rects["kept"]["y"]) == ("7", "300")


def test_none_is_the_svg_keyword(studio: Path, product: dict) -> None:
    """`fill: none` must reach the SVG (absent, the fill would default to black)."""
    scene = scene_of("circle ring { cx: 50%; cy: 50%; r: 20%; fill: none; stroke: #000000 }\n",
                     product, studio)
    assert ("fill", "none") in scene.children[0].attrs


def test_slot_takes_lengths_that_mix_units(studio: Path, product: dict) -> None:
    body = ("object hero = image from product.images where width > 300\n"
            "image hero | place in slot((50% - 10vh) 0 (20vh + 10%) 50%) fit fill\n")
    (img,) = images(scene_of(body, product, studio))
    assert img.box == Box(400, 0, 300, 500)  # the 1000 × 1000 feed: 500 − 100, 200 + 100


def test_a_component_instance_flows(studio: Path, product: dict) -> None:
    body = ("component plate(label) {\n"
            "  rect { box: 0 0 100% 100%; fill: #222222 }\n"
            "  text = label { box: 0 0 100% 100%; size: fit(10, 40); fill: #ffffff }\n"
            "}\n"
            "text headline = 'A title' { box: 10% 10% 80% 30%; size: 60; max-lines: 1; "
            "fill: #000000 }\n"
            "plate tag { label: 'Go'; box: 10% 0 30% 10%; flow: below headline gap 2% }\n")
    scene = scene_of(body, product, studio)
    tag = next(c for c in scene.children if getattr(c, "name", None) == "tag")
    y = float(dict(tag.attrs)["transform"].split()[1].rstrip(")"))
    assert 100 + 60 < y < 100 + 2 * 60 + 20 + 1  # under the headline's one line, not at 0


def test_place_without_in_fills_the_elements_own_box(studio: Path, product: dict) -> None:
    """`place fit cover { box: ... }` covers the element's box, not the letterboxed box the
    image had before the operation (its default `fit: contain`)."""
    body = ("object hero = image from product.images where width > 300\n"
            "image hero | place fit cover { box: 0 0 50% 74% }\n")
    (img,) = images(scene_of(body, product, studio))
    assert img.box == Box(0, 0, 500, 740)
    assert img.crop.width < 800  # cropped to the box's shape, not shown whole


def test_flow_after_a_left_out_element_follows_what_it_followed(studio: Path,
                                                                 product: dict) -> None:
    body = ("text headline = 'A title' { box: 10% 10% 80% 20%; size: 60; max-lines: 1; "
            "valign: top; fill: #000000 }\n"
            "text price = 'x' when false { box: 10% 0 80% 10%; size: 40; "
            "flow: below headline gap 2%; fill: #000000 }\n"
            "text cta = 'Go' { box: 10% 0 30% 8%; size: 30; flow: below price gap 3%; "
            "fill: #000000 }\n")
    scene = scene_of(body, product, studio)
    texts = {c.name: c for c in scene.children if getattr(c, "name", None)}
    assert "price" not in texts
    headline_bottom = 100 + 60 * 1.2  # one line at the top of its box
    assert texts["cta"].box.y == pytest.approx(headline_bottom + 30, abs=0.5)  # its own gap


def test_place_avoiding_a_group_keeps_clear_of_its_parts(studio: Path, product: dict) -> None:
    """A group has no box of its own: `avoid` keeps clear of where its named parts are
    (a sticker made of a disc and its label)."""
    body = ("object hero = image from product.images where width > 300\n"
            "image hero | place in slot(0 0 100% 100%) fit contain avoid sticker\n"
            "group sticker {\n"
            "  circle disc { box: 80% 0 20% 20%; fill: #e33 }\n"
            "  text label = '-20%' { box: 82% 5% 16% 10%; size: 20 }\n"
            "}\n")
    (img,) = images(scene_of(body, product, studio))
    sticker = Box(800, 0, 200, 200)
    assert not img.box.intersects(sticker)
