"""Document structure as resvg renders it: the CSS cascade, conditional processing,
transform-origin, symbols, document size, entities, SVG and SVGZ images, image-rendering,
and nested or recursive clip paths and masks."""

from __future__ import annotations

import base64
import gzip
import io
from pathlib import Path

import numpy as np
import pytest
from _pixels import px
from lxml import etree
from PIL import Image

from ddm_lang.renderer import RenderError, render
from ddm_lang.renderer.css import parse_selector, parse_sheet
from ddm_lang.renderer.options import RenderOptions
from ddm_lang.renderer.raster import draw

NS = 'xmlns="http://www.w3.org/2000/svg"'
SVG = f'<svg {NS} width="100" height="100">{{}}</svg>'
RED, GREEN, BLUE = (255, 0, 0, 255), (0, 128, 0, 255), (0, 0, 255, 255)


# ---- CSS ---------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", [
    "rect { fill: green }", ".c { fill: green }", "#r { fill: green }", "[x] { fill: green }",
    '[data-k="v w"] { fill: green }', "[data-k~=w] { fill: green }",
    "svg > g > rect { fill: green }", "svg > rect { fill: red } rect { fill: green }",
    "g rect { fill: red } svg > g > rect { fill: green }", "* { fill: green }",
    "rect:first-child { fill: green }", "rect:hover { fill: red } rect { fill: green }",
    "@media print { rect { fill: red } } rect { fill: green }",
    "/* rect { fill: red } */ rect { fill: green }", "rect, circle { fill: green }",
])
def test_style_sheet_selectors(rule: str) -> None:
    img = render(SVG.format(f'<style>{rule}</style><g><rect id="r" class="c" x="10" '
                            'data-k="v w" width="80" height="80" fill="red"/></g>'))
    assert px(img, 50, 50) == GREEN


def test_cascade_order_specificity_and_important() -> None:
    sheet = ('<style><![CDATA[ #a { fill: green } rect { fill: red } '
             '.b { fill: green !important } ]]></style>')
    img = render(SVG.format(
        sheet + '<rect id="a" width="50" height="50" fill="blue"/>'  # id beats type, attribute
        '<rect class="b" x="50" width="50" height="50" style="fill: red"/>'  # !important wins
        '<rect y="50" width="50" height="50" style="fill: green"/>'  # style attribute wins
        '<circle cx="75" cy="75" r="20" fill="green"/>'))  # no rule: the attribute
    assert px(img, 25, 25) == GREEN and px(img, 75, 25) == GREEN
    assert px(img, 25, 75) == GREEN and px(img, 75, 75) == GREEN


def test_css_transform_and_sheet_after_use() -> None:
    img = render(SVG.format('<rect class="s" width="40" height="40" fill="green"/>'
                            '<style>.s { transform: scale(2) }</style>'))
    assert px(img, 70, 70) == GREEN


def test_selector_parsing_and_specificity() -> None:
    assert parse_selector("g#a * .b[x] > rect:first-child").specificity == (1, 3, 2)
    assert parse_selector("rect >") is None and parse_selector("a!b") is None
    rules = parse_sheet("a{fill:red} @import url(x.css); b{fill:blue} c{")
    assert [r.selector.parts[0].tag for r in rules] == ["a", "b", "c"]


def test_css_only_properties_are_ignored_as_attributes() -> None:
    body = ('<rect width="100" height="100" fill="lime"/>'
            '<rect width="50" height="100" fill="red" mix-blend-mode="multiply"/>'
            '<rect x="50" width="50" height="100" fill="red" style="mix-blend-mode:multiply"/>')
    img = render(SVG.format(body))
    assert px(img, 25, 50) == RED  # the attribute is not a property: drawn normally
    assert px(img, 75, 50) == (0, 0, 0, 255)  # red × lime


def test_draw_leaves_the_callers_tree_alone() -> None:
    import skia
    root = etree.fromstring(SVG.format('<rect width="10" height="10" style="fill:red"/>'))
    surface = skia.Surface(10, 10)
    draw(root, surface.getCanvas(), 10, 10)
    assert root[0].get("style") == "fill:red" and root[0].get("fill") is None


