"""Layout quality metrics on compiled creatives: is the result designed or merely stitched?

A creative compiles whenever its template checks, but a headline across the product, a
subject cut by the canvas edge or a title that had to end in `…` are layout failures no
diagnostic catches. These metrics measure them on the bound `Scene` (boxes in canvas
pixels, exactly what is drawn) plus, for readability, the rendered pixels. Where the
content-aware layout literature has a metric for the same thing we follow PosterLayout
(Hsu et al., CVPR 2023, the released `eval.py`), so figures can be set beside published
ones for scale; where ours differs, the definition below says how and why.

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

Roles. An image or shape whose visible box covers ≥ 90 % of the canvas is *background*.
A shape painted before a text or image it substantially lies under (their intersection
is ≥ half the smaller of the two) is an *underlay* — a plate, a halo, a card. Everything
else is *content*. As in PosterLayout, elements smaller than 0.1 % of the canvas (a
hairline rule, a dot) are left out of overlap and alignment.

Metrics (↓ lower is better, ↑ higher is better):

- `overlap` ↓ (PosterLayout *Ove*): the sum of pairwise IoU over content elements,
  divided by their number (PosterLayout divides by the element count, not the pair
  count; we keep that so the figure is comparable). Underlays and the background are
  excluded: a text over its own plate is intended, not a collision.
- `alignment` ↓ (PosterLayout *Ali*, after Li et al.'s attribute-conditioned LayoutGAN):
  for each non-background element i and each of its six coordinates c (left, centre,
  right / top, middle, bottom; normalised by the canvas width / height), the distance
  Δ to the same coordinate of the nearest other element; the element scores
  min over c of g(Δ) with g(x) = −log10(1 − x); the metric is the mean over elements.
  An element aligned with any other on any coordinate scores 0. PosterLayout's
  `eval.py` sums over elements instead of averaging and, by a quirk of its loop, takes
  each coordinate's minimum over *all* pairs rather than over pairs with i;
  `alignment_posterlayout` reproduces that exactly for comparison tables.
- `occlusion` ↓ (PosterLayout *Occ*, made specific): the share of text area that lies
  on the placed subject's pixels — the subject matte (or, without one, the perceived
  subject box) mapped through each image's crop → box and mirror. PosterLayout averages
  a saliency map under all elements; for ads the hard rule is narrower and stricter:
  copy must not cover the product. `occlusion` is area-weighted over all text,
  `occlusion_max` the worst single text; the latter above `OCCLUSION_LIMIT` is a
  failure.
- `unreadability` ↓ (PosterLayout *Rea*): the mean normalised image gradient under the
  text, on the creative rendered *without* its text at PosterLayout's scale (longer
  side 750 px): grey levels, 3 × 3 Sobel, magnitude √((gx² + gy²)/2) divided by its
  maximum over the image, averaged over the union of text boxes. PosterLayout zeroes
  the pixels under underlays; we measure the rendered underlay instead, so a
  see-through plate over a busy photo still counts.
- `underlay` ↑ (in the spirit of PosterLayout's *Und*, from the text's side): the
  share of texts whose box lies ≥ 90 % on an underlay painted before them.
- `overflow` ↓: texts that did not fit their box at the minimum size — the layout
  ended the last line with `…`, or a line is wider, or the block taller, than the box.
  Any is a failure.
- `off_canvas` ↓: content elements (text boxes, image subjects, or the drawn image when
  no subject is known) that cross the canvas edge by more than half a pixel. Any is a
  failure. Shapes may bleed off the edge: that is a design device, not a mistake.
- `subject_cut` ↓: the largest share of a perceived subject's box that its image's crop
  or the canvas cuts away (reported, not a failure on its own: `place` already keeps
  subjects whole where the image allows).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import skia

from ddm_lang.layout.text import ELLIPSIS
from ddm_lang.scene import Box, ImageNode, Node, RawNode, Scene, SceneItem, TextNode, without_text

if TYPE_CHECKING:
    from ddm_lang.api import Creative

BACKGROUND_COVER = 0.90   # share of the canvas a background element covers
UNDERLAY_SHARE = 0.5      # intersection / smaller area for a shape to count as underlay
PLATE_SHARE = 0.90        # share of a text's box on an underlay for it to have a plate
MIN_AREA = 0.001          # PosterLayout's validity floor: 0.1 % of the canvas
OCCLUSION_LIMIT = 0.10    # worst text's share over the subject that fails a creative
EDGE_TOLERANCE = 0.5      # px an element may cross the canvas edge (anti-aliasing)
ANALYSIS_SIDE = 750       # PosterLayout evaluates on 513 × 750 canvases

# Published on the PosterLayout test split (Hsu et al., CVPR 2023, table 2): DS-GAN.
DSGAN_POSTERLAYOUT = {"overlap": 0.0220, "alignment": 0.0046, "occlusion": 0.2088,
                      "unreadability": 0.1874}

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

    @property
    def label(self) -> str:
        return f"{self.kind} `{self.name}`" if self.name else f"an unnamed {self.kind}"


@dataclass(frozen=True)
class LayoutMetrics:
    """All metrics of one creative, plus the reasons it fails (empty when it passes)."""

    overlap: float
    alignment: float
    occlusion: float
    occlusion_max: float
    unreadability: float | None    # None when no pixels were rendered or there is no text
    underlay: float | None         # None when there is no text
    overflow: int
    off_canvas: int
    subject_cut: float
    elements: int
    texts: int
    problems: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def as_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 4)
        return {"overlap": r(self.overlap), "alignment": r(self.alignment),
                "occlusion": r(self.occlusion), "occlusion_max": r(self.occlusion_max),
                "unreadability": r(self.unreadability), "underlay": r(self.underlay),
                "overflow": self.overflow, "off_canvas": self.off_canvas,
                "subject_cut": r(self.subject_cut), "elements": self.elements,
                "texts": self.texts, "problems": list(self.problems)}

    def summary(self) -> str:
        """One line for a terminal: every metric, `-` where it does not apply."""
        def f(v: float | None, digits: int = 3) -> str:
            return "-" if v is None else f"{v:.{digits}f}"
        return (f"ove {f(self.overlap)} ali {f(self.alignment)} occ {f(self.occlusion_max, 2)} "
                f"rea {f(self.unreadability)} und {f(self.underlay, 2)} "
                f"overflow {self.overflow} off-canvas {self.off_canvas} "
                f"cut {f(self.subject_cut, 2)}")


# ---- geometry -----------------------------------------------------------------------------

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


def _map_box(matrix: skia.Matrix, box: Box) -> Box:
    if matrix.isIdentity():
        return box
    r = matrix.mapRect(skia.Rect.MakeXYWH(box.x, box.y, box.width, box.height))
    return Box(r.left(), r.top(), r.width(), r.height())


def _matrix_tuple(matrix: skia.Matrix) -> tuple[float, ...]:
    return tuple(matrix.get(i) for i in range(6))


# ---- scene → elements ------------------------------------------------------------------------

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
        placed, visible = _map_box(matrix, placed), _map_box(matrix, visible)
    visible = intersection(visible, canvas)
    return max(0.0, 1.0 - area(visible) / area(placed))


def flatten(scene: Scene, subjects: SubjectLookup | None = None) -> list[Element]:
    """Every laid-out element of the scene in paint order, with its role."""
    lookup = subjects or (lambda _node: None)
    out: list[Element] = []

    def walk(items: Iterable[SceneItem], matrix: skia.Matrix) -> None:
        for item in items:
            if isinstance(item, TextNode):
                ink = text_box(item)
                if ink is not None:
                    out.append(Element("text", item.name, _map_box(matrix, ink), len(out),
                                       item=item, matrix=_matrix_tuple(matrix)))
            elif isinstance(item, ImageNode):
                drawn = item.box
                placed = image_subject_box(item, lookup(item)) if item.matte is not None \
                    else None
                if placed is not None:  # cut out: what shows is the subject
                    drawn = intersection(placed, item.box)
                out.append(Element("image", item.name, _map_box(matrix, drawn), len(out),
                                   item=item, matrix=_matrix_tuple(matrix)))
            elif isinstance(item, Node):
                a = dict(item.attrs)
                if a.get("display") == "none":
                    continue
                local = matrix
                if "transform" in a:
                    from ddm_lang.renderer.units import parse_transform
                    local = skia.Matrix.Concat(matrix, parse_transform(a["transform"]))
                if item.tag in CONTAINERS:
                    walk(item.children, local)
                elif item.tag in SHAPES:
                    box = _shape_box(item)
                    if box is not None:
                        out.append(Element("shape", item.name, _map_box(local, box), len(out),
                                           item=item, matrix=_matrix_tuple(local)))
            elif isinstance(item, RawNode):
                continue  # designer markup: not a laid-out element

    walk(scene.children, skia.Matrix())
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


# ---- box metrics ---------------------------------------------------------------------------

def valid_elements(elements: Iterable[Element], width: float, height: float) -> list[Element]:
    """Elements covering at least 0.1 % of the canvas (PosterLayout's validity floor)."""
    floor = MIN_AREA * width * height
    return [e for e in elements if area(intersection(e.box, Box(0, 0, width, height))) >= floor]


def overlap(elements: Sequence[Element], width: float, height: float) -> float:
    """PosterLayout Ove: Σ pairwise IoU of content elements / their number."""
    content = [e for e in valid_elements(elements, width, height) if e.role == "content"]
    if not content:
        return 0.0
    total = sum(iou(a.box, b.box) for i, a in enumerate(content) for b in content[i + 1:])
    return total / len(content)


def _coordinates(box: Box, width: float, height: float) -> tuple[float, ...]:
    return (box.x / width, (box.x + box.width / 2) / width, box.right / width,
            box.y / height, (box.y + box.height / 2) / height, box.bottom / height)


def _g(delta: float) -> float:
    return -math.log10(1 - min(delta, 1 - 1e-12)) + 0.0  # never -0.0


def alignment(elements: Sequence[Element], width: float, height: float) -> float:
    """Ali: mean over non-background elements of min over coordinates of g(Δ to the
    nearest other element's same coordinate)."""
    items = [e for e in valid_elements(elements, width, height) if e.role != "background"]
    if len(items) < 2:
        return 0.0
    coords = [_coordinates(e.box, width, height) for e in items]
    scores = []
    for i, ci in enumerate(coords):
        best = math.inf
        for c in range(6):
            delta = min(abs(ci[c] - cj[c]) for j, cj in enumerate(coords) if j != i)
            best = min(best, _g(delta))
        scores.append(best)
    return sum(scores) / len(scores)


def alignment_posterlayout(boxes: Sequence[Box], width: float, height: float) -> float:
    """Ali exactly as PosterLayout's released `eval.py` computes it for one layout: n times
    the smallest g over coordinates of that coordinate's smallest pairwise distance."""
    if len(boxes) < 2:
        return 0.0
    coords = [_coordinates(b, width, height) for b in boxes]
    best = min(_g(min(abs(a[c] - b[c]) for i, a in enumerate(coords) for b in coords[i + 1:]))
               for c in range(6))
    return len(boxes) * best


def underlay_share(elements: Sequence[Element]) -> float | None:
    """Share of texts lying ≥ 90 % on an underlay painted before them; None without text."""
    texts = [e for e in elements if e.kind == "text"]
    if not texts:
        return None
    plates = [e for e in elements if e.role == "underlay"]
    on_plate = 0
    for t in texts:
        if area(t.box) <= 0:
            continue
        if any(p.order < t.order and area(intersection(p.box, t.box)) >= PLATE_SHARE * area(t.box)
               for p in plates):
            on_plate += 1
    return on_plate / len(texts)


# ---- pixel metrics ---------------------------------------------------------------------------

def analysis_scale(width: float, height: float) -> float:
    """Pixel metrics run with the longer side at most 750 px, as PosterLayout's do."""
    return min(1.0, ANALYSIS_SIDE / max(width, height))


def _pixel_span(lo: float, hi: float, scale: float, limit: int) -> tuple[int, int]:
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
        # approximated by the mapped box, which is what `_map_box` gave the element.
        sx, sy = a or 1.0, d or 1.0
        box, crop, m = node.box, node.crop, node.material
        if crop.width <= 0 or crop.height <= 0 or box.width <= 0 or box.height <= 0:
            continue
        cx0, cx1 = _pixel_span(tx + box.x * sx, tx + box.right * sx, scale, w)
        cy0, cy1 = _pixel_span(ty + box.y * sy, ty + box.bottom * sy, scale, h)
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


def _text_region(box: Box, scale: float, shape: tuple[int, int]) -> tuple[slice, slice] | None:
    h, w = shape
    x0, x1 = _pixel_span(box.x, box.right, scale, w)
    y0, y1 = _pixel_span(box.y, box.bottom, scale, h)
    if x1 <= x0 or y1 <= y0:
        return None
    return slice(y0, y1), slice(x0, x1)


def occlusion(elements: Sequence[Element], subject_pixels: np.ndarray,
              scale: float) -> tuple[float, float, list[tuple[Element, float]]]:
    """(area-weighted share of text over the subject, the worst text's share, each text's
    share). Text area outside the canvas counts as not over the subject."""
    total = covered = 0.0
    worst = 0.0
    each: list[tuple[Element, float]] = []
    for e in elements:
        if e.kind != "text" or area(e.box) <= 0:
            continue
        full = area(e.box)
        region = _text_region(e.box, scale, subject_pixels.shape)
        share = 0.0
        if region is not None:  # the subject's mean under the box, times its share on canvas
            on_canvas = area(intersection(e.box, Box(0, 0, subject_pixels.shape[1] / scale,
                                                     subject_pixels.shape[0] / scale)))
            share = min(1.0, float(subject_pixels[region].mean()) * on_canvas / full)
        total += full
        covered += share * full
        worst = max(worst, share)
        each.append((e, share))
    return (covered / total if total > 0 else 0.0), worst, each


def gradient_magnitude(pixels: np.ndarray) -> np.ndarray:
    """PosterLayout's gradient map: grey levels (over white where transparent), 3 × 3
    Sobel, √((gx² + gy²)/2), divided by its maximum (all zero on a flat image)."""
    rgb = pixels[..., :3].astype(np.float32)
    if pixels.shape[-1] == 4:
        alpha = pixels[..., 3:4].astype(np.float32) / 255.0
        rgb = rgb * alpha + 255.0 * (1.0 - alpha)
    grey = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    p = np.pad(grey, 1, mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    mag = np.sqrt((gx * gx + gy * gy) / 2)
    peak = float(mag.max())
    return mag / peak if peak > 0 else mag


def unreadability(elements: Sequence[Element], pixels: np.ndarray, scale: float) -> float | None:
    """PosterLayout Rea on pixels rendered without text: mean normalised gradient over the
    union of text boxes; None when there is no text on the canvas."""
    grad = gradient_magnitude(pixels)
    mask = np.zeros(grad.shape, bool)
    for e in elements:
        if e.kind == "text":
            region = _text_region(e.box, scale, grad.shape)
            if region is not None:
                mask[region] = True
    if not mask.any():
        return None
    return float(grad[mask].mean())


def render_canvas(scene: Scene, base_dir: Path | None = None) -> np.ndarray:
    """The scene without its text, rendered at analysis scale (RGBA)."""
    from ddm_lang.renderer import render
    from ddm_lang.renderer.emit import emit
    scale = analysis_scale(scene.width, scene.height)
    w, h = max(1, round(scene.width * scale)), max(1, round(scene.height * scale))
    roots = (base_dir.resolve(),) if base_dir is not None else ()
    return render(emit(without_text(scene)), w, h, allowed_roots=roots)


# ---- subjects from perception ------------------------------------------------------------------

@lru_cache(maxsize=256)
def _decode_mask(png: bytes) -> np.ndarray:
    """The matte as 0..1 floats, decoded once per matte (products share photos)."""
    from ddm_lang.perception.record import mask_from_png
    return mask_from_png(png).astype(np.float32) / 255.0


def library_subjects(node: ImageNode) -> Subject | None:
    """The subject of an image from its perception record in the material library (the
    record compiling already computed when the template used perception; computed now
    otherwise). None when no subject was found or perception is not installed."""
    from ddm_lang.perception.library import LibraryError, default_library
    from ddm_lang.perception.materials import MaterialError
    from ddm_lang.perception.models import ModelError
    try:
        entry = default_library().perceive(node.material)
    except (ModelError, MaterialError, LibraryError, OSError):
        return None
    record = entry.record
    if not record.get("subject.found") or not record.get("subject.box"):
        return None
    fx, fy, fw, fh = (float(v) for v in record["subject.box"])
    png = node.matte or entry.mask_png
    mask = _decode_mask(png) if png else None
    return Subject((fx, fy, fw, fh), mask)


def _cached(lookup: SubjectLookup) -> SubjectLookup:
    memo: dict[tuple[str, bool], Subject | None] = {}

    def get(node: ImageNode) -> Subject | None:
        key = (node.material.sha256, node.matte is not None)
        if key not in memo:
            memo[key] = lookup(node)
        return memo[key]
    return get


# ---- everything at once ------------------------------------------------------------------------

def measure_scene(scene: Scene, *, subjects: SubjectLookup | None = library_subjects,
                  pixels: np.ndarray | None = None, render: bool = True,
                  base_dir: Path | None = None,
                  occlusion_limit: float = OCCLUSION_LIMIT) -> LayoutMetrics:
    """Every metric of one bound scene. `pixels` is the scene rendered without text at
    analysis scale (rendered here when `render` and not given); `subjects` says where
    each image's subject is (the material library by default, None for no subjects)."""
    lookup = _cached(subjects) if subjects is not None else (lambda _node: None)
    elements = flatten(scene, lookup)
    w, h = scene.width, scene.height
    canvas = Box(0, 0, w, h)
    scale = analysis_scale(w, h)
    problems: list[str] = []

    subject_pixels = subject_map(elements, lookup, w, h, scale)
    occ, occ_max, each = occlusion(elements, subject_pixels, scale)
    for e, share in each:
        if share > occlusion_limit:
            problems.append(f"{e.label} covers the product ({share:.0%} of its box is over "
                            f"the subject; the limit is {occlusion_limit:.0%})")

    overflow = 0
    for e in elements:
        if e.kind == "text" and isinstance(e.item, TextNode) and text_overflows(e.item):
            overflow += 1
            problems.append(f"{e.label} does not fit its box at the minimum size")

    off = 0
    cut = 0.0
    for e in elements:
        if e.role == "underlay" or e.kind == "shape":
            continue
        visible = e.box
        if isinstance(e.item, ImageNode):
            matrix = skia.Matrix()
            a, b, tx, c, d, ty = e.matrix
            matrix.setAll(a, b, tx, c, d, ty, 0, 0, 1)
            subject = lookup(e.item)
            placed = image_subject_box(e.item, subject)
            if placed is not None:
                visible = _map_box(matrix, intersection(placed, e.item.box))
            cut = max(cut, subject_cut(e.item, subject, canvas, matrix))
            if e.role == "background" and placed is None:
                continue  # a full-bleed photo without a known subject may bleed
        t = EDGE_TOLERANCE
        if visible.x < -t or visible.y < -t or visible.right > w + t or visible.bottom > h + t:
            off += 1
            problems.append(f"{e.label} crosses the canvas edge")

    rea = None
    if pixels is None and render and any(e.kind == "text" for e in elements):
        pixels = render_canvas(scene, base_dir)
    if pixels is not None:
        rea = unreadability(elements, pixels, pixels.shape[1] / w)

    return LayoutMetrics(
        overlap=overlap(elements, w, h), alignment=alignment(elements, w, h),
        occlusion=occ, occlusion_max=occ_max, unreadability=rea,
        underlay=underlay_share(elements), overflow=overflow, off_canvas=off,
        subject_cut=cut, elements=sum(e.role != "background" for e in elements),
        texts=sum(e.kind == "text" for e in elements), problems=tuple(problems))


def measure(creative: Creative, **options: Any) -> LayoutMetrics:
    """Every metric of a compiled `Creative` (its scene, its images' folder)."""
    options.setdefault("base_dir", creative.base_dir)
    return measure_scene(creative.scene, **options)
