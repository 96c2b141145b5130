"""Generated images (an extended photo, ...) in a content-addressed store.

An operation that makes new pixels must give the same bytes for the same input every
time (SVG output is deterministic, and a batch of thousands of creatives must not redo the
work per creative), so its result is stored under a key derived from everything that
determines it: the input's content hash, the parameters and the method's version. Files
live in the environment's store (`<library folder>/generated/` by default, `$DDM_GENERATED`),
sharded by the key's first two hex digits, and are written atomically (a temporary file
in the same folder, then a rename), so concurrent workers computing the same key each
leave one complete file and a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ddm_lang.files import write_atomic


def key(*parts: str) -> str:
    """The store key for a result determined by `parts` (hashes, parameters, versions)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def path_for(store: Path, digest: str, suffix: str) -> Path:
    return store / digest[:2] / f"{digest}.{suffix}"


def lookup(store: Path, digest: str, suffix: str) -> Path | None:
    """The file stored in `store` for `digest`, or None."""
    path = path_for(store, digest, suffix)
    return path if path.is_file() else None


def put(store: Path, digest: str, suffix: str, data: bytes) -> Path:
    """Store `data` under `digest` in `store` atomically and return its path."""
    path = path_for(store, digest, suffix)
    try:
        write_atomic(path, data)
    except OSError as err:
        raise OSError(f"{path.parent}: cannot store a generated image ({err.strerror})") from None
    return path
