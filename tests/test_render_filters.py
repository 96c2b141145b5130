"""Filter effects: each primitive agrees with resvg (the reference renderer) on small
documents, regions and subregions clip where they should, and broken or hostile filters
are handled the way resvg handles them (hidden, drawn unfiltered, or bounded)."""

from __future__ import annotations

import pytest
from _pixels import px
from _resvg import difference, resvg_pixels

from ddm_lang.renderer import render

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
       'width="100" height="100" viewBox="0 0 100 100">{}</svg>')
BLOB = '<radialGradient id="rg"><stop offset="0.4" stop-color="white"/>' \
       '<stop offset="1" stop-color="black" stop-opacity="0"/></radialGradient>'


CASES = {
    "turbulence": '<filter id="f"><feTurbulence baseFrequency="0.05" numOctaves="2" '
                  'seed="3"/></filter><rect x="10" y="10" width="80" height="80" '
                  'filter="url(#f)"/>',
    "fractal-stitch": '<filter id="f" color-interpolation-filters="sRGB"><feTurbulence '
                      'type="fractalNoise" baseFrequency="0.04 0.08" stitchTiles="stitch"/>'
                      '</filter><rect x="10" y="10" width="80" height="80" filter="url(#f)"/>',
    "diffuse-distant": BLOB + '<filter id="f"><feDiffuseLighting surfaceScale="8" '
                       'lighting-color="seagreen"><feDistantLight azimuth="45" elevation="40"/>'
                       '</feDiffuseLighting></filter><rect x="10" y="10" width="80" '
                       'height="80" fill="url(#rg)" filter="url(#f)"/>',
    "specular-spot": BLOB + '<filter id="f"><feSpecularLighting surfaceScale="5" '
                     'specularExponent="4"><feSpotLight x="20" y="20" z="40" pointsAtX="60" '
                     'pointsAtY="60" limitingConeAngle="30"/></feSpecularLighting></filter>'
                     '<rect x="10" y="10" width="80" height="80" fill="url(#rg)" '
                     'filter="url(#f)"/>',
    "point-light": BLOB + '<filter id="f"><feDiffuseLighting><fePointLight x="30" y="30" '
                   'z="20"/></feDiffuseLighting></filter><rect x="10" y="10" width="80" '
                   'height="80" fill="url(#rg)" filter="url(#f)"/>',
    "convolve": '<filter id="f"><feConvolveMatrix order="3" kernelMatrix="1 0 0 0 1 0 0 0 -1" '
                'edgeMode="none"/></filter><circle cx="50" cy="50" r="30" fill="orange" '
                'filter="url(#f)"/>',
    "morphology": '<filter id="f"><feMorphology operator="dilate" radius="4 1"/></filter>'
                  '<path d="M20 30V70M30 30V70M40 30V70" stroke="purple" filter="url(#f)"/>'
                  '<rect x="60" y="30" width="20" height="40" fill="navy" '
                  'filter="url(#f)"/><filter id="e"><feMorphology radius="2"/></filter>'
                  '<circle cx="50" cy="85" r="10" fill="green" filter="url(#e)"/>',
    "transfer": '<filter id="f"><feComponentTransfer><feFuncR type="table" '
                'tableValues="0 1 0"/><feFuncG type="gamma" amplitude="2" exponent="3"/>'
                '<feFuncB type="discrete" tableValues="0.2 0.8"/></feComponentTransfer></filter>'
                '<rect x="10" y="10" width="80" height="80" fill="#8a6"/>'
                '<rect x="10" y="10" width="80" height="80" fill="#58c" filter="url(#f)"/>',
    "arithmetic-tile": '<filter id="f" x="0" y="0" width="1" height="1"><feFlood '
                       'flood-color="gold" width="20" height="20" result="a"/><feOffset '
                       'dx="5" dy="5"/><feTile/><feComposite in2="SourceGraphic" '
                       'operator="arithmetic" k1="0.5" k2="0.5" k3="0.5"/></filter>'
                       '<rect x="10" y="10" width="80" height="80" fill="teal" '
                       'filter="url(#f)"/>',
    "functions": '<rect x="20" y="20" width="60" height="60" fill="crimson" '
                 'style="filter: drop-shadow(4px 4px 2px navy) hue-rotate(90deg) '
                 'blur(1px)"/>',
    "displacement": '<filter id="f"><feTurbulence baseFrequency="0.05" result="n"/>'
                    '<feDisplacementMap in="SourceGraphic" in2="n" scale="12" '
                    'xChannelSelector="R" yChannelSelector="G"/></filter>'
                    '<rect x="20" y="20" width="60" height="60" fill="maroon" '
                    'filter="url(#f)"/>',
    "image-and-obb-subregion": '<filter id="f" primitiveUnits="objectBoundingBox">'
                               '<feImage xlink:href="#c" result="i"/><feGaussianBlur '
                               'stdDeviation="0.02" width="0.5" height="0.5"/></filter>'
                               '<circle id="c" cx="30" cy="30" r="12" fill="tomato"/>'
                               '<rect x="20" y="20" width="60" height="60" filter="url(#f)"/>',
    "subregion-blend": '<filter id="f"><feFlood flood-color="skyblue" x="30" width="40"/>'
                       '<feBlend in2="SourceGraphic" mode="multiply"/></filter>'
                       '<rect x="20" y="20" width="60" height="60" fill="olive" '
                       'filter="url(#f)"/>',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_primitive_matches_resvg(name: str) -> None:
    svg = SVG.format(CASES[name])
    mean, over = difference(render(svg), resvg_pixels(svg))
    assert mean <= 0.02 and over <= 0.01, (mean, over)


def test_blur_spreads_within_the_filter_region_only() -> None:
    img = render(SVG.format('<filter id="b" x="0" y="0" width="1" height="1">'
                            '<feGaussianBlur stdDeviation="5"/></filter>'
                            '<rect x="20" y="20" width="60" height="60" fill="blue" '
                            'filter="url(#b)"/>'))
    assert px(img, 50, 50)[2] > 250 and px(img, 50, 50)[3] == 255
    assert 0 < px(img, 21, 50)[3] < 200  # softened edge
    assert px(img, 18, 50)[3] == 0  # clipped by the region (the bbox)


def test_flood_subregion_in_bounding_box_units() -> None:
    img = render(SVG.format('<filter id="f" primitiveUnits="objectBoundingBox">'
                            '<feFlood flood-color="lime" x="0.5" width="0.5"/></filter>'
                            '<rect x="20" y="20" width="60" height="60" filter="url(#f)"/>'))
    assert px(img, 30, 50)[3] == 0
    assert px(img, 70, 50) == (0, 255, 0, 255)


def test_linear_rgb_is_the_default_colour_space() -> None:
    doc = ('<filter id="f" {}><feComponentTransfer><feFuncR type="linear" slope="0.5"/>'
           '</feComponentTransfer></filter><rect width="100" height="100" fill="white" '
           'filter="url(#f)"/>')
    linear = render(SVG.format(doc.format("")))
    srgb = render(SVG.format(doc.format('color-interpolation-filters="sRGB"')))
    assert abs(px(srgb, 50, 50)[0] - 127) <= 1
    assert abs(px(linear, 50, 50)[0] - 188) <= 2  # half the light, back in sRGB


def test_broken_reference_hides_and_bad_function_list_is_ignored() -> None:
    hidden = render(SVG.format('<rect width="100" height="100" filter="url(#none)"/>'))
    assert px(hidden, 50, 50)[3] == 0
    plain = render(SVG.format('<rect width="100" height="100" fill="red" '
                              'style="filter: blur(oops)"/>'))
    assert px(plain, 50, 50) == (255, 0, 0, 255)


def test_filter_without_primitives_hides_the_element() -> None:
    img = render(SVG.format('<filter id="f"/><rect width="100" height="100" '
                            'filter="url(#f)"/>'))
    assert px(img, 50, 50)[3] == 0


def test_fe_image_that_draws_its_own_element_is_dropped() -> None:
    img = render(SVG.format('<filter id="f"><feImage xlink:href="#r"/></filter>'
                            '<rect id="r" x="20" y="20" width="60" height="60" fill="red" '
                            'filter="url(#f)"/>'))
    assert px(img, 50, 50) == (255, 0, 0, 255) and px(img, 10, 10)[3] == 0


def test_mutually_recursive_fe_images_terminate() -> None:
    img = render(SVG.format('<filter id="a"><feImage xlink:href="#q"/></filter>'
                            '<filter id="b"><feImage xlink:href="#p"/></filter>'
                            '<rect id="p" width="50" height="50" fill="red" filter="url(#a)"/>'
                            '<rect id="q" x="50" width="50" height="50" fill="blue" '
                            'filter="url(#b)"/>'))
    assert img.shape == (100, 100, 4)


def test_huge_kernel_and_octaves_are_bounded() -> None:
    kernel = " ".join(["1"] * 10000)
    img = render(SVG.format(f'<filter id="c"><feConvolveMatrix order="100" '
                            f'kernelMatrix="{kernel}"/></filter>'
                            '<filter id="t"><feTurbulence baseFrequency="0.1" '
                            'numOctaves="100000"/></filter>'
                            '<rect width="50" height="50" filter="url(#c)"/>'
                            '<rect x="50" width="50" height="50" filter="url(#t)"/>'))
    assert px(img, 25, 25)[3] == 0  # an over-large kernel is an invalid primitive
    assert px(img, 75, 25)[3] > 0
