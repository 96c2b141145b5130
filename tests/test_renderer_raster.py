"""The Skia rasteriser draws shapes, paints, clips, masks, viewports, images and filters
where they belong, refuses hostile input with RenderError, and agrees with resvg."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import skia
from _pixels import px
from PIL import Image

from ddm_lang.renderer import RenderError, render
from ddm_lang.renderer.raster import draw

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">{}</svg>'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'


def close(a: tuple[int, ...], b: tuple[int, ...], tol: int = 3) -> bool:
    return len(a) == len(b) and all(abs(p - q) <= tol for p, q in zip(a, b, strict=True))


def png_uri(size: tuple[int, int], color: tuple[int, ...], mode: str = "RGB") -> str:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# ---- shapes and paint ----------------------------------------------------------------------
def test_red_rect_on_blue_background() -> None:
    img = render(SVG.format('<rect x="20" y="30" width="40" height="20" fill="#f00"/>'),
                 background="blue")
    assert img.shape == (100, 100, 4) and img.dtype == np.uint8
    assert px(img, 40, 40) == (255, 0, 0, 255)
    assert px(img, 10, 10) == (0, 0, 255, 255)
    assert px(img, 61, 40) == (0, 0, 255, 255) and px(img, 40, 51) == (0, 0, 255, 255)


def test_colour_syntaxes_and_opacity_are_unpremultiplied() -> None:
    cells = ["#0f0", "#00ff0080", "rgb(0, 255, 0)", "rgba(0,255,0,0.5)", "lime", "LimeGreen"]
    body = "".join(f'<rect x="{i * 10}" width="10" height="10" fill="{c}"/>'
                   for i, c in enumerate(cells))
    body += '<rect y="20" width="10" height="10" fill="red" fill-opacity="0.25"/>'
    body += '<g fill="blue"><rect y="40" width="10" height="10"/></g>'
    body += '<g color="#123456"><rect y="60" width="10" height="10" fill="currentColor"/></g>'
    img = render(SVG.format(body))
    assert px(img, 5, 5) == (0, 255, 0, 255)
    assert close(px(img, 15, 5), (0, 255, 0, 128), 1)
    assert px(img, 25, 5) == (0, 255, 0, 255)
    assert close(px(img, 35, 5), (0, 255, 0, 128), 1)
    assert px(img, 45, 5) == (0, 255, 0, 255)
    assert px(img, 55, 5) == (50, 205, 50, 255)
    assert close(px(img, 5, 25), (255, 0, 0, 64), 1)
    assert px(img, 5, 45) == (0, 0, 255, 255)  # inherited fill
    assert px(img, 5, 65) == (0x12, 0x34, 0x56, 255)


def test_style_attribute_wins_over_presentation_attribute() -> None:
    img = render(SVG.format('<rect width="50" height="50" fill="red" style="fill: #00f"/>'))
    assert px(img, 25, 25) == (0, 0, 255, 255)


def test_group_opacity_is_one_layer_not_per_child() -> None:
    img = render(SVG.format('<g opacity="0.5"><rect width="60" height="60" fill="red"/>'
                            '<rect x="30" y="30" width="60" height="60" fill="red"/></g>'))
    # the overlap is as transparent as the rest: opacity applies to the group as a whole
    assert close(px(img, 45, 45), px(img, 10, 10), 1) and close(px(img, 45, 45), (255, 0, 0, 128), 1)


def test_opacity_on_a_filled_and_stroked_shape_composites_once() -> None:
    img = render(SVG.format('<rect x="20" y="20" width="60" height="60" fill="red" '
                            'stroke="blue" stroke-width="10" opacity="0.5"/>'))
    assert close(px(img, 20, 50), (0, 0, 255, 128), 1)  # no red showing through the stroke
    assert close(px(img, 50, 50), (255, 0, 0, 128), 1)


def test_many_translucent_shapes_render_fast() -> None:
    """Opacity must not cost a full-canvas layer per element (that took seconds)."""
    import time

    body = "".join(f'<rect x="{i % 30 * 36}" y="{i // 30 * 36}" width="30" height="30" '
                   f'fill="red" stroke="{"blue" if i % 2 else "none"}" opacity="0.9"/>'
                   for i in range(900))
    doc = f'<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1080">{body}</svg>'
    start = time.perf_counter()
    render(doc)
    assert time.perf_counter() - start < 1.5


def test_circle_ellipse_polygon_and_line() -> None:
    img = render(SVG.format(
        '<circle cx="25" cy="25" r="20" fill="red"/>'
        '<ellipse cx="75" cy="25" rx="20" ry="8" fill="lime"/>'
        '<polygon points="10,90 40,90 25,60" fill="blue"/>'
        '<line x1="60" y1="80" x2="95" y2="80" stroke="black" stroke-width="4"/>'))
    assert px(img, 25, 25)[:3] == (255, 0, 0) and px(img, 8, 8)[3] == 0
    assert px(img, 75, 25)[:3] == (0, 255, 0) and px(img, 75, 15)[3] == 0
    assert px(img, 25, 85)[:3] == (0, 0, 255) and px(img, 12, 65)[3] == 0
    assert px(img, 80, 80)[3] == 255 and px(img, 80, 84)[3] == 0


def test_rounded_rect_corners_are_cut() -> None:
    img = render(SVG.format('<rect x="10" y="10" width="80" height="80" rx="20" fill="red"/>'))
    assert px(img, 11, 11)[3] == 0 and px(img, 50, 11)[3] == 255 and px(img, 30, 30)[3] == 255


def test_path_with_arcs_curves_and_relative_commands() -> None:
    # a half disc: from (10,50) arc to (90,50) sweeping over the top, closed by the diameter
    img = render(SVG.format('<path d="M10 50 A40 40 0 0 1 90 50 Z" fill="red"/>'))
    assert px(img, 50, 20)[3] == 255 and px(img, 50, 70)[3] == 0 and px(img, 12, 20)[3] == 0
    flipped = render(SVG.format('<path d="M10 50 A40 40 0 0 0 90 50 Z" fill="red"/>'))
    assert flipped[20, 50, 3] == 0 and flipped[70, 50, 3] == 255
    rel = render(SVG.format('<path d="m10 10 h30 v30 h-30 z M60 60 q20 -20 30 0 t0 30 '
                            'c-10 0 -20 0 -30 -30" fill="blue"/>'))
    assert px(rel, 25, 25)[:3] == (0, 0, 255) and px(rel, 50, 50)[3] == 0


def test_fill_rule_evenodd_leaves_a_hole() -> None:
    d = "M10 10 H90 V90 H10 Z M30 30 H70 V70 H30 Z"
    nonzero = render(SVG.format(f'<path d="{d}" fill="red"/>'))
    evenodd = render(SVG.format(f'<path d="{d}" fill="red" fill-rule="evenodd"/>'))
    assert nonzero[50, 50, 3] == 255 and evenodd[50, 50, 3] == 0 and evenodd[20, 20, 3] == 255


def test_stroke_width_dashes_and_caps() -> None:
    img = render(SVG.format('<line x1="0" y1="20" x2="100" y2="20" stroke="red" '
                            'stroke-width="6" stroke-dasharray="10 10"/>'
                            '<line x1="20" y1="60" x2="80" y2="60" stroke="blue" '
                            'stroke-width="10" stroke-linecap="square"/>'))
    assert px(img, 5, 20)[3] == 255 and px(img, 15, 20)[3] == 0 and px(img, 25, 20)[3] == 255
    assert px(img, 5, 24)[3] == 0
    assert px(img, 17, 60)[:3] == (0, 0, 255) and px(img, 83, 60)[:3] == (0, 0, 255)


def test_transforms_translate_rotate_about_centre_scale_skew_matrix() -> None:
    img = render(SVG.format(
        '<rect width="10" height="10" fill="red" transform="translate(80 80)"/>'
        '<rect x="40" y="0" width="20" height="4" fill="lime" transform="rotate(90 50 10)"/>'
        '<rect width="5" height="5" fill="blue" transform="scale(2) translate(5 25)"/>'
        '<rect width="10" height="10" fill="black" transform="matrix(1 0 0 1 0 85)"/>'
        '<rect x="60" y="0" width="10" height="10" fill="#808" transform="skewX(45)"/>'))
    assert px(img, 85, 85)[:3] == (255, 0, 0)
    assert px(img, 58, 15)[:3] == (0, 255, 0) and px(img, 45, 2)[3] == 0  # now x 56..60, y 0..20
    assert px(img, 15, 55)[:3] == (0, 0, 255)
    assert px(img, 5, 90)[:3] == (0, 0, 0)
    assert px(img, 66, 2)[:3] == (136, 0, 136) and px(img, 74, 8)[:3] == (136, 0, 136)


# ---- viewports -----------------------------------------------------------------------------
def test_output_size_from_arguments_root_or_viewbox() -> None:
    doc = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="20" ' \
          'height="20" fill="red"/></svg>'
    assert render(doc).shape == (20, 40, 4)
    assert render(doc, 200).shape == (100, 200, 4)  # one argument keeps the aspect ratio
    assert render(doc, height=50).shape == (50, 100, 4)
    big = render(doc, 80, 40)
    assert px(big, 20, 20)[0] == 255 and px(big, 60, 20)[3] == 0


@pytest.mark.parametrize(("par", "inside", "outside"), [
    ("xMidYMid meet", (50, 50), (10, 50)),
    ("xMinYMid meet", (10, 50), (90, 50)),
    ("xMaxYMax meet", (90, 50), (10, 50)),
    ("none", (10, 50), None),
    ("xMidYMid slice", (10, 50), None),
])
def test_viewbox_preserve_aspect_ratio(par: str, inside: tuple[int, int],
                                       outside: tuple[int, int] | None) -> None:
    doc = (f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" '
           f'viewBox="0 0 40 80" preserveAspectRatio="{par}">'
           '<rect width="40" height="80" fill="red"/></svg>')
    img = render(doc)
    assert px(img, *inside)[0] == 255
    if outside is not None:
        assert px(img, *outside)[3] == 0


def test_nested_svg_maps_its_viewbox_and_clips_to_its_viewport() -> None:
    img = render(SVG.format('<svg x="50" y="0" width="50" height="50" viewBox="0 0 10 10">'
                            '<rect width="20" height="20" fill="red"/>'
                            '<rect x="5" y="5" width="5" height="5" fill="blue"/></svg>'))
    assert px(img, 60, 10)[:3] == (255, 0, 0)
    assert px(img, 90, 40)[:3] == (0, 0, 255)  # viewBox 5..10 → 75..100
    assert px(img, 25, 25)[3] == 0 and px(img, 75, 75)[3] == 0  # clipped to the viewport


def test_nested_svg_crop_like_the_emitter_writes_it() -> None:
    """The emitter crops an image with a nested svg whose viewBox is the crop rectangle."""
    uri = png_uri((2, 1), (255, 0, 0))
    left_half = uri  # the 2×1 image: crop its left pixel only and stretch it over 60×60
    img = render(SVG.format('<svg x="20" y="20" width="60" height="60" viewBox="0 0 1 1" '
                            'preserveAspectRatio="none"><image width="2" height="1" '
                            f'preserveAspectRatio="none" href="{left_half}"/></svg>'))
    assert px(img, 50, 50)[:3] == (255, 0, 0) and px(img, 85, 50)[3] == 0


def test_use_and_symbol() -> None:
    img = render(f'<svg xmlns="http://www.w3.org/2000/svg" {XLINK} width="100" height="100">'
                 '<defs><rect id="r" width="10" height="10" fill="red"/>'
                 '<symbol id="s" viewBox="0 0 1 1"><rect width="1" height="1" fill="blue"/>'
                 '</symbol></defs>'
                 '<use xlink:href="#r" x="50" y="50"/><use href="#r" x="0" y="80"/>'
                 '<use href="#s" x="80" y="0" width="20" height="20"/></svg>')
    assert px(img, 55, 55)[:3] == (255, 0, 0) and px(img, 5, 85)[:3] == (255, 0, 0)
    assert px(img, 5, 5)[3] == 0  # defs draw nothing by themselves
    assert px(img, 90, 10)[:3] == (0, 0, 255) and px(img, 70, 10)[3] == 0


# ---- gradients, clips, masks ---------------------------------------------------------------
def test_linear_gradient_midpoint_and_href_inherited_stops() -> None:
    img = render(SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/>'
        '<stop offset="100%" stop-color="#fff"/></linearGradient>'
        '<linearGradient id="v" href="#g" x1="0" y1="0" x2="0" y2="1"/></defs>'
        '<rect width="100" height="50" fill="url(#g)"/>'
        '<rect x="0" y="50" width="100" height="50" fill="url(#v)"/>'))
    assert px(img, 1, 25)[0] < 10 and px(img, 98, 25)[0] > 245
    assert abs(px(img, 50, 25)[0] - 128) < 8
    assert px(img, 50, 51)[0] < 20 and px(img, 50, 98)[0] > 235  # vertical, stops via href


def test_gradient_user_space_spread_and_transform() -> None:
    img = render(SVG.format(
        '<defs><linearGradient id="u" gradientUnits="userSpaceOnUse" x1="0" x2="50" '
        'spreadMethod="reflect"><stop offset="0" stop-color="red"/>'
        '<stop offset="1" stop-color="blue"/></linearGradient>'
        '<linearGradient id="t" gradientTransform="rotate(90)"><stop offset="0" '
        'stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient></defs>'
        '<rect width="100" height="50" fill="url(#u)"/>'
        '<rect y="50" width="100" height="50" fill="url(#t)"/>'))
    assert px(img, 1, 25)[0] > 245 and px(img, 49, 25)[2] > 245
    assert px(img, 98, 25)[0] > 240  # reflected back to red at 100
    assert px(img, 50, 51)[0] > 240 and px(img, 50, 98)[2] > 240  # rotated: top to bottom


def test_radial_gradient_centre_and_edge() -> None:
    img = render(SVG.format(
        '<defs><radialGradient id="r"><stop offset="0" stop-color="white"/>'
        '<stop offset="1" stop-color="black" stop-opacity="0.5"/></radialGradient></defs>'
        '<rect width="100" height="100" fill="url(#r)"/>'))
    assert close(px(img, 50, 50), (255, 255, 255, 255), 6)
    assert close(px(img, 2, 50), (0, 0, 0, 128), 16)
    assert close(px(img, 1, 1), (0, 0, 0, 128), 2)  # padded beyond r


def test_missing_paint_server_uses_the_fallback_colour() -> None:
    img = render(SVG.format('<rect width="50" height="50" fill="url(#nope) lime"/>'
                            '<rect x="50" width="50" height="50" fill="url(#nope)"/>'))
    assert px(img, 25, 25)[:3] == (0, 255, 0) and px(img, 75, 25)[3] == 0


def test_clip_path_cuts_shapes_and_groups() -> None:
    img = render(SVG.format(
        '<defs><clipPath id="c"><rect width="50" height="100"/></clipPath>'
        '<clipPath id="o" clipPathUnits="objectBoundingBox"><circle cx="0.5" cy="0.5" r="0.5"/>'
        '</clipPath></defs>'
        '<g clip-path="url(#c)"><rect width="100" height="40" fill="red"/></g>'
        '<rect x="20" y="50" width="40" height="40" fill="blue" clip-path="url(#o)"/>'))
    assert px(img, 25, 20)[:3] == (255, 0, 0) and px(img, 75, 20)[3] == 0
    assert px(img, 40, 70)[:3] == (0, 0, 255) and px(img, 21, 51)[3] == 0


def test_luminance_mask_keeps_white_and_hides_black() -> None:
    img = render(SVG.format(
        '<defs><mask id="m" maskUnits="userSpaceOnUse" x="0" y="0" width="100" height="100">'
        '<rect width="50" height="100" fill="white"/>'
        '<rect x="50" width="50" height="100" fill="black"/></mask></defs>'
        '<rect width="100" height="100" fill="red" mask="url(#m)"/>'))
    assert px(img, 25, 50) == (255, 0, 0, 255) and px(img, 75, 50)[3] == 0
    grey = render(SVG.format(
        '<defs><mask id="m"><rect width="100" height="100" fill="#808080"/></mask></defs>'
        '<rect width="100" height="100" fill="red" mask="url(#m)"/>'))
    assert abs(px(grey, 50, 50)[3] - 128) <= 3  # luminance of sRGB values (color-interpolation)
    red = render(SVG.format(
        '<defs><mask id="m"><rect width="100" height="100" fill="red"/></mask></defs>'
        '<rect width="100" height="100" fill="blue" mask="url(#m)"/>'))
    assert abs(px(red, 50, 50)[3] - 54) <= 3  # 0.2125 × 255: the luminance coefficients


# ---- images --------------------------------------------------------------------------------
def test_image_data_uri_drawn_at_its_place_with_aspect_ratio() -> None:
    uri = png_uri((20, 10), (0, 0, 255))
    img = render(SVG.format(f'<image href="{uri}" x="10" y="10" width="80" height="80"/>'))
    # meet: 80×40 centred vertically in the 80×80 box → y 30..70
    assert px(img, 50, 50)[:3] == (0, 0, 255) and px(img, 50, 20)[3] == 0
    assert px(img, 5, 50)[3] == 0
    stretched = render(SVG.format(f'<image href="{uri}" width="100" height="100" '
                                  'preserveAspectRatio="none"/>'))
    assert stretched[5, 50, 3] == 255
    sliced = render(SVG.format(f'<image href="{uri}" x="20" width="60" height="60" '
                               'preserveAspectRatio="xMidYMid slice"/>'))
    assert sliced[30, 50, 3] == 255 and sliced[30, 10, 3] == 0 and sliced[70, 50, 3] == 0


def test_jpeg_and_transparent_png_images() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 200, 0)).save(buf, "JPEG", quality=95)
    jpg = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
    clear = png_uri((8, 8), (255, 0, 0, 0), "RGBA")
    img = render(SVG.format(f'<rect width="100" height="100" fill="blue"/>'
                            f'<image {XLINK} xlink:href="{jpg}" width="50" height="50"/>'
                            f'<image href="{clear}" x="50" width="50" height="50"/>'))
    assert close(px(img, 25, 25), (0, 200, 0, 255), 6)
    assert px(img, 75, 25) == (0, 0, 255, 255)


def test_svg_data_uri_image_is_rendered_nested() -> None:
    inner = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1">'
             '<rect width="1" height="1" fill="red"/><rect x="1" width="1" height="1" '
             'fill="lime"/></svg>')
    uri = "data:image/svg+xml;base64," + base64.b64encode(inner.encode()).decode()
    img = render(SVG.format(f'<image href="{uri}" width="100" height="100"/>'))
    assert px(img, 25, 50)[:3] == (255, 0, 0) and px(img, 75, 50)[:3] == (0, 255, 0)
    assert px(img, 50, 10)[3] == 0  # 2:1 letterboxed


def test_image_files_only_inside_allowed_roots(tmp_path: Path) -> None:
    Image.new("RGB", (4, 4), (255, 0, 0)).save(tmp_path / "red.png")
    doc = SVG.format('<image href="red.png" width="100" height="100"/>')
    img = render(doc, allowed_roots=(tmp_path,))
    assert px(img, 50, 50)[:3] == (255, 0, 0)
    assert render(SVG.format(f'<image href="file://{tmp_path}/red.png" width="10" '
                             'height="10"/>'), allowed_roots=(tmp_path,))[5, 5, 0] == 255
    with pytest.raises(RenderError, match=r"red\.png"):
        render(doc)
    with pytest.raises(RenderError, match="passwd"):
        render(SVG.format('<image href="../../../../etc/passwd" width="10" height="10"/>'),
               allowed_roots=(tmp_path,))


def test_huge_and_broken_images_are_refused() -> None:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(
            ">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 10_000, 6_000, 8, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) \
        + chunk(b"IEND", b"")
    uri = "data:image/png;base64," + base64.b64encode(bomb).decode()
    with pytest.raises(RenderError, match="megapixels"):
        render(SVG.format(f'<image href="{uri}" width="10" height="10"/>'))
    with pytest.raises(RenderError, match="decode"):
        render(SVG.format('<image href="data:image/png;base64,AAAA" width="10" height="10"/>'))
    with pytest.raises(RenderError, match="network"):
        render(SVG.format('<image href="https://example.com/a.png" width="10" height="10"/>'))


# ---- filters -------------------------------------------------------------------------------
def test_gaussian_blur_spreads_beyond_the_shape() -> None:
    doc = ('<defs><filter id="b"><feGaussianBlur stdDeviation="4"/></filter></defs>'
           '<rect x="30" y="30" width="40" height="40" fill="black" {}/>')
    sharp = render(SVG.format(doc.format("")))
    blurred = render(SVG.format(doc.format('filter="url(#b)"')))
    assert sharp[50, 27, 3] == 0 and 20 < blurred[50, 27, 3] < 200
    assert blurred[50, 50, 3] == 255 and 60 < blurred[50, 31, 3] < 230


def test_drop_shadow_is_offset_and_coloured() -> None:
    img = render(SVG.format(
        '<defs><filter id="s" x="-50%" y="-50%" width="200%" height="200%">'
        '<feDropShadow dx="10" dy="10" stdDeviation="0.5" flood-color="blue"/></filter></defs>'
        '<rect x="20" y="20" width="40" height="40" fill="red" filter="url(#s)"/>'))
    assert px(img, 40, 40)[:3] == (255, 0, 0)
    assert px(img, 65, 65)[:3] == (0, 0, 255) and px(img, 65, 65)[3] > 200
    assert px(img, 15, 15)[3] == 0


def test_flood_offset_merge_and_composite_chain() -> None:
    img = render(SVG.format(
        '<defs><filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="100" '
        'height="100"><feFlood flood-color="lime" result="bg"/>'
        '<feOffset in="SourceGraphic" dx="20" dy="0" result="moved"/>'
        '<feComposite in="moved" in2="SourceAlpha" operator="out" result="cut"/>'
        '<feMerge><feMergeNode in="bg"/><feMergeNode in="SourceGraphic"/>'
        '<feMergeNode in="cut"/></feMerge></filter></defs>'
        '<rect x="20" y="20" width="30" height="30" fill="red" filter="url(#f)"/>'))
    assert px(img, 5, 5)[:3] == (0, 255, 0)  # flood fills the filter region
    assert px(img, 30, 30)[:3] == (255, 0, 0)  # source on top of flood
    assert px(img, 60, 30)[:3] == (255, 0, 0)  # the moved part outside the source
    assert px(img, 75, 30)[:3] == (0, 255, 0)


def test_unknown_filter_primitives_are_skipped() -> None:
    img = render(SVG.format(
        '<defs><filter id="t"><feFancy/><feOffset dx="10"/></filter></defs>'
        '<rect x="20" y="20" width="40" height="40" fill="red" filter="url(#t)"/>'))
    assert px(img, 50, 40) == (255, 0, 0, 255) and px(img, 25, 40)[3] == 0


def test_color_matrix_saturate_zero_is_grey() -> None:
    img = render(SVG.format(
        '<defs><filter id="g" color-interpolation-filters="sRGB">'
        '<feColorMatrix type="saturate" values="0"/></filter></defs>'
        '<rect width="100" height="100" fill="red" filter="url(#g)"/>'))
    r, g, b, _ = px(img, 50, 50)
    assert r == g == b or max(r, g, b) - min(r, g, b) <= 2


# ---- safety --------------------------------------------------------------------------------
@pytest.mark.parametrize(("doc", "match"), [
    ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     "entities"),
    ('<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
     '<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "entities"),
    ('<!DOCTYPE svg [<!ENTITY a SYSTEM "file:///etc/passwd">]>'
     '<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "entities"),
    ("<svg", "well-formed"),
    ("<html/>", "not <svg>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="10"/>', "output size"),
    ("", "well-formed"),
])
def test_hostile_or_broken_input_is_a_render_error(doc: str, match: str) -> None:
    with pytest.raises(RenderError, match=match):
        render(doc)


def test_size_and_background_limits() -> None:
    with pytest.raises(RenderError, match="larger than"):
        render(b"<svg>" + b" " * 50_000_001 + b"</svg>")
    with pytest.raises(RenderError, match="colour"):
        render(SVG.format(""), background="not-a-colour")


def test_use_bomb_and_cycles_end_quickly() -> None:
    layers = ['<rect id="l0" width="1" height="1"/>']
    for i in range(1, 12):
        layers.append(f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>")
    bomb = SVG.format("<defs>" + "".join(layers) + '</defs><use href="#l11"/>')
    with pytest.raises(RenderError, match="more than"):
        render(bomb)
    cycle = SVG.format('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/>'
                       '<rect width="10" height="10" fill="red"/></g>')
    assert render(cycle)[5, 5, 0] == 255


def test_garbage_attributes_do_not_crash() -> None:
    img = render(SVG.format(
        '<rect x="abc" y="1e999" width="50%" height="-5" fill="#zzz"/>'
        '<path d="M 10 10 L nonsense 20 20 A 5" stroke="red"/>'
        '<circle r="20" cx="50" cy="50" transform="rotate(" opacity="2mm"/>'
        '<text font-size="huge" font-weight="heavy" x="1" y="20">ok</text>'
        '<polyline points="1"/><unknown-element/><image/>'
        '<linearGradient id="g" href="#g"/><rect width="10" height="10" fill="url(#g)"/>'))
    assert px(img, 50, 50)[3] == 255  # the circle, with invalid opacity ignored


def test_draw_onto_a_callers_canvas() -> None:
    surface = skia.Surface(20, 10)
    draw(SVG.format('<rect width="50" height="100" fill="#00f"/>'), surface.getCanvas(), 20, 10)
    pixels = surface.makeImageSnapshot().toarray()
    assert pixels[5, 2, 3] == 255 and pixels[5, 15, 3] == 0


# ---- agreement with resvg ------------------------------------------------------------------
REFERENCE_DOCS = [
    '<rect x="10" y="10" width="120" height="80" rx="12" fill="#d64545" stroke="#222" '
    'stroke-width="4"/><circle cx="140" cy="110" r="40" fill="#3366cc" opacity="0.7"/>'
    '<path d="M20 140 Q60 90 100 140 T180 140" fill="none" stroke="green" stroke-width="6" '
    'stroke-linecap="round"/><polygon points="150,10 190,60 120,60" fill="orange"/>',
    '<defs><linearGradient id="a" x1="0" y1="0" x2="1" y2="1"><stop offset="0" '
    'stop-color="#f4f1ea"/><stop offset="0.6" stop-color="#c94" stop-opacity="0.8"/>'
    '<stop offset="1" stop-color="#124"/></linearGradient><radialGradient id="b" cx="0.3" '
    'cy="0.3" r="0.7" fx="0.25" fy="0.25"><stop offset="0" stop-color="white"/>'
    '<stop offset="1" stop-color="#a0c"/></radialGradient></defs>'
    '<rect width="200" height="160" fill="url(#a)"/>'
    '<ellipse cx="100" cy="80" rx="70" ry="50" fill="url(#b)"/>',
    '<defs><clipPath id="c"><circle cx="100" cy="80" r="60"/><rect x="0" y="0" width="40" '
    'height="40"/></clipPath></defs><g clip-path="url(#c)"><rect width="200" height="160" '
    'fill="#2a7"/><path d="M0 0 L200 160 M200 0 L0 160" stroke="white" stroke-width="10"/>'
    '</g><svg x="120" y="100" width="80" height="60" viewBox="0 0 10 10" '
    'preserveAspectRatio="xMaxYMin meet"><rect width="10" height="10" fill="#e33"/></svg>',
]


@pytest.mark.parametrize("body", REFERENCE_DOCS)
def test_agrees_with_resvg(body: str) -> None:
    resvg_py = pytest.importorskip("resvg_py")
    doc = (f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="160" '
           f'viewBox="0 0 200 160">{body}</svg>')
    ours = render(doc, 400, 320, "#ffffff")[..., :3].astype(float)
    png = bytes(resvg_py.svg_to_bytes(svg_string=doc, width=400, height=320,
                                      background="#ffffff"))
    theirs = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(float)
    assert ours.shape == theirs.shape
    diff = np.abs(ours - theirs).max(axis=2) / 255
    assert diff.mean() < 0.005 and (diff > 0.25).mean() < 0.003
