"""The product separation guarantee at bind time: a product that does not stand out from
its field (`layout/separation.py`) gets a field that lets it, the way a text that does not
read gets a readable fill (`layout/contrast.py`).

A template draws its field from the product's own palette (`shade(hero.palette.accent,
0.6)`), which is exactly what makes a black tee vanish on a near-black field and a red
fruit on a red one. So after binding, each product image whose subject the compile has
perceived is measured; where the figure is below SEPARATION_THRESHOLD, the *field* is
moved in lightness (OKLCH, keeping its hue and chroma, as `readable()` moves a text
colour: the same `nearest_lightness` search) to the nearest lightness that passes, with
MARGIN to spare. Never the product, never an image.

The field is the plain-coloured shapes (rect, circle, ellipse, polygon, polyline, path
with a fill of their own: a background, a halo, a plate) painted before the product whose
boxes reach the window around it. Which of them show in the band just outside its
outline, and how much, is measured rather than guessed: the window is rendered once more
with each of those shapes' colours moved far along one channel of its own (three shapes
a render). Compositing is affine in a shape's colour, so the change in that channel says
how much of the shape reaches every pixel through whatever is painted over it (the
product's drop shadow, a translucent overlay), and the figure for any field colour is
then computed without rendering again: the lightness search is exact and cheap. Shapes
that give at least FIELD_SHARE of the outer band where the outline falls short move
together (the pale half of a half-dark background, which the product already stands out
from, keeps its colour): the one that shows most is searched, the others move by the same
OKLCH lightness step, so a halo keeps its place against the background. Text contrast is checked afterwards on the scene with the new
field (the binder runs `ensure_contrast` last), so copy over a moved field stays readable.

Everything else is left as it was: a product that stands out keeps its SVG bytes; an
opaque photo whose box holds its subject's whole window (a full-bleed photo) is not
measured, as nothing behind it can show; an image whose perception the compile did not
compute is not measured (perceiving it would cost more than the compile:
`measure_separation` with the material library does it for `ddm check`); a product that
no lightness of its field separates, or whose surroundings are a photo or a gradient, is
reported in `Scene.notes`, not changed. An earlier repair's field is seen by the products
after it, but a product that passed is not measured again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ddm_lang.layout.contrast import _paint, _rebuild
from ddm_lang.layout.metrics import Subject, SubjectLookup, _cached, flatten, library_subjects
from ddm_lang.layout.separation import (
    SEPARATION_THRESHOLD,
    Probe,
    analysis_size,
    figure,
    find_probes,
    judge,
    position_deltas,
    render_windows,
    window_pixels,
)
from ddm_lang.renderer.style import NON_RENDERING
from ddm_lang.scene import Box, ImageNode, Material, Node, Scene, SceneItem, without_text
from ddm_lang.semantics.functions import from_oklch, nearest_lightness, to_oklch
from ddm_lang.semantics.values import Color

FIELD_TAGS = frozenset({"rect", "circle", "ellipse", "polygon", "polyline", "path"})
FIELD_SHARE = 0.2      # share of the short part of the outer band a shape must give to move
MAX_FIELDS = 6         # shapes looked at per product, nearest in paint order first
MARGIN = 0.5           # ΔE the repair aims above the threshold: the repaired creative is
#                        measured again from its own render, whose rounding may differ


@dataclass(frozen=True)
class _Field:
    """A shape that may be the product's field: where it is in the tree, its fill."""

    path: tuple[int, ...]
    node: Node
    fill: Color


def ensure_separation(scene: Scene, subjects: SubjectLookup,
                      threshold: float = SEPARATION_THRESHOLD) -> Scene:
    """The scene with the field of every product that does not stand out moved in
    lightness until it does, and notes saying what changed (or why nothing could); the
    very same scene when every product stands out."""
    lookup = _cached(subjects)
    probes = [p for p in find_probes(scene, lookup) if not _covered(scene, p)]
    if not probes:
        return scene
    ground = render_windows(scene, [p.window for p in probes])
    notes: list[str] = []
    changed = False
    for probe in probes:
        if changed:   # an earlier repair may have moved this product's field too
            ground = render_windows(scene, [probe.window])
        pixels = window_pixels(ground, probe)
        before = judge(probe, pixels, threshold)
        if before.passed:
            continue
        repaired, note = _repair(scene, probe, pixels, before.value, threshold)
        if note:
            notes.append(note)
        if repaired is not None:
            scene, changed = repaired, True
    if not notes:
        return scene
    return replace(scene, notes=scene.notes + tuple(notes))


def _covered(scene: Scene, probe: Probe) -> bool:
    """Whether the probe's image is an opaque photo drawn straight on the canvas whose box
    holds the whole window: no field can show around the subject, so there is nothing
    to repair (a full-bleed photo's subject). `measure_separation` still measures it."""
    node = probe.element.item
    if not isinstance(node, ImageNode) or not any(c is node for c in scene.children) \
            or node.matte is not None \
            or node.material.has_alpha or node.material.format == "svg" \
            or not {k for k, _ in node.attrs} <= {"id"}:
        return False
    _, _, scale = analysis_size(scene)
    r0, r1, c0, c1 = probe.window
    box = node.box
    return (box.x * scale <= c0 and box.y * scale <= r0 and box.right * scale >= c1
            and box.bottom * scale >= r1)


