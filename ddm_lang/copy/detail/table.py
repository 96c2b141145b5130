"""Two-column spec tables: a key cell and its value cell on one row become one line.

A spec table sets keys in one column and values in another ("Origin | Peru"). Read as
columns, a page would list every key and then every value; so before lines are grouped
into blocks, rows whose two cells are a key and its value are joined into one line
"key: value" (`Line.key` set). A row counts as a table row when

- it holds exactly two cells, apart by a gutter at least GUTTER line heights wide (OCR
  boxes are padded, so half a line of box gap is a wide gutter of ink), of similar type
  size;
- its left cell reads as a key: short (KEY_WORDS Latin words / KEY_CJK CJK characters at
  most), not a sentence (no sentence punctuation) and without the function words running
  text is made of ("is", "the", "and"...: a wrapped line of a paragraph has them, a label
  such as "Country of origin" or "Net weight" does not);
- and it belongs to a run of at least two such rows that share the gutter (one vertical
  strip free of ink on every row of the run) and read as data rather than prose (fewer
  than PROSE of the run's Latin words are function words), or its key ends with a colon.

Two columns of running text (claims set side by side) fail the key test on most rows or
the prose test, and stay apart, to be read column by column. A value that wraps onto a second line (a line
below a joined row, starting where the row's value starts) is joined to its row. A line
alone on its row set as `Key: value` (a key-like label and a colon) is a table row too,
so a list of such lines groups as one table.
"""

from __future__ import annotations

import math

from .model import Line, join_wrapped, overlap, union

GUTTER = 0.5        # line heights between a key cell and its value cell, at least
SIZE_RATIO = 1.5    # the two cells' heights differ by at most this factor
KEY_WORDS = 4       # a key cell has at most this many Latin words...
KEY_CHARS = 28      # ...and characters...
KEY_CJK = 6         # ...or at most this many CJK characters
KEY_SHARE = 2 / 3   # of a run's rows, at least this share have a key-like left cell
ROW_GAP = 1.2       # line heights between a wrapped value line and its row, at most
PROSE = 0.2         # share of function words from which a run of rows is running text
INLINE_VALUE = 40   # characters of the value of a `Key: value` line read as a table row
WRAP_GAP = 0.8      # type sizes under a line within which an aligned line wraps it
_PUNCTUATION = set(".!?,;。！？，；、")
_FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "and", "or", "but", "so", "to", "for", "has", "have", "had", "can", "will", "would", "may", "you", "your", "we", "our", "they", "their", "which", "who", "as", "at", "on"])


def join_rows(lines: list[Line]) -> list[Line]:
    """`lines` with every key–value table row joined into one line, top to bottom."""
    rows = _rows(lines)
    pairs = [_pair(row) for row in rows]
    joined: dict[int, Line] = {}   # row index → joined line
    i = 0
    while i < len(rows):
        first = pairs[i]
        if first is None:
            i += 1
            continue
        run, gutter = [first], _gutter(*first)
        j = i + 1
        while j < len(rows):
            nxt = pairs[j]
            if nxt is None:
                break
            g = _gutter(*nxt)
            shared = (max(gutter[0], g[0]), min(gutter[1], g[1]))
            if shared[1] <= shared[0]:
                break
            gutter = shared
            run.append(nxt)
            j += 1
        keyish = sum(_key_like(key.text) for key, _ in run)
        prose = prose_share([cell.text for pair in run for cell in pair])
        if len(run) >= 2 and keyish >= KEY_SHARE * len(run) and prose < PROSE:
            for k, (key, value) in enumerate(run):
                joined[i + k] = _joined(key, value)
        elif len(run) == 1 and first[0].text.rstrip().endswith((":", "：")):
            joined[i] = _joined(*first)
        i = j
    out: list[Line] = []
    for r, row in enumerate(rows):
        if r in joined:
            out.append(joined[r])
            continue
        below = rows[r + 1] if r + 1 < len(rows) else []
        if len(row) == 1 and (inline := _inline(row[0], below)) is not None:
            out.append(inline)
            continue
        for line in row:
            last = out[-1] if out else None
            if last is not None and last.key is not None and _continues(last, line, row):
                out[-1] = _extended(last, line)
            else:
                out.append(line)
    return out