# ---- conditional processing ----------------------------------------------------------------
def test_switch_draws_the_first_passing_svg_child() -> None:
    body = ('<switch><foo/><rect width="100" height="100" fill="red" '
            'requiredExtensions="http://example.org/x"/>'
            '<rect width="100" height="100" fill="green" systemLanguage="ru, en-GB"/>'
            '<rect width="100" height="100" fill="red"/></switch>')
    assert px(render(SVG.format(body)), 50, 50) == GREEN
    ru = render(SVG.format(body), options=RenderOptions(languages=("ru",)))
    assert px(ru, 50, 50) == GREEN
    de = render(SVG.format(body), options=RenderOptions(languages=("de",)))
    assert px(de, 50, 50) == RED


def test_system_language_outside_switch_hides_the_element() -> None:
    img = render(SVG.format('<rect width="100" height="100" fill="green"/>'
                            '<rect width="100" height="100" fill="red" systemLanguage="ru"/>'))
    assert px(img, 50, 50) == GREEN


def test_foreign_namespace_elements_are_not_drawn() -> None:
    img = render(SVG.format('<g xmlns:o="urn:other"><o:rect width="100" height="100" '
                            'fill="red"/></g><rect width="50" height="50" fill="green"/>'))
    assert px(img, 75, 75)[3] == 0 and px(img, 25, 25) == GREEN


# ---- transforms, symbols, size ---------------------------------------------------------------
@pytest.mark.parametrize(("origin", "inside"), [
    ("center", (50, 50)), ("50 50", (50, 50)), ("right bottom", (90, 90)), ("top", (50, 10)),
])
def test_transform_origin(origin: str, inside: tuple[int, int]) -> None:
    # the viewport-sized square shrinks to 20×20 around the origin
    img = render(SVG.format(f'<rect width="100" height="100" fill="green" '
                            f'transform="scale(0.2)" transform-origin="{origin}"/>'))
    assert px(img, *inside) == GREEN
    assert px(img, 2, 98)[3] == 0


def test_squashing_transform_hides_the_element() -> None:
    img = render(SVG.format('<rect width="100" height="100" fill="red" transform="scale(0)"/>'))
    assert img[..., 3].max() == 0


def test_symbol_is_clipped_to_the_use_viewport_and_keeps_its_opacity() -> None:
    body = ('<symbol id="s" opacity="0.5"><rect width="100" height="100" fill="blue"/>'
            '</symbol><use href="#s" x="10" y="10" width="40" height="40"/>')
    img = render(SVG.format(body))
    assert abs(px(img, 30, 30)[3] - 128) <= 2 and px(img, 60, 60)[3] == 0


def test_document_without_size_is_sized_by_its_content() -> None:
    img = render(f'<svg {NS}><rect x="10" y="10" width="190" height="90" fill="green"/></svg>')
    assert img.shape[:2] == (100, 200)


def test_zero_size_document_draws_nothing() -> None:
    img = render(f'<svg {NS} width="0" height="0"><rect width="10" height="10"/></svg>', 20, 20)
    assert img[..., 3].max() == 0


def test_background_color_fills_the_viewbox() -> None:
    img = render(f'<svg {NS} viewBox="0 0 10 10" width="100" height="100" '
                 'style="background-color: blue"/>')
    assert px(img, 50, 50) == BLUE


# ---- entities ------------------------------------------------------------------------------
def test_internal_entities_are_refused_not_expanded() -> None:
    """Untrusted SVG gets no entity expansion at all, even of harmless internal ones."""
    doc = '<!DOCTYPE svg [<!ENTITY c "green">]>' + SVG.format('<rect fill="&c;"/>')
    with pytest.raises(RenderError, match="entities"):
        render(doc)


# ---- images --------------------------------------------------------------------------------
def svg_uri(inner: str, zipped: bool = False) -> str:
    data = inner.encode()
    if zipped:
        data = gzip.compress(data)
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode()


