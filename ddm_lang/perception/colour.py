"""Colour perception without a model: palette, region colours, the background colour.

Recolor derives a creative's colours from these (a tint of the product's dominant colour,
ink that contrasts with the region under the text), so they are measured on what a viewer
sees: the subject's own colours apart from the backdrop's, and the colour of each region
where copy might sit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from ddm_lang.semantics.values import Color

THUMB = 96           # palette statistics on a thumbnail this size
PALETTE_SIZE = 6
MIN_SHARE = 0.04     # a colour under this share of the pixels is noise, not palette
REGION_GRID = 3      # region colours on a 3 × 3 grid
BORDER = 0.04        # the border band, as a fraction of the short side
PLAIN_DISTANCE = 28.0  # RGB distance within which border pixels count as the same colour
PLAIN_SHARE = 0.9      # share of such border pixels for a plain background


def hex_colour(rgb: np.ndarray | tuple[float, ...]) -> str:
    """An 8-bit RGB triple as the #rrggbb the language's colour values use."""
    return Color(*(float(c) / 255.0 for c in rgb[:3])).hex()


def palette(rgb: np.ndarray, weight: np.ndarray | None = None) -> list[tuple[str, float]]:
    """The image's main colours with their shares, most frequent first (median cut on a
    thumbnail; pixels where `weight` is False are left out)."""
    img = Image.fromarray(rgb)
    img.thumbnail((THUMB, THUMB), Image.Resampling.BILINEAR)
    pixels = np.asarray(img).reshape(-1, 3)
    if weight is not None:
        w = np.asarray(Image.fromarray(weight.astype(np.uint8) * 255).resize(
            img.size, Image.Resampling.NEAREST)).reshape(-1) > 127
        if w.sum() >= 16:
            pixels = pixels[w]
    strip = Image.fromarray(pixels.reshape(1, -1, 3))
    quant = strip.quantize(colors=PALETTE_SIZE, method=Image.Quantize.MEDIANCUT)
    indices = np.asarray(quant).reshape(-1)
    counts = np.bincount(indices, minlength=PALETTE_SIZE)
    out = []
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


def region_colours(rgb: np.ndarray) -> list[list[str]]:
    """Mean colour of each cell of a 3 × 3 grid, rows top to bottom."""
    h, w = rgb.shape[:2]
    out = []
    for i in range(REGION_GRID):
        row = []
        for j in range(REGION_GRID):
            cell = rgb[i * h // REGION_GRID:(i + 1) * h // REGION_GRID,
                       j * w // REGION_GRID:(j + 1) * w // REGION_GRID]
            row.append(hex_colour(cell.reshape(-1, 3).mean(axis=0)))
        out.append(row)
    return out


def border_pixels(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    b = max(1, round(min(h, w) * BORDER))
    return np.concatenate([rgb[:b].reshape(-1, 3), rgb[-b:].reshape(-1, 3),
                           rgb[b:-b, :b].reshape(-1, 3), rgb[b:-b, -b:].reshape(-1, 3)])


def background(rgb: np.ndarray) -> tuple[str, float]:
    """The backdrop's colour (the border band's median) and the share of border pixels
    close to it (1.0 for a studio backdrop, low for a scene)."""
    border = border_pixels(rgb).astype(np.float32)
    median = np.median(border, axis=0)
    close = np.linalg.norm(border - median, axis=1) <= PLAIN_DISTANCE
    return hex_colour(median), round(float(close.mean()), 4)


def perceive_colour(rgb: np.ndarray, subject_mask: np.ndarray | None) -> dict[str, Any]:
    whole = palette(rgb)
    subject = palette(rgb, subject_mask) if subject_mask is not None and subject_mask.any() \
        else whole
    frequent = [c for c, share in subject if share >= 0.1] or [subject[0][0]]
    accent = max(frequent, key=saturation)
    bg, uniformity = background(rgb)
    return {
        "palette.dominant": subject[0][0],
        "palette.accent": accent,
        "palette.colors": [c for c, _ in whole],
        "palette.shares": [s for _, s in whole],
        "palette.subject": [c for c, _ in subject],
        "region.colors": region_colours(rgb),
        "background.color": bg,
        "background.uniformity": uniformity,
    }
