"""Text fitting: the largest size in range whose wrapped lines fit the box, set well.

Lines break only where `copy.segment.line_units` allows (UAX #14 with kinsoku: no closing
punctuation or small kana at a line start, no opening punctuation at a line end; no
break inside a CJK word, after an in-word hyphen, before a dash, or between a number and
its unit), the same opportunities the caption writer's width model (`copy.text`) uses.
A unit wider than the line breaks between characters only when nothing else is possible
(at the minimum size): fitting prefers a smaller size to a broken word.

Once the size is found, the lines are *balanced* (CSS `text-wrap: balance`): a text of 2
to 6 lines is set at the narrowest width that keeps its line count, so a two-line
headline reads as two similar lines rather than a full line and a stub. Balance leaves
few orphans (`line_defects`: a last line of one CJK character, or of one short word
under three or more); one it leaves takes the last words of the line above while the
box's width allows (CSS `text-wrap: pretty`), then the greedy lines are tried, then the
next smaller size that sets fewer lines: an orphan stays only when no size in range does
better. When the text cannot fit at the minimum size, the last line that fits ends with
an ellipsis rather than the size dropping below the minimum.

Cost: fitting measures as it did before (a binary search over sizes, each a greedy wrap
whose measurements the font registry memoises, stopped as soon as it sets more lines than
the box holds); balancing measures each break unit once and searches on their sums, then
measures the chosen lines whole.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from uniseg.graphemecluster import grapheme_clusters

from ddm_lang.copy.segment import DASHES, cjk_at, is_cjk, line_units, word_boundaries
from ddm_lang.copy.text import bounded, greedy
from ddm_lang.copy.text import width as em_width

Measure = Callable[[str, float], float]  # (text, size) -> width px

ELLIPSIS = "…"
HYPHENS = frozenset("-‐‑")    # joining words ("T-Shirt"); an em dash between words does not
STEP = 0.5
BALANCE_LINES = range(2, 7)   # line counts that are balanced
ORPHAN_RATIO = 0.5            # a last word this share of the line above or less is an orphan
ORPHAN_ABOVE = 3              # ...when the line above holds this many break units or more


@dataclass(frozen=True)
class TextLayout:
    size: float
    lines: tuple[str, ...]
    line_height: float     # px between baselines
    ellipsized: bool


@lru_cache(maxsize=4096)
def _paragraphs(text: str) -> tuple[tuple[str, ...], ...]:
    """The break units of each paragraph (`\\n` separates them), the paragraph's outer
    spaces dropped: a line never starts with a space. Memoised: fitting wraps the same
    text at every size it tries."""
    return tuple(line_units(paragraph.strip()) for paragraph in text.split("\n"))


def wrap(text: str, width: float, size: float, measure: Measure,
         strict: bool = False, *, limit: int | None = None) -> list[str] | None:
    """Greedy wrap at the break opportunities; a line exceeds `width` only if a single
    character does.

    With `strict`, a unit that would have to break between characters gives None
    instead: fitting prefers a smaller size to a broken word. With `limit`, more lines
    than that give None as soon as they are known (fitting need not measure the rest).
    """
    lines: list[str] = []
    for units in _paragraphs(text):
        line = ""
        for unit in units:
            if measure((line + unit).rstrip(), size) <= width:
                line += unit
                continue
            if line:
                lines.append(line.rstrip())
                line = ""
                if limit is not None and len(lines) >= limit:
                    return None
            if measure(unit.rstrip(), size) <= width:
                line = unit
                continue
            if strict:
                return None
            for cluster in grapheme_clusters(unit):  # wider than a line: between characters
                if line and measure((line + cluster).rstrip(), size) > width:
                    lines.append(line.rstrip())
                    line = ""
                if line or not cluster.isspace():
                    line += cluster
        lines.append(line.rstrip())
    return None if limit is not None and len(lines) > limit else lines


def balance(text: str, lines: Sequence[str], size: float, measure: Measure,
            width: float | None = None) -> list[str]:
    """`lines` (the greedy wrap of `text`) re-broken at the narrowest width that keeps
    their count, as CSS `text-wrap: balance`; texts of 1 or more than 6 lines as they are.

    The search runs on the units' own widths added up (one measurement per unit, no
    shaping per trial width); the chosen lines are then measured whole and kept only if
    none is wider than `width` (the box; the widest greedy line when not given), so
    balancing never makes a line overflow."""
    n = len(lines)
    if n not in BALANCE_LINES:
        return list(lines)
    paragraphs = [[(measure(u, size), measure(u.rstrip(), size), u) for u in units]
                  for units in _paragraphs(text)]
    if any(not units for units in paragraphs):
        return list(lines)  # an empty paragraph: its blank line stays as wrapped
    widest = max(measure(line, size) for line in lines)
    # Greedy at `hi` sets at most n lines. No n lines are narrower than their widest unit,
    # nor than their units' widths shared out evenly: `lo` is the larger of the two.
    trims = [trim for units in paragraphs for _, trim, _ in units]
    lo, hi = min(max(max(trims), sum(trims) / n), widest), widest
    if len(_greedy(paragraphs, lo) or range(n + 1)) <= n:
        hi = lo
    while hi - lo > 0.25:
        mid = (lo + hi) / 2
        trial = _greedy(paragraphs, mid)
        if trial is not None and len(trial) <= n:
            hi = mid
        else:
            lo = mid
    balanced = _greedy(paragraphs, hi)
    limit = widest if width is None else max(width, widest)
    if (balanced is None or len(balanced) != n
            or any(measure(line, size) > limit + 1e-6 for line in balanced)):
        return list(lines)
    return balanced


def _greedy(paragraphs: list[list[tuple[float, float, str]]], width: float) -> list[str] | None:
    """Greedy lines at `width`, paragraph by paragraph (`copy.text.greedy`); None when a
    unit alone is wider."""
    lines: list[str] = []
    for units in paragraphs:
        got = greedy(units, width)
        if got is None:
            return None
        lines += got
    return lines


def _mend_orphan(text: str, lines: Sequence[str], size: float, width: float,
                 measure: Measure) -> list[str] | None:
    """`lines` with units of the line above moved down to an orphaned last line, the
    fewest that make it no orphan while it stays within `width` (as CSS `text-wrap:
    pretty`); None when no such move exists. Same size, same number of lines."""
    if len(lines) < 2:
        return None
    units = _paragraphs(text)[-1]  # the last two lines must both be of the last paragraph
    end = len(units)
    starts: list[int] = []
    for line in reversed(lines[-2:]):
        start = end - 1
        while start >= 0 and "".join(units[start:end]).rstrip() != line:
            start -= 1
        if start < 0:
            return None
        starts.append(start)
        end = start
    last, prev = starts
    if not _orphan(lines[-2].strip(), lines[-1].strip()):
        return None
    for cut in range(last - 1, prev, -1):
        above, below = "".join(units[prev:cut]).rstrip(), "".join(units[cut:]).rstrip()
        if measure(below, size) > width + 1e-6:
            return None
        if not _orphan(above, below):
            return [*lines[:-2], above, below]
    return None


def line_defects(lines: Sequence[str], text: str | None = None) -> list[str]:
    """The typographic defects of a set of drawn lines, each named once, in this order:

    - "orphan": the last of two or more lines is a single CJK character (with or without
      punctuation: "瓶", "瓶。"), or a single short word under a line of several: one
      word with no CJK whose width (in the em model of `copy.text`) is at most half the
      line above's, when that line holds three break units or more ("oz" under "Stoneware
      Mug 11", "Oil" under "Evergreen Cold-Pressed Olive"). A long last word
      ("Supercalifragilistic"), or one under one or two words ("Arc Table" / "Lamp": a
      three-word title has no better two-line form), is not flagged;
    - "hyphen-break": a line ends with a hyphen between two letters of one word ("T-" /
      "Shirt"). Judged on the lines alone, a hyphen the text itself follows with a space
      ("pre- and post-war") reads the same when it ends a line;
    - "dash-start": a line after the first starts with a dash (a text that begins with
      one is its author's choice);
    - "word-split": a CJK word (`segment.word_boundaries`) is split across two lines;
      with the `text` the lines were broken from, a break where it has a space is none.

    A pure function of the lines (and their text), so that checks can judge any drawn
    text."""
    stripped = [line.strip() for line in lines]
    found: list[str] = []
    if len(stripped) >= 2 and _orphan(stripped[-2], stripped[-1]):
        found.append("orphan")
    if any(a[-1:] in HYPHENS and len(a) >= 2 and a[-2].isalnum() and b[:1].isalnum()
           for a, b in pairwise(stripped)):
        found.append("hyphen-break")
    if any(line[:1] in DASHES for line in stripped[1:] if line):
        found.append("dash-start")
    if _splits_a_word(stripped, text):
        found.append("word-split")
    return found


def _orphan(prev: str, last: str) -> bool:
    """The last line alone is too little to stand under `prev` (see `line_defects`)."""
    core = "".join(c for c in last if not unicodedata.category(c).startswith(("P", "Z")))
    if len(core) == 1 and is_cjk(core):
        return True
    if not last or len(last.split()) != 1 or any(is_cjk(c) for c in last):
        return False
    return (len(line_units(prev)) >= ORPHAN_ABOVE
            and em_width(last) <= ORPHAN_RATIO * em_width(prev))


def _splits_a_word(lines: Sequence[str], text: str | None = None) -> bool:
    """Whether two lines meet between two CJK characters of one word. Judged on the
    lines alone, the break may have taken a space ("ナイキ" / "シューズ" from "ナイキ
    シューズ"): the runs are joined and a segmenter that reads one word across them flags
    it. Korean, which spaces all its words, is left out for that reason; the fitter's own
    breaks keep every word whole by construction."""
    joined, cuts = "", []
    for line in lines:
        if (joined and line and cjk_at(joined, -1) and cjk_at(line, 0)
                and not _hangul(joined[-1]) and not _hangul(line[0])
                and not _spaced(text, joined, line)):
            cuts.append(len(joined))
        elif joined:
            joined += " "
        joined += line
    if not cuts:
        return False
    bounds = word_boundaries(joined)
    return any(cut not in bounds for cut in cuts)


def _spaced(text: str | None, before: str, after: str) -> bool:
    """Whether `text` has a space where the line ending `before` met the line starting
    `after` (the break took that space)."""
    if not text:
        return False
    pattern = re.escape(before[-4:]) + r"\s+" + re.escape(after[:4])
    return re.search(pattern, text) is not None


def _hangul(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("HANGUL")


def _room(size: float, height: float, max_lines: int | None, line_height: float) -> int:
    """How many lines of `size` the box holds."""
    room = max(0, math.floor(height / (size * line_height)))
    while (room + 1) * size * line_height <= height + 1e-6:
        room += 1
    while room and room * size * line_height > height + 1e-6:
        room -= 1
    return room if max_lines is None else min(room, max_lines)


def fit_text(text: str, width: float, height: float, size_min: float, size_max: float,
             measure: Measure, max_lines: int | None = None,
             line_height: float = 1.2) -> TextLayout:
    """Largest size in [size_min, size_max] (to 0.5 px) at which the text fits the box
    without breaking a word, its lines balanced and free of defects when some size in
    range allows (see the module docstring)."""
    if size_min <= 0 or size_max < size_min:
        raise ValueError(f"font size range {size_min}..{size_max} is empty")
    text = bounded(text, mark=ELLIPSIS)  # no box shows more; wrapping is linear
    sizes = _sizes(size_min, size_max)

    tried: dict[int, list[str] | None] = {}

    def fitted(i: int) -> list[str] | None:
        """The strict wrap at sizes[i] if it fits the box."""
        if i not in tried:
            room = _room(sizes[i], height, max_lines, line_height)
            # a strict wrap measured every line it sets: all are within the width
            tried[i] = wrap(text, width, sizes[i], measure, strict=True, limit=room) if room else None
        return tried[i]

    best, lines = _largest(0, len(sizes) - 1, fitted)
    if lines is None:
        return _ellipsize(text, width, height, size_min, measure, max_lines, line_height)
    first: TextLayout | None = None
    while True:
        size = sizes[best]
        for candidate in _settings(text, lines, size, width, measure):
            if not line_defects(candidate):
                return TextLayout(size, tuple(candidate), size * line_height, False)
        first = first or TextLayout(size, tuple(balance(text, lines, size, measure, width)),
                                    size * line_height, False)
        # the largest smaller size that sets fewer lines: fewer lines, another set of breaks
        count = len(lines)

        def fewer(i: int, n: int = count) -> list[str] | None:
            return _fewer(fitted(i), n)

        best, lines = _largest(0, best - 1, fewer)
        if lines is None:
            return first


@lru_cache(maxsize=256)
def _sizes(size_min: float, size_max: float) -> tuple[float, ...]:
    """The sizes fitting tries: `STEP` apart from the minimum, and the maximum."""
    steps = math.floor((size_max - size_min) / STEP + 1e-9)
    # The tolerance above may put the last step a hair past the maximum: clamp it.
    sizes = [min(size_min + i * STEP, size_max) for i in range(steps + 1)]
    if sizes[-1] < size_max - 1e-9:
        sizes.append(size_max)
    return tuple(sizes)


def _settings(text: str, greedy: list[str], size: float, width: float,
              measure: Measure) -> Iterator[list[str]]:
    """The ways to set `text` in as many lines as `greedy` at `size`, best first: the
    balanced lines, those with an orphan mended, then the greedy lines themselves."""
    balanced = balance(text, greedy, size, measure, width)
    yield balanced
    for lines in (balanced, greedy):
        mended = _mend_orphan(text, lines, size, width, measure)
        if mended is not None:
            yield mended
    yield greedy


def _largest(lo: int, hi: int,
             accept: Callable[[int], list[str] | None]) -> tuple[int, list[str] | None]:
    """The largest index in [lo, hi] whose lines `accept` gives (it gives them up to some
    index and None after: a smaller size never sets more lines), with those lines;
    (-1, None) when there is none."""
    best, found = -1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        lines = accept(mid)
        if lines is not None:
            best, found, lo = mid, lines, mid + 1
        else:
            hi = mid - 1
    return best, found


def _fewer(lines: list[str] | None, count: int) -> list[str] | None:
    return lines if lines is not None and len(lines) < count else None


def _ellipsize(text: str, width: float, height: float, size: float, measure: Measure,
               max_lines: int | None, line_height: float) -> TextLayout:
    lines = wrap(text, width, size, measure) or [""]
    room = _room(size, height, max_lines, line_height)
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