def _inline(line: Line, below: list[Line]) -> Line | None:
    """A line set as `Key: value` (a short key-like label, a colon, a short value) as a
    table row, or None. Not when the line is the first of a labelled paragraph
    ("Ingredients: water, oats, ..."): its value ends in a list separator, or the next
    line goes on right under it, aligned, without a label of its own."""
    key, value = _key_value(line.text)
    if key is None or len(value) > INLINE_VALUE or value[-1] in ",，、;；/:：":
        return None
    if len(below) == 1 and _key_value(below[0].text)[0] is None:
        nxt = below[0]
        h = max(line.size, nxt.size)
        if nxt.y0 - line.y1 <= WRAP_GAP * h and abs(nxt.x0 - line.x0) <= h:
            return None
    return Line(line.box, f"{key}: {value}", line.score, key=key, value_x=-math.inf)


def _key_value(text: str) -> tuple[str | None, str]:
    """(key, value) of a `Key: value` text with a key-like label; (None, "") otherwise."""
    key, sep, value = text.replace("：", ":").partition(":")
    if not sep or not value.strip() or not _key_like(key):
        return None, ""
    return key.strip(), value.strip()


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows (each sorted left to right): a line joins the row above
    when it shares at least half of the shorter one's height with it."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.cy, ln.x0)):
        if rows:
            row = rows[-1]
            top, bottom = min(r.y0 for r in row), max(r.y1 for r in row)
            shared = overlap(top, bottom, line.y0, line.y1)
            if shared >= 0.5 * min(line.height, bottom - top):
                row.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda ln: ln.x0) for row in rows]


def _pair(row: list[Line]) -> tuple[Line, Line] | None:
    """The row's (key cell, value cell) when it can be a table row."""
    if len(row) != 2:
        return None
    key, value = row
    h = min(key.size, value.size)
    if value.x0 - key.x1 < GUTTER * h:
        return None
    if max(key.size, value.size) > SIZE_RATIO * h:
        return None
    return key, value


def _gutter(key: Line, value: Line) -> tuple[float, float]:
    return key.x1, value.x0


def _key_like(text: str) -> bool:
    text = text.strip().rstrip(":：")
    if not text or any(c in _PUNCTUATION for c in text):
        return False
    cjk = sum(not c.isascii() and c.isalpha() for c in text)
    if cjk:
        return cjk <= KEY_CJK
    words = text.casefold().split()
    return (len(words) <= KEY_WORDS and len(text) <= KEY_CHARS
            and not any(w in _FUNCTION_WORDS for w in words))


def prose_share(texts: list[str]) -> float:
    """The share of function words among the Latin words of `texts` (0 without any)."""
    words = [w.strip(".,;:!?()").casefold() for t in texts for w in t.split() if w.isascii()]
    words = [w for w in words if w.isalpha()]
    return sum(w in _FUNCTION_WORDS for w in words) / len(words) if words else 0.0


def _joined(key: Line, value: Line) -> Line:
    name = key.text.strip().rstrip(":：").strip()
    score = min(key.score, value.score)
    return Line(union([key.box, value.box]), f"{name}: {value.text.strip()}", score, key=name,
                value_x=value.x0)


def _continues(row: Line, line: Line, its_row: list[Line]) -> bool:
    """Whether `line` is the wrapped rest of `row`'s value: alone on its row, right
    under the row, starting where the value starts."""
    if len(its_row) != 1:
        return False
    h = min(row.size, line.size)
    gap = line.y0 - row.y1
    return -0.3 * h <= gap <= ROW_GAP * h and abs(line.x0 - row.value_x) <= 0.6 * h


def _extended(row: Line, line: Line) -> Line:
    return Line(union([row.box, line.box]), join_wrapped(row.text, line.text),
                min(row.score, line.score), key=row.key, value_x=row.value_x)
