"""Text as resvg lays it out: HarfBuzz shaping (kerning, ligatures), bidi runs, baselines,
decorations, spacing, textLength, text on a path (kurbo's arclength) and vertical text.

The strongest checks render the same SVG with resvg (the `resvg_py` package) and the same
font files, and require the conformance rule to hold (mean max-RGB difference ≤ 0.02 and
≤ 0.5 % of pixels off by more than 0.25), so a layout bug of a pixel or more fails them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import skia
from _resvg import difference, resvg_pixels

from ddm_lang.renderer import render
from ddm_lang.renderer.fonts import FontRegistry
from ddm_lang.renderer.textpath import arclen, inv_arclen, path_length, path_normals, segments
from ddm_lang.renderer.textshape import _direction_runs

DOC = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
       'width="240" height="120" viewBox="0 0 240 120">{}</svg>')


def _resvg(svg: str) -> np.ndarray:
    return resvg_pixels(svg, registry_fonts=True, font_family="Noto Sans",
                        sans_serif_family="Noto Sans")


# ---- agreement with resvg ----------------------------------------------------------------
CASES = {
    "kerned-anchored": '<text x="120" y="60" font-family="Noto Sans" font-size="40" '
                       'text-anchor="middle">AVATAR Tyre</text>',
    "tspans-dy-and-style": '<text x="10" y="50" font-family="Noto Sans" font-size="24">'
                           'One <tspan dy="20" fill="blue" font-weight="bold">two</tspan> '
                           '<tspan dx="-5 5" dy="-10">three</tspan></text>',
    "baselines": '<text x="10" y="60" font-family="Noto Sans" font-size="24">'
                 'H<tspan baseline-shift="super">2</tspan>O '
                 '<tspan dominant-baseline="central">mid</tspan> '
                 '<tspan alignment-baseline="hanging">hang</tspan></text>',
    "decorations": '<text x="10" y="60" font-family="Noto Sans" font-size="28" '
                   'text-decoration="underline" fill="green">Under <tspan '
                   'text-decoration="line-through overline" fill="red">lines</tspan></text>',
    "spacing": '<text x="10" y="40" font-family="Noto Sans" font-size="20" '
               'letter-spacing="3" word-spacing="12">spaced out words</text>'
               '<text x="10" y="90" font-family="Noto Sans" font-size="20" textLength="200" '
               'lengthAdjust="spacingAndGlyphs">squeezed</text>',
    "text-on-path": '<path id="p" d="M 20 100 C 60 10 180 10 220 100" fill="none"/>'
                    '<text font-family="Noto Sans" font-size="18"><textPath xlink:href="#p" '
                    'startOffset="10">Text that follows a curve</textPath></text>',
    "rotate-and-vertical": '<text x="20" y="60" font-family="Noto Sans" font-size="24" '
                           'rotate="0 15 30 45">Spin</text>'
                           '<text x="180" y="10" font-family="Noto Sans" font-size="18" '
                           'writing-mode="tb">Down</text>',
    "gradient-on-text": '<linearGradient id="g"><stop offset="0" stop-color="red"/>'
                        '<stop offset="1" stop-color="blue"/></linearGradient>'
                        '<text x="10" y="80" font-family="Noto Sans" font-size="60" '
                        'font-weight="900" fill="url(#g)" stroke="black">Grad</text>',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_matches_resvg(name: str) -> None:
    svg = DOC.format(CASES[name])
    ours, theirs = render(svg), _resvg(svg)
    assert ours.shape == theirs.shape
    mean, over = difference(ours, theirs)
    assert mean <= 0.02 and over <= 0.005, f"{name}: mean {mean:.4f}, {over:.2%} off"


# ---- shaping ------------------------------------------------------------------------------
def test_shaping_kerns_and_measure_matches_the_drawn_advance() -> None:
    fonts = FontRegistry.default()
    kerned = fonts.measure("AV", "Noto Sans", size=100)
    apart = fonts.measure("A", "Noto Sans", size=100) + fonts.measure("V", "Noto Sans", size=100)
    assert kerned < apart - 2  # the kern pair pulls V under A
    face = fonts.shaping_face("Noto Sans", 400, False, 100)
    glyphs = face.shape("fi")
    assert len(glyphs) in (1, 2) and all(g.gid for g in glyphs)
    # the ink of "AV" drawn with kerning off is wider than with kerning on
    body = '<text x="10" y="80" font-family="Noto Sans" font-size="60" {}>AVAV</text>'
    on = render(DOC.format(body.format("")))
    off = render(DOC.format(body.format('style="font-kerning: none"')))
    right = [int(np.nonzero(img[..., 3].max(axis=0) > 100)[0].max()) for img in (on, off)]
    assert right[1] > right[0] + 5


def test_bidi_runs_split_right_to_left_text_out_of_latin() -> None:
    runs = _direction_runs("abc \u05d0\u05d1 \u05d2 def")
    # "abc " | alef bet space gimel | " def": the space between RTL letters joins them
    assert runs == [(0, 4, False), (4, 8, True), (8, 12, False)]
    # numbers inside right-to-left text keep their own order, left of the Hebrew word
    # that precedes them logically: "shalom 12.5% abc" shows as "12.5% molahs abc"
    assert _direction_runs("\u05e9\u05dc\u05d5\u05dd 12.5% abc") == [
        (5, 10, False), (0, 5, True), (10, 14, False)]


def test_fallback_keeps_missing_characters_visible() -> None:
    """A character the chosen face lacks comes from another face, shaped in place."""
    img = render(DOC.format('<text x="10" y="80" font-family="Noto Sans" font-size="40">'
                            'A漢B</text>'))
    cols = np.nonzero(img[..., 3].max(axis=0) > 100)[0]
    assert cols.max() - cols.min() > 80  # three glyphs, the CJK one a full em wide


# ---- text on a path: kurbo's measures ------------------------------------------------------
def test_arclength_of_lines_and_curves() -> None:
    line = skia.Path()
    line.moveTo(0, 0)
    line.lineTo(30, 40)
    line.close()
    assert path_length(line) == pytest.approx(100.0, abs=1e-6)  # there and back
    quarter = skia.Path()
    quarter.moveTo(100, 0)
    k = 0.5522847498 * 100
    quarter.cubicTo(100, k, k, 100, 0, 100)
    (cubic,) = segments(quarter)
    assert arclen(cubic, 1e-6) == pytest.approx(math.pi * 50, rel=1e-3)
    t = inv_arclen(cubic, math.pi * 25, 1e-6)
    assert t == pytest.approx(0.5, abs=1e-3)


def test_path_normals_give_position_and_tangent() -> None:
    path = skia.Path()
    path.moveTo(10, 10)
    path.lineTo(10, 110)
    path.moveTo(0, 0)
    path.lineTo(50, 0)
    normals = path_normals(path, [-1.0, 50.0, 125.0, 400.0])
    assert normals[0] is None and normals[3] is None
    x, y, angle = normals[1]
    assert (x, y) == pytest.approx((10, 60), abs=0.6) and angle == pytest.approx(90)
    x, y, angle = normals[2]
    assert (x, y) == pytest.approx((25, 0), abs=0.6) and angle == pytest.approx(0)


def test_text_outside_the_path_is_hidden_and_on_it_follows_it() -> None:
    svg = DOC.format('<path id="p" d="M 20 60 L 120 60"/>'
                     '<text font-family="Noto Sans" font-size="20"><textPath xlink:href="#p">'
                     'A long line of text that does not fit</textPath></text>')
    img = render(svg)
    cols = np.nonzero(img[..., 3].max(axis=0) > 100)[0]
    assert cols.min() >= 18 and cols.max() <= 125  # glyphs past the path's end are hidden


# ---- robustness ---------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    '<text x="1 2 nonsense" rotate="5mm" font-size="-3">bad values</text>',
    '<text font-variation-settings="\'wght\' nope, \'toolong\' 3">x</text>',
    '<text><textPath xlink:href="#missing">no path</textPath></text>',
    '<text textLength="-5" lengthAdjust="bogus" baseline-shift="sideways">y</text>',
    '<text writing-mode="tb" letter-spacing="-400">squashed</text>',
    '<text><tref xlink:href="#t"/></text><text id="t">ref<tspan>erenced</tspan></text>',
])
def test_malformed_text_attributes_render_without_error(body: str) -> None:
    img = render(DOC.format(body))
    assert img.shape == (120, 240, 4)
