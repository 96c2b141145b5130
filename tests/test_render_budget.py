"""The renderer's work budget: hostile SVG inside the size limits is refused before the work
(or drawn quickly), while a caller may raise each limit through RenderOptions.budget."""

from __future__ import annotations

import time

import pytest

from ddm_lang.renderer import RenderError, RenderOptions
from ddm_lang.renderer.budget import Budget
from ddm_lang.renderer.raster import render

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def chained_blurs(count: int, size: int = 2000) -> str:
    """`count` blurs, each blurring the previous result, over a full canvas: a few KB that
    used to cost minutes and gigabytes."""
    prims = "".join(f'<feGaussianBlur stdDeviation="5" result="r{i}"'
                    + (f' in="r{i - 1}"' if i else "") + "/>" for i in range(count))
    return (f'<svg {SVG_NS} width="{size}" height="{size}"><filter id="f" '
            f'filterUnits="userSpaceOnUse" x="0" y="0" width="{size}" height="{size}">{prims}'
            f'</filter><rect width="{size}" height="{size}" fill="red" filter="url(#f)"/></svg>')


def heavy_filters(count: int) -> str:
    """`count` rects, each through blur + morphology + a 9×9 convolution on 1000²."""
    kernel = " ".join(["1"] * 81)
    return (f'<svg {SVG_NS} width="1000" height="1000"><filter id="f" '
            'filterUnits="userSpaceOnUse" x="0" y="0" width="1000" height="1000">'
            '<feGaussianBlur stdDeviation="3"/><feMorphology operator="dilate" radius="4"/>'
            f'<feConvolveMatrix order="9" kernelMatrix="{kernel}"/></filter>'
            + "".join(f'<rect x="{i}" y="{i}" width="500" height="500" fill="blue" '
                      'filter="url(#f)"/>' for i in range(count)) + "</svg>")


def nested_use(levels: int = 6, fan: int = 7) -> str:
    """`fan`^`levels` rects through nested <use> (7^6: about 390,000 elements drawn)."""
    parts = ['<g id="l0"><rect width="1" height="1"/></g>']
    for i in range(1, levels + 1):
        parts.append(f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * fan + "</g>")
    return (f'<svg {SVG_NS} width="100" height="100"><defs>{"".join(parts)}</defs>'
            f'<use href="#l{levels}"/></svg>')


def nested_groups(depth: int) -> str:
    return (f'<svg {SVG_NS} width="10" height="10">' + "<g>" * depth
            + '<rect width="5" height="5" fill="red"/>' + "</g>" * depth + "</svg>")


# Alone on two cores each case ends in under 3 s; the bound leaves room for a busy machine
# while still failing the minutes these documents used to take.
SECONDS = 20.0


def refused_quickly(svg: str, match: str, options: RenderOptions | None = None) -> None:
    start = time.perf_counter()
    with pytest.raises(RenderError, match=match):
        render(svg, options=options)
    assert time.perf_counter() - start < SECONDS


def test_chained_blurs_are_refused_before_running() -> None:
    refused_quickly(chained_blurs(256), r"filter budget .*budget\.filter_work")
    refused_quickly(chained_blurs(32), r"filter budget")


def test_many_heavy_filters_are_refused_when_the_sum_is_spent() -> None:
    refused_quickly(heavy_filters(200), r"filter budget")


def test_a_raised_filter_budget_draws_the_chain() -> None:
    options = RenderOptions(budget=Budget(filter_work=10**12))
    img = render(chained_blurs(3, 200), options=options)
    assert img[100, 100, 3] > 0


def test_use_expansion_beyond_the_drawn_budget_is_refused_before_drawing() -> None:
    refused_quickly(nested_use(), r"budget\.drawn")


def test_a_raised_drawn_budget_draws_more() -> None:
    svg = nested_use(levels=3, fan=8)  # about 1,200 elements
    with pytest.raises(RenderError, match="budget"):
        render(svg, options=RenderOptions(budget=Budget(drawn=500)))
    assert render(svg).shape == (100, 100, 4)


def test_a_huge_canvas_is_refused_before_allocating() -> None:
    svg = f'<svg {SVG_NS} width="16384" height="16384"><rect width="10" height="10"/></svg>'
    refused_quickly(svg, r"16384x16384 output .*memory budget .*budget\.memory")


def test_a_raised_memory_budget_allows_a_larger_output() -> None:
    svg = f'<svg {SVG_NS} width="3000" height="3000"><rect width="10" height="10"/></svg>'
    with pytest.raises(RenderError, match="memory budget"):
        render(svg, options=RenderOptions(budget=Budget(memory=16 << 20)))
    assert render(svg).shape == (3000, 3000, 4)


def test_nested_opacity_layers_are_charged_while_open() -> None:
    depth = 40
    svg = (f'<svg {SVG_NS} width="1000" height="1000">' + '<g opacity="0.9">' * depth
           + '<rect width="1000" height="1000" fill="red"/>' + "</g>" * depth + "</svg>")
    with pytest.raises(RenderError, match="opacity layer"):
        render(svg, options=RenderOptions(budget=Budget(memory=64 << 20)))
    # Siblings reuse what the previous one gave back.
    flat = (f'<svg {SVG_NS} width="1000" height="1000">'
            + '<g opacity="0.9"><rect width="1000" height="1000" fill="red"/></g>' * depth
            + "</svg>")
    assert render(flat, options=RenderOptions(budget=Budget(memory=64 << 20)))[5, 5, 3] > 0


@pytest.mark.parametrize("depth", [245, 250, 253])
def test_the_documented_nesting_depth_draws(depth: int) -> None:
    # libxml2 refuses documents deeper than 255 levels: 253 groups + svg + rect.
    img = render(nested_groups(depth))
    assert tuple(img[2, 2]) == (255, 0, 0, 255)


@pytest.mark.parametrize("href", ["http://example.com/a.png", "https://example.com/a.png",
                                  "//example.com/a.png"])
def test_fe_image_with_a_network_href_is_an_error(href: str) -> None:
    svg = (f'<svg {SVG_NS} width="10" height="10"><filter id="f"><feImage href="{href}"/>'
           '</filter><rect width="5" height="5" filter="url(#f)"/></svg>')
    with pytest.raises(RenderError, match="network reference"):
        render(svg)


def test_fe_image_of_an_element_still_draws() -> None:
    svg = (f'<svg {SVG_NS} width="20" height="20"><rect id="r" width="20" height="20" '
           'fill="lime"/><filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="20" '
           'height="20"><feImage href="#r"/></filter><rect width="20" height="20" '
           'filter="url(#f)"/></svg>')
    assert tuple(render(svg)[10, 10]) == (0, 255, 0, 255)


def test_an_element_with_too_many_attributes_is_refused_at_once() -> None:
    """lxml reads an element's attributes in quadratic time: 100,000 of them took 30 s."""
    attrs = " ".join(f'a{i}="{i}"' for i in range(100_000))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
           f'<rect {attrs} width="5" height="5"/></svg>').encode()
    start = time.perf_counter()
    with pytest.raises(RenderError, match="more than 1000 attributes"):
        render(svg)
    assert time.perf_counter() - start < 5
