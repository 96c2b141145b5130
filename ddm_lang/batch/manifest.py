"""The batch manifest: one JSON line per finished creative, the record a resume reads.

Lines are appended as creatives finish, each handed to the OS at once (a killed process
loses none) and synced to disk in small groups (a power cut loses at most the last few,
whose creatives are simply made again). A line torn
by the kill is not JSON and is ignored on reading; the next run starts on a fresh line.
The last line for a key wins, so a creative that failed and later succeeded reads as done.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO, Any

SYNC_EVERY = 32        # lines between fsyncs
SYNC_SECONDS = 2.0     # ... or seconds, whichever comes first


def read(path: Path) -> tuple[dict[str, dict[str, Any]], int]:
    """Rows by key (last one wins) and the number of unreadable lines skipped."""
    rows: dict[str, dict[str, Any]] = {}
    bad = 0
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return rows, 0
    with fh:
        for raw in fh:
            try:
                row = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                bad += 1   # a torn or foreign line: its creative is made again
                continue
            if isinstance(row, dict) and isinstance(row.get("key"), str):
                rows[row["key"]] = row
            else:
                bad += 1
    return rows, bad


class Writer:
    """Appends rows to the manifest; `close` (or leaving the `with`) syncs the rest."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh: IO[bytes] = path.open("ab")
        self._pending = 0
        self._synced = time.monotonic()
        if self._fh.tell() > 0 and not _ends_with_newline(path):
            self._fh.write(b"\n")   # a line torn by a kill stays on its own

    def write(self, row: dict[str, Any]) -> None:
        self._fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8")
                       + b"\n")
        self._fh.flush()
        self._pending += 1
        if self._pending >= SYNC_EVERY or time.monotonic() - self._synced > SYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._pending = 0
        self._synced = time.monotonic()

    def close(self) -> None:
        if not self._fh.closed:
            self.sync()
            self._fh.close()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"
