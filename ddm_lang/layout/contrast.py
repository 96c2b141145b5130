"""The text contrast guarantee: every text of a bound scene is readable against the pixels
actually under it, at WCAG AA, or the scene says what it changed to make it so.

A template is written once for thousands of products: white copy chosen for a dark photo
lands on a white shirt for the next product. So after binding, the scene without its
text is rendered once (our renderer, at most MAX_SIDE px on the long side: contrast is a
property of areas, not of single pixels; only the pixels under the lines are drawn, the
rest of the canvas is clipped away) and, for each text, the pixels under each line's
glyph box (advance width × ascent + descent) are compared with the text's fill. The
score is the 10th percentile of the per-pixel WCAG ratio: a few pixels of a busy photo
may be worse, but nine in ten parts of the line's ground are at least that good. Below
AA (4.5:1; 3:1 for large text, ≥ 24 px or ≥ 18.66 px bold) the fill is fixed,
deterministically, in this order:

1. the template's own colour made lighter or darker along its hue (OKLCH), the nearest
   lightness that passes (`nearest_lightness`, the engine of `readable()`); its ends are
   black and white, so "else black or white" is the last step of the same search;
2. when no single colour can pass (a line half on a dark and half on a light ground), a
   subtle underlay: a rounded plate behind the lines, black under light text and white
   under dark text, at the lowest opacity of PLATE_ALPHAS that passes.

Text that passes is left exactly as it was (its SVG bytes do not change). Every change,
and every text that could not be checked, is a line in `Scene.notes`.

Limits: only text laid out by the binder (`text` elements with content, not hand-built
`tspan` children or raw SVG) is checked; its fill must be a plain colour (own or inherited
from enclosing groups; a gradient or pattern fill, a fill set through `style`, or an
outlined text with a `stroke` is reported as not checked). The ground is everything but
text, so an element drawn over a text counts as its ground; text over text is not
compared. Transparent canvas reads as white. Translucent text (`opacity`,
`fill-opacity`) is measured as it composites; if even a solid plate cannot lift it to
the level, the note says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import skia

from ddm_lang.renderer.colors import parse_color
from ddm_lang.renderer.fonts import FontRegistry
from ddm_lang.renderer.style import NON_RENDERING
from ddm_lang.renderer.units import parse_transform
from ddm_lang.scene import ImageNode, Material, Node, Scene, SceneItem, TextNode, without_text
from ddm_lang.semantics.functions import nearest_lightness, readable
from ddm_lang.values import BLACK, WHITE, Color, format_number

BODY_RATIO = 4.5
LARGE_RATIO = 3.0
LARGE_PX = 24.0
LARGE_BOLD_PX = 18.66
BOLD = 700
PERCENTILE = 10.0
MAX_SIDE = 540
PLATE_ALPHAS = (0.25, 0.4, 0.55, 0.7, 0.85, 1.0)
PLATE_PAD = (0.3, 0.15)   # plate margin around the lines, in em (horizontal, vertical)
PLATE_RADIUS = 0.2        # em


@dataclass(frozen=True)
class _Text:
    """A TextNode where it lands: its path of child indices from the scene root, the matrix
    from its coordinates to the canvas, its fill (None: not a plain colour) and opacity."""

    path: tuple[int, ...]
    node: TextNode
    matrix: skia.Matrix
    fill: Color | None
    alpha: float          # the text's own opacity times its groups'
    group_alpha: float    # its groups' opacity alone (what a plate beside it gets)
    problem: str = ""     # why it cannot be checked


def ensure_contrast(scene: Scene, fonts: FontRegistry | None = None) -> Scene:
    """The scene with every failing text fill fixed (or plated), and notes saying what
    changed; the very same scene when nothing needed fixing and nothing was unchecked."""
    texts = list(_texts(scene.children, (), skia.Matrix(), BLACK, 1.0, ""))
    if not texts:
        return scene
    notes: list[str] = [f"contrast: {_label(t.node)} not checked: {t.problem}"
                        for t in texts if t.problem]
    checkable = [t for t in texts if not t.problem]
    replacements: dict[tuple[int, ...], tuple[SceneItem, ...]] = {}
    if checkable:
        fonts = fonts or FontRegistry.default()
        w, h = _ground_size(scene)
        sx, sy = w / scene.width, h / scene.height
        placed = []
        for text in checkable:
            boxes = _line_boxes(text.node, fonts)
            windows = [win for b in boxes if (win := _window(text.matrix, b, sx, sy, (h, w)))]
            placed.append((text, boxes, windows))
        ground = _ground(scene, w, h, [win for _, _, ws in placed for win in ws])
        for text, boxes, windows in placed:
            fixed, note = _check(text, boxes, windows, ground)
            if fixed is not None:
                replacements[text.path] = fixed
            if note:
                notes.append(note)
    if not replacements and not notes:
        return scene
    return replace(scene, children=_rebuild(scene.children, (), replacements),
                   notes=scene.notes + tuple(notes))


# ---- finding the texts -------------------------------------------------------------------

def _texts(items: tuple[SceneItem, ...], path: tuple[int, ...], matrix: skia.Matrix,
           fill: Color | None, alpha: float, problem: str) -> Iterator[_Text]:
    for i, item in enumerate(items):
        if isinstance(item, TextNode):
            yield _text_entry(item, (*path, i), matrix, fill, alpha, problem)
        elif isinstance(item, Node) and item.children and item.tag not in NON_RENDERING:
            attrs = dict(item.attrs)
            if attrs.get("display") == "none" or attrs.get("visibility") == "hidden":
                continue
            inner = skia.Matrix.Concat(matrix, parse_transform(attrs.get("transform")))
            inner_fill, inner_problem = fill, problem
            if "fill" in attrs:
                inner_fill, inner_problem = _paint(attrs["fill"])
            if "fill" in attrs.get("style", ""):
                inner_fill, inner_problem = None, "its fill is set through `style`"
            yield from _texts(item.children, (*path, i), inner, inner_fill,
                              alpha * _fraction(attrs.get("opacity")), inner_problem)


def _text_entry(node: TextNode, path: tuple[int, ...], matrix: skia.Matrix,
                fill: Color | None, alpha: float, problem: str) -> _Text:
    attrs = dict(node.attrs)
    own = skia.Matrix.Concat(matrix, parse_transform(attrs.get("transform")))
    if "fill" in attrs:
        fill, problem = _paint(attrs["fill"])
    if "fill" in attrs.get("style", ""):
        fill, problem = None, "its fill is set through `style`"
    if attrs.get("stroke", "none").strip() != "none":
        fill, problem = None, "it is outlined (`stroke`)"
    own_alpha = _fraction(attrs.get("opacity")) * _fraction(attrs.get("fill-opacity"))
    if fill is None and not problem:
        problem = "it has no fill"
    return _Text(path, node, own, fill, alpha * own_alpha, alpha, problem)


def _paint(value: str) -> tuple[Color | None, str]:
    if value.strip().lower() == "none":
        return None, "its fill is `none`"
    rgba = parse_color(value)
    if rgba is None:
        return None, f"its fill `{value}` is not a plain colour"
    return Color(*rgba), ""


def _fraction(value: str | None) -> float:
    if value is None:
        return 1.0
    try:
        v = float(value[:-1]) / 100 if value.strip().endswith("%") else float(value)
    except ValueError:
        return 1.0
    return max(0.0, min(1.0, v))


def _label(node: TextNode) -> str:
    if node.name:
        return f"text `{node.name}`"
    words = " ".join(line.text for line in node.lines)
    return f'text "{words[:24]}{"…" if len(words) > 24 else ""}"'


# ---- the ground under the text -----------------------------------------------------------

def _ground_size(scene: Scene) -> tuple[int, int]:
    """The ground's pixel size: the canvas at most MAX_SIDE px on its long side."""
    k = min(1.0, MAX_SIDE / max(scene.width, scene.height))
    return max(1, round(scene.width * k)), max(1, round(scene.height * k))


