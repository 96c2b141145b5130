"""Pixel operations of the filter primitives, on premultiplied RGBA8 numpy arrays.

Every filter result is an H×W×4 uint8 premultiplied array the size of the filter region in
device pixels (as resvg keeps them), so primitives chain without resampling. Compositing
goes through skia (blend modes, blur); the per-pixel maths (colour matrices, transfer
functions, convolution, morphology, displacement) is numpy, written after resvg's
crates/resvg/src/filter so results match the reference renderer.
"""

from __future__ import annotations

import math
import sys

import cv2
import numpy as np
import skia

from .filter_boxblur import BOX_SIGMA, box_blur, reach

RGBA = skia.ColorType.kRGBA_8888_ColorType
PREMUL = skia.AlphaType.kPremul_AlphaType
BOX_PASSES = 2  # clipped passes standing in for resvg's five box passes (box_blur.rs)
BOX_BLUR_PIXELS = 1 << 19  # an alpha plane up to this is box-blurred exactly (~2 ms)
REDUCED_SIGMA = 4.0  # px: the smallest deviation a reduced-resolution blur runs at
MAX_REDUCTION = 8
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
    return alpha_box(a[..., 3], margin)


def alpha_box(alpha: np.ndarray, margin: int = 0) -> tuple[slice, slice] | None:
    """content_box of an alpha plane."""
    margin = min(margin, max(alpha.shape))  # a wider margin reaches no further
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha[rows[0]:rows[-1] + 1].any(axis=0))
    h, w = alpha.shape
    return (slice(max(0, rows[0] - margin), min(h, rows[-1] + 1 + margin)),
            slice(max(0, cols[0] - margin), min(w, cols[-1] + 1 + margin)))


def convert(a: np.ndarray, to_linear: bool) -> np.ndarray:
    """sRGB ↔ linearRGB on premultiplied pixels, via the 8-bit tables resvg uses. Opaque
    pixels, transparent ones and translucent black (nearly all of a photo, a shape or a
    shadow) go through one per-channel OpenCV table; only translucent coloured pixels need
    the alpha-indexed table."""
    lut = TO_LINEAR_LUT if to_linear else TO_SRGB_LUT
    box = content_box(a)
    out = a.copy()
    if box is None:
        return out
    part = a[box]
    conv = cv2.LUT(part, _OPAQUE_TO_LINEAR if to_linear else _OPAQUE_TO_SRGB)
    ys, xs = np.nonzero(_translucent_colour(part))
    if ys.size:
        px = part[ys, xs]
        # Index every channel by (alpha << 8 | value), then restore alpha.
        fixed = np.take(lut, np.left_shift(px[:, 3:4], 8, dtype=np.uint16) | px)
        fixed[:, 3] = px[:, 3]
        conv[ys, xs] = fixed
    out[box] = conv
    return out


def _translucent_colour(part: np.ndarray) -> np.ndarray:
    """Pixels with 0 < alpha < 255 and some colour: the only ones the per-channel table
    gets wrong. A black shadow's translucent pixels (colour 0) stay 0 in every table, and
    they are most of a shadow's region. One pass over 32-bit words."""
    words = part.view(np.uint32)[..., 0]
    if sys.byteorder == "little":   # alpha is the high byte
        alpha_less_one, colour = words - np.uint32(1 << 24), words & np.uint32(0xFFFFFF)
        return (alpha_less_one < np.uint32(254 << 24)) & (colour != 0)
    alpha = words & np.uint32(0xFF)
    return (alpha - np.uint32(1) < np.uint32(254)) & (words >> np.uint32(8) != 0)


def _opaque_table(lut: np.ndarray) -> np.ndarray:
    """An OpenCV LUT (1 × 256, 4 channels): the colour channels as at alpha 255, alpha
    kept. A transparent pixel's channels are 0, which every table keeps at 0."""
    table = np.empty((1, 256, 4), np.uint8)
    table[0, :, :3] = lut[255 << 8:256 << 8, None]
    table[0, :, 3] = np.arange(256)
    return table


_OPAQUE_TO_LINEAR = _opaque_table(TO_LINEAR_LUT)
_OPAQUE_TO_SRGB = _opaque_table(TO_SRGB_LUT)


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
    plan = _blur_plan(a[..., 3], sx, sy)
    if plan is None:
        return out
    box, sx, sy, passes, factor = plan
    part = a[box]
    if factor > 1:
        out[box] = _blur_reduced(part, sx, sy, factor, passes)
        return out
    out[box] = _gaussian_passes(part, sx, sy, passes)
    return out


