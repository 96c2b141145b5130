"""The product separation guarantee at bind time: a product that does not stand out from
its field (`layout/separation.py`) gets a field that lets it, the way a text that does not
read gets a readable fill (`layout/contrast.py`).

A template draws its field from the product's own palette (`shade(hero.palette.accent,
0.6)`), which is exactly what makes a black tee vanish on a near-black field and a red
fruit on a red one. So after binding, each product image whose subject the compile has
perceived is measured; where the figure is below SEPARATION_THRESHOLD, the *field* is
moved in lightness (OKLCH, keeping its hue and chroma, as `readable()` moves a text
colour: the same `nearest_lightness` search) to the nearest lightness that passes, with
MARGINS to spare. Never the product, never an image.

The field is the plain-coloured shapes (rect, circle, ellipse, polygon, polyline, path
with a fill of their own: a background, a halo, a plate) painted before the product
whose boxes reach the window around it, and the shapes filled with a gradient the scene
defines (`fill: url(#wash)`), whose stops are the colours that move: every stop of the
gradient by the same OKLCH lightness step, so the wash keeps its hues and its fall-off.
The gradient is a node of this creative's scene, rebuilt like any other, so no other
creative sees the change. Which of them show in the band just outside its outline, and
how much, is measured rather than guessed: the window is rendered once more with each of
those shapes' colours moved far along one channel of its own (three shapes a render).
Compositing is affine in a shape's colour (and a gradient's pixels in its stop colours:
they interpolate them), so the change in that channel says how much of the shape reaches
every pixel through whatever is painted over it (the product's drop shadow, a
translucent overlay), and the figure for any field colour is then computed without
rendering again: the lightness search is exact and cheap. Shapes (a gradient counts as
one, all its stops together) that give at least FIELD_SHARE of the outer band where the
outline falls short move together (the pale half of a half-dark background, which the
product already stands out from, keeps its colour): the one that shows most is searched,
the others move by the same OKLCH lightness step, so a halo keeps its place against the
background. The repaired window is then rendered and measured as `measure_separation`
measures it; should the model's figure and the rendered one part (8-bit rounding,
weights clipped at the edge of a shadow), the search is run again with more to spare
(MARGINS, the least first, so the field moves no further than it must). Each side,
darker and lighter, is tried, the nearer first; a lightness that would make another
product or logo of the creative that stood out fail is walked past (LIGHTNESS_STEP), so
a repair never trades one product's separation for another's (the pale field a serum
stands on goes to white, where the nearest darker field would have lost the brand's
logo drawn on it). Text contrast is checked afterwards
on the scene with the new field (the binder runs `ensure_contrast` last), so copy over a
moved field stays readable.

Everything else is left as it was: a product that stands out keeps its SVG bytes; an
opaque photo whose subject is mostly surrounded by the photo's own pixels (a full-bleed
photo, an uncut packshot: `separation.own_backdrop`, the predicate by which the check
calls the figure not applicable) is not repaired, as no field behind it can show; an
image whose perception the compile did not compute is not measured (perceiving it would
cost more than the compile: `measure_separation` with the material library does it for
`ddm check`); a product that no lightness of its field separates, or whose surroundings
are a photo, is reported in `Scene.notes`, not changed. An earlier repair's field is
seen by the products after it, but a product that passed is not measured again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ddm_lang.layout.contrast import _paint, _rebuild
from ddm_lang.layout.elements import Subject, SubjectLookup, cached_lookup, flatten, record_subject
from ddm_lang.layout.separation import (
    SEPARATION_THRESHOLD,
    Probe,
    SeparationResult,
    analysis_size,
    figure,
    find_probes,
    judge,
    position_deltas,
    render_windows,
    window_pixels,
)
from ddm_lang.perception.library import Entry
from ddm_lang.renderer.paint import GRADIENTS
from ddm_lang.renderer.style import NON_RENDERING
from ddm_lang.renderer.units import URL_RE
from ddm_lang.scene import Box, ImageNode, Material, Node, Scene, SceneItem, without_text
from ddm_lang.semantics.functions import from_oklch, nearest_lightness, to_oklch
from ddm_lang.values import Color

FIELD_TAGS = frozenset({"rect", "circle", "ellipse", "polygon", "polyline", "path"})
FIELD_SHARE = 0.2      # share of the short part of the outer band a shape must give to move
MAX_FIELDS = 6         # shapes looked at per product, nearest in paint order first
MARGINS = (0.1, 1.0, 2.5, 4.0)   # ΔE the repair aims above the threshold, tried in turn
#                                  until the repaired window, rendered and measured, passes


@dataclass(frozen=True)
class _Field:
    """A colour that may be the product's field: where its node is in the tree, the
    attribute that holds it (a shape's `fill`, a gradient stop's `stop-color`), the colour,
    the group that moves as one (a shape alone; a gradient's stops together) and a label
    for notes."""

    path: tuple[int, ...]
    node: Node
    fill: Color
    attr: str = "fill"
    group: object = None
    label: str = ""


def ensure_separation(scene: Scene, subjects: SubjectLookup,
                      threshold: float = SEPARATION_THRESHOLD) -> Scene:
    """The scene with the field of every product that does not stand out moved in
    lightness until it does, and notes saying what changed (or why nothing could); the
    very same scene when every product stands out."""
    lookup = cached_lookup(subjects)
    probes = [p for p in find_probes(scene, lookup) if not p.own_backdrop]
    if not probes:
        return scene
    windows = [p.window for p in probes]
    ground = render_windows(scene, windows)
    notes: list[str] = []
    changed = False
    for probe in probes:
        if changed:   # an earlier repair may have moved this product's field too
            ground, changed = render_windows(scene, windows), False
        pixels = window_pixels(ground, probe)
        before = judge(probe, pixels, threshold)
        if before.passed:
            continue
        standing = [o for o in probes if o is not probe
                    and judge(o, window_pixels(ground, o), threshold).passed]
        repaired, note = _repair(scene, probe, pixels, before.value, threshold, standing)
        if note:
            notes.append(note)
        if repaired is not None:
            scene, changed = repaired, True
    if not notes:
        return scene
    return replace(scene, notes=scene.notes + tuple(notes))


def perceived_subjects(perceived: Mapping[Material, Entry]) -> SubjectLookup:
    """Subjects from the perception records this compile has read (the binder's memo,
    from its environment's library); none for other materials, whose perception would
    cost more than the compile itself."""
    def lookup(node: ImageNode) -> Subject | None:
        entry = perceived.get(node.material)
        if entry is None:
            return None
        box = entry.record.get("subject.box")
        return _subject(bool(entry.record.get("subject.found")),
                        tuple(box) if isinstance(box, list) else None,
                        node.matte or entry.mask_png)
    return lookup


@lru_cache(maxsize=32)
def _subject(found: bool, box: tuple[float, ...] | None, matte: bytes | None) -> Subject | None:
    """`record_subject`, kept for the process: a product's photos come back in every
    template and format of a batch, and decoding a matte costs. Few are kept: each holds
    its matte as floats."""
    return record_subject({"subject.found": found, "subject.box": box}, matte)


def _repair(scene: Scene, probe: Probe, pixels: np.ndarray, before: float,
            threshold: float, standing: Sequence[Probe] = ()) -> tuple[Scene | None, str]:
    """The scene with the probe's field moved to the nearest passing lightness, or None,
    and the note that says so. A lightness that makes one of `standing` (the scene's
    other products and logos that stand out now) fail is not taken: a repair that moves one
    product's field must not lose the logo drawn on it."""
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
                      f"plain colour or a gradient (a photo), left as it is")
    primary = max(moving, key=lambda i: float(model.w_out[i].sum()))
    origin = to_oklch(fields[primary].fill)[0]

    def colours(candidate: Color) -> dict[int, Color]:
        if len(moving) == 1:
            return {primary: candidate}
        step = to_oklch(candidate)[0] - origin
        return {i: candidate if i == primary else _moved(fields[i].fill, step)
                for i in moving}

    values: dict[str, float] = {}   # the search's late steps land on one 8-bit colour

    def value(candidate: Color) -> float:
        key = candidate.hex()
        if key not in values:
            values[key] = model.value(colours(candidate))
        return values[key]

    repaired: tuple[Scene, list[str], SeparationResult] | None = None
    never = lambda _: False  # noqa: E731
    lost: set[float] = set()   # sides on which every lightness loses another product
    for margin in MARGINS:
        def passes(candidate: Color, aim: float = threshold + margin) -> bool:
            return value(candidate) >= aim

        # the nearest passing lightness on each side, nearer side first; a side whose
        # candidate loses another product walks on, away from the field's colour
        sides = [(found, sign) for found, sign in (
            (nearest_lightness(fields[primary].fill, never, passes), -1.0),
            (nearest_lightness(fields[primary].fill, passes, never), 1.0)) if found is not None]
        sides.sort(key=lambda fs: abs(to_oklch(fs[0])[0] - origin))
        if not sides:
            break
        for found, sign in sides:
            if sign in lost:   # more margin only starts the same walk further out
                continue
            attempt = _keeping(scene, probe, fields, colours, found, sign, standing, threshold)
            if attempt is None:
                lost.add(sign)
                continue
            repaired = attempt
            break
        if repaired is not None and repaired[2].passed:
            break
    if repaired is None:
        return None, (f"{label} does not stand out ({level}) and no lightness of its field "
                      f"reaches the threshold; left as it is")
    new_scene, changes, after = repaired
    short = "" if after.passed else "; still short of it, the nearest it could get"
    return (new_scene,
            f"{label}: field {', '.join(changes)}, ΔE {before:.1f} → {after.value:.1f} "
            f"between its edge and what is around it (threshold {threshold:g}{short})")


LIGHTNESS_STEP = 0.05   # OKLCH lightness a repair walks on by when it would lose another


def _keeping(scene: Scene, probe: Probe, fields: list[_Field],
             colours: Callable[[Color], dict[int, Color]], found: Color,
             sign: float, standing: Sequence[Probe], threshold: float,
             ) -> tuple[Scene, list[str], SeparationResult] | None:
    """The scene recoloured with `found` (walked on in lightness, `sign` the way, while
    that would make one of `standing` fail), the changes and the probe's figure, as the
    check measures it: rendered. None when no lightness that way keeps them all."""
    lightness, chroma, hue = to_oklch(found)
    end = 1.0 if sign > 0 else 0.0

    def shade(x: float) -> Color:
        return Color.parse(from_oklch(x, chroma, hue, found.a).hex())

    steps = [found, *(shade(x) for x in np.arange(lightness + sign * LIGHTNESS_STEP, end,
                                                   sign * LIGHTNESS_STEP)), shade(end)]
    for candidate in steps:
        attempt = _recoloured(scene, fields, colours(candidate))
        if attempt is None:
            return None
        ground = render_windows(attempt[0], [p.window for p in (probe, *standing)])
        if all(judge(o, window_pixels(ground, o), threshold).passed for o in standing):
            return (*attempt, judge(probe, window_pixels(ground, probe), threshold))
    return None


def _recoloured(scene: Scene, fields: list[_Field],
                chosen: dict[int, Color]) -> tuple[Scene, list[str]] | None:
    """The scene with these fields' colours, and what changed; None when nothing did."""
    replacements: dict[tuple[int, ...], tuple[SceneItem, ...]] = {}
    changes = []
    for i, colour in chosen.items():
        field = fields[i]
        if colour.hex() == field.fill.hex():
            continue
        replacements[field.path] = (_with_paint(field.node, field.attr, colour),)
        changes.append(f"{field.label or _name(field.node)} {field.fill.hex()} → {colour.hex()}")
    if not replacements:
        return None
    return replace(scene, children=_rebuild(scene.children, (), replacements)), changes


# ---- the field -----------------------------------------------------------------------------

def _fields(scene: Scene, probe: Probe) -> list[_Field]:
    """Plain-filled shapes painted before the probe's image whose boxes reach its window,
    and the stops of the gradients such shapes are filled with, the latest painted first
    (what shows around a product is mostly what lies nearest under it): at most MAX_FIELDS
    colours, a gradient's stops all or none (they move together)."""
    _, _, scale = analysis_size(scene)
    r0, r1, c0, c1 = probe.window
    window = Box(c0 / scale, r0 / scale, (c1 - c0) / scale, (r1 - r0) / scale)
    boxes = {id(e.item): e.box for e in flatten(without_text(scene)) if e.kind == "shape"}
    groups: list[list[_Field]] = []
    gradients: set[str] = set()
    for path, node in _before(scene.children, probe.element.item):
        attrs = dict(node.attrs)
        if node.tag not in FIELD_TAGS or "fill" not in attrs or "fill" in attrs.get("style", ""):
            continue   # an inherited fill is its group's, not this shape's, to change
        box = boxes.get(id(node))
        if box is not None and not box.intersects(window):
            continue
        url = URL_RE.match(attrs["fill"].strip())
        if url is not None:
            if url[1] not in gradients:
                gradients.add(url[1])
                stops = _gradient_stops(scene, url[1])
                if stops:
                    groups.append(stops)
            continue
        fill, problem = _paint(attrs["fill"])
        if fill is not None and not problem:
            groups.append([_Field(path, node, fill, group=path)])
    found: list[_Field] = []
    for group in groups[::-1]:
        if len(found) + len(group) <= MAX_FIELDS:
            found += group
    return found


def _gradient_stops(scene: Scene, gradient_id: str) -> list[_Field]:
    """The stops of the scene's linear or radial gradient with this id, as fields that move
    together; none when it is not there, has no stops of its own (it borrows another's
    through `href`) or a stop's colour is not a plain `stop-color` attribute."""
    def find(items: tuple[SceneItem, ...], path: tuple[int, ...]) -> tuple | None:
        for i, item in enumerate(items):
            if not isinstance(item, Node):
                continue
            if item.tag in GRADIENTS and dict(item.attrs).get("id") == gradient_id:
                return (*path, i), item
            hit = find(item.children, (*path, i))
            if hit is not None:
                return hit
        return None

    hit = find(scene.children, ())
    if hit is None:
        return []
    path, gradient = hit
    fields = []
    for i, stop in enumerate(gradient.children):
        if not isinstance(stop, Node) or stop.tag != "stop":
            continue
        attrs = dict(stop.attrs)
        colour, problem = _paint(attrs.get("stop-color", "none"))
        if colour is None or problem or "stop-color" in attrs.get("style", ""):
            return []
        fields.append(_Field((*path, i), stop, colour, "stop-color", ("gradient", gradient_id),
                             f"gradient `{gradient_id}` stop {attrs.get('offset', i)}"))
    return fields


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


def _with_paint(node: Node, attr: str, colour: Color) -> Node:
    """The node with `attr` (`fill`, `stop-color`) set to the colour."""
    return replace(node, attrs=tuple((k, colour.hex() if k == attr else v)
                                     for k, v in node.attrs)
                   if any(k == attr for k, _ in node.attrs)
                   else (*node.attrs, (attr, colour.hex())))


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
            replacements: dict[tuple[int, ...], tuple[SceneItem, ...]] = {
                fields[i].path: (_with_paint(fields[i].node, fields[i].attr, c),)
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
        """The fields whose group (a shape; a gradient's stops together) gives at least
        FIELD_SHARE of the outer band where the outline falls short of the threshold: a
        field the product already stands out from (the pale half of a half-dark
        background) keeps its colour."""
        deltas = position_deltas(*self.sums({}), self.n_in, self.n_out)
        short = np.isfinite(deltas) & (deltas < threshold)
        total = float(self.n_out[short].sum())
        if total <= 0:
            return []
        shares: dict[object, float] = {}
        for field, w in zip(self.fields, self.w_out, strict=True):
            shares[field.group] = shares.get(field.group, 0.0) + float(w[short].sum()) / total
        return [i for i, f in enumerate(self.fields) if shares[f.group] >= FIELD_SHARE]

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
    return Color(rgb[0], rgb[1], rgb[2], fill.a)
