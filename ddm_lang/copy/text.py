"""Measuring and breaking copy: how wide a string is, how it wraps, where it may be cut.

The writer has to promise that a caption fits its box before any font is shaped, so it
works with a simple width model the binder can reproduce from the box and the font size:

- `chars_per_line` is the number of full-width (CJK) characters a line holds, i.e. the box
  width divided by the font size (1 em per CJK character);
- a wide character (East Asian Width W or F) counts 1, any other visible character
  `NARROW` (0.55 em: the average advance of Latin text in Inter and Noto Sans), a
  combining mark 0.

Lines break only at the opportunities `segment.line_units` gives, the same ones the
fitter (`layout/text.py`) takes: between words, never inside a Latin word or a CJK word
(保温 stays whole), never before closing punctuation (`，。！？、）` and the like) nor
after opening punctuation, not after an in-word hyphen ("T-Shirt"), not before a dash,
not between a number and its unit ("11 oz"). A caption fits when this greedy wrap gives
at most `max_lines` lines, none wider than `chars_per_line`; a unit wider than a line
does not fit at all (the fitter would have to break it between characters).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .segment import line_units, word_boundaries

NARROW = 0.55
# The most characters of one text that copy and layout work on. Segmenting, wrapping and
# shortening cost at least linear time per candidate, and a box never shows this much, so
# longer product text (a pasted description as a title) is cut before any of that work.
MAX_TEXT_CHARS = 2_000


def is_wide(ch: str) -> bool:
    """A full-width character: CJK ideographs, kana, hangul, full-width punctuation."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def char_width(ch: str) -> float:
    if unicodedata.combining(ch):
        return 0.0
    return 1.0 if is_wide(ch) else NARROW


def width(text: str) -> float:
    """Width of `text` in full-width characters (ems)."""
    return sum(char_width(c) for c in text)


def wrap(text: str, chars_per_line: float) -> list[str] | None:
    """Greedy line breaking at `segment.line_units`; None when one unit is wider than a
    line. A line's width leaves out its trailing spaces."""
    units = [(width(u), width(u.rstrip()), u) for u in line_units(text.strip())]
    return greedy(units, chars_per_line) if units else []


def greedy(units: Sequence[tuple[float, float, str]], line_width: float) -> list[str] | None:
    """The greedy lines of one paragraph, given its break units as (width with trailing
    spaces, width without, text): a unit goes on the line while the line, its trailing
    spaces left out, stays within `line_width`. None when a unit alone is wider. The
    width model's wrap and the fitter's measured one share it, so they break alike."""
    lines: list[str] = []
    line, used = "", 0.0  # `used` counts the line's trailing spaces, which a next unit keeps
    for full, trim, unit in units:
        if trim > line_width + 1e-9:
            return None
        if line and used + trim > line_width + 1e-9:
            lines.append(line.rstrip())
            line, used = "", 0.0
        line += unit
        used += full
    lines.append(line.rstrip())
    return lines


def fits(text: str, chars_per_line: float, max_lines: int) -> bool:
    """Whether `text` wraps into at most `max_lines` lines of `chars_per_line`."""
    if "\n" in text:
        return False
    if len(text) * NARROW > chars_per_line * max_lines + 1e-9 and \
            width("".join(text.split())) > chars_per_line * max(0, max_lines) + 1e-9:
        return False  # wider than every line together, trailing spaces aside: no segmenting
    lines = wrap(text, chars_per_line)
    return lines is not None and len(lines) <= max(0, max_lines)


def normalise(text: str) -> str:
    """Comparison form: NFKC, case-folded, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if c.isalnum())


def bounded(text: str, limit: int = MAX_TEXT_CHARS, mark: str = "") -> str:
    """`text` cut to at most `limit` characters (then `mark` added) between two words: at
    its last space in the final tenth, else at a CJK word's end, else before a combining
    mark. Cheap whatever the length: only a short tail is ever segmented."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    if space >= limit * 0.9:
        return head[:space].rstrip() + mark
    tail = max(0, limit - 64)
    ends = [tail + b for b in word_boundaries(text[tail:limit + 1]) if tail + b <= limit]
    cut = max(ends, default=limit)
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + mark
