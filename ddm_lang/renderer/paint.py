"""Paint servers: solid colours and gradients, as skia paints and shaders."""

from __future__ import annotations

import math

import skia
from lxml import etree

from .colors import parse_color
from .document import href_of, local_name
from .units import Viewport, bbox_len, bbox_matrix, fraction, num, parse_transform


class PaintMixin:
    """Fill and stroke paints for the renderer."""

    def paint(self, spec: str | None, opacity: float, bounds: skia.Rect | None,
              st: dict[str, str], vp: Viewport) -> skia.Paint | None:
        """A fill or stroke paint, or None when nothing is to be painted."""
        if spec is None:
            return None
        spec = spec.strip()
        if spec in ("none", ""):
            return None
        paint = skia.Paint(AntiAlias=True)
        if spec.startswith("url("):
            target, fallback = self.ref(spec)
            if target is None or local_name(target) not in ("linearGradient", "radialGradient"):
                return self.paint(fallback or None, opacity, bounds, st, vp)
            shader = self.gradient(target, bounds, vp)
            if shader is None:
                return self.paint(fallback, opacity, bounds, st, vp) if fallback else None
            if isinstance(shader, skia.Color4f):
                paint.setColor4f(shader)
                paint.setAlphaf(paint.getAlphaf() * opacity)
                return paint
            paint.setShader(shader)
            paint.setAlphaf(opacity)
            return paint
        if spec.lower() == "currentcolor":
            spec = st.get("color", "black")
        color = parse_color(spec)
        if color is None:
            return None
        r, g, b, a = color
        paint.setColor4f(skia.Color4f(r, g, b, a * opacity))
        return paint

    # ---- gradients ----------------------------------------------------------------------
    def gradient_chain(self, el: etree._Element) -> list[etree._Element]:
        """The gradient and the ones it inherits from through href (cycle-safe)."""
        chain = [el]
        while len(chain) < 16:
            href = href_of(chain[-1])
            nxt = self.ids.get(href[1:]) if href.startswith("#") else None
            if nxt is None or nxt in chain or \
                    local_name(nxt) not in ("linearGradient", "radialGradient"):
                break
            chain.append(nxt)
        return chain

    def stops(self, chain: list[etree._Element]) -> tuple[list[int], list[float]]:
        owner = next((g for g in chain if any(local_name(c) == "stop" for c in g)), None)
        colors: list[int] = []
        offsets: list[float] = []
        if owner is None:
            return colors, offsets
        for stop in owner:
            if local_name(stop) != "stop":
                continue
            st = self.style(stop, {"color": "black"})
            spec = st.get("stop-color", "black")
            if spec.lower() == "currentcolor":
                spec = st.get("color", "black")
            c = parse_color(spec) or (0.0, 0.0, 0.0, 1.0)
            o = max(0.0, min(1.0, bbox_len(stop.get("offset"), 0.0)))
            o = max(offsets[-1] if offsets else 0.0, o)
            a = c[3] * fraction(st.get("stop-opacity"), 1.0)
            colors.append(skia.Color4f(c[0], c[1], c[2], a).toColor())
            offsets.append(o)
        return colors, offsets

    def gradient(self, el: etree._Element, bounds: skia.Rect | None,
                 vp: Viewport) -> skia.Shader | skia.Color4f | None:
        """A gradient shader in the user space of the painted element; a single colour for
        one stop; None where the spec says nothing is painted (no stops, empty bbox)."""
        chain = self.gradient_chain(el)

        def attr(name: str) -> str | None:
            return next((g.get(name) for g in chain if g.get(name) is not None), None)

        colors, offsets = self.stops(chain)
        if not colors:
            return None
        if len(colors) == 1:
            return skia.Color4f(colors[0])
        user = attr("gradientUnits") == "userSpaceOnUse"
        mode = {"reflect": skia.TileMode.kMirror, "repeat": skia.TileMode.kRepeat}.get(
            (attr("spreadMethod") or "pad").strip(), skia.TileMode.kClamp)
        local = skia.Matrix()
        if not user:
            if bounds is None or bounds.width() <= 0 or bounds.height() <= 0:
                return None
            local = bbox_matrix(bounds)
        local.preConcat(parse_transform(attr("gradientTransform")))
        diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)

        def coord(name: str, default: str, ref: float) -> float:
            text = attr(name) or default
            return num(text, 0.0, ref) if user else bbox_len(text, 0.0)

        if local_name(el) == "linearGradient":
            p0 = skia.Point(coord("x1", "0%", vp[0]), coord("y1", "0%", vp[1]))
            p1 = skia.Point(coord("x2", "100%", vp[0]), coord("y2", "0%", vp[1]))
            if p0 == p1:
                return skia.Color4f(colors[-1])
            return skia.GradientShader.MakeLinear([p0, p1], colors, offsets, mode, 0, local)
        cx, cy = coord("cx", "50%", vp[0]), coord("cy", "50%", vp[1])
        r = coord("r", "50%", diag)
        fx = coord("fx", attr("cx") or "50%", vp[0])
        fy = coord("fy", attr("cy") or "50%", vp[1])
        fr = coord("fr", "0%", diag)
        if r <= 0:
            return skia.Color4f(colors[-1])
        if abs(fx - cx) < 1e-9 and abs(fy - cy) < 1e-9 and fr <= 0:
            return skia.GradientShader.MakeRadial(skia.Point(cx, cy), r, colors, offsets, mode,
                                                  0, local)
        return skia.GradientShader.MakeTwoPointConical(
            skia.Point(fx, fy), max(0.0, fr), skia.Point(cx, cy), r, colors, offsets, mode, 0,
            local)

