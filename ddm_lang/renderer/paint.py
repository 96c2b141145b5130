"""Paint servers: solid colours and gradients, as skia paints and shaders."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import skia
from lxml import etree

from .colors import parse_color
from .document import local_name
from .gradient_blit import LinearSpec, draw_linear_rect
from .patterns import PatternMixin
from .units import Viewport, bbox_len, bbox_matrix, fraction, num, parse_transform, with_origin

#: Ancestors followed when computing the style of an element drawn out of place.
MAX_STYLE_DEPTH = 64


@dataclass(frozen=True)
class ContextPaint:
    """The fill or stroke of a context element (the shape a marker sits on, or a <use>),
    which `context-fill` / `context-stroke` paint with, in the context's own coordinates."""

    spec: str  # a paint that is not itself context-*
    style: dict[str, str]  # the context's style (for currentColor and opacity)
    bounds: Callable[[], skia.Rect | None]  # its bbox, computed only when a gradient needs it
    matrix: skia.Matrix  # the canvas matrix of the context's user space


Context = tuple[ContextPaint | None, ContextPaint | None]
_SHARED_ATTRS = frozenset(("gradientUnits", "spreadMethod", "gradientTransform"))
_OFFSET = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*\Z")
GRADIENTS = frozenset(("linearGradient", "radialGradient"))
BLEND_MODES = {  # CSS mix-blend-mode and feBlend's mode, one vocabulary
    "normal": skia.BlendMode.kSrcOver, "multiply": skia.BlendMode.kMultiply,
    "screen": skia.BlendMode.kScreen, "overlay": skia.BlendMode.kOverlay,
    "darken": skia.BlendMode.kDarken, "lighten": skia.BlendMode.kLighten,
    "color-dodge": skia.BlendMode.kColorDodge, "color-burn": skia.BlendMode.kColorBurn,
    "hard-light": skia.BlendMode.kHardLight, "soft-light": skia.BlendMode.kSoftLight,
    "difference": skia.BlendMode.kDifference, "exclusion": skia.BlendMode.kExclusion,
    "hue": skia.BlendMode.kHue, "saturation": skia.BlendMode.kSaturation,
    "color": skia.BlendMode.kColor, "luminosity": skia.BlendMode.kLuminosity}


