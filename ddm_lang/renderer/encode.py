"""Encoding pixels to PNG, JPEG or WebP, and atomic file writes.

WebP uses skia's encoder. JPEG uses Pillow's libjpeg-turbo fed the RGBX pixels as they
are, with optimised Huffman tables: the same size and quality as skia's JPEG at the same
quality setting (both 4:2:0) in a third of its time (≈4 ms at 1080²), since a batch of
JPEG creatives would otherwise spend a quarter of its time encoding. PNG uses Pillow's
zlib at level 4 and drops the alpha channel of opaque images: at 1080² that is as small as
skia's PNG (within 1 %) in 40 % of its time.
"""

from __future__ import annotations

import io

import numpy as np
import skia
from PIL import Image

from ddm_lang.errors import SettingError

from .raster import all_opaque

FORMATS = {"png": skia.EncodedImageFormat.kPNG, "jpg": skia.EncodedImageFormat.kJPEG,
           "jpeg": skia.EncodedImageFormat.kJPEG, "webp": skia.EncodedImageFormat.kWEBP}
PNG_ZLIB_LEVEL = 4


def encode(pixels: np.ndarray, fmt: str, quality: int = 90) -> bytes:
    """Encode an H×W×4 RGBA array; JPEG has no alpha, so it is composited on white."""
    kind = FORMATS.get(fmt.lower())
    if kind is None:
        raise SettingError(f"unknown image format `{fmt}`: use png, jpg or webp")
    if not 1 <= quality <= 100:
        raise SettingError(f"quality {quality} is outside 1..100")
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
        raise ValueError(f"expected an H×W×4 uint8 RGBA array, got {pixels.shape} {pixels.dtype}")
    rgba = np.ascontiguousarray(pixels)
    if kind == skia.EncodedImageFormat.kPNG:
        return _png(rgba)
    # JPEG: composite on white, unless the image is opaque (most creatives: a backdrop),
    # where that is the identity and would cost twice the encoding itself.
    if kind == skia.EncodedImageFormat.kJPEG and not all_opaque(rgba):
        alpha = rgba[..., 3:4].astype(np.uint16)
        rgb = (rgba[..., :3].astype(np.uint16) * alpha + 255 * (255 - alpha)) // 255
        rgba = np.concatenate([rgb.astype(np.uint8), np.full_like(rgba[..., :1], 255)], axis=2)
    if kind == skia.EncodedImageFormat.kJPEG:
        return _jpeg(rgba, quality)
    image = skia.Image.fromarray(rgba, colorType=skia.ColorType.kRGBA_8888_ColorType,
                                 alphaType=skia.AlphaType.kUnpremul_AlphaType)
    data = image.encodeToData(kind, quality)
    if data is None:
        raise ValueError(f"the {fmt} encoder failed")
    return bytes(data)


def _jpeg(rgba: np.ndarray, quality: int) -> bytes:
    height, width = rgba.shape[:2]
    image = Image.frombuffer("RGBX", (width, height), rgba, "raw", "RGBX", 0, 1)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _png(rgba: np.ndarray) -> bytes:
    opaque = all_opaque(rgba)
    image = Image.fromarray(rgba[..., :3] if opaque else rgba, "RGB" if opaque else "RGBA")
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=PNG_ZLIB_LEVEL)
    return out.getvalue()
