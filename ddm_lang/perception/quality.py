"""Sharpness and light direction, measured with numpy.

Sharpness is the variance of the Laplacian on a fixed-size grey copy (so it does not grow
with resolution), mapped to 0..1. Light direction is where the subject's shading says the
light comes from: the mean luminance gradient over the subject points from its dark side
to its lit side; the shadow operation casts away from it.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
from PIL import Image

GREY_SIDE = 512
SHARP_HALF = 150.0     # Laplacian variance that maps to sharpness 0.5
MIN_LIGHT = 0.02       # weaker mean gradient (0..1 luminance per pixel × side): no direction


def grey(rgb: np.ndarray, side: int = GREY_SIDE) -> np.ndarray:
    img = Image.fromarray(rgb).convert("L")
    if max(img.size) > side:
        img.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(img, np.float32)


def sharpness(rgb: np.ndarray) -> float:
    g = grey(rgb)
    if min(g.shape) < 3:
        return 0.0
    lap = (g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1])
    v = float(lap.var())
    return round(v / (v + SHARP_HALF), 4)


def light(rgb: np.ndarray, mask: np.ndarray | None) -> dict[str, Any]:
    """`light.direction` in degrees clockwise from the top (0 = light from above, 90 =
    from the right) and `light.strength` 0..1; front light (no gradient) reads as 0°."""
    g = grey(rgb, 256) / 255.0
    h, w = g.shape
    gy, gx = cast(tuple[np.ndarray, np.ndarray], np.gradient(g))  # g is 2-D
    if mask is not None and mask.any():
        m = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(
            (w, h), Image.Resampling.NEAREST)) > 127
    else:
        m = np.ones_like(g, bool)
    if m.sum() < 16:
        return {"light.direction": 0.0, "light.strength": 0.0}
    # Gradient points toward brighter pixels: toward the light. Image y grows downward.
    vx, vy = float(gx[m].mean()) * max(h, w), float(gy[m].mean()) * max(h, w)
    strength = math.hypot(vx, vy)
    if strength < MIN_LIGHT:
        return {"light.direction": 0.0, "light.strength": round(strength, 4)}
    direction = math.degrees(math.atan2(vx, -vy)) % 360.0
    return {"light.direction": round(direction, 1), "light.strength": round(min(strength, 1.0), 4)}
