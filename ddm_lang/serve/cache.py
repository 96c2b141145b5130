"""The response cache: a key naming everything a creative depends on, and two stores.

The key is a hash of the package version, the perception model versions, the template's
sources, the product record, the content hash of every image the product names, the
format, the output type, the quality (lossy types only) and the seed. Any change to any of
them is a new key, so nothing is ever invalidated by hand: a reloaded template or an
edited product simply stops matching its old entries. The key is also the ETag, so a CDN
or browser that revalidates gets a 304 without a render.

Two stores: an in-memory LRU bounded by bytes (repeats in this worker) and an on-disk
content-addressed store (repeats across restarts and worker processes), written
atomically so a crash never leaves half an image to be served.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..lru import ByteLRU
from ..perception import record as records
from ..perception.materials import load_material
from ..version import __version__

_perception_versions: str | None = None


def perception_versions() -> str:
    global _perception_versions
    if _perception_versions is None:
        _perception_versions = records.versions_key(records.versions())
    return _perception_versions


def material_hashes(product: dict[str, Any], base_dir: Path) -> list[str]:
    """Content hashes of the product's images and logos (cached per file by mtime/size).

    Raises MaterialError naming a file that is missing, unreadable or outside `base_dir`.
    """
    paths = list(product.get("images") or [])
    brand = product.get("brand")
    if isinstance(brand, dict):
        paths += list(brand.get("logos") or [])
    return [load_material(base_dir / p, (base_dir,), shown=p).sha256 for p in paths]


def cache_key(*, template_version: str, product_hash: str, materials: list[str],
              format_name: str, ext: str, quality: int | None, seed: int) -> str:
    parts = {"ddm": __version__, "perception": perception_versions(),
             "template": template_version, "product": product_hash, "materials": materials,
             "format": format_name, "ext": ext, "quality": quality, "seed": seed}
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class MemoryCache:
    """Least-recently-used responses, evicted once their total size passes `max_bytes`; a
    response larger than the whole cache is not kept."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: ByteLRU[str, bytes] = ByteLRU(max_bytes)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._entries.size

    def get(self, key: str) -> bytes | None:
        return self._entries.get(key)

    def put(self, key: str, data: bytes) -> None:
        if len(data) <= self._entries.limit:
            self._entries.put(key, data, len(data))


class DiskCache:
    """Responses as files named by their key (`ab/cdef….png`), written atomically.

    Nothing is pruned here: entries are immutable and a key never changes meaning, so a
    periodic `find CACHE_DIR -type f -atime +30 -delete` is a safe way to bound it.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str, ext: str) -> Path:
        if not (len(key) == 64 and all(c in "0123456789abcdef" for c in key)):
            raise ValueError(f"not a cache key: {key!r}")
        return self.root / key[:2] / f"{key[2:]}.{ext}"

    def get(self, key: str, ext: str) -> bytes | None:
        try:
            return self.path(key, ext).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, ext: str, data: bytes) -> None:
        write_atomic(self.path(key, ext), data)
