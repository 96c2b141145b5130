"""A lone blur or drop shadow on a solid-filled shape, drawn with skia's mask blur.

The glows and soft shadows of creatives are this case, and the general path pays for a
filter layer: the element drawn offscreen, the chain run on numpy pixels, the result
converted back from linearRGB and composited (a glow's layer is as big as the element
twice over). For a shape filled with one colour and not stroked, every pixel of the
SourceGraphic has that colour, so a Gaussian blur only spreads its coverage: the result is
the colour under the blurred coverage in linearRGB and in sRGB alike (up to resvg's 8-bit
rounding), which is exactly a fill with a blur mask filter. A drop shadow is the flood
colour under the offset blurred coverage with the shape drawn over it. Both are clipped to
the filter region as resvg clips them; the fast path is taken only when the blur reaches at
most a faint tail (alpha ≤ 0.02) past that region, where resvg's region-clipped box passes
would lose a little more than the truncation loses here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import skia
from lxml import etree

from .filter_boxblur import BOX_SIGMA
from .filter_parse import Filter, Primitive
from .filter_reduce import covers
from .filters import int_rect
from .style import SHAPES
from .units import Viewport, fraction, num

# The most alpha the blur may still hold where the filter region cuts it off.
_MAX_TAIL = 0.02


class DirectFilterMixin:
    """Filters drawn straight onto the canvas where that gives resvg's result."""

    if TYPE_CHECKING:  # provided by the other mixins
        def shape(self, el: etree._Element, kind: str, vp: Viewport,
                  st: dict[str, str] | None = None) -> skia.Path | None: ...
        def paint(self, spec: str | None, opacity: float, bounds: skia.Rect | None,
                  st: dict[str, str], vp: Viewport, canvas: skia.Canvas | None = None
                  ) -> skia.Paint | None: ...
        @staticmethod
        def has_markers(st: dict[str, str]) -> bool: ...
        @staticmethod
        def std_dev(std: tuple[float, float],
                    scale: tuple[float, float]) -> tuple[float, float] | None: ...

    def draw_filtered_directly(self, canvas: skia.Canvas, filters: list[Filter],
                               opacity: float, el: etree._Element, kind: str,
                               st: dict[str, str], vp: Viewport) -> bool:
        """Draw `el` through `filters` with a mask blur; False (nothing drawn) when the
        filter or the element is not the simple case this module proves equivalent."""
        prim = _lone_blur(filters)
        if prim is None or kind not in SHAPES or not self._plain_fill(st, vp):
            return False
        ts = canvas.getTotalMatrix()
        if not ts.isScaleTranslate():
            return False
        sigma = self._device_sigma(prim, ts)
        region = int_rect(ts.mapRect(filters[0].rect))
        path = self.shape(el, kind, vp, st)
        if sigma is None or region is None or path is None:
            return False
        path.setFillType(skia.PathFillType.kEvenOdd if st.get("fill-rule") == "evenodd"
                         else skia.PathFillType.kWinding)
        bounds = path.computeTightBounds()
        fill = self.paint(st.get("fill", "black"), fraction(st.get("fill-opacity"), 1.0),
                          bounds, st, vp, canvas)
        if fill is None or fill.getShader() is not None:
            return False
        shift = _device_shift(prim, ts)
        alpha = fill.getAlphaf() * (prim.params["color"][3] if prim.kind == "feDropShadow" else 1.0)
        if not _within(ts.mapRect(bounds), shift, sigma, alpha, region):
            return False
        _draw_blurred(canvas, path, fill, prim, sigma, shift, region, opacity)
        return True

    def _plain_fill(self, st: dict[str, str], vp: Viewport) -> bool:
        """A visible fill only: no stroke, no markers (their pixels are not the fill's
        colour, or not blurred as one coverage)."""
        if st.get("visibility") in ("hidden", "collapse") or self.has_markers(st):
            return False
        return st.get("stroke", "none").strip() == "none" or \
            num(st.get("stroke-width"), 1.0, max(vp)) <= 0

    def _device_sigma(self, prim: Primitive, ts: skia.Matrix) -> float | None:
        """The blur's one device deviation; None for a blur too narrow for resvg's box
        blur (it runs an IIR filter there) or one that differs between the axes."""
        std = self.std_dev(prim.params["std"], (abs(ts.getScaleX()), abs(ts.getScaleY())))
        if std is None or min(std) < BOX_SIGMA or abs(std[0] - std[1]) > 1e-6 * std[0]:
            return None
        return std[0]


