"""Reading rendered pixels in tests."""

from __future__ import annotations

import numpy as np


def px(img: np.ndarray, x: int, y: int) -> tuple[int, ...]:
    """The pixel at column x, row y as plain ints (so assertions print and compare simply)."""
    return tuple(int(v) for v in img[y, x])
