"""resvg's box blur (crates/resvg/src/filter/box_blur.rs) on one 8-bit plane, in numpy.

resvg blurs by σ ≥ 2 with five box passes, each vertical then horizontal, each treating the
outside as transparent and rounding to 8 bits; this reproduces it exactly (running sums as
cumulative sums). One plane at a time is cheap: alpha-only blurs (SourceAlpha, drop
shadows) use it, where a 4-channel skia blur would do four times the work.
"""

from __future__ import annotations

import math

import numpy as np

STEPS = 5
BOX_SIGMA = 2.0  # resvg's BLUR_SIGMA_THRESHOLD: narrower blurs are IIR there
MAX_SIGMA = 1e9


def box_sizes(sigma: float) -> list[int]:
    """resvg's create_box_gauss: STEPS odd box widths whose variances sum to σ²."""
    if sigma <= 0:
        return [1] * STEPS
    # Boxes wider than 255 × any plane's side average everything to 0 already.
    s2 = np.float32(min(sigma, MAX_SIGMA)) ** 2
    wl = math.floor(math.sqrt(12.0 * s2 / STEPS) + 1.0)
    if wl % 2 == 0:
        wl -= 1
    m_ideal = (12.0 * s2 - STEPS * wl * wl - 4.0 * STEPS * wl - 3.0 * STEPS) / (-4.0 * wl - 4.0)
    m = max(0, int(math.copysign(math.floor(abs(m_ideal) + 0.5), m_ideal)))  # Rust's round
    return [wl if i < m else wl + 2 for i in range(STEPS)]


def reach(sx: float, sy: float) -> tuple[int, int]:
    """How far (x, y) the passes spread content: the sum of their radii."""
    return (sum((b - 1) // 2 for b in box_sizes(sx)), sum((b - 1) // 2 for b in box_sizes(sy)))


def box_blur(plane: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """The plane blurred as resvg's box_blur::apply blurs it (σ ≤ 0 leaves an axis)."""
    out = plane
    for bx, by in zip(box_sizes(sx), box_sizes(sy), strict=True):
        out = _box_rows(out, (by - 1) // 2)
        out = _box_rows(out.T, (bx - 1) // 2).T
    return np.ascontiguousarray(out)


def _box_rows(a: np.ndarray, r: int) -> np.ndarray:
    """One box pass down the first axis: the mean of the 2r+1 values around each, zero
    outside, rounded half to even in f32 as resvg's `round` does. Work and memory do not
    grow with r (a window past both ends just sums the whole column)."""
    if r == 0:
        return a
    n = a.shape[0]
    sums = np.zeros((n + 1, *a.shape[1:]), np.int32)  # sums[j]: the first j values
    np.cumsum(a, axis=0, dtype=np.int32, out=sums[1:])
    i = np.arange(n)
    window = sums[np.minimum(i + r + 1, n)] - sums[np.maximum(i - r, 0)]
    scaled = window.astype(np.float32) * np.float32(1.0 / (2 * r + 1))
    return np.rint(scaled).astype(np.uint8)