class PaintMixin(PatternMixin):
    """Fill and stroke paints for the renderer (patterns included)."""

    #: The current context element's fill and stroke (None outside markers and <use>).
    context: Context | None = None

    if TYPE_CHECKING:  # provided by Renderer (raster.py) and StyleMixin
        def initial_style(self) -> dict[str, str]: ...
        def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]: ...
        def ref(self, spec: str | None) -> tuple[etree._Element | None, str]: ...
        def child_bbox(self, child: etree._Element, parent: dict[str, str], vp: Viewport,
                       depth: int, stroked: bool = False) -> skia.Rect | None: ...

    def tree_style(self, el: etree._Element) -> dict[str, str]:
        """The computed style of an element from its document ancestors, for content drawn
        away from where it is defined (markers, patterns, gradient stops) that inherits from
        its own tree. Cached per element (callers copy it before changing anything)."""
        cache: dict[etree._Element, dict[str, str]] = self.__dict__.setdefault(
            "_tree_styles", {})
        if el in cache:
            return cache[el]
        chain = [el]
        for parent in el.iterancestors():
            if len(chain) >= MAX_STYLE_DEPTH:
                break
            chain.append(parent)
        st = self.initial_style()
        for node in reversed(chain):
            st = self.style(node, st)
        cache[el] = st
        return st

    def context_of(self, st: dict[str, str], bounds: Callable[[], skia.Rect | None],
                   matrix: skia.Matrix) -> Context:
        """The fill and stroke an element offers as context; its own context-* values
        resolve to the enclosing context (markers inside markers, nested <use>)."""
        def one(prop: str, default: str) -> ContextPaint | None:
            spec = st.get(prop, default).strip()
            if spec in ("context-fill", "context-stroke"):
                outer = self.context
                return None if outer is None else outer[spec == "context-stroke"]
            if spec == "none":
                return None
            return ContextPaint(spec, st, bounds, matrix)

        return one("fill", "black"), one("stroke", "none")

    def use_context(self, canvas: skia.Canvas, use: etree._Element, target: etree._Element,
                    st: dict[str, str], vp: Viewport) -> Context:
        """The context a <use> gives its content: its fill and stroke, in the space of its
        x/y offset, with the bbox of what it references."""
        matrix = canvas.getTotalMatrix()
        matrix.preTranslate(num(use.get("x"), 0, vp[0]), num(use.get("y"), 0, vp[1]))
        return self.context_of(st, lambda: self.child_bbox(target, st, vp, 0), matrix)

    def paint(self, spec: str | None, opacity: float, bounds: skia.Rect | None,
              st: dict[str, str], vp: Viewport, canvas: skia.Canvas | None = None
              ) -> skia.Paint | None:
        """A fill or stroke paint, or None when nothing is to be painted. `canvas` (when
        given) tells patterns the device scale and maps context paints into place."""
        if spec is not None and spec.strip() in ("context-fill", "context-stroke"):
            return self.context_paint(spec.strip(), opacity, st, vp, canvas)
        return self.server_paint(spec, opacity, bounds, st, vp,
                                 canvas.getTotalMatrix() if canvas is not None else None)

    def server_paint(self, spec: str | None, opacity: float, bounds: skia.Rect | None,
                     st: dict[str, str], vp: Viewport, ctm: skia.Matrix | None
                     ) -> skia.Paint | None:
        """A colour or paint server (with its fallback) for user space `bounds` drawn under
        the canvas matrix `ctm` (None: unknown, patterns then render at scale 1)."""
        if spec is None:
            return None
        spec = spec.strip()
        if spec in ("none", ""):
            return None
        paint = skia.Paint(AntiAlias=antialias(st))
        if spec.startswith("url("):
            target, fallback = self.ref(spec)
            if target is None:
                return self.server_paint(fallback or None, opacity, bounds, st, vp, ctm)
            kind = local_name(target)
            if kind == "pattern":
                shader = self.pattern_shader(target, bounds, vp, ctm)
            elif kind in ("linearGradient", "radialGradient"):
                shader = self.gradient(target, bounds, vp)
            else:
                return None  # not a paint server: nothing is painted
            if shader is None:
                return self.server_paint(fallback or None, opacity, bounds, st, vp, ctm)
            if isinstance(shader, skia.Color4f):
                paint.setColor4f(shader)
                paint.setAlphaf(paint.getAlphaf() * opacity)
                return paint
            # Paint(Shader=...), not setShader: skia-python's setShader drops a two-stop
            # gradient's stop positions (stops at 0.5 and 1 come out evenly spaced).
            # Dither: less banding, and skia then runs the float raster pipeline, which is
            # ~3× faster for shaders than its 8-bit one in the SSE2 build skia-python ships
            # (a 1080² gradient: 3 ms instead of 10).
            paint = skia.Paint(AntiAlias=antialias(st), Shader=shader, Dither=True)
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

    def context_paint(self, spec: str, opacity: float, st: dict[str, str], vp: Viewport,
                      canvas: skia.Canvas | None) -> skia.Paint | None:
        """`context-fill` / `context-stroke`: the context element's paint (nothing without
        a context), its gradient or pattern placed as on the context element."""
        cp = None if self.context is None else self.context[spec == "context-stroke"]
        if cp is None:
            return None
        paint = self.server_paint(cp.spec, opacity, cp.bounds(), cp.style, vp, cp.matrix)
        if paint is not None:
            paint.setAntiAlias(antialias(st))
        if paint is None or paint.getShader() is None or canvas is None:
            return paint
        inverse = skia.Matrix()
        if canvas.getTotalMatrix().invert(inverse):
            paint.setShader(paint.getShader().makeWithLocalMatrix(
                skia.Matrix.Concat(inverse, cp.matrix)))
        return paint

    def fill_gradient_rect(self, canvas: skia.Canvas, path: skia.Path, spec: str,
                           paint: skia.Paint, bounds: skia.Rect | None, vp: Viewport) -> bool:
        """Draw a rectangle filled with a linear gradient (`spec`, resolved to `paint`) by
        the row blitter; False (nothing drawn) where it does not apply."""
        rect = skia.Rect()
        if paint.getShader() is None or not spec.startswith("url(") or \
                paint.getMaskFilter() is not None or not path.isRect(rect):
            return False
        target, _ = self.ref(spec)
        if target is None or local_name(target) != "linearGradient":
            return False
        found = self.gradient_spec(target, bounds, vp)
        return isinstance(found, LinearSpec) and \
            draw_linear_rect(canvas, rect, found, paint.getAlphaf())

    @staticmethod
    def blend_layer(canvas: skia.Canvas, st: dict[str, str]) -> bool:
        """Open the layer that `mix-blend-mode` composites with (or that `isolation:
        isolate` confines its children's blending to); whether one was opened."""
        mode = BLEND_MODES.get(st.get("mix-blend-mode", "normal").strip())
        if mode == skia.BlendMode.kSrcOver:
            mode = None  # normal blending needs no layer of its own
        if mode is None and st.get("isolation", "auto").strip() != "isolate":
            return False
        paint = skia.Paint()
        if mode is not None:
            paint.setBlendMode(mode)
        canvas.saveLayer(None, paint)
        return True

    # ---- gradients ----------------------------------------------------------------------
    def gradient_chain(self, el: etree._Element) -> list[etree._Element]:
        """The gradient and the ones it inherits from through href (cycle-safe)."""
        return self.href_chain(el, GRADIENTS)

    def stops(self, chain: list[etree._Element]) -> tuple[list[int], list[float]]:
        """Colours and offsets of the first gradient in the chain that has stops. A stop's
        style inherits from its gradient's tree (currentColor, inherit); an offset that is
        missing or not a number or percentage repeats the previous one (as resvg does)."""
        owner = next((g for g in chain if any(local_name(c) == "stop" for c in g)), None)
        colors: list[int] = []
        offsets: list[float] = []
        if owner is None:
            return colors, offsets
        parent = self.tree_style(owner)
        previous = 0.0
        for stop in owner:
            if local_name(stop) != "stop":
                continue
            st = self.style(stop, parent)
            spec = st.get("stop-color", "black")
            if spec.strip().lower() == "currentcolor":
                spec = st.get("color", "black")
            c = parse_color(spec) or (0.0, 0.0, 0.0, 1.0)
            previous = stop_offset(stop.get("offset"), previous)
            o = max(offsets[-1] if offsets else 0.0, max(0.0, min(1.0, previous)))
            a = c[3] * fraction(st.get("stop-opacity"), 1.0)
            colors.append(skia.Color4f(c[0], c[1], c[2], a).toColor())
            offsets.append(o)
        return colors, offsets

    def gradient(self, el: etree._Element, bounds: skia.Rect | None,
                 vp: Viewport) -> skia.Shader | skia.Color4f | None:
        """A gradient shader in the user space of the painted element; a single colour for
        one stop; None where the spec says nothing is painted (no stops, empty bbox)."""
        found = self.gradient_spec(el, bounds, vp)
        return found.shader() if isinstance(found, LinearSpec) else found

    def gradient_spec(self, el: etree._Element, bounds: skia.Rect | None, vp: Viewport
                      ) -> LinearSpec | skia.Shader | skia.Color4f | None:
        """As `gradient`, with a linear gradient still described by its parameters (the
        row blitter draws from them; `LinearSpec.shader()` gives the shader)."""
        chain = self.gradient_chain(el)

        kind = local_name(el)

        def attr(name: str) -> str | None:
            # Geometry comes only from gradients of the same kind (up to the first other
            # one); units, spread and transform from any gradient in the chain.
            for g in chain:
                if name not in _SHARED_ATTRS and local_name(g) != kind:
                    return None
                if g.get(name) is not None:
                    return g.get(name)
            return None

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
        transform = with_origin(parse_transform(attr("gradientTransform")),
                                el.get("transform-origin"), vp)
        if transform.invert(skia.Matrix()):  # a singular transform is ignored, as in resvg
            local.preConcat(transform)
        diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)

        def coord(name: str, default: str, ref: float) -> float:
            text = attr(name) or default
            return num(text, 0.0, ref) if user else bbox_len(text, 0.0)

        if local_name(el) == "linearGradient":
            p0 = skia.Point(coord("x1", "0%", vp[0]), coord("y1", "0%", vp[1]))
            p1 = skia.Point(coord("x2", "100%", vp[0]), coord("y2", "0%", vp[1]))
            if p0 == p1:
                return skia.Color4f(colors[-1])
            return LinearSpec(p0, p1, colors, offsets, mode, local)
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



def antialias(st: dict[str, str]) -> bool:
    """Whether edges are antialiased: `shape-rendering: crispEdges` (and optimizeSpeed,
    as resvg treats it) turns antialiasing off."""
    return st.get("shape-rendering", "auto").strip() not in ("crispEdges", "optimizeSpeed")


def stop_offset(text: str | None, previous: float) -> float:
    """A stop offset: a number or a percentage; otherwise the previous stop's offset."""
    m = _OFFSET.match(text or "")
    if not m:
        return previous
    value = float(m.group(1)) / (100.0 if m.group(2) else 1.0)
    return value if math.isfinite(value) else previous