def _ground(scene: Scene, w: int, h: int, windows: list[tuple[int, int, int, int]],
            href: Callable[[Material], str] | None = None) -> np.ndarray:
    """The scene without text rendered at w × h, as float RGB over white, inside the
    windows (rows r0:r1, columns c0:c1) only: the rest of the canvas is clipped out of
    the drawing and left 0. Pixels inside are those of a whole render (same transform;
    the clip only masks): identical on every stdlib creative at 1080², within one level
    on a handful of edge pixels of a few small formats. Materials are read from their
    files, not re-decoded from the data URIs the creative's SVG carries (or, with `href`,
    wherever it says: the separation check draws small stand-ins of product photos)."""
    from ddm_lang.emit import emit_tree
    from ddm_lang.renderer.raster import draw, straight_pixels
    ground = np.zeros((h, w, 3), np.float32)
    if not windows:
        return ground
    bare = _clear_of(without_text(scene), windows, w / scene.width, h / scene.height)
    pixels = np.zeros((h, w, 4), np.uint8)
    surface = skia.Surface(pixels, colorType=skia.ColorType.kRGBA_8888_ColorType,
                           alphaType=skia.AlphaType.kPremul_AlphaType)
    canvas = surface.getCanvas()
    # The clip's bounds stay the whole canvas (its corner pixels are in it): skia picks its
    # antialiasing scan converter by whether a path lies inside the clip's bounds, so a
    # tighter bound would shade edges differently from a whole render.
    region = skia.Region()
    corners = [(0, 1, 0, 1), (0, 1, w - 1, w), (h - 1, h, 0, 1), (h - 1, h, w - 1, w)]
    for r0, r1, c0, c1 in (*windows, *corners):
        region.op(skia.IRect.MakeLTRB(c0, r0, c1, r1), skia.Region.Op.kUnion_Op)
    canvas.clipRegion(region)
    files = tuple(dict.fromkeys(_material_files((*bare.defs, *bare.children))))
    draw(emit_tree(bare, href or _file_href), canvas, w, h, files)
    surface.flushAndSubmit()
    del canvas, surface
    for r0, r1, c0, c1 in windows:
        rgba = straight_pixels(np.ascontiguousarray(pixels[r0:r1, c0:c1])).astype(np.float32)
        a = rgba[..., 3:4] / 255.0
        ground[r0:r1, c0:c1] = rgba[..., :3] * a + 255.0 * (1.0 - a)
    return ground


