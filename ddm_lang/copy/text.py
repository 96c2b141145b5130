"""Measuring and breaking copy: how wide a string is, how it wraps, where it may be cut.

The writer has to promise that a caption fits its box before any font is shaped, so it
works with a simple width model the binder can reproduce from the box and the font size:

- `chars_per_line` is the number of full-width (CJK) characters a line holds, i.e. the box
  width divided by the font size (1 em per CJK character);
- a wide character (East Asian Width W or F) counts 1, any other visible character
  `NARROW` (0.55 em: the average advance of Latin text in Inter and Noto Sans), a
  combining mark 0.

Lines break between Latin words (at spaces), never inside one, and between CJK
characters, never before closing punctuation (`，。！？、）` and the like) nor after
opening punctuation. A caption fits when this greedy wrap gives at most `max_lines`
lines, none wider than `chars_per_line`.
"""

from __future__ import annotations

import re
import unicodedata

NARROW = 0.55
CLOSING = set("，。！？、；：）》」』】〕…,.!?;:)]}%")
OPENING = set("（《「『【〔([{")
_LATIN_WORD = re.compile(r"\S+")


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


def _units(text: str) -> list[tuple[str, bool]]:
    """Unbreakable units with whether a space precedes them: Latin words whole, CJK
    characters one by one, punctuation glued to its neighbour."""
    units: list[tuple[str, bool]] = []
    space = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            space = True
            i += 1
            continue
        if is_wide(ch):
            piece = ch
            i += 1
        else:
            m = _LATIN_WORD.match(text, i)
            assert m is not None
            # a Latin run stops where a wide character starts
            end = i
            while end < m.end() and not is_wide(text[end]):
                end += 1
            piece = text[i:end]
            i = end
        if units and not space and (piece[0] in CLOSING or units[-1][0][-1] in OPENING):
            prev, sp = units[-1]
            units[-1] = (prev + piece, sp)
        else:
            units.append((piece, space and bool(units)))
        space = False
    return units


def wrap(text: str, chars_per_line: float) -> list[str] | None:
    """Greedy line breaking; None when one unbreakable unit is wider than a line."""
    lines: list[str] = []
    line, used = "", 0.0
    for piece, space in _units(text):
        w = width(piece)
        if w > chars_per_line + 1e-9:
            return None
        gap = NARROW if space and line else 0.0
        if line and used + gap + w > chars_per_line + 1e-9:
            lines.append(line)
            line, used = piece, w
        else:
            line += (" " if gap else "") + piece
            used += gap + w
    if line:
        lines.append(line)
    return lines


def fits(text: str, chars_per_line: float, max_lines: int) -> bool:
    """Whether `text` wraps into at most `max_lines` lines of `chars_per_line`."""
    if "\n" in text:
        return False
    lines = wrap(text, chars_per_line)
    return lines is not None and len(lines) <= max(0, max_lines)


def normalise(text: str) -> str:
    """Comparison form: NFKC, case-folded, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if c.isalnum())
