"""Generated images (an extended photo, ...) in a content-addressed store.

An operation that makes new pixels must give the same bytes for the same input every
time (SVG output is deterministic, and a batch of thousands of creatives must not redo the
work per creative), so its result is stored under a key derived from everything that
determines it: the input's content hash, the parameters and the method's version. Files
live next to the material library (`<library folder>/generated/`, or `$DDM_GENERATED`),
sharded by the key's first two hex digits, and are written atomically (a temporary file
in the same folder, then a rename), so concurrent workers computing the same key each
leave one complete file and a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ddm_lang.files import write_atomic
from ddm_lang.perception.library import default_path


def store_dir() -> Path:
    """`DDM_GENERATED`, else `generated/` beside the material library."""
    env = os.environ.get("DDM_GENERATED")
    return Path(env) if env else default_path().parent / "generated"


def key(*parts: str) -> str:
    """The store key for a result determined by `parts` (hashes, parameters, versions)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def path_for(digest: str, suffix: str) -> Path:
    return store_dir() / digest[:2] / f"{digest}.{suffix}"


def lookup(digest: str, suffix: str) -> Path | None:
    """The stored file for `digest`, or None."""
    path = path_for(digest, suffix)
    return path if path.is_file() else None


def put(digest: str, suffix: str, data: bytes) -> Path:
    """Store `data` under `digest` atomically and return its path."""
    path = path_for(digest, suffix)
    try:
        write_atomic(path, data)
    except OSError as err:
        raise OSError(f"{path.parent}: cannot store a generated image ({err.strerror})") from None
    return path
