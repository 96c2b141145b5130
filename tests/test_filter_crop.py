"""Filter chains run on the drawn content's box grown by their reach: same pixels as the
whole filter region, and chains that paint on their own are never cut."""

from __future__ import annotations

import numpy as np
import pytest

import ddm_lang.renderer.filters as filters
from ddm_lang.renderer import render
from ddm_lang.renderer.filter_crop import content_crop
from ddm_lang.renderer.filter_parse import Filter, Primitive

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
       '<rect width="400" height="300" fill="#eef"/>'
       '<filter id="f" x="-50%" y="-50%" width="200%" height="200%">{chain}</filter>'
       '<g filter="url(#f)"><circle cx="200" cy="150" r="40" fill="#c33"/>'
       '<rect x="185" y="120" width="30" height="60" fill="#3c3" opacity="0.6"/></g></svg>')

CHAINS = [
    '<feDropShadow dx="6" dy="9" stdDeviation="7" flood-color="#000" flood-opacity="0.4"/>',
    '<feGaussianBlur stdDeviation="3"/>',
    '<feGaussianBlur in="SourceAlpha" stdDeviation="5"/><feOffset dx="-8" dy="4"/>'
    '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge>',
    '<feColorMatrix type="saturate" values="0.2"/><feGaussianBlur stdDeviation="1.5"/>',
]


def _uncut(monkeypatch: pytest.MonkeyPatch, svg: str) -> np.ndarray:
    with monkeypatch.context() as m:
        m.setattr(filters, "content_crop", lambda *_: None)
        return render(svg)


@pytest.mark.parametrize("chain", CHAINS)
def test_cut_layer_gives_the_whole_regions_pixels(chain: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    svg = SVG.format(chain=chain)
    cut, whole = render(svg), _uncut(monkeypatch, svg)
    assert np.abs(cut.astype(int) - whole.astype(int)).max() <= 1


def test_chains_that_paint_by_themselves_are_not_cut() -> None:
    layer = np.zeros((200, 200, 4), np.uint8)
    layer[90:110, 90:110] = 255
    import skia
    flood = Primitive("feFlood", skia.Rect.MakeWH(200, 200), True, "a", [],
                      {"color": (1, 0, 0, 1)})
    blur = Primitive("feGaussianBlur", skia.Rect.MakeWH(200, 200), True, "b", ["a"],
                     {"std": (2.0, 2.0)})
    assert content_crop([Filter(skia.Rect.MakeWH(200, 200), [flood, blur], None)], layer,
                        skia.Matrix()) is None
    only_blur = Filter(skia.Rect.MakeWH(200, 200), [blur], None)
    x, y, w, h = content_crop([only_blur], layer, skia.Matrix())
    assert x <= 90 - 6 and y <= 90 - 6 and x + w >= 110 + 6 and y + h >= 110 + 6
    assert w < 200 and h < 200
    assert content_crop([only_blur], np.zeros_like(layer), skia.Matrix()) == (0, 0, 0, 0)
