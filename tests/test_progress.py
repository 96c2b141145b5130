"""The progress line of long commands: counts, rate and time left, on a terminal and in logs."""

from __future__ import annotations

import io
import re

from ddm_lang.progress import Progress, _duration


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_lines_every_tenth_with_rate_and_eta() -> None:
    out = io.StringIO()
    progress = Progress(20, "batch", out)
    for _ in range(20):
        progress.advance()
    progress.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 11  # the first item, then one per tenth of the work
    assert re.fullmatch(r"batch: 1/20 \([\d.]+/s, ETA \d+:\d\d\)", lines[0])
    assert lines[1].startswith("batch: 2/20 (")
    assert lines[-1].startswith("batch: 20/20") and lines[-1].endswith("ETA 0:00)")


def test_terminal_redraws_one_line_with_a_bar() -> None:
    out = _Terminal()
    progress = Progress(4, "perceiving", out)
    progress.advance("a.jpg")
    progress.advance("b.jpg")
    progress.close()
    frames = out.getvalue().split("\r")[1:]
    assert len(frames) == 2 and out.getvalue().endswith("\n")
    assert "[" + "#" * 15 + "-" * 15 + "] 2/4" in frames[-1]
    assert "ETA " in frames[-1] and "b.jpg" in frames[-1]


def test_durations_read_as_clock_time() -> None:
    assert _duration(42.4) == "0:42"
    assert _duration(725) == "12:05"
    assert _duration(12_000) == "3:20:00"
    assert _duration(-3) == "0:00"
