"""Where a batch writes its creatives: a local folder, or an object-store URL via fsspec.

A folder gets atomic writes (temporary file and rename, `write_atomic`), so a killed batch
leaves no half-written creative under its final name; leftovers of that kind of write are
swept by the next run. An object store (`s3://`, `gs://`, ... through fsspec and its
protocol package, e.g. s3fs) gets one PUT per creative, which stores whole objects only.
Sinks are described by a string so they travel to worker processes and Ray actors.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ddm_lang.batch.plan import BatchError
from ddm_lang.files import write_atomic

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class FolderSink:
    """Creatives under a local (or shared network) folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = str(Path(root).resolve())
        self._base = Path(self.root)

    def target(self, rel: str) -> Path:
        path = (self._base / rel).resolve()
        if not path.is_relative_to(self._base):   # plan paths are sanitised; be sure anyway
            raise BatchError(f"{rel}: output path leaves {self.root}")
        return path

    def write(self, rel: str, data: bytes) -> None:
        write_atomic(self.target(rel), data)

    def exists(self, rel: str) -> bool:
        return self.target(rel).is_file()

    def sweep(self, rels: list[str]) -> int:
        """Remove temporary files a killed run left beside planned outputs (`write_atomic`
        names them `.<name>.<random>`); the number removed."""
        by_dir: dict[Path, set[str]] = {}
        for rel in rels:
            target = self.target(rel)
            by_dir.setdefault(target.parent, set()).add(target.name)
        removed = 0
        for folder, names in by_dir.items():
            try:
                entries = os.listdir(folder)
            except FileNotFoundError:
                continue
            for entry in entries:
                if entry.startswith(".") and entry[1:].rsplit(".", 1)[0] in names:
                    (folder / entry).unlink(missing_ok=True)
                    removed += 1
        return removed


class UrlSink:
    """Creatives as objects under an fsspec URL (`s3://bucket/prefix`)."""

    def __init__(self, root: str) -> None:
        try:
            import fsspec
        except ImportError:
            raise BatchError(f"{root}: writing to a URL needs fsspec (pip install fsspec "
                             "and the protocol's package, e.g. s3fs or gcsfs)") from None
        protocol = root.split("://", 1)[0]
        try:
            self._fs: Any = fsspec.filesystem(protocol)
        except (ImportError, ValueError) as err:
            raise BatchError(f"{root}: no fsspec filesystem for `{protocol}://` ({err})") from None
        self.root = root.rstrip("/")

    def write(self, rel: str, data: bytes) -> None:
        self._fs.pipe_file(f"{self.root}/{rel}", data)

    def exists(self, rel: str) -> bool:
        return bool(self._fs.exists(f"{self.root}/{rel}"))

    def sweep(self, rels: list[str]) -> int:
        return 0   # one PUT per object: nothing half-written to sweep


def is_url(out: str) -> bool:
    return bool(_URL.match(out)) and not out.startswith("file://")


def open_sink(out: str) -> FolderSink | UrlSink:
    if out.startswith("file://"):
        return FolderSink(out[len("file://"):])
    return UrlSink(out) if is_url(out) else FolderSink(out)
