"""Pixel operations of the filter primitives, on premultiplied RGBA8 numpy arrays.

Every filter result is an H×W×4 uint8 premultiplied array the size of the filter region in
device pixels (as resvg keeps them), so primitives chain without resampling. Compositing
goes through skia (blend modes, blur); the per-pixel maths (colour matrices, transfer
functions, convolution, morphology, displacement) is numpy, written after resvg's
crates/resvg/src/filter so results match the reference renderer.
"""

from __future__ import annotations

import math

import numpy as np
import skia

RGBA = skia.ColorType.kRGBA_8888_ColorType
PREMUL = skia.AlphaType.kPremul_AlphaType
BOX_PASSES = 2  # clipped passes standing in for resvg's five box passes (box_blur.rs)
MAX_KERNEL = 4096  # convolution kernel cells: bounds the per-pixel work of feConvolveMatrix
CONVOLVE_BUDGET = 1_000_000_000  # pixels × kernel cells; beyond it the result is transparent

_LEVELS = np.arange(256, dtype=np.float64) / 255.0
SRGB_TO_LINEAR = np.round(np.where(_LEVELS <= 0.04045, _LEVELS / 12.92,
                                   ((_LEVELS + 0.055) / 1.055) ** 2.4) * 255).astype(np.uint8)
LINEAR_TO_SRGB = np.round(np.where(_LEVELS <= 0.0031308, _LEVELS * 12.92,
                                   1.055 * _LEVELS ** (1 / 2.4) - 0.055) * 255).astype(np.uint8)


def blank(h: int, w: int) -> np.ndarray:
    return np.zeros((h, w, 4), np.uint8)


