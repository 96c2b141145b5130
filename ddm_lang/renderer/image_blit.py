"""Raster images drawn by resampling onto the device grid with OpenCV and blitting 1:1.

skia-python's CPU pipeline here is SSE2-only: a bilinear drawImageRect costs ~5 ns per
device pixel, ~10 ns when it samples a mipmap level, while OpenCV's vectorised resize and
affine warp cost under 2 ns, and an unscaled, pixel-aligned blit is a memcpy. A product
photo covering half of a 1080² creative was 3–4 ms of skia sampling. So when the device
transform only scales and translates, the image is resampled here, where skia would
sample it:
- shrunk by 2× or more, from the smallest power-of-two level still at least the drawn
  size (box-averaged by OpenCV's INTER_AREA, as skia builds its mipmaps, and kept with the
  decoded image), then bilinear: the level skia's `MipmapMode.kNearest` (images.sampling)
  samples, in a fifth of its time;
- otherwise bilinear from the image itself, with skia's pixel-centre mapping and edge
  clamping (within one 8-bit step of skia's own);
- only the device pixels that can be seen (the clip's bounds), and edges that fall
  between device pixels keep skia's anti-aliased coverage through an anti-aliased clip.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import skia

from ..lru import ByteLRU

# A resize is a fraction of a millisecond: OpenCV's worker threads would only spin beside
# the drawing thread (and beside the other processes of a batch).
cv2.setNumThreads(1)

# Edges within this many device pixels of the grid count as aligned: the difference
# from skia's anti-aliased edge is below one 8-bit step of coverage.
_ALIGN_EPS = 1e-3
# The pixels and reduced levels of recently drawn images, bounded by bytes: a batch draws
# one product's photo in every template and format of that product.
_LEVELS_BYTES = 128 * 1024 * 1024


def draw_resampled(canvas: skia.Canvas, image: skia.Image, paint: skia.Paint) -> bool:
    """Draw `image` (its full rectangle, under the canvas's current transform) by
    resampling it here; False (nothing drawn) when the transform does not allow it."""
    if canvas.imageInfo().colorType() == skia.ColorType.kUnknown_ColorType:
        return False  # a recording canvas: its pixels are not the device's (played back scaled)
    m = canvas.getTotalMatrix()
    iw, ih = image.width(), image.height()
    if not m.isScaleTranslate() or m.getScaleX() <= 0 or m.getScaleY() <= 0 or iw <= 0 \
            or ih <= 0:
        return False
    box = m.mapRect(skia.Rect.MakeWH(iw, ih))
    clip = canvas.getDeviceClipBounds()
    x0, y0 = max(math.floor(box.left()), clip.left()), max(math.floor(box.top()), clip.top())
    x1 = min(math.ceil(box.right()), clip.right())
    y1 = min(math.ceil(box.bottom()), clip.bottom())
    if x1 <= x0 or y1 <= y0:
        return True  # nothing of it can be seen
    pixels = _resampled(image, m, (x0, y0, x1 - x0, y1 - y0))
    if pixels is None:
        return False
    partial = _cover_edges(pixels, box, x0, y0)
    alpha = skia.AlphaType.kOpaque_AlphaType if image.isOpaque() and not partial \
        else skia.AlphaType.kPremul_AlphaType
    drawn = skia.Image.fromarray(pixels, colorType=skia.ColorType.kRGBA_8888_ColorType,
                                 alphaType=alpha)
    canvas.save()
    canvas.resetMatrix()
    canvas.drawImage(drawn, x0, y0, skia.SamplingOptions(), paint)
    canvas.restore()
    return True


def _cover_edges(pixels: np.ndarray, box: skia.Rect, x0: int, y0: int) -> bool:
    """Scale the premultiplied edge rows and columns by the part of each pixel the image's
    rectangle covers (skia's anti-aliased edge of a drawn rectangle); whether any was
    partly covered."""
    h, w = pixels.shape[:2]
    partial = False
    for index, start, low, high in ((0, y0, box.top(), box.bottom()),
                                    (1, x0, box.left(), box.right())):
        size = (h, w)[index]
        for i in {0, size - 1}:
            cover = min(start + i + 1, high) - max(start + i, low)
            if cover < 1 - _ALIGN_EPS:
                part = pixels[i] if index == 0 else pixels[:, i]
                part[...] = np.rint(part * max(cover, 0.0)).astype(np.uint8)
                partial = True
    return partial


def pixel_rect(canvas: skia.Canvas, rect: skia.Rect) -> tuple[int, int, int, int] | None:
    """`rect`'s device pixels (x, y, width, height) when the canvas transform only scales
    and translates and the rectangle's edges fall on the pixel grid (so a 1:1 blit there
    has no anti-aliased edge to reproduce); None otherwise, or for a recording canvas."""
    if canvas.imageInfo().colorType() == skia.ColorType.kUnknown_ColorType:
        return None  # a recording canvas: its pixels are not the device's (played back scaled)
    m = canvas.getTotalMatrix()
    if not m.isScaleTranslate():
        return None
    box = m.mapRect(rect)
    edges = (box.left(), box.top(), box.right(), box.bottom())
    if any(abs(e - round(e)) > _ALIGN_EPS for e in edges):
        return None
    x0, y0, x1, y1 = (round(e) for e in edges)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1 - x0, y1 - y0


def _resampled(image: skia.Image, m: skia.Matrix,
               target: tuple[int, int, int, int]) -> np.ndarray | None:
    """The device pixels `target` (x, y, width, height) of `image` drawn under `m`, as
    premultiplied RGBA."""
    x0, y0, w, h = target
    sx, sy = m.getScaleX(), m.getScaleY()
    level = _level(image, min(sx, sy))
    if level is None:
        return None
    # Device pixels per texel of the level, and the level's texel centre under device
    # pixel (x0, y0)'s centre, in OpenCV's convention (texel centres on integers).
    ax, ay = sx * image.width() / level.shape[1], sy * image.height() / level.shape[0]
    ox = (x0 + 0.5 - m.getTranslateX()) / ax - 0.5
    oy = (y0 + 0.5 - m.getTranslateY()) / ay - 0.5
    whole = abs(ox + 0.5 - 0.5 / ax) < _ALIGN_EPS and abs(oy + 0.5 - 0.5 / ay) < _ALIGN_EPS
    if whole and abs(w - level.shape[1] * ax) < _ALIGN_EPS and \
            abs(h - level.shape[0] * ay) < _ALIGN_EPS:
        # The level maps exactly onto the target: resize's 11-bit weights, no sub-pixel
        # quantisation (the warp below works in 1/32 pixel).
        return cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)
    inverse = np.array([[1 / ax, 0.0, ox], [0.0, 1 / ay, oy]])
    return cv2.warpAffine(level, inverse, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def _level(image: skia.Image, scale: float) -> np.ndarray | None:
    """The image's pixels (premultiplied RGBA), box-reduced to the smallest power-of-two
    level not smaller than `scale` asks (the level skia's nearest-level sampling uses)."""
    depth = max(0, math.floor(math.log2(1 / scale) + 1e-9)) if scale < 1 else 0
    hit = _LEVELS.get(image.uniqueID())
    levels = hit[1] if hit is not None else None
    if levels is None:
        base = image.toarray(colorType=skia.ColorType.kRGBA_8888_ColorType,
                             alphaType=skia.AlphaType.kPremul_AlphaType)
        if base is None:
            return None
        levels = [base]
    while len(levels) <= depth:
        prev = levels[-1]
        ph, pw = prev.shape[:2]
        if pw == 1 and ph == 1:
            break
        levels.append(cv2.resize(prev, (max(1, pw // 2), max(1, ph // 2)),
                                 interpolation=cv2.INTER_AREA))
    _LEVELS.put(image.uniqueID(), (image, levels), sum(a.nbytes for a in levels))
    return levels[min(depth, len(levels) - 1)]


# By skia's unique image id; the image is held with its levels, so its id is not reused
# while they are kept.
_LEVELS: ByteLRU[int, tuple[skia.Image, list[np.ndarray]]] = ByteLRU(_LEVELS_BYTES)
