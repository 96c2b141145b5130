"""Scene: the concrete render tree that bind produces and emit turns into SVG.

Everything here is resolved for one product and one format: pixels, colours as hex,
chosen materials with their crops, text already broken into positioned lines. Emit is a
plain traversal with no decisions left to make, which is what makes SVG bytes
deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def intersects(self, other: Box) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def union(self, other: Box) -> Box:
        """The smallest box holding both."""
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        return Box(x0, y0, max(self.right, other.right) - x0, max(self.bottom, other.bottom) - y0)

    @staticmethod
    def around(boxes: Iterable[Box]) -> Box | None:
        """The smallest box holding all of them (None for none)."""
        boxes = list(boxes)
        return reduce(Box.union, boxes) if boxes else None


@dataclass(frozen=True)
class Material:
    """An image material: a file identified by content hash, with its pixel size."""

    path: str
    sha256: str
    width: int
    height: int
    format: str          # png | jpeg | webp | svg
    has_alpha: bool = False

    @property
    def mime(self) -> str:
        return {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp",
                "svg": "image/svg+xml"}[self.format]


@dataclass(frozen=True)
class Node:
    """A plain SVG element with resolved attributes (ordered, for deterministic output)."""

    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[SceneItem, ...] = ()
    text: str | None = None
    name: str | None = None   # the template's element name, for `avoid` and diagnostics
    bleed: tuple[str, ...] = ()  # canvas edges it (and what it holds) may cross: `bleed`


@dataclass(frozen=True)
class Shadow:
    """A shadow under an image: `drop` follows the drawn pixels (the subject's silhouette
    once cut out), `contact` is a soft ellipse where the subject meets the ground. `dx`,
    `dy` and `blur` are fractions of the image box's shorter side; `subject` is the
    subject box as fractions of the material (where a contact shadow sits)."""

    kind: str
    dx: float
    dy: float
    blur: float
    opacity: float
    color: str = "#000000"
    subject: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class Reflection:
    """A floor reflection under an image: the image as drawn, flipped about its base, `gap`
    px below it, fading from `opacity` at the base to nothing over `fade` × its drawn
    height. The base is that of `subject` (the subject box as fractions of the material)
    when the image shows only its subject (cut out, or a transparent file), else the
    image box's bottom edge."""

    opacity: float
    fade: float
    gap: float = 0.0
    subject: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class ImageNode:
    """A material drawn into `box`, showing the `crop` rectangle of the source (image px).
    `matte` (an 8-bit PNG covering the whole material, white = subject) masks it for a
    cutout; `shadow` is drawn beneath it; `recolor` is a colour matrix applied to its pixels;
    `reflection` is drawn beneath it too, below its base. `bleed` names the canvas edges
    the template lets it cross (the `bleed` property), which layout checks then allow.
    `logo` marks a material listed in the product's `brand.logos`: perception finds a
    subject in a logo as in a photo, but what the product checks and guarantees keep clear,
    whole and standing out is the product, not its brand's mark."""

    material: Material
    box: Box
    crop: Box
    flip: bool = False
    attrs: tuple[tuple[str, str], ...] = ()
    name: str | None = None
    matte: bytes | None = None
    shadow: Shadow | None = None
    recolor: str | None = None   # `recolor`: the 20 values of an sRGB feColorMatrix
    reflection: Reflection | None = None
    bleed: tuple[str, ...] = ()  # canvas edges it may cross: top, right, bottom, left
    logo: bool = False           # one of the product's brand logos: a mark, not the product

    def with_(self, **changes: Any) -> ImageNode:
        return replace(self, **changes)


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float        # anchor x (start, middle or end per `anchor`)
    y: float        # baseline


@dataclass(frozen=True)
class TextNode:
    """Text already fitted and broken into lines by the layout stage."""

    box: Box
    lines: tuple[TextLine, ...]
    family: str
    weight: int
    size: float
    anchor: str = "start"        # start | middle | end
    italic: bool = False
    attrs: tuple[tuple[str, str], ...] = ()
    name: str | None = None
    mode: str = "text"           # text (an SVG <text>) | path (glyph outlines)
    letter_spacing: float = 0.0  # px, as measured (also in attrs for <text>)
    line_height: float = 1.2     # a multiple of the size, as the text was fitted
    content: str = ""            # the text before it was broken: where its spaces were
    bleed: tuple[str, ...] = ()  # canvas edges it may cross (the `bleed` property)


@dataclass(frozen=True)
class RawNode:
    """Sanitised designer SVG markup, inserted verbatim."""

    markup: str


SceneItem = Node | ImageNode | TextNode | RawNode


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    children: tuple[SceneItem, ...]
    title: str | None = None
    defs: tuple[SceneItem, ...] = field(default=())
    notes: tuple[str, ...] = ()   # what binding changed on its own (contrast fixes), for reports


def without_text(scene: Scene) -> Scene:
    """The scene with every text removed: the canvas text is laid over, which contrast
    checks and layout metrics measure."""
    def strip(items: tuple[SceneItem, ...]) -> tuple[SceneItem, ...]:
        out: list[SceneItem] = []
        for item in items:
            if isinstance(item, TextNode) or (isinstance(item, Node) and item.tag == "text"):
                continue
            if isinstance(item, Node) and item.children:
                item = replace(item, children=strip(item.children))
            out.append(item)
        return tuple(out)
    return replace(scene, children=strip(scene.children))

