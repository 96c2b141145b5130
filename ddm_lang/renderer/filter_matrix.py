"""A filter made only of feColorMatrix primitives, drawn as one skia colour filter.

`recolor` emits exactly this (a matrix in sRGB over a product photo), and the general path
pays for it per pixel in numpy: demultiply, a 4×4 product in float, truncate, premultiply,
about 20 ms for half a 1080² creative. A colour matrix is pointwise on straight-alpha
colour, which is what skia's matrix colour filter computes (clamped to 0..1 after each
matrix, as resvg clamps each primitive to 8 bits), so the element is drawn into a layer
whose restore applies the chain. Taken only where that is the same image: a chain from
the SourceGraphic whose subregions hold the filter region, under a scale-and-translate
transform (the layer is clipped to the filter region's device rectangle as resvg clips
it), and no matrix that gives transparent pixels an alpha (those would paint the whole
filter region, which the general path does). Linear-RGB chains convert with skia's
transfer functions instead of resvg's 8-bit tables; channels differ by at most a level.
"""

from __future__ import annotations

from collections.abc import Callable

import skia

from .filter_parse import Filter, Primitive
from .filter_reduce import covers
from .filters import int_rect

_LUMINANCE_TO_ALPHA = [0.0] * 15 + [0.2125, 0.7154, 0.0721, 0.0, 0.0]


def matrix_chain(filters: list[Filter]) -> skia.ColorFilter | None:
    """The filter list as one colour filter, or None when it is not a chain of colour
    matrices this module draws exactly."""
    if len(filters) != 1 or not filters[0].primitives:
        return None
    f = filters[0]
    chain: skia.ColorFilter | None = None
    previous = "SourceGraphic"
    for prim in f.primitives:
        if prim.kind != "feColorMatrix" or prim.inputs != [previous] or not covers(prim, f):
            return None
        rows = _rows(prim)
        if rows is None:
            return None
        previous = prim.result
        if not rows:
            continue  # identity
        step = skia.ColorFilters.Matrix(rows)
        if prim.linear:
            step = skia.ColorFilters.Compose(
                skia.ColorFilters.LinearToSRGBGamma(),
                skia.ColorFilters.Compose(step, skia.ColorFilters.SRGBToLinearGamma()))
        chain = step if chain is None else skia.ColorFilters.Compose(step, chain)
    return chain if chain is not None else _IDENTITY


def _rows(prim: Primitive) -> list[float] | None:
    """Skia's row-major 4×5 matrix (offsets in 0..1, as SVG's); [] for the identity; None
    for a matrix that lifts transparent black off zero alpha."""
    kind, values = prim.params["matrix"]
    if kind == "identity":
        return []
    if kind == "luminanceToAlpha":
        return list(_LUMINANCE_TO_ALPHA)
    if kind == "matrix":
        return list(values) if values[19] <= 0 else None
    m = values  # saturate, hueRotate: 3×3 on colour, alpha kept
    return [m[0], m[1], m[2], 0.0, 0.0, m[3], m[4], m[5], 0.0, 0.0,
            m[6], m[7], m[8], 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]


_IDENTITY = skia.ColorFilters.Matrix([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0,
                                      0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0])


def draw_through_matrices(canvas: skia.Canvas, filters: list[Filter], opacity: float,
                          draw: Callable[[skia.Canvas], None]) -> bool:
    """Draw through the colour-matrix chain on a layer; False (nothing drawn) when the
    filters or the transform are not the case this module proves equivalent."""
    ts = canvas.getTotalMatrix()
    if not ts.isScaleTranslate():
        return False
    chain = matrix_chain(filters)
    region = int_rect(ts.mapRect(filters[0].rect)) if chain is not None else None
    if region is None:
        return False
    canvas.save()
    canvas.resetMatrix()
    canvas.clipRect(skia.Rect.MakeXYWH(*region))
    canvas.setMatrix(ts)
    if opacity < 1.0:   # the group opacity applies to the filter's result
        fade = skia.Paint()
        fade.setAlphaf(opacity)
        canvas.saveLayer(None, fade)
    canvas.saveLayer(None, skia.Paint(ColorFilter=chain))
    draw(canvas)
    canvas.restore()
    if opacity < 1.0:
        canvas.restore()
    canvas.restore()
    return True