def _gaussian_passes(a: np.ndarray, sx: float, sy: float, passes: int) -> np.ndarray:
    """skia's Gaussian blur, `passes` times, each clipped to the image (decal edges)."""
    paint = skia.Paint(ImageFilter=skia.ImageFilters.Blur(sx, sy, skia.TileMode.kDecal, None))
    for _ in range(passes):
        dest = np.zeros_like(a)
        surface = skia.Surface(dest, colorType=RGBA, alphaType=PREMUL)
        surface.getCanvas().drawImage(image_of(a), 0, 0, skia.SamplingOptions(), paint)
        surface.flushAndSubmit()
        del surface
        a = dest
    return a


def _blur_plan(alpha: np.ndarray, sx: float, sy: float
               ) -> tuple[tuple[slice, slice], float, float, int, int] | None:
    """Where and how to blur (None: nothing to blur): the box the content can reach (3σ),
    the per-pass deviations, the passes (several where the box touches the edge) and the
    reduction factor."""
    h, w = alpha.shape
    box = alpha_box(alpha, int(3 * max(sx, sy)) + 2)
    if box is None:
        return None
    touches = box[0].start == 0 or box[1].start == 0 or box[0].stop == h or box[1].stop == w
    passes = BOX_PASSES if touches else 1
    scale = 1.0 / math.sqrt(passes)
    return box, sx * scale, sy * scale, passes, reduction_factor(sx * scale, sy * scale)


def reduction_factor(sx: float, sy: float) -> int:
    """How far a wide blur may be computed at reduced resolution: a power of two that keeps
    the reduced deviation at REDUCED_SIGMA px or more, where averaging k×k pixels and the
    bilinear way back add under 1 % to the kernel's spread. Shadows and glows of creatives
    (σ of 10–40 px) then cost a 16th to a 64th of a full-resolution blur."""
    factor = 1
    while factor < MAX_REDUCTION and min(sx, sy) / (factor * 2) >= REDUCED_SIGMA:
        factor *= 2
    return factor


def _blur_reduced(part: np.ndarray, sx: float, sy: float, factor: int,
                  passes: int) -> np.ndarray:
    """Box-average by `factor`, blur `passes` times by σ/factor (each pass clipped to the
    reduced image, as the full-resolution passes are), scale back bilinearly. `part` is
    RGBA or a bare alpha plane (averaged alone: a quarter of the work)."""
    h, w = part.shape[:2]
    hh, ww = -(-h // factor), -(-w // factor)
    padded = np.zeros((hh * factor, ww * factor, *part.shape[2:]), np.uint16)
    padded[:h, :w] = part
    sums = padded.reshape(hh, factor, ww, factor, -1).sum(axis=(1, 3), dtype=np.uint32)
    averaged = ((sums + factor * factor // 2) // (factor * factor)).astype(np.uint8)
    if part.ndim == 2:
        small = blank(hh, ww)
        small[..., 3] = averaged[..., 0]
    else:
        small = averaged
    small = _gaussian_passes(small, sx / factor, sy / factor, passes)
    full = blank(hh * factor, ww * factor)
    surface = skia.Surface(full, colorType=RGBA, alphaType=PREMUL)
    surface.getCanvas().drawImageRect(image_of(small), skia.Rect.MakeWH(ww * factor, hh * factor),
                                      skia.SamplingOptions(skia.FilterMode.kLinear),
                                      skia.Paint(BlendMode=skia.BlendMode.kSrc, Dither=True))
    surface.flushAndSubmit()
    del surface
    if part.ndim == 2:
        return np.ascontiguousarray(full[:h, :w, 3])
    return np.ascontiguousarray(full[:h, :w])


def blur_alpha(alpha: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """Blur an alpha plane: resvg's own box blur where resvg uses it and the content is
    small enough (a drop shadow: exact, and faster than skia on one plane); else as black
    RGBA through skia (its Alpha_8 blur is far slower; a reduced blur averages the plane
    alone)."""
    if max(sx, sy) >= BOX_SIGMA:
        box = alpha_box(alpha, max(reach(sx, sy)))
        if box is None:
            return np.zeros_like(alpha)
        if (box[0].stop - box[0].start) * (box[1].stop - box[1].start) <= BOX_BLUR_PIXELS:
            out = np.zeros_like(alpha)
            out[box] = box_blur(alpha[box], sx, sy)
            return out
    plan = _blur_plan(alpha, sx, sy)
    if plan is None:
        return np.zeros_like(alpha)
    box, psx, psy, passes, factor = plan
    if factor > 1:
        out = np.zeros_like(alpha)
        out[box] = _blur_reduced(alpha[box], psx, psy, factor, passes)
        return out
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
    # Whole pixels as 32-bit words: one gather per pixel instead of one per channel.
    words = np.ascontiguousarray(table8).view(np.uint32)[:, 0]
    return words[alpha].view(np.uint8).reshape(*alpha.shape, 4)


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
