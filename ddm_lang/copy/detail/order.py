"""Reading order: recursive XY cuts on whitespace.

A detail page reads top to bottom, and where it sets things side by side (a grid of
claim cards, a photo beside its caption), left to right within the row they share. The
blocks are cut recursively: first into horizontal bands at every stretch of white that
crosses the whole region (no block spans it), read top to bottom; a band that cannot be
cut that way is cut into columns at vertical stretches of white, read left to right; a
region that can be cut neither way is read by its blocks' tops. A grid whose rows line up
is therefore read row by row; columns whose blocks are staggered (no white crosses both)
are read one column after the other.

Centred layouts need nothing special: centred blocks of different widths still stack, so
the horizontal cuts separate them. Two-column spec tables are joined row by row before
(`table`), so a table is never read as all keys, then all values.
"""

from __future__ import annotations

from .model import Block

MIN_WHITE = 1.0  # px of white that counts as a cut


def reading_order(blocks: list[Block]) -> list[Block]:
    """`blocks` in reading order, each with its `index` set."""
    return [b.with_(index=i) for i, b in enumerate(_cut(blocks, horizontal=True))]


def _cut(blocks: list[Block], horizontal: bool) -> list[Block]:
    if len(blocks) <= 1:
        return list(blocks)
    parts = _split(blocks, axis=1 if horizontal else 0)
    if len(parts) > 1:
        return [b for part in parts for b in _cut(part, horizontal=not horizontal)]
    other = _split(blocks, axis=0 if horizontal else 1)
    if len(other) > 1:
        return [b for part in other for b in _cut(part, horizontal=horizontal)]
    return sorted(blocks, key=lambda b: (b.box[1], b.box[0]))


def _split(blocks: list[Block], axis: int) -> list[list[Block]]:
    """`blocks` split at every stretch of white across the region along `axis` (1: rows
    at y gaps, 0: columns at x gaps), in order."""
    items = sorted(blocks, key=lambda b: b.box[axis])
    parts: list[list[Block]] = [[items[0]]]
    end = items[0].box[axis + 2]
    for b in items[1:]:
        if b.box[axis] - end >= MIN_WHITE:
            parts.append([b])
        else:
            parts[-1].append(b)
        end = max(end, b.box[axis + 2])
    return parts
