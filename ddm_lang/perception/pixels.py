"""Decoding an image material into the pixels perception works on.

Perceivers look at a working copy no larger than WORK_SIDE on its long side: every model
resizes to far less anyway, and colour statistics do not change with resolution, while a
24-megapixel photo would cost seconds per perceiver. The header is checked first (through
`materials.load_material`'s limits), so a decompression bomb never reaches the decoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ddm_lang.perception.materials import MAX_PIXELS, MaterialError, opened

WORK_SIDE = 1024


@dataclass(frozen=True)
class Pixels:
    """An image as perception sees it: RGB, the alpha channel when the file has one (else
    None), and the size of the original file (boxes are reported relative to it)."""

    rgb: np.ndarray            # (h, w, 3) uint8
    alpha: np.ndarray | None   # (h, w) uint8
    width: int                 # original pixel size
    height: int

    @property
    def scale(self) -> float:
        """Working-copy pixels per original pixel."""
        return self.rgb.shape[1] / self.width


def decode(data: bytes, name: str, work_side: int = WORK_SIDE) -> Pixels:
    """Decode PNG/JPEG/WebP bytes (EXIF orientation applied), refusing bombs, downscaled to
    the working size. Errors name the file."""
    with opened(data, name) as img:
        if img.width * img.height > MAX_PIXELS:
            raise MaterialError(f"{name}: {img.width}x{img.height} is more than "
                                f"{MAX_PIXELS // 1_000_000} megapixels")
        full_w, full_h = img.size  # before draft(): the file's own size, oriented below
        if img.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            full_w, full_h = full_h, full_w
        img.draft("RGB", (work_side, work_side))  # JPEG: decode at a reduced scale
        img = ImageOps.exif_transpose(img)
        img.load()
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        rgba = img.convert("RGBA" if has_alpha else "RGB")
    if max(rgba.size) > work_side:
        rgba.thumbnail((work_side, work_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    arr = np.asarray(rgba)
    if has_alpha:
        return Pixels(np.ascontiguousarray(arr[..., :3]), np.ascontiguousarray(arr[..., 3]),
                      full_w, full_h)
    return Pixels(arr, None, full_w, full_h)


def decode_file(path: Path, work_side: int = WORK_SIDE) -> Pixels:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise MaterialError(f"{path}: cannot read ({err.strerror})") from None
    return decode(data, str(path), work_side)
