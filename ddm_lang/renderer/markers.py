"""Markers (marker-start, marker-mid, marker-end) placed on the vertices of a shape.

Follows resvg (usvg's marker.rs): the path is read as move/line/cubic/close segments
(quadratics raised to cubics), a marker is drawn at the start, at every inner vertex and at
the end, turned by `orient` (an angle, `auto` bisecting the in and out tangents, or
`auto-start-reverse`), scaled by the stroke width (markerUnits="strokeWidth") or its viewBox,
shifted by refX/refY and clipped to its box unless `overflow` is visible.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import skia
from lxml import etree

from .document import local_name
from .units import Viewport, num, numbers, view_box_matrix

# One segment: kind ("M", "L", "C", "Z") and its points (the end point last).
Segment = tuple[str, tuple[tuple[float, float], ...]]
_ANGLE = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(deg|grad|rad|turn)?\s*\Z")
_ANGLE_UNITS = {None: 1.0, "deg": 1.0, "grad": 0.9, "rad": 180 / math.pi, "turn": 360.0}
#: Markers drawn per shape and property at most (a path can have many vertices).
MAX_MARKERS = 10000


def segments(path: skia.Path) -> list[Segment]:
    """The path as move/line/cubic/close segments; quadratics (and conics) become cubics."""
    out: list[Segment] = []
    pts = path.getPoints(path.countPoints())
    i = 0
    prev = start = (0.0, 0.0)
    for verb in path.getVerbs(path.countVerbs()):
        if verb == skia.Path.kMove_Verb:
            prev = start = (pts[i].x(), pts[i].y())
            out.append(("M", (prev,)))
            i += 1
        elif verb == skia.Path.kLine_Verb:
            prev = (pts[i].x(), pts[i].y())
            out.append(("L", (prev,)))
            i += 1
        elif verb in (skia.Path.kQuad_Verb, skia.Path.kConic_Verb):
            c, p = (pts[i].x(), pts[i].y()), (pts[i + 1].x(), pts[i + 1].y())
            c1 = ((prev[0] + 2 * c[0]) / 3, (prev[1] + 2 * c[1]) / 3)
            c2 = ((p[0] + 2 * c[0]) / 3, (p[1] + 2 * c[1]) / 3)
            out.append(("C", (c1, c2, p)))
            prev = p
            i += 2
        elif verb == skia.Path.kCubic_Verb:
            c1, c2, p = ((pts[i + k].x(), pts[i + k].y()) for k in range(3))
            out.append(("C", (c1, c2, p)))
            prev = p
            i += 3
        elif verb == skia.Path.kClose_Verb:
            out.append(("Z", ()))
            prev = start
    return out


def _near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= 1e-5 * max(1.0, abs(a[0])) and \
        abs(a[1] - b[1]) <= 1e-5 * max(1.0, abs(a[1]))


def _angle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float],
           d: tuple[float, float]) -> float:
    """The direction (degrees) bisecting the incoming a→b and the outgoing c→d."""
    def direction(x: float, y: float) -> float:
        return math.atan2(y, x) % (2 * math.pi)

    in_a = direction(b[0] - a[0], b[1] - a[1])
    out_a = direction(d[0] - c[0], d[1] - c[1])
    half = (out_a - in_a) / 2
    angle = in_a + half
    if abs(half) > math.pi / 2:
        angle -= math.pi
    return math.degrees(angle % (2 * math.pi))


def _line_angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    return _angle(a, b, a, b)


def _curves_angle(prev: tuple[float, float], c1: tuple[float, float], p: tuple[float, float],
                  c2: tuple[float, float], nxt: tuple[float, float]) -> float:
    """The bisector at vertex `p` between two curves, skipping control points that coincide
    with the vertex (their tangent is undefined)."""
    if _near(c1, p):
        return _angle(prev, p, p, c2)
    if _near(p, c2):
        return _angle(c1, p, p, nxt)
    return _angle(c1, p, p, c2)


def _subpath_start(segs: list[Segment], idx: int) -> tuple[float, float]:
    """The move-to point that starts the subpath segment `idx` belongs to."""
    for i in range(idx - 1, -1, -1):
        if segs[i][0] == "M":
            return segs[i][1][0]
    return (0.0, 0.0)


def _prev_vertex(segs: list[Segment], idx: int) -> tuple[float, float]:
    kind, pts = segs[idx - 1]
    return pts[-1] if kind != "Z" else _subpath_start(segs, idx)


def vertex_angle(segs: list[Segment], idx: int) -> float:
    """The `orient="auto"` angle at segment `idx`, as resvg computes it."""
    if idx == 0:
        if len(segs) < 2 or segs[0][0] != "M":
            return 0.0
        pm = segs[0][1][0]
        kind, pts = segs[1]
        if kind == "L":
            return _line_angle(pm, pts[0])
        if kind == "C":
            return _line_angle(pm, pts[2] if _near(pm, pts[0]) else pts[0])
        return 0.0
    if idx == len(segs) - 1:
        (k1, p1), (k2, p2) = segs[idx - 1], segs[idx]
        if k2 == "L":
            return _line_angle(_prev_vertex(segs, idx), p2[0])
        if k2 == "C":
            return _line_angle(p2[0] if _near(p2[1], p2[2]) else p2[1], p2[2])
        if k2 == "Z" and k1 == "L":
            return _line_angle(p1[0], _subpath_start(segs, idx))
        if k2 == "Z" and k1 == "C":
            nxt = _subpath_start(segs, idx)
            return _curves_angle(_prev_vertex(segs, idx), p1[1], p1[2], nxt, nxt)
        return 0.0
    (k1, p1), (k2, p2) = segs[idx], segs[idx + 1]
    if k1 == "M":
        if k2 == "L":
            return _line_angle(p1[0], p2[0])
        if k2 == "C":
            return _line_angle(p1[0], p2[0])
        return 0.0
    if k1 == "Z":
        return 0.0
    prev = _prev_vertex(segs, idx)
    if k1 == "L" and k2 == "L":
        return _angle(prev, p1[0], p1[0], p2[0])
    if k1 == "C" and k2 == "C":
        return _curves_angle(prev, p1[1], p1[2], p2[0], p2[2])
    if k1 == "L" and k2 == "C":
        return _curves_angle(prev, prev, p1[0], p2[0], p2[2])
    if k1 == "C" and k2 == "L":
        return _curves_angle(prev, p1[1], p1[2], p2[0], p2[0])
    if k2 == "M":
        if k1 == "L" or _near(p1[2], p1[1]):
            return _line_angle(prev, p1[-1])
        return _line_angle(p1[1], p1[2])
    nxt = _subpath_start(segs, idx)
    if k1 == "L":
        return _angle(prev, p1[0], p1[0], nxt)
    return _line_angle(prev, nxt)


def marker_positions(segs: list[Segment], which: str) -> list[tuple[tuple[float, float], int]]:
    """(vertex, segment index) pairs where a start, mid or end marker goes."""
    if not segs:
        return []
    if which == "start":
        return [(segs[0][1][0], 0)] if segs[0][0] == "M" else []
    if which == "mid":
        return [(pts[-1], i) for i, (kind, pts) in enumerate(segs[1:-1], 1) if kind != "Z"]
    idx = len(segs) - 1
    kind, pts = segs[idx]
    if kind in ("L", "C"):
        return [(pts[-1], idx)]
    if kind == "Z":
        return [(_subpath_start(segs, idx), idx)]
    return []


def orientation(text: str | None) -> float | str:
    """`auto`, `auto-start-reverse`, or a fixed angle in degrees (0 when invalid)."""
    text = (text or "").strip()
    if text in ("auto", "auto-start-reverse"):
        return text
    m = _ANGLE.match(text)
    if not m:
        return 0.0
    value = float(m.group(1)) * _ANGLE_UNITS[m.group(2)]
    return value if math.isfinite(value) else 0.0


class MarkerMixin:
    """Drawing of markers on shapes for the renderer."""

    #: Markers being drawn (by id of the element), to refuse recursive markers.
    marker_stack: tuple[int, ...] = ()
    active_refs: set[int]  # Renderer's: the <use> chain being drawn

    if TYPE_CHECKING:  # provided by Renderer (raster.py) and PaintMixin
        def ref(self, spec: str | None) -> tuple[etree._Element | None, str]: ...
        def tree_style(self, el: etree._Element) -> dict[str, str]: ...
        def draw_children(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                          vp: Viewport) -> None: ...

    @staticmethod
    def has_markers(st: dict[str, str]) -> bool:
        """Whether the style asks for any marker (then the shape paints more than once)."""
        return any(st.get(f"marker-{k}", "none").strip() != "none"
                   for k in ("start", "mid", "end"))

    def draw_markers(self, canvas: skia.Canvas, path: skia.Path, st: dict[str, str],
                     vp: Viewport) -> None:
        """Draw the shape's start, mid and end markers on the vertices of `path`."""
        segs: list[Segment] | None = None
        for which in ("start", "mid", "end"):
            marker, _ = self.ref(st.get(f"marker-{which}"))
            if marker is None or local_name(marker) != "marker" or \
                    id(marker) in self.marker_stack:
                continue
            if segs is None:
                segs = segments(path)
            self.draw_marker(canvas, marker, segs, which, st, vp)

    def draw_marker(self, canvas: skia.Canvas, marker: etree._Element, segs: list[Segment],
                    which: str, st: dict[str, str], vp: Viewport) -> None:
        """Draw one marker at each of its positions on the segments."""
        diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)
        if marker.get("markerUnits", "").strip() == "userSpaceOnUse":
            scale = 1.0
        else:
            scale = num(st.get("stroke-width"), 1.0, diag, num(st.get("font-size"), 16.0))
        ref_x, ref_y = num(marker.get("refX"), 0.0, vp[0]), num(marker.get("refY"), 0.0, vp[1])
        width = num(marker.get("markerWidth"), 3.0, vp[0])
        height = num(marker.get("markerHeight"), 3.0, vp[1])
        if scale <= 0 or width <= 0 or height <= 0:
            return
        vb = numbers(marker.get("viewBox"))
        has_vb = len(vb) == 4 and vb[2] > 0 and vb[3] > 0
        if has_vb:
            m, _ = view_box_matrix(vb, width * scale, height * scale,
                                   marker.get("preserveAspectRatio"))
            sx, sy = m.getScaleX(), m.getScaleY()
            clip = skia.Rect.MakeXYWH(*vb)
        else:
            sx = sy = scale
            clip = skia.Rect.MakeWH(width, height)
        mst = self.tree_style(marker)
        # Clipped to the marker box unless overflow says otherwise (resvg: `auto` shows it).
        overflow = mst.get("overflow")
        if overflow is None and (marker.get("overflow") or "").strip() == "inherit":
            overflow = "visible"  # nothing to inherit: the property's initial value
        clipped = (overflow or "hidden") in ("hidden", "scroll")
        orient = orientation(marker.get("orient"))
        # The marker's content starts a fresh <use> chain: a <use> of the very shape being
        # marked is drawn (as resvg does); recursion is stopped by the marker stack instead.
        self.marker_stack = (*self.marker_stack, id(marker))
        outer_refs, self.active_refs = self.active_refs, set()
        try:
            for point, idx in marker_positions(segs, which)[:MAX_MARKERS]:
                if orient == "auto-start-reverse" and idx == 0:
                    angle = (vertex_angle(segs, idx) + 180.0) % 360.0
                elif isinstance(orient, str):
                    angle = vertex_angle(segs, idx)
                else:
                    angle = orient
                saved = canvas.save()
                canvas.translate(*point)
                if abs(angle) > 1e-6:
                    canvas.rotate(angle)
                canvas.scale(sx, sy)
                canvas.translate(-ref_x, -ref_y)
                if clipped:
                    canvas.clipRect(clip, doAntiAlias=True)
                self.draw_children(canvas, marker, mst, (vb[2], vb[3]) if has_vb else vp)
                canvas.restoreToCount(saved)
        finally:
            self.marker_stack = self.marker_stack[:-1]
            self.active_refs = outer_refs
