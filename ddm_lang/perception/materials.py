"""Image materials: content-hashed, size-checked, read only from allowed folders.

The header is read without decoding the pixels, so a decompression bomb is refused before
it costs memory; the hash identifies the material for caching perception and outputs.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image

from ddm_lang.errors import UserError
from ddm_lang.scene import Material

MAX_PIXELS = 50_000_000
MAX_BYTES = 100_000_000
_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
_cache: dict[tuple[str, int, int], Material] = {}
_lock = threading.Lock()
_OBJECT_REPR = re.compile(r"\s*<[\w.]+ object at 0x[0-9a-fA-F]+>")


class MaterialError(UserError):
    """An image that cannot be used; the message names the file."""


def load_material(path: str | Path, roots: tuple[Path, ...], *, shown: str | None = None
                  ) -> Material:
    """The material for an image file, refusing files outside `roots` and oversized images.

    Messages name the file as `shown` (a product's own image path, say) when given, so a
    server's or worker's absolute folders never reach a message that a client reads.
    """
    p = Path(path)
    name = str(path) if shown is None else shown
    real = p.resolve()
    allowed = tuple(Path(r).resolve() for r in roots)
    if allowed and not any(real.is_relative_to(r) for r in allowed):
        folders = f" ({', '.join(map(str, allowed))})" if shown is None else ""
        raise MaterialError(f"{name}: outside the allowed folders{folders}")
    try:
        st = real.stat()
    except OSError:
        raise MaterialError(f"{name}: image file not found") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise MaterialError(f"{name}: is {kind}, not an image file")
    key = (str(real), st.st_mtime_ns, st.st_size)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    if st.st_size > MAX_BYTES:
        raise MaterialError(f"{name}: file is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        data = real.read_bytes()
    except OSError as err:
        raise MaterialError(f"{name}: cannot read: {err.strerror or 'error'}") from None
    material = _probe(data, str(real), name)
    with _lock:
        _cache[key] = material
    return material


def _probe(data: bytes, real: str, shown: str) -> Material:
    if data.lstrip()[:5] in (b"<?xml", b"<svg ") or data.lstrip()[:4] == b"<svg":
        raise MaterialError(f"{shown}: SVG materials are not supported yet; use PNG, JPEG or WebP")
    with opened(data, shown) as img:
        fmt = _FORMATS.get(img.format or "")
        width, height = img.size
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    if fmt is None:
        raise MaterialError(f"{shown}: unsupported image format; use PNG, JPEG or WebP")
    if width * height > MAX_PIXELS:
        raise MaterialError(f"{shown}: {width}x{height} is more than "
                            f"{MAX_PIXELS // 1_000_000} megapixels")
    return Material(real, hashlib.sha256(data).hexdigest(), width, height, fmt, has_alpha)


@contextmanager
def opened(data: bytes, shown: str) -> Iterator[Image.Image]:
    """Image bytes opened by Pillow with its decompression-bomb warning raised as an error,
    and anything Pillow cannot read (here or in the caller's body) a MaterialError naming
    the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                yield img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MaterialError(f"{shown}: image is too large (decompression bomb guard)") from None
    except (OSError, SyntaxError, ValueError) as err:
        reason = _OBJECT_REPR.sub("", str(err))
        raise MaterialError(f"{shown}: not a readable PNG, JPEG or WebP image ({reason})") from None


def header_record(material: Material, index: int | None = None) -> dict[str, Any]:
    """The `header` perceiver: what the file itself says, no model needed; with `index`, also
    the image's position in the list it is selected from. That is not a property of the file
    (the library's cached record leaves it out) but of the feed: merchant feeds list the main
    (front) view first (Google Merchant `image_link`, then `additional_image_link`), so
    `prefer index asc` keeps the merchant's chosen view ahead of a sharper back shot."""
    record: dict[str, Any] = {
        "width": float(material.width),
        "height": float(material.height),
        "aspect": material.width / material.height if material.height else 0.0,
        "megapixels": material.width * material.height / 1e6,
        "format": material.format,
        "has_alpha": material.has_alpha,
        "src": material.path,
    }
    if index is not None:
        record["index"] = float(index)
    return record
