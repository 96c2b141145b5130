"""Text fitting: the largest size in range whose wrapped lines fit the box.

Words wrap at spaces; CJK text breaks between characters, keeping closing punctuation off
line starts and opening punctuation off line ends; a word wider than the line breaks
between characters. When the text cannot fit at the minimum size, the last line that fits
ends with an ellipsis rather than the size dropping below the minimum.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

Measure = Callable[[str, float], float]  # (text, size) -> width px

ELLIPSIS = "…"
_CLOSING = set("，。、；：！？）》」』】〕〉”’,.;:!?)]}%")
_OPENING = set("（《「『【〔〈“‘([{")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
STEP = 0.5


@dataclass(frozen=True)
class TextLayout:
    size: float
    lines: tuple[str, ...]
    line_height: float     # px between baselines
    ellipsized: bool


def tokens(text: str) -> list[str]:
    """Break opportunities: words with their trailing space, CJK characters one by one."""
    return list(_tokens(text))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """`tokens`, memoised: fitting wraps the same paragraph at every size it tries."""
    out: list[str] = []
    for part in re.findall(r"[^\s-]+-+\s*|[^\s-]*-*[^\s-]+\s*|-+\s*|\s+", text):
        buf = ""
        for ch in part:
            if _CJK.match(ch):
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(ch)
            else:
                buf += ch
        if buf:
            out.append(buf)
    merged: list[str] = []
    for tok in out:
        if (merged and tok.strip() and tok[0] in _CLOSING and len(tok.strip()) == 1) or (merged and merged[-1].strip() and merged[-1].strip()[-1] in _OPENING and len(
                merged[-1].strip()) == 1):
            merged[-1] += tok
        else:
            merged.append(tok)
    return tuple(merged)


def wrap(text: str, width: float, size: float, measure: Measure,
         strict: bool = False) -> list[str] | None:
    """Greedy wrap; a line exceeds `width` only if a single character does.

    With `strict`, a word that would have to break between letters gives None instead:
    fitting prefers a smaller size to a broken word.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for tok in _tokens(paragraph):
            if measure((line + tok).rstrip(), size) <= width:
                line += tok
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            tok = tok.lstrip()
            if measure(tok.rstrip(), size) <= width:
                line = tok
                continue
            if strict:
                return None
            for ch in tok:  # wider than a line: break between characters
                if line and measure((line + ch).rstrip(), size) > width:
                    lines.append(line.rstrip())
                    line = ""
                if line or not ch.isspace():
                    line += ch
        lines.append(line.rstrip())
    return lines


def _fits(lines: list[str], size: float, width: float, height: float, max_lines: int | None,
          line_height: float, measure: Measure) -> bool:
    if max_lines is not None and len(lines) > max_lines:
        return False
    if len(lines) * size * line_height > height + 1e-6:
        return False
    return all(measure(line, size) <= width + 1e-6 for line in lines)


def fit_text(text: str, width: float, height: float, size_min: float, size_max: float,
             measure: Measure, max_lines: int | None = None,
             line_height: float = 1.2) -> TextLayout:
    """Largest size in [size_min, size_max] (to 0.5 px) at which the text fits the box."""
    if size_min <= 0 or size_max < size_min:
        raise ValueError(f"font size range {size_min}..{size_max} is empty")
    steps = math.floor((size_max - size_min) / STEP + 1e-9)
    # The tolerance above may put the last step a hair past the maximum: clamp it.
    sizes = [min(size_min + i * STEP, size_max) for i in range(steps + 1)]
    if sizes[-1] < size_max - 1e-9:
        sizes.append(size_max)
    lo, hi, best = 0, len(sizes) - 1, -1
    while lo <= hi:
        mid = (lo + hi) // 2
        lines = wrap(text, width, sizes[mid], measure, strict=True)
        if lines is not None and _fits(lines, sizes[mid], width, height, max_lines, line_height,
                                       measure):
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    if best >= 0:
        size = sizes[best]
        fitted = wrap(text, width, size, measure, strict=True) or []
        return TextLayout(size, tuple(fitted), size * line_height, False)
    return _ellipsize(text, width, height, size_min, measure, max_lines, line_height)


def _ellipsize(text: str, width: float, height: float, size: float, measure: Measure,
               max_lines: int | None, line_height: float) -> TextLayout:
    lines = wrap(text, width, size, measure) or [""]
    room = math.floor(height / (size * line_height) + 1e-6)
    if max_lines is not None:
        room = min(room, max_lines)
    if room < 1:
        raise ValueError(f"the box is {height:.0f}px tall, less than one line at the minimum "
                         f"size {size:g}px")
    if len(lines) <= room and all(measure(line, size) <= width + 1e-6 for line in lines):
        # Everything fits once an over-long word breaks between letters: no text is lost.
        return TextLayout(size, tuple(lines), size * line_height, False)
    kept = lines[:room]
    last = kept[-1]
    while last and measure(last.rstrip() + ELLIPSIS, size) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return TextLayout(size, tuple(kept), size * line_height, True)
