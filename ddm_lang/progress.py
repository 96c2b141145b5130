"""A progress bar on stderr for long commands (`materials add`, batches).

On a terminal it redraws one line; elsewhere (CI logs, pipes) it prints a line every
tenth of the work, so logs stay short and still show that work moves.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.done = 0
        self.start = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_decile = -1

    def advance(self, note: str = "") -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = f"ETA {_duration((self.total - self.done) / rate)}" if rate > 0 else "ETA ?"
        if self.tty:
            width = 30
            filled = round(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} "
                              f"{rate:.1f}/s {eta} {note[:32]:<32}")
            self.stream.flush()
            return
        decile = self.done * 10 // self.total if self.total else 10
        if decile != self._last_decile:
            self._last_decile = decile
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({rate:.1f}/s, "
                              f"{eta})\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    """0:42, 12:05, 3:20:00: what a person reads off an ETA."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
