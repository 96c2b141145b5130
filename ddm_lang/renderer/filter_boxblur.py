"""resvg's box blur (crates/resvg/src/filter/box_blur.rs) on one 8-bit plane.

resvg blurs by σ ≥ 2 with five box passes, each vertical then horizontal, each treating the
outside as transparent and rounding to 8 bits; this reproduces it exactly with OpenCV's box
filter. One plane at a time is cheap: alpha-only blurs (SourceAlpha, drop shadows) use it,
where a 4-channel skia blur would do four times the work.
"""

from __future__ import annotations

import math

import cv2
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
    """The plane blurred as resvg's box_blur::apply blurs it (σ ≤ 0 leaves an axis): each
    pass one OpenCV box filter along one axis, zero outside. OpenCV sums in integers and
    rounds the mean half to even, as resvg's f32 `round` lands on these odd widths, so the
    result is resvg's to the bit at a fifth of the cost of running sums in numpy."""
    out = np.ascontiguousarray(plane)
    for bx, by in zip(box_sizes(sx), box_sizes(sy), strict=True):
        out = _box_pass(_box_pass(out, by, 0), bx, 1)
    return out


def _box_pass(a: np.ndarray, size: int, axis: int) -> np.ndarray:
    """One box of `size` along `axis`. A box at least twice the axis long covers it all
    from every position: each value is the line's whole sum over `size`."""
    if size <= 1:
        return a
    if size >= 2 * a.shape[axis] + 1:
        total = a.sum(axis=axis, dtype=np.int64, keepdims=True).astype(np.float32)
        mean = np.rint(total * np.float32(1.0 / size)).astype(np.uint8)
        return np.ascontiguousarray(np.broadcast_to(mean, a.shape))
    ksize = (1, size) if axis == 0 else (size, 1)
    return cv2.boxFilter(a, -1, ksize, normalize=True, borderType=cv2.BORDER_CONSTANT)
