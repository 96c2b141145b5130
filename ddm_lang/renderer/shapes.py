"""Basic shapes and paths as skia paths, and how they are filled and stroked."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import skia
from lxml import etree

from .markers import MarkerMixin
from .pathdata import arc_to, parse_path
from .units import Viewport, fraction, num, numbers

if TYPE_CHECKING:
    from collections.abc import Callable

    from .paint import Context


class ShapeMixin(MarkerMixin):
    """Geometry and fill/stroke of shapes for the renderer (markers included)."""

    context: Context | None  # PaintMixin's

    if TYPE_CHECKING:  # provided by PaintMixin
        def paint(self, spec: str | None, opacity: float, bounds: skia.Rect | None,
                  st: dict[str, str], vp: Viewport, canvas: skia.Canvas | None = None
                  ) -> skia.Paint | None: ...
        def fill_gradient_rect(self, canvas: skia.Canvas, path: skia.Path, spec: str,
                               paint: skia.Paint, bounds: skia.Rect | None,
                               vp: Viewport) -> bool: ...
        def context_of(self, st: dict[str, str], bounds: Callable[[], skia.Rect | None],
                       matrix: skia.Matrix) -> Context: ...

    def shape(self, el: etree._Element, kind: str, vp: Viewport,
              st: dict[str, str] | None = None) -> skia.Path | None:
        """The element's geometry as a path in its user space, or None if it has none."""
        w, h = vp
        em = num((st or {}).get("font-size"), 16.0)
        diag = math.sqrt((w * w + h * h) / 2)
        g = el.get

        def length(name: str, ref: float) -> float:
            return num(g(name), 0.0, ref, em)

        path = skia.Path()
        if kind == "rect":
            x, y, rw, rh = length("x", w), length("y", h), length("width", w), length("height", h)
            if rw <= 0 or rh <= 0:
                return None
            rx, ry = self.radii(el, vp, em)
            rx, ry = min(rx, rw / 2), min(ry, rh / 2)
            if rx <= 0 or ry <= 0:
                path.addRect(skia.Rect.MakeXYWH(x, y, rw, rh))
            else:
                # resvg's outline: lines and quarter arcs clockwise from the top edge (the
                # vertices matter for markers).
                path.moveTo(x + rx, y)
                for ex, ey, cx, cy in ((x + rw - rx, y, x + rw, y + ry),
                                       (x + rw, y + rh - ry, x + rw - rx, y + rh),
                                       (x + rx, y + rh, x, y + rh - ry),
                                       (x, y + ry, x + rx, y)):
                    path.lineTo(ex, ey)
                    arc_to(path, (ex, ey), rx, ry, 0.0, False, True, (cx, cy))
                path.close()
        elif kind in ("circle", "ellipse"):
            if kind == "circle":
                rx = ry = length("r", diag)
            else:
                rx, ry = self.radii(el, vp, em)
            if rx <= 0 or ry <= 0:
                return None
            cx, cy = length("cx", w), length("cy", h)
            # Four clockwise quarter arcs from the rightmost point, as resvg builds it.
            path.moveTo(cx + rx, cy)
            prev = (cx + rx, cy)
            for end in ((cx, cy + ry), (cx - rx, cy), (cx, cy - ry), (cx + rx, cy)):
                arc_to(path, prev, rx, ry, 0.0, False, True, end)
                prev = end
            path.close()
        elif kind == "line":
            path.moveTo(length("x1", w), length("y1", h))
            path.lineTo(length("x2", w), length("y2", h))
        elif kind in ("polyline", "polygon"):
            v = numbers(g("points"))
            if len(v) < 4:
                return None
            path.moveTo(v[0], v[1])
            for i in range(2, len(v) - 1, 2):
                path.lineTo(v[i], v[i + 1])
            if kind == "polygon":
                path.close()
        elif kind == "path":
            path = parse_path(g("d") or "")
            if path.countVerbs() == 0:
                return None
        else:
            return None
        return path

    @staticmethod
    def radii(el: etree._Element, vp: Viewport, em: float) -> tuple[float, float]:
        """rx and ry of a rect or ellipse: a negative or invalid one is dropped, a missing
        (or `auto`) one takes the other's value (resvg's resolution)."""
        def one(name: str, ref: float) -> float | None:
            text = el.get(name)
            if text is None or text.strip() == "auto":
                return None
            value = num(text, -1.0, ref, em)
            return value if value >= 0 else None

        rx, ry = one("rx", vp[0]), one("ry", vp[1])
        rx = ry if rx is None else rx
        ry = rx if ry is None else ry
        return rx or 0.0, ry or 0.0

    def stroke_paint(self, st: dict[str, str], bounds: skia.Rect | None,
                     vp: Viewport, canvas: skia.Canvas | None = None) -> skia.Paint | None:
        """The stroke paint with width, caps, joins and dashes, or None when not stroked."""
        diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)
        em = num(st.get("font-size"), 16.0)
        width = num(st.get("stroke-width"), 1.0, diag, em)
        if width <= 0:
            return None
        stroke = self.paint(st.get("stroke", "none"), fraction(st.get("stroke-opacity"), 1.0),
                            bounds, st, vp, canvas)
        if stroke is None:
            return None
        stroke.setStyle(skia.Paint.kStroke_Style)
        stroke.setStrokeWidth(width)
        stroke.setStrokeCap({"round": skia.Paint.kRound_Cap, "square": skia.Paint.kSquare_Cap}
                            .get(st.get("stroke-linecap", ""), skia.Paint.kButt_Cap))
        stroke.setStrokeJoin({"round": skia.Paint.kRound_Join, "bevel": skia.Paint.kBevel_Join}
                             .get(st.get("stroke-linejoin", ""), skia.Paint.kMiter_Join))
        stroke.setStrokeMiter(max(1.0, miter_limit(st.get("stroke-miterlimit"))))
        dash_text = st.get("stroke-dasharray", "none")
        dashes = [num(d, 0.0, diag, em) for d in re.split(r"[\s,]+", dash_text.strip()) if d]
        if dash_text != "none" and dashes and all(d >= 0 for d in dashes) and sum(dashes) > 0:
            if len(dashes) % 2:
                dashes *= 2
            offset = num(st.get("stroke-dashoffset"), 0.0, diag, em)
            effect = skia.DashPathEffect.Make(dashes, offset)
            if effect is not None:   # skia refuses patterns it cannot step (1e-300): solid
                stroke.setPathEffect(effect)
        return stroke

    def fill_and_stroke(self, canvas: skia.Canvas, path: skia.Path, st: dict[str, str],
                        vp: Viewport) -> None:
        """Fill, stroke and markers, in the order `paint-order` gives."""
        if st.get("visibility") in ("hidden", "collapse"):
            return
        bounds = path.computeTightBounds()
        path.setFillType(skia.PathFillType.kEvenOdd if st.get("fill-rule") == "evenodd"
                         else skia.PathFillType.kWinding)
        for part in paint_order(st.get("paint-order")):
            if part == "fill":
                spec = st.get("fill", "black").strip()
                fill = self.paint(spec, fraction(st.get("fill-opacity"), 1.0), bounds, st, vp,
                                  canvas)
                if fill is not None and \
                        not self.fill_gradient_rect(canvas, path, spec, fill, bounds, vp):
                    canvas.drawPath(path, fill)
            elif part == "stroke":
                stroke = self.stroke_paint(st, bounds, vp, canvas)
                if stroke is not None:
                    canvas.drawPath(path, stroke)
            elif self.has_markers(st):
                outer = self.context
                self.context = self.context_of(st, lambda: bounds, canvas.getTotalMatrix())
                try:
                    self.draw_markers(canvas, path, st, vp)
                finally:
                    self.context = outer


def paint_order(text: str | None) -> tuple[str, ...]:
    """The `paint-order` list completed with the missing parts in their normal order;
    `normal`, unknown words, duplicates or trailing data give the normal order."""
    normal = ("fill", "stroke", "markers")
    words = (text or "normal").split()
    if not words or len(words) > 3 or len(set(words)) != len(words) or \
            any(word not in normal for word in words):
        return normal
    return (*words, *(part for part in normal if part not in words))


def miter_limit(text: str | None) -> float:
    """`stroke-miterlimit` is a plain number: anything else (a length such as `5mm`) is
    invalid and gives the initial 4."""
    try:
        value = float((text or "4").strip())
    except ValueError:
        return 4.0
    return value if math.isfinite(value) else 4.0