# Attributes an image may carry and still paint only inside its box (and its shadow).
_CONFINED_ATTRS = frozenset({"id", "opacity"})


def _clear_of(scene: Scene, windows: list[tuple[int, int, int, int]], sx: float,
              sy: float) -> Scene:
    """The scene without its top-level images that paint no pixel of any window: a product
    photo laid out beside the copy (as layouts mostly are) would otherwise be drawn, with
    its matte, shadow filter and layers, for pixels the check never reads. An image paints
    only inside its box, and its shadow only within the blur's reach (3σ + 2 px, as the
    renderer's box blurs) of the offset box or the contact ellipse under it; anything with
    other attributes (a transform, a filter of its own) is kept."""
    def reaches(item: ImageNode) -> bool:
        box, margin = item.box, 2.0
        if item.shadow is not None:
            side = min(box.width, box.height)
            shadow = item.shadow
            margin += (abs(shadow.dx) + abs(shadow.dy) + 1.5 * shadow.blur + 0.05) * side
        x0, y0 = (box.x - margin) * sx - 1, (box.y - margin) * sy - 1
        x1 = (box.x + box.width + margin) * sx + 1
        y1 = (box.y + box.height + margin) * sy + 1
        return any(c0 < x1 and x0 < c1 and r0 < y1 and y0 < r1 for r0, r1, c0, c1 in windows)

    kept = tuple(item for item in scene.children
                 if not isinstance(item, ImageNode)
                 or not {k for k, _ in item.attrs} <= _CONFINED_ATTRS or reaches(item))
    return replace(scene, children=kept)


def _file_href(material: Material) -> str:
    """A raster material by its file (read inside the allowed files only); an SVG one
    stays a data URI, as SVG images referenced by file load under other rules."""
    if material.format == "svg":
        from ddm_lang.emit import data_uri
        return data_uri(material)
    return Path(material.path).as_uri()