def perceived_subjects(perceived: Collection[Material]) -> SubjectLookup:
    """Subjects from the material library for the materials this compile has perceived
    (the binder's memo); none for the others, whose perception would cost more than the
    compile itself."""
    def lookup(node: ImageNode) -> Subject | None:
        return _library_subject(node.material, node.matte) if node.material in perceived \
            else None
    return lookup


@lru_cache(maxsize=32)
def _library_subject(material: Material, matte: bytes | None) -> Subject | None:
    """`library_subjects` for a material (and the cut-out's matte), kept for the process:
    a product's photos come back in every template and format of a batch, and a library
    read costs about a millisecond. Few are kept: each holds its matte as floats."""
    return library_subjects(ImageNode(material, _UNIT, _UNIT, matte=matte))


_UNIT = Box(0, 0, 1, 1)


def _repair(scene: Scene, probe: Probe, pixels: np.ndarray, before: float,
            threshold: float) -> tuple[Scene | None, str]:
    """The scene with the probe's field moved to the nearest passing lightness, or None,
    and the note that says so."""
    label = f"separation: {probe.element.label}"
    level = f"ΔE {before:.1f}, the threshold is {threshold:g}"
    fields = _fields(scene, probe)
    if not fields:
        return None, (f"{label} does not stand out ({level}) and no plain-coloured shape "
                      f"is drawn behind its outline to recolour; left as it is")
    model = _Model.measure(scene, probe, pixels, fields)
    moving = model.moving(threshold)
    if not moving:
        return None, (f"{label} does not stand out ({level}); what is around it is not a "
                      f"plain-coloured shape (a photo or a gradient), left as it is")
    primary = max(moving, key=lambda i: float(model.w_out[i].sum()))
    origin = to_oklch(fields[primary].fill)[0]

    def colours(candidate: Color) -> dict[int, Color]:
        if len(moving) == 1:
            return {primary: candidate}
        step = to_oklch(candidate)[0] - origin
        return {i: candidate if i == primary else _moved(fields[i].fill, step)
                for i in moving}

    judged: dict[str, bool] = {}   # the search's late steps land on the same 8-bit colour

    def passes(candidate: Color) -> bool:
        key = candidate.hex()
        if key not in judged:
            judged[key] = model.value(colours(candidate)) >= threshold + MARGIN
        return judged[key]

    found = nearest_lightness(fields[primary].fill, passes, passes)
    if found is None:
        return None, (f"{label} does not stand out ({level}) and no lightness of its field "
                      f"reaches the threshold; left as it is")
    chosen = colours(found)
    replacements: dict[tuple[int, ...], tuple[SceneItem, ...]] = {}
    changes = []
    for i, colour in chosen.items():
        field = fields[i]
        if colour.hex() == field.fill.hex():
            continue
        replacements[field.path] = (_with_fill(field.node, colour),)
        changes.append(f"{_name(field.node)} {field.fill.hex()} → {colour.hex()}")
    if not replacements:
        return None, ""
    after = model.value(chosen)
    return (replace(scene, children=_rebuild(scene.children, (), replacements)),
            f"{label}: field {', '.join(changes)}, ΔE {before:.1f} → {after:.1f} between "
            f"its edge and what is around it (threshold {threshold:g})")


# ---- the field -----------------------------------------------------------------------------

def _fields(scene: Scene, probe: Probe) -> list[_Field]:
    """Plain-filled shapes painted before the probe's image whose boxes reach its window,
    the latest painted first (what shows around a product is mostly what lies nearest
    under it), at most MAX_FIELDS."""
    _, _, scale = analysis_size(scene)
    r0, r1, c0, c1 = probe.window
    window = Box(c0 / scale, r0 / scale, (c1 - c0) / scale, (r1 - r0) / scale)
    boxes = {id(e.item): e.box for e in flatten(without_text(scene)) if e.kind == "shape"}
    found: list[_Field] = []
    for path, node in _before(scene.children, probe.element.item):
        attrs = dict(node.attrs)
        if node.tag not in FIELD_TAGS or "fill" not in attrs:
            continue   # an inherited fill is its group's, not this shape's, to change
        fill, problem = _paint(attrs["fill"])
        if fill is None or problem or "fill" in attrs.get("style", ""):
            continue
        box = boxes.get(id(node))
        if box is not None and not box.intersects(window):
            continue
        found.append(_Field(path, node, fill))
    return found[::-1][:MAX_FIELDS]


