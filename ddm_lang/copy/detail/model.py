"""The values a detail page becomes: lines, blocks and ranked points.

A detail page is read into `Line`s (one OCR read each, in page pixels), grouped into
`Block`s (what a reader sees as one unit: a heading, a paragraph, a spec table), put in
reading order, classified, and its selling-point blocks ranked into `Point`s that carry
where they came from. Boxes are (x0, y0, x1, y1) in the pixels of the full-size image.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ddm_lang.copy.segment import is_cjk

CLASSES = ("selling_point", "specification", "boilerplate", "other")
"""What a block is: a claim about the product, product data (key–value pairs, sizes,
ingredients, care), the shop's own notices (shipping, returns, service, copyright, calls to
buy), or anything else (a heading with no content of its own, stray text)."""

Box = tuple[float, float, float, float]
NO_DESCENDERS = 1.28   # full ink height over baseline-to-cap height (Inter, Noto Sans)
_DESCENDERS = frozenset("gjpqy()[]{}|/@;,")


@dataclass(frozen=True)
class Line:
    """One line of text. `key` is set when the line is a table row joined from a key cell
    and its value cell (`text` is then "key: value", and `value_x` is where the value cell
    starts)."""

    box: Box
    text: str
    score: float
    key: str | None = None
    value_x: float = 0.0

    @property
    def x0(self) -> float:
        return self.box[0]

    @property
    def y0(self) -> float:
        return self.box[1]

    @property
    def x1(self) -> float:
        return self.box[2]

    @property
    def y1(self) -> float:
        return self.box[3]

    @property
    def height(self) -> float:
        return max(self.box[3] - self.box[1], 1.0)

    @property
    def width(self) -> float:
        return max(self.box[2] - self.box[0], 1.0)

    @property
    def size(self) -> float:
        """The line's type size as its ink shows it: the ink's height, scaled by
        NO_DESCENDERS for a line of Latin text without descenders (its ink ends at the
        baseline, a fifth short of a line that has them), so that "Product: Beef tomato"
        and "Net weight: 250 g" of one table measure alike."""
        if any(c in _DESCENDERS or is_cjk(c) for c in self.text):
            return self.height
        return self.height * NO_DESCENDERS

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@dataclass(frozen=True)
class Block:
    """Lines a reader takes as one unit, top to bottom. `index` is the block's place in
    reading order (0-based), `cls` one of CLASSES once classified."""

    lines: tuple[Line, ...]
    index: int = -1
    cls: str = ""

    @property
    def box(self) -> Box:
        return union(line.box for line in self.lines)

    @property
    def text(self) -> str:
        """The lines as one text: table rows one per line, wrapped lines of a paragraph
        joined with a space (none between CJK characters)."""
        out = ""
        for i, line in enumerate(self.lines):
            if i == 0:
                out = line.text
            elif line.key is not None or self.lines[i - 1].key is not None:
                out += "\n" + line.text
            else:
                out = join_wrapped(out, line.text)
        return out

    @property
    def score(self) -> float:
        """The OCR confidence of the block: its lines' mean, weighted by characters."""
        weights = [max(len(line.text), 1) for line in self.lines]
        return sum(w * line.score for w, line in zip(weights, self.lines, strict=True)) / sum(
            weights)

    @property
    def size(self) -> float:
        """The block's type size: the median of its lines' (`Line.size`)."""
        sizes = sorted(line.size for line in self.lines)
        return sizes[len(sizes) // 2]

    @property
    def is_table(self) -> bool:
        return any(line.key is not None for line in self.lines)

    def with_(self, **changes: object) -> Block:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Point:
    """A selling point for ad copy: its text, its rank score and where it was read
    (`images/detail-1.jpg, block 4 (y 1210–1390), OCR 0.96`)."""

    text: str
    score: float
    source: str


@dataclass(frozen=True)
class Page:
    """One detail image read: its blocks in reading order, classified."""

    name: str
    width: int
    height: int
    blocks: tuple[Block, ...] = field(default=())

    def of_class(self, cls: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.cls == cls)


def body_size(lines: list[Line]) -> float:
    """A page's body text size: the median `Line.size`, each line weighted by its
    characters (most characters of a page are body text); 1 without lines."""
    weighted = sorted((line.size, len(line.text)) for line in lines)
    half, run = sum(w for _, w in weighted) / 2, 0
    for size, w in weighted:
        run += w
        if run >= half:
            return size
    return weighted[-1][0] if weighted else 1.0


def union(boxes: Iterable[Box]) -> Box:
    """The smallest box holding all of `boxes` (at least one)."""
    xs0, ys0, xs1, ys1 = zip(*boxes, strict=True)
    return (min(xs0), min(ys0), max(xs1), max(ys1))


def join_wrapped(head: str, tail: str) -> str:
    """Two wrapped lines of one paragraph as one text: no space where either side is CJK,
    a hyphen at a line end joined without one ("straw-" + "berry" stays "straw-berry",
    as the eye reads it), a space otherwise."""
    if not head or not tail:
        return head + tail
    if is_cjk(head[-1]) or is_cjk(tail[0]) or head[-1] in "，。、；：！？）」" or head[-1] == "-":
        return head + tail
    return f"{head} {tail}"


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    inter = overlap(a[0], a[2], b[0], b[2]) * overlap(a[1], a[3], b[1], b[3])
    if inter <= 0:
        return 0.0
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area if area > 0 else 0.0


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length of the overlap of two intervals (0 when they are apart)."""
    return max(0.0, min(a1, b1) - max(a0, b0))