def _lone_blur(filters: list[Filter]) -> Primitive | None:
    """The filter list's only primitive when it is a blur or drop shadow of the
    SourceGraphic whose subregion holds the whole filter region."""
    if len(filters) != 1 or len(filters[0].primitives) != 1:
        return None
    prim = filters[0].primitives[0]
    if prim.kind not in ("feGaussianBlur", "feDropShadow") or \
            prim.inputs != ["SourceGraphic"] or not covers(prim, filters[0]):
        return None
    return prim


def _device_shift(prim: Primitive, ts: skia.Matrix) -> tuple[int, int]:
    """A drop shadow's offset in whole device pixels (resvg truncates it); (0, 0) else."""
    if prim.kind != "feDropShadow":
        return 0, 0
    return int(prim.params["dx"] * abs(ts.getScaleX())), int(prim.params["dy"] * abs(ts.getScaleY()))


def _within(box: skia.Rect, shift: tuple[int, int], sigma: float, alpha: float,
            region: tuple[int, int, int, int]) -> bool:
    """Whether the shape lies in the region and its blur (shifted for a shadow) reaches the
    region's edge only as a faint tail: a blurred edge at distance d holds alpha·Φ(−d/σ),
    which must stay within _MAX_TAIL (the Gaussian's tail resvg's clipped passes lose)."""
    x0, y0, w, h = region
    if box.left() < x0 or box.top() < y0 or box.right() > x0 + w or box.bottom() > y0 + h:
        return False
    margin = min(box.left() + shift[0] - x0, box.top() + shift[1] - y0,
                 x0 + w - box.right() - shift[0], y0 + h - box.bottom() - shift[1])
    return margin >= 0 and alpha * 0.5 * math.erfc(margin / sigma / math.sqrt(2)) <= _MAX_TAIL


def _draw_blurred(canvas: skia.Canvas, path: skia.Path, fill: skia.Paint, prim: Primitive,
                  sigma: float, shift: tuple[int, int], region: tuple[int, int, int, int],
                  opacity: float) -> None:
    """The blurred fill, or the shadow and then the shape, clipped to the device region;
    a group opacity below 1 composites the two of a shadow together (one layer)."""
    blur = skia.MaskFilter.MakeBlur(skia.kNormal_BlurStyle, sigma, False)
    ts = canvas.getTotalMatrix()
    canvas.save()
    canvas.resetMatrix()
    canvas.clipRect(skia.Rect.MakeXYWH(*region))
    shadow = prim.kind == "feDropShadow"
    layered = shadow and opacity < 1.0
    if layered:
        paint = skia.Paint()
        paint.setAlphaf(opacity)
        canvas.saveLayer(skia.Rect.MakeXYWH(*region), paint)
    if shadow:
        r, g, b, a = prim.params["color"]
        tint = skia.Paint(AntiAlias=fill.isAntiAlias(), MaskFilter=blur,
                          Color4f=skia.Color4f(r, g, b, a * fill.getAlphaf()))
        canvas.setMatrix(skia.Matrix.Translate(*shift).preConcat(ts))
        canvas.drawPath(path, tint)
        canvas.setMatrix(ts)
        canvas.drawPath(path, fill)
    else:
        fill.setMaskFilter(blur)
        fill.setAlphaf(fill.getAlphaf() * opacity)
        canvas.setMatrix(ts)
        canvas.drawPath(path, fill)
    if layered:
        canvas.restore()
    canvas.restore()
