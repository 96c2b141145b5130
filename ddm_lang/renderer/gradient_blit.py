"""A linear gradient filling a pixel-aligned rectangle, drawn as rows cut from one ramp.

Creatives are mostly a full-canvas gradient backdrop with things on top, and skia-python's
SSE2 build shades a gradient at ~3 ns per device pixel (3.6 ms for 1080², a quarter of a
whole creative). But a linear gradient's parameter is affine in device space,
t = A·x + B·y + C, so every row is the same 1-D colour ramp entered at a different point:
the colours are computed once along a ramp sampled at sub-pixel steps (numpy, a few
thousand entries) and each row is a contiguous slice of it, gathered into an image and
blitted 1:1. Rows enter the ramp on a sub-pixel grid fine enough that the colour is off by
at most _MAX_ERROR of an 8-bit level, below skia's own dithering.

Taken only where it gives skia's pixels: a rectangle whose device edges lie on the pixel
grid (no anti-aliased edge to reproduce) under a scale + translate transform; everything
else draws the shader.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import skia

from .image_blit import pixel_rect

# The most a row's rounded entry point may shift a colour, in 8-bit levels, and the
# finest sub-pixel grid used to keep within it.
_MAX_ERROR = 0.1
_MAX_SUBSTEPS = 16
# The longest ramp worth building, in device pixels per row: rows that enter it far apart
# (a gradient almost perpendicular to the rows) are left to skia.
_MAX_RAMP_ROWS = 16


@dataclass(frozen=True)
class LinearSpec:
    """A linear gradient as skia receives it: the axis p0 → p1 in gradient space, which
    `local` maps to the painted element's user space, and the stops."""

    p0: skia.Point
    p1: skia.Point
    colors: list[int]  # ARGB, unpremultiplied
    offsets: list[float]
    mode: skia.TileMode
    local: skia.Matrix

    def shader(self) -> skia.Shader:
        return skia.GradientShader.MakeLinear([self.p0, self.p1], self.colors, self.offsets,
                                              self.mode, 0, self.local)


def draw_linear_rect(canvas: skia.Canvas, rect: skia.Rect, spec: LinearSpec,
                     alpha: float) -> bool:
    """Fill user-space `rect` with the gradient at paint alpha `alpha` by the ramp; False
    (nothing drawn) when the transform or geometry does not allow it."""
    device = pixel_rect(canvas, rect)
    if device is None:
        return False
    x0, y0, w, h = device
    coeffs = _affine_t(canvas.getTotalMatrix(), spec, x0, y0)
    if coeffs is None:
        return False
    rows = _rows(spec, *coeffs, w, h)
    if rows is None:
        return False
    opaque = all((c >> 24) == 0xFF for c in spec.colors)
    # Not copied: the raster canvas draws it before `rows` goes out of scope.
    image = skia.Image.fromarray(
        rows, colorType=skia.ColorType.kRGBA_8888_ColorType,
        alphaType=skia.AlphaType.kOpaque_AlphaType if opaque else skia.AlphaType.kPremul_AlphaType,
        copy=False)
    paint = skia.Paint()
    paint.setAlphaf(alpha)
    canvas.save()
    canvas.resetMatrix()
    canvas.drawImage(image, x0, y0, skia.SamplingOptions(), paint)
    canvas.restore()
    return True


def _affine_t(ctm: skia.Matrix, spec: LinearSpec, x0: int, y0: int
              ) -> tuple[float, float, float] | None:
    """(A, B, C) with t = A·i + B·j + C at the centre of the rectangle's pixel (i, j)."""
    to_device = skia.Matrix.Concat(ctm, spec.local)
    inverse = skia.Matrix()
    if not to_device.invert(inverse):
        return None
    ax, ay = spec.p1.x() - spec.p0.x(), spec.p1.y() - spec.p0.y()
    norm = ax * ax + ay * ay
    if norm <= 0:
        return None

    def t(i: float, j: float) -> float:
        p = inverse.mapXY(x0 + i + 0.5, y0 + j + 0.5)
        return ((p.x() - spec.p0.x()) * ax + (p.y() - spec.p0.y()) * ay) / norm

    c = t(0, 0)
    return t(1, 0) - c, t(0, 1) - c, c


