"""emit: every Scene item's SVG form, data URIs, and byte-identical output."""

from __future__ import annotations

import base64
from pathlib import Path

from lxml import etree
from PIL import Image

from ddm_lang.emit import emit
from ddm_lang.perception.materials import load_material
from ddm_lang.scene import Box, ImageNode, Node, RawNode, Scene, TextLine, TextNode

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def test_root_and_plain_nodes_keep_attribute_order() -> None:
    rect = Node("rect", (("id", "r"), ("x", "1"), ("fill", "#ff0000"), ("width", "2")))
    group = Node("g", (("opacity", "0.5"),), (rect, Node("title", (), (), "a < b & c")))
    svg = emit(Scene(300, 200, (group,), "Demo"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" '
                          'viewBox="0 0 300 200"><title>Demo</title>')
    assert '<rect id="r" x="1" fill="#ff0000" width="2"/>' in svg
    assert "<title>a &lt; b &amp; c</title>" in svg
    root = parse(svg)
    assert root[1].tag == SVG + "g" and root[1][0].tag == SVG + "rect"


def test_whole_image_is_one_image_element(tmp_path: Path) -> None:
    Image.new("RGB", (40, 20), (10, 20, 30)).save(tmp_path / "a.png")
    m = load_material(tmp_path / "a.png", (tmp_path,))
    node = ImageNode(m, Box(10, 5, 80, 40), Box(0, 0, 40, 20), attrs=(("id", "hero"),))
    root = parse(emit(Scene(100, 100, (node,))))
    img = root[0]
    assert img.tag == SVG + "image"
    assert {k: img.get(k) for k in ("x", "y", "width", "height", "preserveAspectRatio", "id")} == {
        "x": "10", "y": "5", "width": "80", "height": "40", "preserveAspectRatio": "none",
        "id": "hero"}
    prefix = "data:image/png;base64,"
    assert img.get("href").startswith(prefix)
    assert base64.b64decode(img.get("href")[len(prefix):]) == (tmp_path / "a.png").read_bytes()


def test_cropped_image_is_a_nested_viewport(tmp_path: Path) -> None:
    Image.new("RGB", (400, 300)).save(tmp_path / "b.jpg")
    m = load_material(tmp_path / "b.jpg", (tmp_path,))
    node = ImageNode(m, Box(0, 0, 100, 100), Box(50, 0, 300, 300))
    viewport = parse(emit(Scene(100, 100, (node,))))[0]
    assert viewport.tag == SVG + "svg"
    assert viewport.get("viewBox") == "50 0 300 300"
    assert viewport.get("preserveAspectRatio") == "none"
    img = viewport[0]
    assert (img.get("width"), img.get("height")) == ("400", "300")
    assert img.get("x") is None and img.get("href").startswith("data:image/jpeg;base64,")


def test_flipped_image_is_mirrored_about_its_box(tmp_path: Path) -> None:
    Image.new("RGB", (10, 10)).save(tmp_path / "c.png")
    m = load_material(tmp_path / "c.png", (tmp_path,))
    node = ImageNode(m, Box(20, 0, 30, 30), Box(0, 0, 10, 10), flip=True)
    g = parse(emit(Scene(100, 100, (node,))))[0]
    assert g.tag == SVG + "g" and g.get("transform") == "matrix(-1 0 0 1 70 0)"
    assert g[0].tag == SVG + "image" and g[0].get("x") == "20"


def test_text_node_has_font_attributes_and_one_tspan_per_line() -> None:
    node = TextNode(Box(0, 0, 100, 50), (TextLine("one", 50, 20.25), TextLine("two & <3>", 50, 40)),
                    "Inter", 700, 18.5, "middle", True, (("id", "t"), ("fill", "#111111")))
    svg = emit(Scene(100, 100, (node,)))
    text = parse(svg)[0]
    assert list(text.attrib.items()) == [
        ("font-family", "Inter, sans-serif"), ("font-size", "18.5"), ("font-weight", "700"),
        ("font-style", "italic"), ("text-anchor", "middle"), ("id", "t"), ("fill", "#111111")]
    spans = [(s.get("x"), s.get("y"), s.text) for s in text]
    assert spans == [("50", "20.25", "one"), ("50", "40", "two & <3>")]
    plain = parse(emit(Scene(10, 10, (TextNode(Box(0, 0, 1, 1), (), "Inter", 400, 12),))))[0]
    assert plain.get("font-style") is None and plain.get("text-anchor") is None


def test_characters_xml_cannot_hold_are_left_out() -> None:
    """A feed title or template string with a form feed or a NUL must not stop emit: XML
    1.0 cannot carry those characters, and they draw nothing."""
    node = TextNode(Box(0, 0, 100, 50), (TextLine("Olive\x0cOil\x00", 0, 20),), "Inter", 400,
                    18, attrs=(("data-x", "a\x01b"),))
    svg = emit(Scene(100, 100, (node,), "Sale\x0b\ufffe 20%"))
    root = etree.fromstring(svg.encode())
    assert root[0].text == "Sale 20%"
    assert root[1][0].text == "OliveOil" and root[1].get("data-x") == "ab"


def test_raw_markup_is_appended_as_svg_elements() -> None:
    raw = RawNode('<g id="deco"><circle r="3"/></g><rect width="1" height="1"/>')
    root = parse(emit(Scene(10, 10, (raw, Node("rect")))))
    assert [el.tag for el in root] == [SVG + "g", SVG + "rect", SVG + "rect"]
    assert root[0][0].tag == SVG + "circle"


def test_identical_scenes_give_identical_bytes(tmp_path: Path) -> None:
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / "d.png")

    def scene() -> Scene:
        m = load_material(tmp_path / "d.png", (tmp_path,))
        return Scene(200, 100, (
            Node("rect", (("width", "200"), ("height", "100"), ("fill", "#eeeeee"))),
            ImageNode(m, Box(0, 0, 100, 100), Box(5, 0, 30, 30), True),
            TextNode(Box(100, 0, 100, 100), (TextLine("Hello", 100, 30),), "Inter", 400, 24),
            RawNode('<path d="M0 0L1 1"/>'),
        ), "Same")

    first = emit(scene())
    assert first == emit(scene())
    assert first.encode() == emit(scene()).encode()
