"""The text tree and its laid-out pieces: what text.py builds from a <text> element and
textlayout.py positions (characters, spans, chunks, glyph clusters), plus the matrix helpers
both use, written as tiny-skia composes them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import skia
from lxml import etree

from .textshape import ShapingFace


def concat(a: skia.Matrix, b: skia.Matrix) -> skia.Matrix:
    """a · b: b applied first (tiny-skia's `a.pre_concat(b)`)."""
    return skia.Matrix.Concat(a, b)


def translate(x: float, y: float) -> skia.Matrix:
    return skia.Matrix.Translate(x, y)


def rotate_about(deg: float, px: float = 0.0, py: float = 0.0) -> skia.Matrix:
    m = skia.Matrix()
    m.setRotate(deg, px, py)
    return m


# ---- the text tree ---------------------------------------------------------------------
@dataclass
class Leaf:
    """A text node: its (whitespace-processed) characters."""

    text: str
    preserve: bool


@dataclass
class TextTreeNode:
    """An element of the text tree (text, tspan, tref, a, textPath) with its styles."""

    el: etree._Element
    kind: str
    st: dict[str, str]  # computed style
    own: dict[str, str]  # declared on this element
    parent: TextTreeNode | None
    children: list[TextTreeNode | Leaf] = field(default_factory=list)
    preserve: bool = False

    def ancestors(self) -> Iterator[TextTreeNode]:
        node: TextTreeNode | None = self
        while node is not None:
            yield node
            node = node.parent


@dataclass
class StyledSpan:
    """A run of characters of one chunk with one style (usvg's TextSpan)."""

    start: int
    end: int
    node: TextTreeNode
    face: ShapingFace
    size: float
    variations: tuple[tuple[int, float], ...]
    features: dict[str, bool]
    decoration: dict[str, TextTreeNode]
    visible: bool
    dominant: str
    alignment: str
    shifts: list[str | float]
    letter_spacing: float
    word_spacing: float
    text_length: float | None
    spacing_and_glyphs: bool


@dataclass
class Chunk:
    x: float | None
    y: float | None
    anchor: str
    spans: list[StyledSpan]
    path: tuple[skia.Path, float] | None  # textPath geometry and its start offset
    text: str = ""
    chars: list[str] = field(default_factory=list)  # the text while it is collected
    owner: list[int] = field(default_factory=list)  # span index of each character


@dataclass
class Cluster:
    """Glyphs of one character cluster, laid out at the cluster's origin."""

    idx: int
    char: str
    width: float
    advance: float
    ascent: float
    descent: float
    glyphs: list[tuple[ShapingFace, int, skia.Matrix]]
    transform: skia.Matrix = field(default_factory=skia.Matrix)
    path_transform: skia.Matrix = field(default_factory=skia.Matrix)
    relative_shift: bool = False
    visible: bool = True

    def full(self) -> skia.Matrix:
        return concat(self.transform, self.path_transform)


@dataclass
class DrawnSpan:
    """What one span paints: glyph outlines and decorations, in the text's user space."""

    node: TextTreeNode
    visible: bool
    glyphs: skia.Path
    decorations: dict[str, tuple[skia.Path, TextTreeNode]]
    color: list[tuple[ShapingFace, int, skia.Matrix]]  # colour glyphs (emoji), user space
