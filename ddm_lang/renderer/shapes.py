"""Basic shapes and paths as skia paths, and how they are filled and stroked."""

from __future__ import annotations

import math
import re

import skia
from lxml import etree

from .pathdata import parse_path
from .units import Viewport, fraction, num, numbers


class ShapeMixin:
    """Geometry and fill/stroke of shapes for the renderer."""

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
            rx_s, ry_s = g("rx"), g("ry")
            rx = num(rx_s if rx_s not in (None, "auto") else ry_s, 0, w, em)
            ry = num(ry_s if ry_s not in (None, "auto") else rx_s, 0, h, em)
            rx, ry = max(0.0, min(rx, rw / 2)), max(0.0, min(ry, rh / 2))
            rect = skia.Rect.MakeXYWH(x, y, rw, rh)
            if rx > 0 and ry > 0:
                path.addRRect(skia.RRect.MakeRectXY(rect, rx, ry))
            else:
                path.addRect(rect)
        elif kind == "circle":
            r = length("r", diag)
            if r <= 0:
                return None
            path.addCircle(length("cx", w), length("cy", h), r)
        elif kind == "ellipse":
            rx_s, ry_s = g("rx"), g("ry")
            rx = num(rx_s if rx_s not in (None, "auto") else ry_s, 0, w, em)
            ry = num(ry_s if ry_s not in (None, "auto") else rx_s, 0, h, em)
            if rx <= 0 or ry <= 0:
                return None
            cx, cy = length("cx", w), length("cy", h)
            path.addOval(skia.Rect(cx - rx, cy - ry, cx + rx, cy + ry))
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

    def stroke_paint(self, st: dict[str, str], bounds: skia.Rect | None,
                     vp: Viewport) -> skia.Paint | None:
        """The stroke paint with width, caps, joins and dashes, or None when not stroked."""
        diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)
        em = num(st.get("font-size"), 16.0)
        width = num(st.get("stroke-width"), 1.0, diag, em)
        if width <= 0:
            return None
        stroke = self.paint(st.get("stroke", "none"), fraction(st.get("stroke-opacity"), 1.0),
                            bounds, st, vp)
        if stroke is None:
            return None
        stroke.setStyle(skia.Paint.kStroke_Style)
        stroke.setStrokeWidth(width)
        stroke.setStrokeCap({"round": skia.Paint.kRound_Cap, "square": skia.Paint.kSquare_Cap}
                            .get(st.get("stroke-linecap", ""), skia.Paint.kButt_Cap))
        stroke.setStrokeJoin({"round": skia.Paint.kRound_Join, "bevel": skia.Paint.kBevel_Join}
                             .get(st.get("stroke-linejoin", ""), skia.Paint.kMiter_Join))
        stroke.setStrokeMiter(max(1.0, num(st.get("stroke-miterlimit"), 4.0)))
        dash_text = st.get("stroke-dasharray", "none")
        dashes = [num(d, 0.0, diag, em) for d in re.split(r"[\s,]+", dash_text.strip()) if d]
        if dash_text != "none" and dashes and all(d >= 0 for d in dashes) and sum(dashes) > 0:
            if len(dashes) % 2:
                dashes *= 2
            offset = num(st.get("stroke-dashoffset"), 0.0, diag, em)
            stroke.setPathEffect(skia.DashPathEffect.Make(dashes, offset))
        return stroke

    def fill_and_stroke(self, canvas: skia.Canvas, path: skia.Path, st: dict[str, str],
                        vp: Viewport) -> None:
        if st.get("visibility") in ("hidden", "collapse"):
            return
        bounds = path.computeTightBounds()
        path.setFillType(skia.PathFillType.kEvenOdd if st.get("fill-rule") == "evenodd"
                         else skia.PathFillType.kWinding)
        fill = self.paint(st.get("fill", "black"), fraction(st.get("fill-opacity"), 1.0),
                          bounds, st, vp)
        if fill is not None:
            canvas.drawPath(path, fill)
        stroke = self.stroke_paint(st, bounds, vp)
        if stroke is not None:
            canvas.drawPath(path, stroke)