def _before(items: tuple[SceneItem, ...], target: object) -> list[tuple[tuple[int, ...], Node]]:
    """The nodes painted before `target` (an ImageNode, by identity), in paint order, with
    their paths; non-rendering subtrees (defs, clip paths, masks) and hidden ones left out."""
    out: list[tuple[tuple[int, ...], Node]] = []

    def walk(items: tuple[SceneItem, ...], path: tuple[int, ...]) -> bool:
        for i, item in enumerate(items):
            if item is target:
                return True
            if not isinstance(item, Node) or item.tag in NON_RENDERING \
                    or dict(item.attrs).get("display") == "none":
                continue
            here = (*path, i)
            out.append((here, item))
            if item.children and walk(item.children, here):
                return True
        return False

    walk(items, ())
    return out


def _moved(colour: Color, step: float) -> Color:
    """The colour `step` lighter (OKLCH lightness), same hue and chroma, as written."""
    lightness, chroma, hue = to_oklch(colour)
    moved = from_oklch(lightness + step, chroma, hue, colour.a)
    return Color.parse(moved.hex())


def _with_fill(node: Node, colour: Color) -> Node:
    return replace(node, attrs=tuple((k, colour.hex() if k == "fill" else v)
                                     for k, v in node.attrs)
                   if any(k == "fill" for k, _ in node.attrs)
                   else (*node.attrs, ("fill", colour.hex())))


def _name(node: Node) -> str:
    return f"`{node.name}`" if node.name else f"a {node.tag}"


# ---- how the field's colour reaches the outline ------------------------------------------------

@dataclass(frozen=True)
class _Model:
    """Band sums at the probe's positions as an affine function of the fields' colours:
    inner = c_in + Σ w_in[k] · colour_k (and the same for outer), colours in 0..255."""

    probe: Probe
    fields: list[_Field]
    c_in: np.ndarray          # positions × 3
    c_out: np.ndarray
    w_in: np.ndarray          # fields × positions
    w_out: np.ndarray
    n_in: np.ndarray
    n_out: np.ndarray

    @classmethod
    def measure(cls, scene: Scene, probe: Probe, pixels: np.ndarray,
                fields: list[_Field]) -> _Model:
        """From the window as drawn (`pixels`) and one more render per three fields, in
        which each field's colour moves by half the range or more in one channel of its
        own: the change in that channel, over the move, is how much of the field reaches
        each pixel; what the fields do not explain is the rest of the drawing."""
        weights: list[np.ndarray] = []
        for start in range(0, len(fields), 3):
            group = dict(enumerate(range(start, min(start + 3, len(fields)))))
            moved = {i: _nudged(fields[i].fill, ch) for ch, i in group.items()}
            replacements = {fields[i].path: (_with_fill(fields[i].node, c),)
                            for i, c in moved.items()}
            nudged = replace(scene, children=_rebuild(scene.children, (), replacements))
            lit = window_pixels(render_windows(nudged, [probe.window]), probe)
            for ch, i in group.items():
                step = (_rgb(moved[i]) - _rgb(fields[i].fill))[ch]
                weights.append(np.clip((lit[..., ch] - pixels[..., ch]) / step, 0.0, 1.0))
        n_in, n_out = probe.n_in, probe.n_out
        w_in = np.array([probe.sums(w, probe.inner) for w in weights])
        w_out = np.array([probe.sums(w, probe.outer) for w in weights])
        drawn = np.array([_rgb(f.fill) for f in fields])
        return cls(probe, fields, probe.sums(pixels, probe.inner) - w_in.T @ drawn,
                   probe.sums(pixels, probe.outer) - w_out.T @ drawn, w_in, w_out, n_in,
                   n_out)

    def moving(self, threshold: float) -> list[int]:
        """The fields that give at least FIELD_SHARE of the outer band where the outline
        falls short of the threshold: a field the product already stands out from (the
        pale half of a half-dark background) keeps its colour."""
        deltas = position_deltas(*self.sums({}), self.n_in, self.n_out)
        short = np.isfinite(deltas) & (deltas < threshold)
        total = float(self.n_out[short].sum())
        if total <= 0:
            return []
        return [i for i, w in enumerate(self.w_out) if float(w[short].sum()) / total >= FIELD_SHARE]

    def sums(self, colours: dict[int, Color]) -> tuple[np.ndarray, np.ndarray]:
        """The band sums at every position with these fields' colours (the others as
        drawn)."""
        inner, outer = self.c_in.copy(), self.c_out.copy()
        for i, field in enumerate(self.fields):
            rgb = _rgb(colours.get(i, field.fill))
            inner += self.w_in[i][:, None] * rgb
            outer += self.w_out[i][:, None] * rgb
        return inner, outer

    def value(self, colours: dict[int, Color]) -> float:
        """The figure with these fields' colours (the others as drawn)."""
        return figure(*self.sums(colours), self.n_in, self.n_out)[0]


def _rgb(colour: Color) -> np.ndarray:
    return np.array([colour.r, colour.g, colour.b]) * 255.0


def _nudged(fill: Color, channel: int) -> Color:
    """The fill with one channel moved to the far end of its range (at least half away)."""
    rgb = [fill.r, fill.g, fill.b]
    rgb[channel] = 0.0 if rgb[channel] >= 0.5 else 1.0
    return Color(*rgb, fill.a)