def demultiply(a: np.ndarray) -> np.ndarray:
    """Straight-alpha copy, rounded as resvg does (transparent pixels stay zero)."""
    alpha = a[..., 3:4].astype(np.float32) / 255.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rgb = np.where(alpha > 0, a[..., :3] / np.maximum(alpha, 1e-9) + 0.5, 0)
    out = a.copy()
    out[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    return out


def premultiply(a: np.ndarray) -> np.ndarray:
    alpha = a[..., 3:4].astype(np.float32) / 255.0
    out = a.copy()
    out[..., :3] = np.clip(a[..., :3] * alpha + 0.5, 0, 255).astype(np.uint8)
    return out


def _conversion_lut(table: np.ndarray) -> np.ndarray:
    """[alpha, premultiplied channel] → converted premultiplied channel: resvg's
    demultiply, 8-bit table, multiply (each rounded) folded into one lookup."""
    alpha = np.arange(256, dtype=np.float32)[:, None] / 255.0
    chan = np.arange(256, dtype=np.float32)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        straight = np.clip(np.nan_to_num(chan / alpha + 0.5, posinf=255.0), 0, 255)
    converted = table[straight.astype(np.uint8)].astype(np.float32)
    return np.clip(converted * alpha + 0.5, 0, 255).astype(np.uint8)


TO_LINEAR_LUT = _conversion_lut(SRGB_TO_LINEAR).ravel()
TO_SRGB_LUT = _conversion_lut(LINEAR_TO_SRGB).ravel()


def content_box(a: np.ndarray, margin: int = 0) -> tuple[slice, slice] | None:
    """The rows and columns holding any non-transparent pixel, grown by a margin: filter
    regions are mostly empty, so per-pixel work is confined to this box."""
    alpha = a[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha[rows[0]:rows[-1] + 1].any(axis=0))
    h, w = alpha.shape
    return (slice(max(0, rows[0] - margin), min(h, rows[-1] + 1 + margin)),
            slice(max(0, cols[0] - margin), min(w, cols[-1] + 1 + margin)))


def convert(a: np.ndarray, to_linear: bool) -> np.ndarray:
    """sRGB ↔ linearRGB on premultiplied pixels, via the 8-bit tables resvg uses."""
    lut = TO_LINEAR_LUT if to_linear else TO_SRGB_LUT
    box = content_box(a)
    out = a.copy()
    if box is None:
        return out
    part = a[box]
    # Index every channel by (alpha << 8 | value) in one pass, then restore alpha.
    conv = np.take(lut, np.left_shift(part[..., 3:4], 8, dtype=np.uint16) | part)
    conv[..., 3] = part[..., 3]
    out[box] = conv
    return out


def to_float(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float32) / 255.0


def to_u8(f: np.ndarray) -> np.ndarray:
    """Floats in 0..1 to bytes, truncating like resvg's `as u8` casts."""
    return (np.clip(np.nan_to_num(f), 0.0, 1.0) * 255.0).astype(np.uint8)


def image_of(a: np.ndarray) -> skia.Image:
    return skia.Image.fromarray(np.ascontiguousarray(a), colorType=RGBA, alphaType=PREMUL)


def draw_stack(h: int, w: int, layers: list[tuple[np.ndarray, skia.BlendMode]]) -> np.ndarray:
    """Draw images one over another with the given blend modes onto a transparent canvas."""
    out = blank(h, w)
    surface = skia.Surface(out, colorType=RGBA, alphaType=PREMUL)
    canvas = surface.getCanvas()
    for arr, mode in layers:
        canvas.drawImage(image_of(arr), 0, 0, skia.SamplingOptions(), skia.Paint(BlendMode=mode))
    surface.flushAndSubmit()
    del canvas, surface
    return out


def shift(a: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Translate by whole pixels, filling with transparency (feOffset)."""
    h, w = a.shape[:2]
    out = blank(h, w)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        a[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def blur(a: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """Gaussian blur with transparent edges. resvg blurs in five box passes, each clipped
    to the image, so content near the edge loses more to the outside than one Gaussian
    pass would; there BOX_PASSES Gaussian passes splitting the variance reproduce most of
    that (two stay within 0.02 of resvg on its tests, at 40 % of five's cost). Content
    away from the edges gets a single pass: the same result, several times faster."""
    h, w = a.shape[:2]
    out = blank(h, w)
    # Only the content grown by the kernel's reach (3σ) can become non-transparent.
    box = content_box(a, int(3 * max(sx, sy)) + 2)
    if box is None:
        return out
    touches = box[0].start == 0 or box[1].start == 0 or box[0].stop == h or box[1].stop == w
    passes = BOX_PASSES if touches else 1
    part = a[box]
    scale = 1.0 / math.sqrt(passes)
    paint = skia.Paint(ImageFilter=skia.ImageFilters.Blur(sx * scale, sy * scale,
                                                          skia.TileMode.kDecal, None))
    for _ in range(passes):
        dest = np.zeros_like(part)
        surface = skia.Surface(dest, colorType=RGBA, alphaType=PREMUL)
        surface.getCanvas().drawImage(image_of(part), 0, 0, skia.SamplingOptions(), paint)
        surface.flushAndSubmit()
        del surface
        part = dest
    out[box] = part
    return out


def blur_alpha(alpha: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """Blur an alpha plane (as black RGBA: skia's Alpha_8 blur is far slower)."""
    rgba = np.zeros((*alpha.shape, 4), np.uint8)
    rgba[..., 3] = alpha
    return blur(rgba, sx, sy)[..., 3]


def tint(alpha: np.ndarray, color: tuple[float, float, float, float],
         to_linear: bool) -> np.ndarray:
    """A colour (sRGB, with its opacity) under an alpha plane, premultiplied as resvg's
    drop shadow computes it, optionally in linearRGB: one 256-entry table lookup."""
    rgb = np.array([round(c * 255) for c in color[:3]], np.float32) / 255.0
    levels = np.arange(256, dtype=np.float32) / 255.0 * (round(color[3] * 255) / 255.0)
    table = np.empty((256, 4), np.float32)
    table[:, :3] = rgb[None, :] * levels[:, None]
    table[:, 3] = levels
    table8 = (np.clip(table, 0, 1) * 255 + 0.5).astype(np.uint8)
    if to_linear:
        table8 = convert(table8[None], True)[0]
    return table8[alpha]


def arithmetic(k: list[float], a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """feComposite operator="arithmetic" on premultiplied values, colour clamped to alpha."""
    i1, i2 = to_float(a1), to_float(a2)
    res = k[0] * i1 * i2 + k[1] * i1 + k[2] * i2 + k[3]
    alpha = np.clip(res[..., 3:4], 0.0, 1.0)
    rgb = np.clip(res[..., :3], 0.0, alpha)
    out = to_u8(np.concatenate([rgb, alpha], axis=2))
    out[alpha[..., 0] <= 1e-7] = 0
    return out


def color_matrix(a: np.ndarray, kind: str, m: list[float]) -> np.ndarray:
    """feColorMatrix on straight-alpha pixels; saturate/hueRotate keep alpha as is."""
    px = to_float(demultiply(a))
    if kind == "matrix":
        mat = np.array(m, np.float32).reshape(4, 5)
        res = px @ mat[:, :4].T + mat[:, 4]
    elif kind == "luminanceToAlpha":
        res = np.zeros_like(px)
        res[..., 3] = px[..., :3] @ np.array([0.2125, 0.7154, 0.0721], np.float32)
    else:
        mat = np.array(m, np.float32).reshape(3, 3)
        res = px.copy()
        res[..., :3] = px[..., :3] @ mat.T
    return premultiply(to_u8(res))


def transfer(a: np.ndarray, funcs: list[tuple[str, list[float]] | None]) -> np.ndarray:
    """feComponentTransfer: one function per channel (None = identity), straight alpha."""
    out = demultiply(a)
    for ch, func in enumerate(funcs):
        if func is None:
            continue
        kind, v = func
        c = out[..., ch].astype(np.float32) / 255.0
        if kind == "table":
            n = len(v) - 1
            vals = np.array(v, np.float32)
            if n == 0:
                res = np.full_like(c, vals[0])
            else:
                k = np.minimum(np.floor(c * n).astype(np.int64), n)
                k1 = np.minimum(k + 1, n)
                res = np.where(k == n, vals[k], vals[k] + (c - k / n) * n * (vals[k1] - vals[k]))
        elif kind == "discrete":
            n = len(v)
            k = np.minimum(np.floor(c * n).astype(np.int64), n - 1)
            res = np.array(v, np.float32)[k]
        elif kind == "linear":
            res = v[0] * c + v[1]
        else:  # gamma: amplitude, exponent, offset
            res = v[0] * np.power(c, v[1]) + v[2]
        out[..., ch] = to_u8(res)
    return premultiply(out)


def convolve(a: np.ndarray, kernel: np.ndarray, target: tuple[int, int], divisor: float,
             bias: float, edge: str, preserve_alpha: bool) -> np.ndarray:
    """feConvolveMatrix as resvg computes it (premultiplied input unless preserveAlpha)."""
    h, w = a.shape[:2]
    rows, cols = kernel.shape
    if h * w * np.count_nonzero(kernel) > CONVOLVE_BUDGET:
        return blank(h, w)
    src = to_float(demultiply(a) if preserve_alpha else a)
    tx, ty = target
    pad_l, pad_r, pad_t, pad_b = tx, cols - 1 - tx, ty, rows - 1 - ty
    if edge == "none":
        padded = np.pad(src, ((pad_t, pad_b), (pad_l, pad_r), (0, 0)))
    elif edge == "wrap":
        ys = (np.arange(-pad_t, h + pad_b)) % h
        xs = (np.arange(-pad_l, w + pad_r)) % w
        padded = src[ys][:, xs]
    else:
        padded = np.pad(src, ((pad_t, pad_b), (pad_l, pad_r), (0, 0)), mode="edge")
    acc = np.zeros((h, w, 4), np.float32)
    for oy in range(rows):
        for ox in range(cols):
            k = kernel[rows - oy - 1, cols - ox - 1]
            if k:
                acc += padded[oy:oy + h, ox:ox + w] * k
    alpha = src[..., 3] if preserve_alpha else acc[..., 3] / divisor + bias
    bounded = np.clip(alpha, 0.0, 1.0)[..., None]
    rgb = acc[..., :3] / divisor + bias * alpha[..., None]
    rgb = np.clip(rgb, 0.0, 1.0) * bounded if preserve_alpha else np.clip(rgb, 0.0, bounded)
    out = np.concatenate([rgb, bounded], axis=2) * 255.0 + 0.5
    return np.clip(out, 0, 255).astype(np.uint8)


def _window_extreme(src: np.ndarray, size: int, axis: int, dilate: bool) -> np.ndarray:
    """Max (dilate) or min (erode) over a window of `size` pixels starting `size // 2`
    before each pixel, pixels beyond the edge ignored. Doubling windows make it
    O(log size) array passes, so large radii stay cheap."""
    pick = np.maximum if dilate else np.minimum
    fill = 0 if dilate else 255
    n = src.shape[axis]
    target = size // 2
    pad = [(0, 0)] * src.ndim
    pad[axis] = (target, size - 1 - target)
    m = np.pad(src, pad, constant_values=fill)
    span = 1
    while span * 2 <= size:
        length = m.shape[axis]
        m = pick(m.take(range(0, length - span), axis=axis),
                 m.take(range(span, length), axis=axis))
        span *= 2
    # m[i] now covers padded[i : i + span]; two overlapping spans cover the window.
    return pick(m.take(range(0, n), axis=axis),
                m.take(range(size - span, size - span + n), axis=axis))


def morphology(a: np.ndarray, dilate: bool, rx: float, ry: float) -> np.ndarray:
    """feMorphology with resvg's window: ceil(r)·2 pixels wide, pixels beyond the edge
    ignored. Min/max over a rectangle is separable, so it runs as two 1-D passes."""
    h, w = a.shape[:2]
    cols = min(math.ceil(rx) * 2, w)
    rows = min(math.ceil(ry) * 2, h)
    if cols <= 0 or rows <= 0:
        return np.full_like(a, 0 if dilate else 255)
    return _window_extreme(_window_extreme(a, cols, 1, dilate), rows, 0, dilate)


def displace(src: np.ndarray, dmap: np.ndarray, scale_x: float, scale_y: float,
             x_channel: int, y_channel: int) -> np.ndarray:
    """feDisplacementMap: each pixel takes the source pixel its map value points at."""
    h, w = src.shape[:2]
    m = dmap.astype(np.float32) / 255.0 - 0.5
    ys, xs = np.mgrid[0:h, 0:w]
    ox = np.round(xs + m[..., x_channel] * scale_x).astype(np.int64)
    oy = np.round(ys + m[..., y_channel] * scale_y).astype(np.int64)
    ok = (ox >= 0) & (ox < w) & (oy >= 0) & (oy < h)
    out = blank(h, w)
    out[ok] = src[oy[ok], ox[ok]]
    return out


def tile(a: np.ndarray, region: tuple[int, int, int, int]) -> np.ndarray:
    """feTile: repeat the input's subregion (x, y, w, h in this image) over the image."""
    h, w = a.shape[:2]
    x, y, tw, th = region
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + tw, w), min(y + th, h)
    if x1 <= x0 or y1 <= y0:
        return blank(h, w)
    cell = a[y0:y1, x0:x1]
    ys = (np.arange(h) - y0) % (y1 - y0)
    xs = (np.arange(w) - x0) % (x1 - x0)
    return cell[ys][:, xs]
