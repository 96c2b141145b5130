"""The material library: perception records kept in one SQLite file.

A record is keyed by the image's content hash and the versions of everything that
produced it, so it is computed once per image however many products, catalogues or runs
use that image, and recomputed only when a model changes. Several processes may add at
once (a batch's workers): the database runs in WAL mode with a busy timeout, records are
computed outside any transaction and inserted in a short one, and a record that another
process inserted meanwhile is simply kept (same key, same content).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddm_lang.errors import UserError
from ddm_lang.files import cache_dir
from ddm_lang.perception import record as records
from ddm_lang.perception.materials import MAX_BYTES, MaterialError
from ddm_lang.perception.models import PROCESS_MODELS, ModelRegistry, using
from ddm_lang.scene import Material

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    sha256   TEXT NOT NULL,
    versions TEXT NOT NULL,
    record   TEXT NOT NULL,
    mask     BLOB,
    seconds  REAL NOT NULL,
    created  REAL NOT NULL,
    PRIMARY KEY (sha256, versions)
);
CREATE TABLE IF NOT EXISTS images (
    product  TEXT NOT NULL,
    role     TEXT NOT NULL,
    path     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    catalogue TEXT NOT NULL,
    PRIMARY KEY (product, path)
);
CREATE INDEX IF NOT EXISTS images_sha ON images (sha256);
"""
BUSY_MS = 60_000


def default_path() -> Path:
    """`DDM_LIBRARY`, else the user's cache folder."""
    env = os.environ.get("DDM_LIBRARY")
    if env:
        return Path(env)
    return cache_dir() / "materials.sqlite"


@dataclass(frozen=True)
class Entry:
    """A stored record: the perception record, its subject matte and what it cost."""

    sha256: str
    record: dict[str, Any]
    mask_png: bytes
    seconds: float
    cached: bool             # True when it came from the library, not from the models


class LibraryError(UserError):
    """The library file cannot be opened or written; the message names it."""


class MaterialLibrary:
    """Perception records by content hash, for one SQLite file (one connection per
    thread: sqlite3 connections must not cross threads)."""

    def __init__(self, path: Path | str | None = None, *,
                 models: ModelRegistry | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.models = models if models is not None else PROCESS_MODELS  # what perceives
        self._local = threading.local()
        self._versions: dict[str, str] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._write() as db:
                for statement in filter(str.strip, SCHEMA.split(";")):
                    db.execute(statement)
        except (OSError, sqlite3.Error) as err:
            raise LibraryError(f"{self.path}: cannot open the material library ({err})") from None

    # ---- connections -------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # ---- records -----------------------------------------------------------------------
    @property
    def versions(self) -> dict[str, str]:
        if self._versions is None:
            with using(self.models):
                self._versions = records.versions()
        return self._versions

    def lookup(self, sha256: str) -> Entry | None:
        row = self._db().execute(
            "SELECT record, mask, seconds FROM records WHERE sha256 = ? AND versions = ?",
            (sha256, records.versions_key(self.versions))).fetchone()
        if row is None:
            return None
        return Entry(sha256, json.loads(row[0]), row[1] or b"", row[2], True)

    def perceive(self, material: Material) -> Entry:
        """The material's record: from the library, else computed and stored."""
        hit = self.lookup(material.sha256)
        if hit is not None:
            return hit
        data = _read(Path(material.path))
        start = time.perf_counter()
        with using(self.models):
            result = records.perceive(material, data)
        seconds = time.perf_counter() - start
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO records VALUES (?, ?, ?, ?, ?, ?)",
                       (material.sha256, records.versions_key(self.versions),
                        json.dumps(result.record, sort_keys=True, ensure_ascii=False),
                        result.mask_png, seconds, time.time()))
        return Entry(material.sha256, result.record, result.mask_png, seconds, False)

    def link(self, catalogue: str, product: str, role: str, path: Path, sha256: str) -> None:
        """Remember that `product` uses the image at `path` (for `inspect PRODUCT`)."""
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO images VALUES (?, ?, ?, ?, ?)",
                       (product, role, str(path), sha256, catalogue))

    def images(self, key: str) -> list[tuple[str, str, str, str]]:
        """(product, role, path, sha256) rows for a product id (or the last parts of a
        path-like id), an image path or a content-hash prefix (at least 8 hex digits)."""
        db = self._db()
        rows = db.execute("SELECT product, role, path, sha256 FROM images WHERE product = ? "
                          "ORDER BY role, path", (key,)).fetchall()
        if not rows:  # a folder catalogue's ids are paths: their last parts suffice
            rows = db.execute("SELECT product, role, path, sha256 FROM images WHERE product "
                              "LIKE ? ESCAPE '\\' ORDER BY product, role, path",
                              ("%/" + _like_escape(key),)).fetchall()
        if not rows:
            rows = db.execute("SELECT product, role, path, sha256 FROM images WHERE path = ?",
                              (str(Path(key).resolve()),)).fetchall()
        if not rows and len(key) >= 8 and all(c in "0123456789abcdef" for c in key.lower()):
            rows = db.execute("SELECT product, role, path, sha256 FROM images "
                              "WHERE sha256 LIKE ? ORDER BY product", (key.lower() + "%",)).fetchall()
        return rows

    def count(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM records").fetchone()[0]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise MaterialError(f"{path}: file is larger than {MAX_BYTES // 1_000_000} MB")
        return path.read_bytes()
    except OSError as err:
        raise MaterialError(f"{path}: cannot read ({err.strerror})") from None
