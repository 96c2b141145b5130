"""Layout quality metrics on compiled creatives: is the result designed or merely stitched?

A creative compiles whenever its template checks, but a headline across the product, a
subject cut by the canvas edge or a title that had to end in `…` are layout failures no
diagnostic catches. These metrics measure them on the bound `Scene` (boxes in canvas
pixels, exactly what is drawn) plus, for readability, the rendered pixels. Where the
content-aware layout literature has a metric for the same thing we follow PosterLayout
(Hsu et al., CVPR 2023, the released `eval.py`), so figures can be set beside published
ones for scale; where ours differs, the definition below says how and why.

Elements and roles are those of `ddm_lang.layout.elements`.

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
  failure. Shapes may bleed off the edge: that is a design device, not a mistake; so may
  any element across the edges its `bleed` property declares (`bleed: bottom`).
- `subject_cut` ↓: the largest share of a perceived subject's box that its image's crop
  or the canvas cuts away (reported, not a failure on its own: `place` already keeps
  subjects whole where the image allows).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import skia

from ddm_lang.layout.elements import (
    EDGE_TOLERANCE,
    MIN_AREA,
    PLATE_SHARE,
    Compiled,
    Element,
    SubjectLookup,
    analysis_scale,
    area,
    cached_lookup,
    flatten,
    image_subject_box,
    intersection,
    iou,
    library_subjects,
    map_box,
    pixel_span,
    subject_cut,
    subject_map,
    text_overflows,
)
from ddm_lang.scene import Box, ImageNode, Scene, TextNode, without_text

OCCLUSION_LIMIT = 0.10    # worst text's share over the subject that fails a creative


# Published on the PosterLayout test split (Hsu et al., CVPR 2023, table 2): DS-GAN.
DSGAN_POSTERLAYOUT = {"overlap": 0.0220, "alignment": 0.0046, "occlusion": 0.2088,
                      "unreadability": 0.1874}


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


def _text_region(box: Box, scale: float, shape: tuple[int, int]) -> tuple[slice, slice] | None:
    h, w = shape
    x0, x1 = pixel_span(box.x, box.right, scale, w)
    y0, y1 = pixel_span(box.y, box.bottom, scale, h)
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
    from ddm_lang.emit import emit
    from ddm_lang.renderer import render
    scale = analysis_scale(scene.width, scene.height)
    w, h = max(1, round(scene.width * scale)), max(1, round(scene.height * scale))
    roots = (base_dir.resolve(),) if base_dir is not None else ()
    return render(emit(without_text(scene)), w, h, allowed_roots=roots)


def measure_scene(scene: Scene, *, subjects: SubjectLookup | None = library_subjects,
                  pixels: np.ndarray | None = None, render: bool = True,
                  base_dir: Path | None = None,
                  occlusion_limit: float = OCCLUSION_LIMIT) -> LayoutMetrics:
    """Every metric of one bound scene. `pixels` is the scene rendered without text at
    analysis scale (rendered here when `render` and not given); `subjects` says where
    each image's subject is (the material library by default, None for no subjects)."""
    lookup = cached_lookup(subjects) if subjects is not None else (lambda _node: None)
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
                visible = map_box(matrix, intersection(placed, e.item.box))
            cut = max(cut, subject_cut(e.item, subject, canvas, matrix))
            if e.role == "background" and placed is None:
                continue  # a full-bleed photo without a known subject may bleed
        t = EDGE_TOLERANCE
        crossed = {"left": visible.x < -t, "top": visible.y < -t,
                   "right": visible.right > w + t, "bottom": visible.bottom > h + t}
        if any(out and edge not in e.bleed for edge, out in crossed.items()):
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


def measure(creative: Compiled, **options: Any) -> LayoutMetrics:
    """Every metric of a compiled `Creative` (its scene, its images' folder)."""
    options.setdefault("base_dir", creative.base_dir)
    return measure_scene(creative.scene, **options)
