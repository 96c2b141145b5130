"""Upright glyph runs drawn as text blobs rather than as their outlines.

Filling a span's combined glyph outlines costs skia a full path scan per line (about
1 ms for a 64 px headline on the CPU); a text blob of the same glyphs, at the same
positions and size from the same typeface with hinting off, is drawn from skia's glyph
cache: each glyph's coverage is rasterised once per size and sub-pixel phase from those
very outlines, then blitted (about 0.15 ms). It applies only where the two agree: glyphs
that are upright and uniformly scaled on the device (no rotate, skew, textPath or
vertical tilt, in the glyphs or the canvas transform), of a
display size (MIN_DEVICE_SIZE to MAX_DEVICE_SIZE), and a paint without path effects or
mask filters; anything else is drawn as outlines.
"""

from __future__ import annotations

import skia

from .fonts import configure
from .textshape import ShapingFace

# Glyphs between these sizes on the device (px) are drawn from the glyph cache. Above,
# skia draws paths itself, and so do we (one path, not one per glyph). Below, the font
# scaler's coverage differs from a path's on a larger share of a small glyph's pixels
# than the resvg agreement allows, so small text keeps its outlines.
MIN_DEVICE_SIZE = 30.0
MAX_DEVICE_SIZE = 256.0
_EPS = 1e-6


def draw_glyph_runs(canvas: skia.Canvas, placed: list[tuple[ShapingFace, int, skia.Matrix]],
                    paint: skia.Paint) -> bool:
    """Draw `placed` glyphs (face, glyph id, font-units → user matrix) with `paint` as text
    blobs; False (nothing drawn) when a glyph is not upright and uniformly scaled or the
    paint needs outlines."""
    if paint.getPathEffect() is not None or paint.getMaskFilter() is not None or \
            paint.getStyle() != skia.Paint.kFill_Style:
        return False
    ctm = canvas.getTotalMatrix()
    if not ctm.isScaleTranslate():
        return False  # rotated or skewed on the device: skia would rasterise differently
    runs: list[tuple[ShapingFace, float, list[int], list[skia.Point]]] = []
    for face, gid, m in placed:
        scale = m.getScaleX()
        if not m.isScaleTranslate() or scale <= 0 or abs(m.getScaleY() - scale) > _EPS * scale:
            return False
        size = scale * face.upem
        if runs and runs[-1][0] is face and abs(runs[-1][1] - size) <= _EPS * size:
            runs[-1][2].append(gid)
            runs[-1][3].append(skia.Point(m.getTranslateX(), m.getTranslateY()))
        else:
            runs.append((face, size, [gid], [skia.Point(m.getTranslateX(), m.getTranslateY())]))
    device_scale = max(abs(ctm.getScaleX()), abs(ctm.getScaleY()))
    if any(not MIN_DEVICE_SIZE <= size * device_scale <= MAX_DEVICE_SIZE
           for _, size, _, _ in runs):
        return False
    for face, size, gids, points in runs:
        font = configure(skia.Font(face.typeface, size))
        font.setBaselineSnap(False)  # fractional baselines stay fractional, as outlines do
        if not paint.isAntiAlias():
            font.setEdging(skia.Font.Edging.kAlias)
        blob = skia.TextBlob.MakeFromPosText(
            b"".join(g.to_bytes(2, "little") for g in gids), points, font,
            skia.TextEncoding.kGlyphID)
        if blob is not None:
            canvas.drawTextBlob(blob, 0, 0, paint)
    return True