def _material_files(items: tuple[SceneItem, ...]) -> Iterator[Path]:
    """The files of the scene's materials: the only files its ground may read."""
    for item in items:
        if isinstance(item, ImageNode):
            yield Path(item.material.path)
        elif isinstance(item, Node):
            yield from _material_files(item.children)


def _line_boxes(node: TextNode, fonts: FontRegistry) -> list[tuple[float, float, float, float]]:
    """Each line's glyph box (x0, y0, x1, y1) in the text's own coordinates."""
    ascent, descent, _ = fonts.metrics(node.family, node.weight, node.italic, node.size)
    boxes = []
    for line in node.lines:
        if not line.text.strip():
            continue
        width = fonts.measure(line.text, node.family, node.weight, node.italic, node.size)
        x0 = line.x - {"middle": width / 2, "end": width}.get(node.anchor, 0.0)
        boxes.append((x0, line.y - ascent, x0 + width, line.y + descent))
    return boxes


def _window(matrix: skia.Matrix, box: tuple[float, float, float, float], sx: float, sy: float,
            shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """The ground's pixel rows and columns (r0, r1, c0, c1) covering a local box."""
    r = matrix.mapRect(skia.Rect.MakeLTRB(*box))
    c0, c1 = max(0, math.floor(r.left() * sx)), min(shape[1], math.ceil(r.right() * sx))
    r0, r1 = max(0, math.floor(r.top() * sy)), min(shape[0], math.ceil(r.bottom() * sy))
    if c1 <= c0 or r1 <= r0:
        return None
    return r0, r1, c0, c1


# ---- judging and fixing -------------------------------------------------------------------

def _luminance(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722], np.float32)


def _shown(fill: Color, alpha: float, ground: np.ndarray) -> np.ndarray:
    """Luminance of the text's pixels over each ground pixel (translucent text blends)."""
    rgb = np.array([fill.r, fill.g, fill.b], np.float32) * 255.0
    alpha *= fill.a
    if alpha >= 1.0:
        return np.full(len(ground), fill.luminance(), np.float32)
    return _luminance(alpha * rgb + (1.0 - alpha) * ground)


def _score(fill: Color, alpha: float, ground: np.ndarray, side: str = "both",
           ground_y: np.ndarray | None = None) -> float:
    """The PERCENTILE-th percentile of the per-pixel WCAG ratio; `lighter` / `darker`
    count only the pixels the text is lighter / darker than (a one-sided ratio that only
    grows as the text moves that way, which the lightness search relies on)."""
    yg = (_luminance(ground) if ground_y is None else ground_y) + 0.05
    yt = _shown(fill, alpha, ground) + 0.05
    ratio = {"both": np.maximum(yt, yg) / np.minimum(yt, yg), "lighter": yt / yg,
             "darker": yg / yt}[side]
    return float(np.percentile(ratio, PERCENTILE))


def _check(text: _Text, boxes: list[tuple[float, float, float, float]],
           windows: list[tuple[int, int, int, int]],
           ground: np.ndarray) -> tuple[tuple[SceneItem, ...] | None, str]:
    node, fill = text.node, text.fill
    assert fill is not None
    if not windows:
        return None, ""
    pixels = np.concatenate([ground[r0:r1, c0:c1].reshape(-1, 3) for r0, r1, c0, c1 in windows])
    size = node.size * math.sqrt(abs(text.matrix.getScaleX() * text.matrix.getScaleY()
                                     - text.matrix.getSkewX() * text.matrix.getSkewY()))
    large = size >= LARGE_PX or (size >= LARGE_BOLD_PX and node.weight >= BOLD)
    target = LARGE_RATIO if large else BODY_RATIO
    level = f"AA {format_number(target)}:1 for {'large' if large else 'body'} text"
    ground_y = _luminance(pixels)  # every score of this text reads the same ground
    before = _score(fill, text.alpha, pixels, ground_y=ground_y)
    if before >= target:
        return None, ""
    label = f"contrast: {_label(node)}"

    def passes(side: str) -> Callable[[Color], bool]:
        return lambda c: _score(c, text.alpha, pixels, side, ground_y) >= target

    colour = nearest_lightness(fill, passes("lighter"), passes("darker"))
    if colour is None:
        extremes = (Color(0, 0, 0, fill.a), Color(1, 1, 1, fill.a))
        colour = next((c for c in extremes if passes("both")(c)), None)
    if colour is not None:
        after = _score(colour, text.alpha, pixels, ground_y=ground_y)
        return (_with_fill(node, colour),), (
            f"{label}: fill {fill.hex()} → {colour.hex()}, {before:.2f}:1 → {after:.2f}:1 "
            f"against the pixels under it ({level})")
    return _plate(text, boxes, pixels, windows, ground, target, before, label, level)


