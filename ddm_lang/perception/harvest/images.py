"""Decoding a harvested image at full size, and the pixel measures that screen video frames.

Harvest keeps what it finds, so it decodes at full resolution (perception's decoder works on
a reduced copy); the header is checked against the project's pixel limit
(`materials.MAX_PIXELS`) before any pixel is decoded, through `materials.opened`, which also
turns Pillow's decompression-bomb guard into an error naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from ddm_lang.perception.materials import MAX_PIXELS, MaterialError, opened
from ddm_lang.perception.pixels import WORK_SIDE

BLUR_SIDE = 512
"""Sharpness is measured on a grey copy at most this long, so that it does not depend on
the frame's resolution."""


@dataclass(frozen=True)
class Decoded:
    """A decoded image: RGB or RGBA (when the file has transparency), EXIF orientation
    applied, and the file's format as Pillow names it (JPEG, PNG, WEBP, GIF...)."""

    image: Image.Image
    format: str

    @property
    def has_alpha(self) -> bool:
        return self.image.mode == "RGBA"


def decode_image(data: bytes, shown: str, *, max_pixels: int = MAX_PIXELS) -> Decoded:
    """Decode image bytes in full, refusing more than `max_pixels`; a `MaterialError`
    naming `shown` when they are not a readable image."""
    with opened(data, shown) as img:
        if img.width * img.height > max_pixels:
            raise MaterialError(f"{shown}: {img.width}x{img.height} is more than "
                                f"{max_pixels / 1_000_000:g} megapixels")
        fmt = img.format or ""
        oriented = ImageOps.exif_transpose(img)
        oriented.load()
        has_alpha = oriented.mode in ("RGBA", "LA", "PA") or "transparency" in oriented.info
        image = oriented.convert("RGBA" if has_alpha else "RGB")
    return Decoded(image, fmt)


def work_copy(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """(rgb, alpha) at perception's working size, as the suitability classifier expects."""
    small = image.copy()
    if max(small.size) > WORK_SIDE:
        small.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    arr = np.asarray(small)
    if small.mode == "RGBA":
        return np.ascontiguousarray(arr[..., :3]), np.ascontiguousarray(arr[..., 3])
    return arr, None


def _grey(rgb: np.ndarray, side: int = BLUR_SIDE) -> np.ndarray:
    img = Image.fromarray(rgb).convert("L")
    if max(img.size) > side:
        img.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(img, dtype=np.float32)


def laplacian_variance(rgb: np.ndarray) -> float:
    """The variance of the 4-neighbour Laplacian of the grey image at `BLUR_SIDE`: the
    usual focus measure (Pech-Pacheco et al., 2000). Sharp product photos measure 30 to 400
    at this size, the same photos under a 4 px Gaussian blur 1 to 6."""
    g = _grey(rgb)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return 0.0
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


def flat_or_dark(rgb: np.ndarray, *, dark_level: float = 32.0, dark_share: float = 0.95,
                 flat_std: float = 6.0) -> str | None:
    """Why a frame shows nothing, or None: "near-black" when `dark_share` of its pixels are
    darker than `dark_level` (fades, the black before a cut), "near-uniform" when its grey
    levels vary by less than `flat_std` (a title card's flat colour, a white flash)."""
    g = _grey(rgb, 256)
    if float(np.percentile(g, 100 * dark_share)) < dark_level:
        return "near-black"
    if float(g.std()) < flat_std:
        return "near-uniform"
    return None
