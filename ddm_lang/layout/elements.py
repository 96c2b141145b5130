"""A scene's laid-out elements: what the eye reads as each one, where, in which role.

Bind-time checks (separation) and the quality measures (`ddm_lang.quality.layout_metrics`)
look at a creative the same way: as the elements below, in paint order, with the
subjects perception found in its photos.

Elements. The scene is flattened in paint order (group transforms applied; `defs`,
clip paths, masks, gradients and raw SVG are not laid-out elements). Each element has a
*visible box* in canvas px:

- text: the box its lines actually occupy (shaped advance width × ascent..descent per
  line), not the declared `box:` — a generous box around a short word is not clutter;
- image: the perceived subject's box mapped through crop → box (and the mirror) when
  the image is cut out, else the drawn box, since a cut-out's transparent margin shows
  the backdrop and is not part of what the eye reads as the element;
- shape (`rect`, `circle`, `ellipse`, `line`, `polygon`, `polyline`, a plain `image`):
  its geometry, when it paints anything (not `fill: none` without a stroke, not
  `opacity: 0`).

Bleed. An element may declare canvas edges it crosses on purpose (`bleed: bottom`); a
group's declaration holds for everything in it. `Element.bleed` is the union, which the
layout checks allow (`ddm_lang.quality`).

Roles. An image or shape whose visible box covers ≥ 90 % of the canvas is *background*.
A shape painted before a text or image it substantially lies under (their intersection
is ≥ half the smaller of the two) is an *underlay* — a plate, a halo, a card. Everything
else is *content*. As in PosterLayout, elements smaller than 0.1 % of the canvas (a
hairline rule, a dot) are left out of overlap and alignment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import skia

from ddm_lang.layout.text import ELLIPSIS
from ddm_lang.scene import Box, ImageNode, Node, RawNode, Scene, SceneItem, TextNode


class Compiled(Protocol):
    """What a compiled creative (`ddm_lang.Creative`) offers the measures: its bound scene
    and the folder its images are read from. A protocol, so that layout (below the API)
    measures creatives without importing the API."""

    @property
    def scene(self) -> Scene: ...

    @property
    def base_dir(self) -> Path: ...


BACKGROUND_COVER = 0.90   # share of the canvas a background element covers


UNDERLAY_SHARE = 0.5      # intersection / smaller area for a shape to count as underlay


PLATE_SHARE = 0.90        # share of a text's box on an underlay for it to have a plate


MIN_AREA = 0.001          # PosterLayout's validity floor: 0.1 % of the canvas


EDGE_TOLERANCE = 0.5      # px an element may cross the canvas edge (anti-aliasing)


ANALYSIS_SIDE = 750       # PosterLayout evaluates on 513 × 750 canvases


SHAPES = frozenset({"rect", "circle", "ellipse", "line", "polygon", "polyline", "image"})


CONTAINERS = frozenset({"g", "a", "switch"})


@dataclass(frozen=True)
class Subject:
    """Where the subject is in a material: `box` as fractions of the image, and the matte
    (H×W floats 0..1 over the whole material) when one is known."""

    box: tuple[float, float, float, float]
    mask: np.ndarray | None = None


SubjectLookup = Callable[[ImageNode], Subject | None]


@dataclass(frozen=True)
class Element:
    """One laid-out element: its kind, visible box (canvas px) and role."""

    kind: str                      # text | image | shape
    name: str | None
    box: Box                       # visible box, canvas px
    order: int                     # paint order
    role: str = "content"          # content | underlay | background
    item: SceneItem | None = field(default=None, repr=False, compare=False)
    matrix: tuple[float, ...] = field(default=(1, 0, 0, 0, 1, 0), repr=False, compare=False)
    bleed: frozenset[str] = frozenset()  # canvas edges it may cross: its own `bleed`, its groups'

    @property
    def label(self) -> str:
        return f"{self.kind} `{self.name}`" if self.name else f"an unnamed {self.kind}"


def area(box: Box) -> float:
    return max(box.width, 0.0) * max(box.height, 0.0)


def intersection(a: Box, b: Box) -> Box:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    return Box(x0, y0, max(x1 - x0, 0.0), max(y1 - y0, 0.0))


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when either is empty)."""
    inter = area(intersection(a, b))
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def map_box(matrix: skia.Matrix, box: Box) -> Box:
    if matrix.isIdentity():
        return box
    r = matrix.mapRect(skia.Rect.MakeXYWH(box.x, box.y, box.width, box.height))
    return Box(r.left(), r.top(), r.width(), r.height())