def _plate(text: _Text, boxes: list[tuple[float, float, float, float]], pixels: np.ndarray,
           windows: list[tuple[int, int, int, int]], ground: np.ndarray, target: float,
           before: float, label: str, level: str) -> tuple[tuple[SceneItem, ...] | None, str]:
    """An underlay behind the lines at the lowest opacity that passes (solid, with the
    fill made readable on it, when none does)."""
    node, fill = text.node, text.fill
    assert fill is not None
    plate = BLACK if fill.luminance() > 0.18 else WHITE
    rgb = np.array([plate.r, plate.g, plate.b], np.float32) * 255.0

    def under(opacity: float, pixels: np.ndarray) -> np.ndarray:
        shown = opacity * text.group_alpha   # the plate sits in the text's groups
        return shown * rgb + (1 - shown) * pixels

    chosen, colour = 1.0, fill
    for opacity in PLATE_ALPHAS:
        if _score(fill, text.alpha, under(opacity, pixels)) >= target:
            chosen = opacity
            break
    else:
        colour = readable(fill, plate, target)
    after = _score(colour, text.alpha, under(chosen, pixels))
    if after < target:   # translucency no plate can make up for: change nothing
        return None, (f"{label}: {before:.2f}:1 is below {level}, and no colour or underlay "
                      f"can reach it: the text or its group is too translucent")
    for r0, r1, c0, c1 in windows:   # later texts see the plate
        ground[r0:r1, c0:c1] = under(chosen, ground[r0:r1, c0:c1])
    px, py = PLATE_PAD[0] * node.size, PLATE_PAD[1] * node.size
    x0, y0 = min(b[0] for b in boxes) - px, min(b[1] for b in boxes) - py
    x1, y1 = max(b[2] for b in boxes) + px, max(b[3] for b in boxes) + py
    attrs = [("x", x0), ("y", y0), ("width", x1 - x0), ("height", y1 - y0),
             ("rx", PLATE_RADIUS * node.size)]
    plate_attrs = [(k, format_number(v)) for k, v in attrs] + [("fill", plate.hex())]
    if chosen < 1.0:
        plate_attrs.append(("fill-opacity", format_number(chosen)))
    if "transform" in dict(node.attrs):
        plate_attrs.append(("transform", dict(node.attrs)["transform"]))
    shown = node if colour == fill else _with_fill(node, colour)
    note = (f"{label}: underlay {plate.hex()} at {format_number(chosen)} opacity"
            + (f", fill {fill.hex()} → {colour.hex()}" if colour != fill else "")
            + f", {before:.2f}:1 → {after:.2f}:1 ({level})")
    return (Node("rect", tuple(plate_attrs)), shown), note


def _with_fill(node: TextNode, colour: Color) -> TextNode:
    """The text with its own fill replaced in place (or added, when it was inherited)."""
    value = colour.hex()
    if any(k == "fill" for k, _ in node.attrs):
        attrs = tuple((k, value if k == "fill" else v) for k, v in node.attrs)
    else:
        attrs = (*node.attrs, ("fill", value))
    return replace(node, attrs=attrs)


def _rebuild(items: tuple[SceneItem, ...], path: tuple[int, ...],
             replacements: dict[tuple[int, ...], tuple[SceneItem, ...]]) -> tuple[SceneItem, ...]:
    out: list[SceneItem] = []
    for i, item in enumerate(items):
        here = (*path, i)
        if here in replacements:
            out.extend(replacements[here])
        elif isinstance(item, Node) and item.children and any(
                p[:len(here)] == here for p in replacements):
            out.append(replace(item, children=_rebuild(item.children, here, replacements)))
        else:
            out.append(item)
    return tuple(out)
