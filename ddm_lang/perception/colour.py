"""Colour perception without a model: palette, region colours, the background colour.

Recolor derives a creative's colours from these (a tint of the product's dominant colour,
ink that contrasts with the region under the text), so they are measured on what a viewer
sees: the subject's own colours apart from the backdrop's, and the colour of each region
where copy might sit.

Only visible pixels count. A cut-out's transparent pixels carry an arbitrary RGB (usually
black): read as colour they made black most of a packshot's palette and its "background
colour", and templates built dark fields around dark products. With an alpha channel every
statistic here is taken over pixels at least VISIBLE_ALPHA opaque, resampling is done on
premultiplied colour (so transparent black does not darken the subject's edge), and a
backdrop that is mostly transparent has no colour at all (None).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from ddm_lang.values import Color

THUMB = 96           # palette statistics on a thumbnail this size
PALETTE_SIZE = 6
MIN_SHARE = 0.04     # a colour under this share of the pixels is noise, not palette
REGION_GRID = 3      # region colours on a 3 × 3 grid
BORDER = 0.04        # the border band, as a fraction of the short side
PLAIN_DISTANCE = 28.0  # RGB distance within which border pixels count as the same colour
VISIBLE_ALPHA = 128    # alpha from which a pixel counts as seen (subject.has_transparency's)
MIN_VISIBLE_BORDER = 0.5  # a border band less visible than this is a transparent backdrop


def hex_colour(rgb: np.ndarray | tuple[float, ...]) -> str:
    """An 8-bit RGB triple as the #rrggbb the language's colour values use."""
    return Color(*(float(c) / 255.0 for c in rgb[:3])).hex()


def visible(alpha: np.ndarray | None) -> np.ndarray | None:
    """The pixels a viewer sees (alpha >= VISIBLE_ALPHA), or None for an opaque image."""
    return None if alpha is None else alpha >= VISIBLE_ALPHA


def _thumbnail(rgb: np.ndarray, alpha: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """RGB (and alpha) at most THUMB on a side. Pillow resamples RGBA on premultiplied colour,
    so a subject's edge keeps its own colour instead of a blend with transparent black."""
    img = Image.fromarray(rgb if alpha is None else np.dstack([rgb, alpha]))
    img.thumbnail((THUMB, THUMB), Image.Resampling.BILINEAR)
    arr = np.asarray(img)
    return (arr, None) if alpha is None else (arr[..., :3], arr[..., 3])


def palette(rgb: np.ndarray, weight: np.ndarray | None = None,
            alpha: np.ndarray | None = None) -> list[tuple[str, float]]:
    """The image's main colours with their shares, most frequent first (median cut on a
    thumbnail; pixels where `weight` is False, or that `alpha` leaves unseen, are left out)."""
    small, small_alpha = _thumbnail(rgb, alpha)
    keep = np.ones(small.shape[:2], bool) if small_alpha is None else small_alpha >= VISIBLE_ALPHA
    if weight is not None:
        keep &= np.asarray(Image.fromarray(weight.astype(np.uint8) * 255).resize(
            (small.shape[1], small.shape[0]), Image.Resampling.NEAREST)) > 127
    pixels = small.reshape(-1, 3)
    if keep.sum() >= 16:
        pixels = pixels[keep.reshape(-1)]
    strip = Image.fromarray(pixels.reshape(1, -1, 3))
    quant = strip.quantize(colors=PALETTE_SIZE, method=Image.Quantize.MEDIANCUT)
    indices = np.asarray(quant).reshape(-1)
    counts = np.bincount(indices, minlength=PALETTE_SIZE)
    out: list[tuple[str, float]] = []
    for idx in np.argsort(-counts, kind="stable"):
        share = counts[idx] / indices.size
        if share < MIN_SHARE and out:
            break
        out.append((hex_colour(pixels[indices == idx].mean(axis=0)), round(float(share), 4)))
    return out


def saturation(colour: str) -> float:
    c = Color.parse(colour)
    hi, lo = max(c.r, c.g, c.b), min(c.r, c.g, c.b)
    return 0.0 if hi == 0 else (hi - lo) / hi


def region_colours(rgb: np.ndarray, alpha: np.ndarray | None = None) -> list[list[str | None]]:
    """Mean colour of each cell of a 3 × 3 grid, rows top to bottom: alpha-weighted (the
    colour a viewer sees wherever the cell is visible), None for a cell with nothing visible."""
    h, w = rgb.shape[:2]
    weights = np.ones((h, w)) if alpha is None else alpha / 255.0
    out = []
    for i in range(REGION_GRID):
        row: list[str | None] = []
        for j in range(REGION_GRID):
            rows = slice(i * h // REGION_GRID, (i + 1) * h // REGION_GRID)
            cols = slice(j * w // REGION_GRID, (j + 1) * w // REGION_GRID)
            wt = weights[rows, cols].reshape(-1)
            total = float(wt.sum())
            row.append(hex_colour(wt @ rgb[rows, cols].reshape(-1, 3) / total)
                       if total >= 1.0 else None)  # less than one pixel's worth seen
        out.append(row)
    return out


def border_pixels(rgb: np.ndarray) -> np.ndarray:
    """The band BORDER wide along the edges, as a list of pixels (any channel count)."""
    h, w = rgb.shape[:2]
    b = max(1, round(min(h, w) * BORDER))
    c = rgb.shape[2] if rgb.ndim == 3 else 1
    return np.concatenate([rgb[:b].reshape(-1, c), rgb[-b:].reshape(-1, c),
                           rgb[b:-b, :b].reshape(-1, c), rgb[b:-b, -b:].reshape(-1, c)])


def background(rgb: np.ndarray, alpha: np.ndarray | None = None) -> tuple[str | None, float]:
    """The backdrop's colour (the visible border band's median) and the share of visible
    border pixels close to it (1.0 for a studio backdrop, low for a scene). A border band
    mostly transparent is a cut-out's: no colour (None), uniformity 1.0 (it is uniformly
    nothing, which is what `extend` asks uniformity about)."""
    border = border_pixels(rgb).astype(np.float32)
    if alpha is not None:
        seen = border_pixels(alpha).reshape(-1) >= VISIBLE_ALPHA
        if seen.mean() < MIN_VISIBLE_BORDER:
            return None, 1.0
        border = border[seen]
    median = np.median(border, axis=0)
    close = np.linalg.norm(border - median, axis=1) <= PLAIN_DISTANCE
    return hex_colour(median), round(float(close.mean()), 4)


def perceive_colour(rgb: np.ndarray, subject_mask: np.ndarray | None,
                    alpha: np.ndarray | None = None) -> dict[str, Any]:
    """Every colour attribute of the record; with `alpha`, of the visible pixels only."""
    whole = palette(rgb, alpha=alpha)
    subject = palette(rgb, subject_mask, alpha) \
        if subject_mask is not None and subject_mask.any() else whole
    frequent = [c for c, share in subject if share >= 0.1] or [subject[0][0]]
    accent = max(frequent, key=saturation)
    bg, uniformity = background(rgb, alpha)
    return {
        "palette.dominant": subject[0][0],
        "palette.accent": accent,
        "palette.colors": [c for c, _ in whole],
        "palette.shares": [s for _, s in whole],
        "palette.subject": [c for c, _ in subject],
        "region.colors": region_colours(rgb, alpha),
        "background.color": bg,
        "background.uniformity": uniformity,
    }
