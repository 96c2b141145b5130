"""Lines into blocks: what a reader takes in as one unit.

A line continues the block above it when it sits right under that block's last line
(a gap of at most GAP of their type size, `Line.size`; a table row, whose rows are set
wider apart, ROW_GAP; display type, short lines whose wraps are set tight, HEADING_GAP),
in the same type size (within SIZE_RATIO), in the same column (they overlap
horizontally) and on the same alignment (left edges, centres or right edges within
ALIGN type sizes; table rows may instead share where their values start, as a table
with right-aligned keys sets them; a first line may hang left of the second by a bullet
or an item number). Table rows join table rows only; running text joins running text.

A heading and the text under it are two blocks: a heading is set larger than its body, and
on a detail page it is mostly a section label ("Highlights", "产品参数") that states no
fact itself; keeping it apart lets the classifier call it `other` and keeps a claim's
text free of its section's label. The benchmark (benchmarks/detail_page_set.py) labels
blocks the same way.
"""

from __future__ import annotations

import math

from .model import Block, Line, body_size, overlap

GAP = 1.2            # type sizes of white between two lines of one paragraph, at most
ROW_GAP = 1.95       # the same between two rows of one table
SIZE_RATIO = 1.3     # two lines of one block differ in size by at most this factor
HEADING = 1.3        # lines this much larger than the page's body text...
DISPLAY_CHARS = 30   # ...and this short are display type,
HEADING_GAP = 0.85   # whose wrapped lines are set this close at most
ALIGN = 0.8          # type sizes by which aligned edges (or centres) may differ
HANG = 2.0           # type sizes a paragraph's first line may start left of the rest


def group(lines: list[Line]) -> list[Block]:
    """Blocks of `lines` (tables already joined into rows), each top to bottom, in the
    order their first lines appear (reading order comes later, from `order`)."""
    blocks: list[list[Line]] = []
    body = body_size(lines)
    for line in sorted(lines, key=lambda ln: (ln.y0, ln.x0)):
        best, best_gap = None, float("inf")
        for i, block in enumerate(blocks):
            gap = _continues(block[-1], line, body, first=len(block) == 1)
            if gap is not None and gap < best_gap:
                best, best_gap = i, gap
        if best is None:
            blocks.append([line])
        else:
            blocks[best].append(line)
    return [Block(tuple(b)) for b in blocks]


def _continues(above: Line, line: Line, body: float, first: bool = False) -> float | None:
    """The gap (in line heights) when `line` continues the block whose last line is
    `above` (`first`: its only line, which may hang left of the rest by a bullet or a
    number, up to HANG line heights); None when it does not."""
    if (above.key is None) != (line.key is None):
        return None
    h = max(above.size, line.size)
    if h > SIZE_RATIO * min(above.size, line.size):
        return None
    gap = (line.y0 - above.y1) / h
    most = ROW_GAP if line.key is not None else GAP
    if line.key is None and min(above.size, line.size) >= HEADING * body and max(
            len(above.text), len(line.text)) <= DISPLAY_CHARS:
        most = HEADING_GAP
    if not -0.25 <= gap <= most:
        return None
    if overlap(above.x0, above.x1, line.x0, line.x1) < 0.3 * min(above.width, line.width):
        return None
    aligned = min(abs(above.x0 - line.x0), abs(above.cx - line.cx), abs(above.x1 - line.x1),
                  abs(above.value_x - line.value_x) if line.key is not None else math.inf)
    if aligned <= ALIGN * h:
        return gap
    hanging = first and 0 < line.x0 - above.x0 <= HANG * h
    return gap if hanging else None
