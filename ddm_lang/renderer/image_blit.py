"""Magnified raster images drawn by resampling once with OpenCV and blitting the result.

skia-python's CPU pipeline here is SSE2-only: a bilinear drawImageRect of a photo scaled
2–3× costs ~5 ns per device pixel, Pillow's separable bilinear resize about 6 ns, OpenCV's
vectorised one under 1 ns (same pixel-centre mapping and edge clamping, within one 8-bit
step of Pillow), and an opaque, pixel-aligned, unscaled blit is a memcpy. So when the device
transform only scales (up) and translates, and the drawn rectangle's edges fall on device
pixels (no anti-aliased edge to keep), the image is resampled straight onto the device
grid and drawn 1:1 with nearest sampling. Nothing is cached across renders: the resampled
pixels depend on the device transform, and the decoded source is cached by images.py.
"""

from __future__ import annotations

import cv2
import numpy as np
import skia

# A resize is a fraction of a millisecond: OpenCV's worker threads would only spin beside
# the drawing thread (and beside the other processes of a batch).
cv2.setNumThreads(1)

# Edges within this many device pixels of the grid count as aligned: the difference
# from skia's anti-aliased edge is below one 8-bit step of coverage.
_ALIGN_EPS = 1e-3
# Resample only what can be seen: a destination much larger than the clip (a zoomed-in
# slice) is left to skia, which samples only the visible pixels.
_MAX_OVERDRAW = 2.0


def draw_magnified(canvas: skia.Canvas, image: skia.Image, paint: skia.Paint) -> bool:
    """Draw `image` (its full rectangle, under the canvas's current transform) by the fast
    path; False (nothing drawn) when the transform or geometry does not allow it."""
    rect = _device_rect(canvas, image.width(), image.height())
    if rect is None:
        return False
    x0, y0, w, h = rect
    resampled = _resample(image, w, h)
    if resampled is None:
        return False
    canvas.save()
    canvas.resetMatrix()
    canvas.drawImage(resampled, x0, y0, skia.SamplingOptions(), paint)
    canvas.restore()
    return True


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


def _device_rect(canvas: skia.Canvas, iw: int, ih: int) -> tuple[int, int, int, int] | None:
    """The image's pixel-aligned device rectangle when the transform is an upscaling
    scale + translate with aligned edges and most of it is visible."""
    m = canvas.getTotalMatrix()
    if iw <= 0 or ih <= 0 or m.getScaleX() < 1.0 or m.getScaleY() < 1.0:
        return None  # shrinking: skia's mipmaps decide that quality
    rect = pixel_rect(canvas, skia.Rect.MakeWH(iw, ih))
    if rect is None:
        return None
    clip = canvas.getDeviceClipBounds()
    visible = max(clip.width(), 0) * max(clip.height(), 0)
    if rect[2] * rect[3] > _MAX_OVERDRAW * visible:
        return None
    return rect


def _resample(image: skia.Image, w: int, h: int) -> skia.Image | None:
    """`image` resized to w × h bilinearly (the same pixel-centre mapping and edge clamping
    as skia's bilinear sampling). Translucent images are filtered premultiplied, as skia
    filters them, and handed back premultiplied."""
    opaque = image.isOpaque()
    alpha_type = skia.AlphaType.kOpaque_AlphaType if opaque else skia.AlphaType.kPremul_AlphaType
    src = image.toarray(colorType=skia.ColorType.kRGBA_8888_ColorType,
                        alphaType=alpha_type)
    if src is None:
        return None
    out = np.empty((h, w, 4), np.uint8)
    cv2.resize(src, (w, h), dst=out, interpolation=cv2.INTER_LINEAR)
    return skia.Image.fromarray(out, colorType=skia.ColorType.kRGBA_8888_ColorType,
                                alphaType=alpha_type)
