"""Template × product × format → SVG: selection, evaluation, layout, components, emit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from ddm_lang import DiagnosticError, template_from_string

NS = {"s": "http://www.w3.org/2000/svg"}
HEAD = 'template t "T"\nformats feed 1000x1000, banner 1200x600\n'


def compile_svg(source: str, product: dict, base: Path, fmt: str = "feed") -> etree._Element:
    svg = template_from_string(source).compile(product, fmt, base_dir=base).svg
    return etree.fromstring(svg.encode())


def test_percentages_follow_the_axis_of_each_attribute(studio: Path, product: dict) -> None:
    src = HEAD + "rect r { x: 10%; y: 10%; width: 50%; height: 50vw; rx: 1vmin; stroke-width: 1% }\n"
    rect = compile_svg(src, product, studio, "banner").find("s:rect", NS)
    assert rect.get("x") == "120" and rect.get("y") == "60" and rect.get("width") == "600"
    assert rect.get("height") == "600" and rect.get("rx") == "6"
    assert float(rect.get("stroke-width")) == pytest.approx(((1200**2 + 600**2) / 2) ** 0.5 / 100,
                                                           abs=1e-3)


def test_mixed_units_add_up_per_format(studio: Path, product: dict) -> None:
    src = HEAD + "rect r { box: (50% - 20px) 0 (10% + 5px) 10 }\n"
    rect = compile_svg(src, product, studio, "banner").find("s:rect", NS)
    assert (rect.get("x"), rect.get("width")) == ("580", "125")


def test_object_selection_uses_where_and_prefer(studio: Path, product: dict) -> None:
    src = HEAD + ("object hero = image from product.images where width >= 100 prefer megapixels desc\n"
                  "object logo? = image from brand.logos where has_alpha\n"
                  "object none? = image from product.images where width > 5000\n"
                  "image hero { box: 0 0 50% 50% }\nimage logo? { box: top-left margin 2% size 10% }\n"
                  "image none? { box: 0 0 10 10 }\n")
    root = compile_svg(src, product, studio)
    images = root.findall(".//s:image", NS)
    assert len(images) == 2  # the optional object with no candidate disappears
    assert images[0].get("href").startswith("data:image/jpeg;base64,")  # big.jpg preferred
    assert images[1].get("href").startswith("data:image/png;base64,")
    assert images[0].get("width") == "500" and images[0].get("height") == "375"  # contain 4:3


def test_required_object_without_candidate_names_conditions_and_images(
        studio: Path, product: dict) -> None:
    src = HEAD + "object hero = image from product.images where width > 5000 and has_alpha\n"
    with pytest.raises(DiagnosticError) as info:
        template_from_string(src).compile(product, "feed", base_dir=studio)
    message = info.value.diagnostics[0].message
    assert "sku-1" in message and "small.png: `width > 5000` is false" in message
    assert "big.jpg" in message
    assert info.value.diagnostics[0].span.line == 3


def test_perception_attribute_without_its_model_is_a_clear_error(studio: Path, product: dict,
                                                                  tmp_path_factory,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("DDM_MODEL_DIR", str(tmp_path_factory.mktemp("no-models")))
    monkeypatch.setenv("DDM_LIBRARY", str(tmp_path_factory.mktemp("lib") / "m.sqlite"))
    src = HEAD + "object hero = image from product.images where subject.area > 0.1\n"
    with pytest.raises(DiagnosticError) as info:
        template_from_string(src).compile(product, "feed", base_dir=studio)
    d = info.value.diagnostics[0]
    assert d.code == "bind.perception" and "`subject`" in d.message
    assert "ddm models install" in d.message
    assert (d.span.line, d.span.column) == (3, 47)


def test_missing_field_names_product_and_field_but_questions_about_it_are_fine(
        studio: Path, product: dict) -> None:
    ok = HEAD + "group g when product.stock.level > 3 { rect {} }\ntext t = default(product.sub, 'x')\n"
    assert compile_svg(ok, product, studio).find("s:g", NS) is None
    bad = HEAD + "text t = product.subtitle { box: 0 0 50% 10% }\n"
    with pytest.raises(DiagnosticError) as info:
        template_from_string(bad).compile(product, "feed", base_dir=studio)
    d = info.value.diagnostics[0]
    assert d.code == "bind.missing-field"
    assert 'product "sku-1" has no field `product.subtitle`' in d.message
    assert (d.span.line, d.span.column) == (3, 10)


def test_loops_when_and_ids(studio: Path, product: dict) -> None:
    src = HEAD + ("for p, i in product.selling_points[0:3] {\n"
                  "  text item = \"{i + 1}. {p}\" { box: 0 (i * 10%) 50% 10%; size: fit(8, 40) }\n}\n"
                  "when product.price.discount > 50 { rect big {} } else { rect small {} }\n")
    root = compile_svg(src, product, studio)
    texts = root.findall("s:text", NS)
    assert [t.get("id") for t in texts] == ["item-1", "item-2", "item-3"]
    assert "".join(texts[1].itertext()) == "2. Single estate"
    assert root.find("s:rect", NS).get("id") == "small"


def test_component_instances_lay_out_inside_their_box(studio: Path, product: dict) -> None:
    src = HEAD + ("component chip(label, tone = #e11d48) {\n"
                  "  rect bg { box: 0 0 100% 100%; fill: tone }\n"
                  "  text t = label { box: 10% 10% 80% 80%; size: fit(6, 200); fill: #ffffff }\n}\n"
                  "chip c { label: 'SALE'; box: 50% 50% 20% 10%; opacity: 0.9 }\n")
    g = compile_svg(src, product, studio).find("s:g", NS)
    assert g.get("transform") == "translate(500 500)" and g.get("opacity") == "0.9"
    rect = g.find("s:rect", NS)
    assert (rect.get("width"), rect.get("height"), rect.get("fill")) == ("200", "100", "#e11d48")
    assert float(g.find("s:text", NS).get("font-size")) <= 80


def test_text_fits_its_box_in_every_format(studio: Path, product: dict) -> None:
    from ddm_lang.renderer.fonts import FontRegistry
    src = HEAD + ("text headline = product.title + ' ' + product.title {\n"
                  "  box: 5% 5% 40% 20%; font: 'Inter' 800; size: fit(10, 200); max-lines: 3\n}\n")
    for fmt, (w, h) in (("feed", (1000, 1000)), ("banner", (1200, 600))):
        text = compile_svg(src, product, studio, fmt).find("s:text", NS)
        size = float(text.get("font-size"))
        lines = [t.text for t in text.findall("s:tspan", NS)]
        assert 1 <= len(lines) <= 3 and 10 <= size < 200
        for line in lines:
            assert FontRegistry.default().measure(line, "Inter", 800, False, size) <= 0.4 * w + 0.01
        assert len(lines) * size * 1.2 <= 0.2 * h + 0.01


def test_place_cover_crops_with_a_nested_viewport(studio: Path, product: dict) -> None:
    src = HEAD + ("object hero = image from product.images prefer width desc\n"
                  "image hero | place in slot(right 50%) fit cover anchor top\n")
    viewport = compile_svg(src, product, studio, "banner").find("s:svg", NS)
    assert viewport.get("x") == "600" and viewport.get("width") == "600"
    assert viewport.get("viewBox") == "100 0 600 600"  # 800x600 photo cropped to a square


def test_raw_svg_is_emitted_and_svg_is_deterministic(studio: Path, product: dict) -> None:
    src = HEAD + ('object hero = image from product.images\nimage hero\n'
                  'raw """<circle cx="5" cy="5" r="4" fill="#123456"/>"""\n'
                  "text t = product.title { box: 0 0 50% 20% }\n")
    template = template_from_string(src)
    a = template.compile(product, "feed", base_dir=studio).svg
    b = template_from_string(src).compile(dict(product), "feed", base_dir=studio).svg
    assert a == b
    assert re.search(r'<circle cx="5" cy="5" r="4" fill="#123456"/>', a)


def test_images_outside_the_product_folder_are_refused(studio: Path, product: dict) -> None:
    src = HEAD + "object hero = image from product.images\nimage hero\n"
    product = dict(product, images=["../../etc/passwd"])
    with pytest.raises(DiagnosticError) as info:
        template_from_string(src).compile(product, "feed", base_dir=studio)
    assert "outside the allowed folders" in info.value.diagnostics[0].message


def test_decompression_bombs_are_refused_by_header(studio: Path, product: dict) -> None:
    from PIL import Image
    Image.new("1", (20000, 20000)).save(studio / "bomb.png")  # 400 MP, tiny file
    src = HEAD + "object hero = image from product.images\nimage hero\n"
    with pytest.raises(DiagnosticError) as info:
        template_from_string(src).compile(dict(product, images=["bomb.png"]), "feed", base_dir=studio)
    assert "bomb.png" in info.value.diagnostics[0].message


def test_unknown_format_is_a_diagnostic(studio: Path, product: dict) -> None:
    with pytest.raises(DiagnosticError) as info:
        template_from_string(HEAD).compile(product, "story", base_dir=studio)
    assert "feed, banner" in (info.value.diagnostics[0].hint or "")


def test_place_avoids_named_elements_declared_later(studio: Path, product: dict) -> None:
    src = HEAD + ("object hero = image from product.images prefer width desc\n"
                  "image hero | place in slot(0 0 100% 100%) fit contain avoid headline\n"
                  "text headline = product.title { box: 0 0 100% 30%; size: fit(8, 40) }\n")
    image = compile_svg(src, product, studio).find("s:image", NS)
    assert float(image.get("y")) >= 300  # pushed below the headline's box
    assert float(image.get("y")) + float(image.get("height")) <= 1000.01
