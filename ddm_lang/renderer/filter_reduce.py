"""Whether a filter chain may run at reduced resolution, and by how much.

A glow or soft shadow is a wide Gaussian blur of the element: its output holds no detail
finer than the blur's deviation, so rendering the element at 1/k scale, running the chain
there and drawing the result back scaled by k (bilinearly) matches the full-resolution
result within rounding, at about 1/k² of the cost. That is only sound when every path from
the element's pixels to the filter's output passes through such a blur (a drop shadow's
merge with the sharp SourceGraphic does not), when no primitive has a sharp edge of its own
(a subregion smaller than the filter region) and when offsets are whole reduced pixels.
"""

from __future__ import annotations

import math

from .filter_ops import reduction_factor
from .filter_parse import Filter, Primitive

# Primitives that act per pixel or combine their inputs pixel by pixel: their output is as
# smooth as their inputs, so they commute with the reduction.
POINTWISE = frozenset({"feColorMatrix", "feComponentTransfer", "feComposite", "feMerge",
                       "feBlend"})
# Everything a reducible chain may hold. Others (morphology, convolution, displacement,
# lighting, turbulence, images, tiles, drop shadows) depend on pixel-sized detail or own
# their sharp output, so a chain holding one anywhere runs at full resolution.
REDUCIBLE = POINTWISE | {"feGaussianBlur", "feFlood", "feOffset"}


def reduction(filters: list[Filter], scale: tuple[float, float]) -> int:
    """The power-of-two factor (1: none) the whole filter list may run reduced by, for the
    device scale `scale` (x, y) of the filtered element."""
    return min((_filter_reduction(f, scale) for f in filters), default=1)


def _filter_reduction(f: Filter, scale: tuple[float, float]) -> int:
    """The reduction one filter allows: limited by its narrowest blur, 1 when its output
    is not smooth."""
    if not f.primitives:
        return 1
    smooth: dict[str, bool] = {}
    sigma = math.inf
    last = False
    for prim in f.primitives:
        if prim.kind not in REDUCIBLE or not covers(prim, f):
            return 1
        ok, prim_sigma = _smooth(prim, smooth, scale)
        sigma = min(sigma, prim_sigma)
        smooth[prim.result] = last = ok
    if not last or not math.isfinite(sigma):
        return 1
    factor = reduction_factor(sigma, sigma)  # as far as a lone blur of that width
    return factor if _offsets_whole(f, scale, factor) else 1


def _smooth(prim: Primitive, smooth: dict[str, bool],
            scale: tuple[float, float]) -> tuple[bool, float]:
    """Whether the primitive's output is smooth given its inputs', and the device
    deviation of its blur (infinite for primitives that do not blur)."""
    inputs_smooth = all(smooth.get(name, False) for name in prim.inputs)
    if prim.kind == "feGaussianBlur":
        sx, sy = prim.params["std"]
        sigma = min(sx * scale[0], sy * scale[1])
        return sigma > 0, sigma
    if prim.kind == "feFlood":
        return True, math.inf
    return inputs_smooth, math.inf  # an offset or a pointwise primitive


def covers(prim: Primitive, f: Filter) -> bool:
    """Whether the primitive's subregion holds the whole filter region (no edge of its own
    that the reduction would blur)."""
    r, region = prim.rect, f.rect
    tol = 1e-3 * max(region.width(), region.height(), 1.0)
    return (r.left() <= region.left() + tol and r.top() <= region.top() + tol
            and r.right() >= region.right() - tol and r.bottom() >= region.bottom() - tol)


def _offsets_whole(f: Filter, scale: tuple[float, float], factor: int) -> bool:
    """Whether every feOffset moves by whole pixels at the reduced scale (resvg shifts by
    whole device pixels; a fraction of a reduced pixel would move the output by up to
    `factor` pixels)."""
    for prim in f.primitives:
        if prim.kind != "feOffset":
            continue
        for d in (prim.params["dx"] * scale[0] / factor, prim.params["dy"] * scale[1] / factor):
            if abs(d - round(d)) > 1e-6:
                return False
    return True
