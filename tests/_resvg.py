"""resvg as the reference renderer in tests: its pixels for an SVG, and the conformance rule's
two figures for a pair of images (so every agreement test scores alike)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ddm_lang.renderer.fonts import FontRegistry


def resvg_pixels(svg: str, *, registry_fonts: bool = False, **options: Any) -> np.ndarray:
    """resvg's RGBA rendering; with registry_fonts, only the default registry's font files
    (the same faces our renderer draws with) and no system fonts."""
    resvg_py = pytest.importorskip("resvg_py")
    if registry_fonts:
        options = {"skip_system_fonts": True,
                   "font_files": [str(p) for p in FontRegistry.default().font_files()],
                   **options}
    png = resvg_py.svg_to_bytes(svg_string=svg, **options)
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))


def on_white(rgba: np.ndarray) -> np.ndarray:
    x = rgba.astype(np.float32) / 255
    return x[..., :3] * x[..., 3:4] + (1 - x[..., 3:4])


def difference(ours: np.ndarray, theirs: np.ndarray) -> tuple[float, float]:
    """(mean of the max-over-RGB difference, fraction of pixels off by more than 0.25),
    both images composited on white: the conformance benchmark's rule."""
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    diff = np.abs(on_white(ours) - on_white(theirs)).max(axis=2)
    return float(diff.mean()), float((diff > 0.25).mean())
