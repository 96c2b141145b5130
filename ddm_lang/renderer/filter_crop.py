"""The part of a filter layer a filter chain can change: the content, grown by its reach.

A shadow's filter region is the element's box grown by half its size on every side (the
compiler writes x="-50%" width="200%", as designers do), so the layer of a lifted product
photo covers four times the photo, and every numpy pass of the chain (colour-space
conversions, blurs, compositing) runs over mostly transparent pixels. For chains whose
primitives turn transparent pixels into transparent pixels and move content by a bounded
distance (blurs, offsets, drop shadows, merges, composites, blends and colour matrices
without an alpha offset), every pixel farther than that distance from the drawn content is
transparent in the result, so running the chain on the content's box grown by the
distance gives the same pixels. A flood, an image, turbulence, lighting or a transfer
function can paint where nothing was drawn, so chains holding one run on the whole layer.
"""

from __future__ import annotations

import math

import numpy as np
import skia

from .filter_parse import Filter, Primitive

# Transparent in, transparent out, and nothing moves: the reach is zero.
_POINTWISE = frozenset({"feMerge", "feBlend"})
# A blur reaches 3 σ + 2 pixels (filter_ops blurs the content's box grown by that); the cut
# keeps two pixels more, so that box never touches the cut's edge, where filter_ops would
# switch to its edge-clipped passes.
_BLUR_REACH = 3.0
_BLUR_PAD = 4.0

# Cut out only when that spares at least a fifth of the layer (the cut copies the rest).
_WORTH = 0.8

IntRect = tuple[int, int, int, int]


def content_crop(filters: list[Filter], layer: np.ndarray, ts: skia.Matrix) -> IntRect | None:
    """The sub-rectangle (x, y, width, height) of `layer` (premultiplied RGBA drawn under
    the transform `ts`) that the chain can make non-transparent, when it is worth cutting
    out (it spares a fifth of the layer or more); (0, 0, 0, 0) when nothing was drawn; None when the
    whole layer must be filtered."""
    scale = (math.hypot(ts.getScaleX(), ts.getSkewX()), math.hypot(ts.getSkewY(), ts.getScaleY()))
    reach_x = reach_y = 0.0
    for f in filters:
        for prim in f.primitives:
            step = _reach(prim, scale)
            if step is None:
                return None
            reach_x, reach_y = reach_x + step[0], reach_y + step[1]
    h, w = layer.shape[:2]
    if not (reach_x < w and reach_y < h):
        return None  # reaches across the whole layer anyway (or infinitely far)
    alpha = layer[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return 0, 0, 0, 0
    cols = np.flatnonzero(alpha[rows[0]:rows[-1] + 1].any(axis=0))
    x0 = max(0, int(cols[0] - math.ceil(reach_x)))
    y0 = max(0, int(rows[0] - math.ceil(reach_y)))
    x1 = min(w, int(cols[-1] + 1 + math.ceil(reach_x)))
    y1 = min(h, int(rows[-1] + 1 + math.ceil(reach_y)))
    if (x1 - x0) * (y1 - y0) > _WORTH * w * h:
        return None
    return x0, y0, x1 - x0, y1 - y0


def _reach(prim: Primitive, scale: tuple[float, float]) -> tuple[float, float] | None:
    """How far (layer pixels, x and y) the primitive can move content; None when it can
    paint transparent pixels."""
    p = prim.params
    kind = prim.kind
    if kind in _POINTWISE:
        return 0.0, 0.0
    if kind == "feComposite":
        local = p["op"] != "arithmetic" or abs(p["k"][3]) < 1e-12
        return (0.0, 0.0) if local else None
    if kind == "feColorMatrix":
        name, values = p["matrix"]
        return (0.0, 0.0) if name != "matrix" or abs(values[19]) < 1e-12 else None
    if kind == "feOffset":
        return abs(p["dx"]) * scale[0], abs(p["dy"]) * scale[1]
    if kind in ("feGaussianBlur", "feDropShadow"):
        sx, sy = (abs(s) * k for s, k in zip(p["std"], scale, strict=True))
        rx, ry = _BLUR_REACH * sx + _BLUR_PAD, _BLUR_REACH * sy + _BLUR_PAD
        if kind == "feDropShadow":
            rx, ry = rx + abs(p["dx"]) * scale[0], ry + abs(p["dy"]) * scale[1]
        return rx, ry
    return None