def _matrix_tuple(matrix: skia.Matrix) -> tuple[float, ...]:
    return tuple(matrix.get(i) for i in range(6))


def _num(attrs: dict[str, str], key: str, default: float = 0.0) -> float:
    try:
        return float(attrs.get(key, default))
    except ValueError:
        return default


def _shape_box(node: Node) -> Box | None:
    """A shape's geometry box, or None when it paints nothing or has no simple geometry."""
    a = dict(node.attrs)
    if a.get("opacity") in ("0", "0.0") or a.get("visibility") == "hidden" \
            or a.get("display") == "none":
        return None
    stroked = a.get("stroke", "none") != "none"
    if node.tag != "image" and a.get("fill") == "none" and not stroked:
        return None
    sw = _num(a, "stroke-width", 1.0) if stroked else 0.0
    if node.tag in ("rect", "image"):
        box = Box(_num(a, "x"), _num(a, "y"), _num(a, "width"), _num(a, "height"))
    elif node.tag == "circle":
        r = _num(a, "r")
        box = Box(_num(a, "cx") - r, _num(a, "cy") - r, 2 * r, 2 * r)
    elif node.tag == "ellipse":
        rx, ry = _num(a, "rx"), _num(a, "ry")
        box = Box(_num(a, "cx") - rx, _num(a, "cy") - ry, 2 * rx, 2 * ry)
    elif node.tag == "line":
        x1, y1, x2, y2 = (_num(a, k) for k in ("x1", "y1", "x2", "y2"))
        box = Box(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
    else:  # polygon, polyline
        try:
            values = [float(v) for v in a.get("points", "").replace(",", " ").split()]
        except ValueError:
            return None
        xs, ys = values[0::2], values[1::2]
        if not xs or len(xs) != len(ys):
            return None
        box = Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    if sw:
        box = Box(box.x - sw / 2, box.y - sw / 2, box.width + sw, box.height + sw)
    return box if box.width > 0 or box.height > 0 else None


def text_box(node: TextNode) -> Box | None:
    """The box a text's lines occupy: each line's shaped advance, placed by its anchor,
    from ascent above its baseline to descent below; None for text with no lines."""
    from ddm_lang.renderer.fonts import FontRegistry
    fonts = FontRegistry.default()
    ascent, descent, _ = fonts.metrics(node.family, node.weight, node.italic, node.size)
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for line in node.lines:
        if not line.text.strip():
            continue
        w = fonts.measure(line.text, node.family, node.weight, node.italic, node.size)
        left = line.x - {"middle": w / 2, "end": w}.get(node.anchor, 0.0)
        x0, x1 = min(x0, left), max(x1, left + w)
        y0, y1 = min(y0, line.y - ascent), max(y1, line.y + descent)
    if x0 == math.inf:
        return None
    return Box(x0, y0, x1 - x0, y1 - y0)


def text_overflows(node: TextNode) -> bool:
    """The text did not fit its box at the minimum size: the layout truncated it with an
    ellipsis, or a line is wider or the block of lines taller than the box."""
    from ddm_lang.renderer.fonts import FontRegistry
    lines = [ln for ln in node.lines if ln.text]
    if not lines:
        return False
    if lines[-1].text.endswith(ELLIPSIS):
        return True
    fonts = FontRegistry.default()
    tol = 1.0
    widest = max(fonts.measure(ln.text, node.family, node.weight, node.italic, node.size)
                 for ln in lines)
    if widest > node.box.width + tol:
        return True
    # The block's height as the fitter measured it: lines × size × line height.
    return len(lines) * node.size * node.line_height > node.box.height + tol


def image_subject_box(node: ImageNode, subject: Subject | None) -> Box | None:
    """The subject box on the canvas (before the element's group transform), through the
    image's crop → box mapping and mirror; not clipped."""
    if subject is None:
        return None
    m, box, crop = node.material, node.box, node.crop
    if crop.width <= 0 or crop.height <= 0:
        return None
    kx, ky = box.width / crop.width, box.height / crop.height
    fx, fy, fw, fh = subject.box
    x0 = box.x + (fx * m.width - crop.x) * kx
    y0 = box.y + (fy * m.height - crop.y) * ky
    w, h = fw * m.width * kx, fh * m.height * ky
    if node.flip:
        x0 = 2 * box.x + box.width - (x0 + w)
    return Box(x0, y0, w, h)


def subject_cut(node: ImageNode, subject: Subject | None, canvas: Box,
                matrix: skia.Matrix | None = None) -> float:
    """Share of the subject box that the crop or the canvas edge cuts away."""
    placed = image_subject_box(node, subject)
    if placed is None or area(placed) <= 0:
        return 0.0
    visible = intersection(placed, node.box)
    if matrix is not None:
        placed, visible = map_box(matrix, placed), map_box(matrix, visible)
    visible = intersection(visible, canvas)
    return max(0.0, 1.0 - area(visible) / area(placed))


def flatten(scene: Scene, subjects: SubjectLookup | None = None) -> list[Element]:
    """Every laid-out element of the scene in paint order, with its role."""
    lookup = products(subjects) if subjects is not None else (lambda _node: None)
    out: list[Element] = []

    def walk(items: Iterable[SceneItem], matrix: skia.Matrix, bleed: frozenset[str]) -> None:
        for item in items:
            if isinstance(item, TextNode):
                ink = text_box(item)
                if ink is not None:
                    out.append(Element("text", item.name, map_box(matrix, ink), len(out),
                                       item=item, matrix=_matrix_tuple(matrix),
                                       bleed=bleed | frozenset(item.bleed)))
            elif isinstance(item, ImageNode):
                drawn = item.box
                placed = image_subject_box(item, lookup(item)) if item.matte is not None \
                    else None
                if placed is not None:  # cut out: what shows is the subject
                    drawn = intersection(placed, item.box)
                out.append(Element("image", item.name, map_box(matrix, drawn), len(out),
                                   item=item, matrix=_matrix_tuple(matrix),
                                   bleed=bleed | frozenset(item.bleed)))
            elif isinstance(item, Node):
                a = dict(item.attrs)
                if a.get("display") == "none":
                    continue
                local = matrix
                if "transform" in a:
                    from ddm_lang.renderer.units import parse_transform
                    local = skia.Matrix.Concat(matrix, parse_transform(a["transform"]))
                if item.tag in CONTAINERS:
                    walk(item.children, local, bleed | frozenset(item.bleed))
                elif item.tag in SHAPES:
                    box = _shape_box(item)
                    if box is not None:
                        out.append(Element("shape", item.name, map_box(local, box), len(out),
                                           item=item, matrix=_matrix_tuple(local),
                                           bleed=bleed | frozenset(item.bleed)))
            elif isinstance(item, RawNode):
                continue  # designer markup: not a laid-out element

    walk(scene.children, skia.Matrix(), frozenset())
    return classify(out, scene.width, scene.height)


def classify(elements: Sequence[Element], width: float, height: float) -> list[Element]:
    """Assign background / underlay / content roles (see the module docstring)."""
    canvas = Box(0, 0, width, height)
    out: list[Element] = []
    for e in elements:
        role = "content"
        if e.kind != "text" and area(intersection(e.box, canvas)) >= BACKGROUND_COVER * area(canvas):
            role = "background"
        out.append(replace(e, role=role))
    for i, e in enumerate(out):
        if e.kind != "shape" or e.role == "background" or area(e.box) <= 0:
            continue
        for later in out[i + 1:]:
            if later.kind == "shape" or later.role == "background" or area(later.box) <= 0:
                continue
            smaller = min(area(e.box), area(later.box))
            if area(intersection(e.box, later.box)) >= UNDERLAY_SHARE * smaller:
                out[i] = replace(e, role="underlay")
                break
    return out


def analysis_scale(width: float, height: float) -> float:
    """Pixel metrics run with the longer side at most 750 px, as PosterLayout's do."""
    return min(1.0, ANALYSIS_SIDE / max(width, height))


def pixel_span(lo: float, hi: float, scale: float, limit: int) -> tuple[int, int]:
    a = math.floor(lo * scale + 0.5)
    b = math.floor(hi * scale + 0.5)
    return max(0, min(a, limit)), max(0, min(b, limit))


def subject_map(elements: Sequence[Element], subjects: SubjectLookup, width: int, height: int,
                scale: float) -> np.ndarray:
    """Where placed subjects are, at analysis scale: per pixel the largest subject-matte
    value (0..1) of any image drawn there; without a matte, its subject box counts as 1."""
    h, w = max(1, round(height * scale)), max(1, round(width * scale))
    out = np.zeros((h, w), np.float32)
    for e in elements:
        node = e.item
        if not isinstance(node, ImageNode):
            continue
        subject = subjects(node)
        if subject is None:
            continue
        a, _, tx, _, d, ty = e.matrix
        # Group transforms from components are translations (and scales); others are
        # approximated by the mapped box, which is what `map_box` gave the element.
        sx, sy = a or 1.0, d or 1.0
        box, crop, m = node.box, node.crop, node.material
        if crop.width <= 0 or crop.height <= 0 or box.width <= 0 or box.height <= 0:
            continue
        cx0, cx1 = pixel_span(tx + box.x * sx, tx + box.right * sx, scale, w)
        cy0, cy1 = pixel_span(ty + box.y * sy, ty + box.bottom * sy, scale, h)
        if cx1 <= cx0 or cy1 <= cy0:
            continue
        # Canvas pixel centres → box-local coordinates → source pixels.
        xs = ((np.arange(cx0, cx1) + 0.5) / scale - tx) / sx
        ys = ((np.arange(cy0, cy1) + 0.5) / scale - ty) / sy
        if node.flip:
            xs = 2 * box.x + box.width - xs
        u = crop.x + (xs - box.x) * crop.width / box.width     # material px
        v = crop.y + (ys - box.y) * crop.height / box.height
        if subject.mask is not None:
            mh, mw = subject.mask.shape[:2]
            iu = np.clip((u * mw / m.width).astype(int), 0, mw - 1)
            iv = np.clip((v * mh / m.height).astype(int), 0, mh - 1)
            inside = ((u >= 0) & (u < m.width))[None, :] & ((v >= 0) & (v < m.height))[:, None]
            patch = subject.mask[np.ix_(iv, iu)] * inside
        else:
            fx, fy, fw, fh = subject.box
            px = (u >= fx * m.width) & (u < (fx + fw) * m.width)
            py = (v >= fy * m.height) & (v < (fy + fh) * m.height)
            patch = (py[:, None] & px[None, :]).astype(np.float32)
        region = out[cy0:cy1, cx0:cx1]
        np.maximum(region, patch.astype(np.float32), out=region)
    return out


@lru_cache(maxsize=256)
def _decode_mask(png: bytes) -> np.ndarray:
    """The matte as 0..1 floats, decoded once per matte (products share photos)."""
    from ddm_lang.perception.record import mask_from_png
    return mask_from_png(png).astype(np.float32) / 255.0


def library_subjects(node: ImageNode) -> Subject | None:
    """The subject of an image from its perception record in the material library (the
    record compiling already computed when the template used perception; computed now
    otherwise), in the default environment. None when no subject was found or perception
    is not installed."""
    from ddm_lang.environment import default_environment
    from ddm_lang.perception.library import LibraryError
    from ddm_lang.perception.materials import MaterialError
    from ddm_lang.perception.models import ModelError
    try:
        entry = default_environment().library.perceive(node.material)
    except (ModelError, MaterialError, LibraryError, OSError):
        return None
    return record_subject(entry.record, node.matte or entry.mask_png)


def record_subject(record: Mapping[str, Any], matte_png: bytes | None) -> Subject | None:
    """The subject a perception record describes, its silhouette from `matte_png` (the
    record's own matte, or a cut-out's); None when the record found none."""
    if not record.get("subject.found") or not record.get("subject.box"):
        return None
    fx, fy, fw, fh = (float(v) for v in record["subject.box"])
    mask = _decode_mask(matte_png) if matte_png else None
    return Subject((fx, fy, fw, fh), mask)


def cached_lookup(lookup: SubjectLookup) -> SubjectLookup:
    """`lookup` asked once per material and matte, and never for a logo (`products`)."""
    memo: dict[tuple[str, bool, bool], Subject | None] = {}
    lookup = products(lookup)

    def get(node: ImageNode) -> Subject | None:
        key = (node.material.sha256, node.matte is not None, node.logo)
        if key not in memo:
            memo[key] = lookup(node)
        return memo[key]
    return get


def products(lookup: SubjectLookup) -> SubjectLookup:
    """`lookup` for product images only: a brand logo (`ImageNode.logo`) has no product
    subject, so no check keeps copy off it, measures its separation or its crop as a
    product's."""
    def get(node: ImageNode) -> Subject | None:
        return None if node.logo else lookup(node)
    return get