def test_svgz_image_and_gzip_bomb() -> None:
    inner = SVG.format('<rect width="100" height="100" fill="green"/>')
    img = render(SVG.format(f'<image href="{svg_uri(inner, True)}" width="100" height="100"/>'))
    assert px(img, 50, 50) == GREEN
    bomb = "data:image/svg+xml;base64," + base64.b64encode(
        gzip.compress(b" " * 60_000_000)).decode()
    with pytest.raises(RenderError, match="inflates"):
        render(SVG.format(f'<image href="{bomb}" width="10" height="10"/>'))


def test_svg_image_loads_no_external_files(tmp_path: Path) -> None:
    Image.new("RGB", (4, 4), (255, 0, 0)).save(tmp_path / "red.png")
    inner = SVG.format('<image href="red.png" width="100" height="100"/>'
                       '<rect width="50" height="50" fill="green"/>')
    (tmp_path / "inner.svg").write_text(inner)
    img = render(SVG.format('<image href="inner.svg" width="100" height="100"/>'),
                 allowed_roots=(tmp_path,), base_dir=tmp_path)
    assert px(img, 25, 25) == GREEN and px(img, 75, 75)[3] == 0


def test_zero_sized_image_is_not_loaded() -> None:
    img = render(SVG.format('<image href="missing.png" width="0" height="10"/>'))
    assert img[..., 3].max() == 0


def test_image_rendering_pixelated_uses_nearest_neighbour() -> None:
    buf = io.BytesIO()
    Image.fromarray(np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8)).save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    body = '<image href="{}" width="100" height="50" preserveAspectRatio="none" {}/>'
    sharp = render(SVG.format(body.format(uri, 'image-rendering="optimizeSpeed"')))
    smooth = render(SVG.format(body.format(uri, "")))
    assert px(sharp, 45, 25) == RED and px(sharp, 55, 25) == BLUE
    assert 0 < px(smooth, 45, 25)[2] < 255


# ---- clipping and masking ------------------------------------------------------------------
def test_clip_rule_inherits_from_the_clip_paths_ancestors() -> None:
    star = "M 50 5 L 80 95 L 5 35 L 95 35 L 20 95 Z"
    img = render(SVG.format(f'<g clip-rule="evenodd"><clipPath id="c"><path d="{star}"/>'
                            '</clipPath></g><rect width="100" height="100" fill="green" '
                            'clip-path="url(#c)"/>'))
    assert px(img, 50, 55)[3] == 0 and px(img, 50, 20) == GREEN


def test_mask_on_a_mask_multiplies_and_cycles_are_cut() -> None:
    body = ('<mask id="m1" maskUnits="userSpaceOnUse" mask="url(#m2)">'
            '<rect width="100" height="100" fill="white"/></mask>'
            '<mask id="m2" maskUnits="userSpaceOnUse" mask="url(#m1)">'
            '<rect width="50" height="100" fill="white"/></mask>'
            '<rect width="100" height="100" fill="green" mask="url(#m1)"/>')
    img = render(SVG.format(body))
    assert px(img, 25, 50) == GREEN and px(img, 75, 50)[3] == 0


def test_clip_path_on_a_clip_child_uses_the_childs_coordinates() -> None:
    body = ('<clipPath id="inner"><rect width="20" height="20"/></clipPath>'
            '<clipPath id="outer"><rect width="50" height="50" transform="translate(50 50)" '
            'clip-path="url(#inner)"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#outer)"/>')
    img = render(SVG.format(body))
    assert px(img, 60, 60) == GREEN and px(img, 80, 80)[3] == 0 and px(img, 10, 10)[3] == 0


@pytest.mark.parametrize("use", [
    '<use href="#s" x="20" y="20" width="60" height="60" mask="url(#m)"/>',
    '<use href="#r" x="20" y="20" mask="url(#m)"/>',
])
def test_mask_on_use_works_in_the_uses_user_space(use: str) -> None:
    body = ('<mask id="m" maskContentUnits="objectBoundingBox"><rect width="1" height="0.5" '
            'fill="white"/></mask><symbol id="s" viewBox="0 0 10 10"><rect width="10" '
            'height="10" fill="green"/></symbol><defs><rect id="r" width="60" height="60" '
            f'fill="green"/></defs>{use}')
    img = render(SVG.format(body))
    assert px(img, 50, 45) == GREEN and px(img, 50, 55)[3] == 0 and px(img, 10, 30)[3] == 0