def _rows(spec: LinearSpec, a: float, b: float, c: float, w: int, h: int
          ) -> np.ndarray | None:
    """The h × w × 4 premultiplied RGBA pixels of the gradient, row by row (premultiplied
    here, on the ramp, because skia converts an unpremultiplied image pixel by pixel as it
    draws: 8× the cost of the blit for a translucent scrim)."""
    ys = np.arange(h, dtype=np.float64)
    if abs(a) * w * 255 < 0.01:  # constant along rows: a column of colours, broadcast
        column = _colours(spec, b * ys + c).view(np.uint32)  # one pixel per row
        return np.repeat(column, w, axis=1).view(np.uint8).reshape(h, w, 4)
    substeps = _substeps(spec, abs(a))
    step = a / substeps  # t per ramp entry
    starts = (b * ys + c) / step  # each row's entry point, in ramp entries
    lowest = float(np.floor(starts.min()))
    first = np.rint(starts - lowest).astype(np.intp)
    entries = (int(first.max()) // substeps + w) * substeps
    if entries > _MAX_RAMP_ROWS * substeps * w:
        return None
    ramp = _colours(spec, (lowest + np.arange(entries, dtype=np.float64)) * step)
    # One contiguous ramp per sub-pixel phase, as 32-bit pixels, so that every row is a
    # contiguous slice (a memcpy) of one of them.
    phases = np.ascontiguousarray(ramp.view(np.uint32).reshape(-1, substeps).T)
    windows = np.lib.stride_tricks.sliding_window_view(phases, w, axis=1)
    rows = windows[first % substeps, first // substeps]
    return rows.view(np.uint8).reshape(h, w, 4)


def _substeps(spec: LinearSpec, t_per_pixel: float) -> int:
    """Sub-pixel entry points per pixel so that rounding a row's entry point changes no
    channel by more than _MAX_ERROR levels: the steepest stop segment decides."""
    steepest = 0.0
    for (c0, o0), (c1, o1) in itertools.pairwise(zip(spec.colors, spec.offsets, strict=True)):
        if o1 > o0:
            levels = max(abs(((c0 >> s) & 0xFF) - ((c1 >> s) & 0xFF)) for s in (0, 8, 16, 24))
            steepest = max(steepest, levels / (o1 - o0))
    if spec.mode == skia.TileMode.kRepeat and spec.colors[0] != spec.colors[-1]:
        steepest = max(steepest, 255.0 / _MAX_ERROR)  # the wrap is a hard edge: finest grid
    needed = math.ceil(t_per_pixel * steepest / (2 * _MAX_ERROR))
    return max(1, min(_MAX_SUBSTEPS, needed))


def _colours(spec: LinearSpec, t: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA bytes for gradient parameters `t`, after the spread method:
    interpolated unpremultiplied, as skia does without its premul flag, then multiplied by
    their alpha before rounding."""
    if spec.mode == skia.TileMode.kRepeat:
        t = t - np.floor(t)
    elif spec.mode == skia.TileMode.kMirror:
        t = 1.0 - np.abs(np.mod(t, 2.0) - 1.0)
    offsets = np.asarray(spec.offsets, dtype=np.float64)
    stops = np.array([[(c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF, (c >> 24) & 0xFF]
                      for c in spec.colors], dtype=np.float64)
    count = np.searchsorted(offsets, t, side="right")  # stops at or before t
    upper = np.clip(count, 1, len(offsets) - 1)
    lo, hi = offsets[upper - 1], offsets[upper]
    span = hi - lo
    frac = np.divide(t - lo, span, out=np.ones_like(t), where=span > 0)
    out = stops[upper - 1] + (stops[upper] - stops[upper - 1]) * np.clip(frac, 0.0, 1.0)[:, None]
    out[count == 0] = stops[0]  # before the first stop (stops may start past 0)
    out[count == len(offsets)] = stops[-1]  # at or past the last
    out[:, :3] *= out[:, 3:] / 255.0
    return (out + 0.5).astype(np.uint8)
