"""SVG → pixels with skia's canvas API (not skia.SVGDOM, which draws no text or images).

The renderer draws everything the compiler emits — shapes, paths, gradients, clip paths,
masks, nested viewports, images (raster or SVG, from data URIs or allowed files), text with
tspans, anchors and per-character font fallback, group opacity, and the common filter
primitives — and parses any input safely: no entity expansion, no network, bounded size,
bounded work. Anything it cannot draw is skipped; anything malformed is a RenderError.

Structure: `parse_svg` (safe parse) → `_Renderer` walks the tree once, computing styles as
it goes (inheritance is a dict copy per element) and issuing canvas calls; text layout,
paint servers, filters and images live in their own small methods.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import threading
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import skia
from lxml import etree

from .colors import parse_color
from .errors import RenderError
from .fonts import FontRegistry, configure
from .pathdata import parse_path

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MAX_BYTES = 50_000_000
MAX_ELEMENTS = 200_000
MAX_DRAWN = 1_000_000  # elements drawn after expanding <use>: stops "billion laughs" via use
MAX_DEPTH = 256
MAX_PIXELS = 50_000_000
MAX_OUTPUT = 16384
MAX_IMAGE_NESTING = 4

INHERITED = frozenset((
    "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "letter-spacing", "visibility", "color", "dominant-baseline", "color-interpolation-filters"))
NOT_INHERITED = frozenset((
    "opacity", "clip-path", "mask", "filter", "display", "stop-color", "stop-opacity",
    "flood-color", "flood-opacity", "overflow", "mask-type", "alignment-baseline"))
PROPERTIES = INHERITED | NOT_INHERITED
DEFAULTS = {"fill": "black", "stroke": "none", "stroke-width": "1", "font-family": "sans-serif",
            "font-size": "16", "font-weight": "400", "font-style": "normal",
            "text-anchor": "start", "fill-rule": "nonzero", "visibility": "visible",
            "stroke-linecap": "butt", "stroke-linejoin": "miter", "stroke-miterlimit": "4",
            "color": "black"}
NON_RENDERING = frozenset(("defs", "linearGradient", "radialGradient", "clipPath", "mask",
                           "filter", "symbol", "title", "desc", "metadata", "style", "pattern",
                           "script", "marker", "font", "foreignObject", ""))
PAINTS = frozenset(("fill", "stroke", "stop-color", "flood-color"))
SHAPES = frozenset(("rect", "circle", "ellipse", "line", "polyline", "polygon", "path"))
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_URL = re.compile(r"url\(\s*['\"]?#([^)'\"]+)['\"]?\s*\)\s*(.*)", re.S)
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54,
          "in": 96.0, "q": 96 / 101.6}
_WEIGHTS = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 300}
Viewport = tuple[float, float]


# ---- parsing ---------------------------------------------------------------------------------
def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_svg(svg: str | bytes) -> etree._Element:
    """Parse untrusted SVG: size-bounded, no DTD entities, no network, element-count cap."""
    if isinstance(svg, str):
        data = svg.encode("utf-8")
    elif isinstance(svg, bytes | bytearray | memoryview):
        data = bytes(svg)
    else:
        raise RenderError(f"SVG must be str or bytes, not {type(svg).__name__}")
    if len(data) > MAX_BYTES:
        raise RenderError(f"SVG is larger than {MAX_BYTES // 1_000_000} MB")
    prolog = data[:data.find(b"<svg")] if b"<svg" in data else data[:65536]
    if re.search(rb"<!ENTITY", prolog, re.I):
        raise RenderError("SVG declares entities in its DOCTYPE, which are refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        raise RenderError(f"SVG is not well-formed: {err.msg} (line {err.lineno})") from None
    except ValueError as err:
        raise RenderError(f"SVG cannot be parsed: {err}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise RenderError("SVG declares entities in its DOCTYPE, which are refused")
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        raise RenderError(f"root element is <{etree.QName(root).localname}>, not <svg>")
    for count, _ in enumerate(root.iter(), 1):
        if count > MAX_ELEMENTS:
            raise RenderError(f"SVG has more than {MAX_ELEMENTS} elements")
    return root


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _href(el: etree._Element) -> str:
    return (el.get("href") or el.get(XLINK_HREF) or "").strip()


# ---- numbers, lengths, transforms -----------------------------------------------------------
def _num(text: str | None, default: float = 0.0, ref: float = 0.0, em: float = 16.0) -> float:
    """A length in px: % of `ref`, em/ex of the font size, absolute units converted.
    Garbage and non-finite values give the default, as browsers ignore invalid lengths."""
    if text is None:
        return default
    text = text.strip()
    m = _NUM.match(text)
    if not m:
        return default
    value = float(m.group(0))
    if not math.isfinite(value):
        return default
    unit = text[m.end():].strip().lower()
    if unit == "%":
        return value * ref / 100.0
    if unit == "em":
        return value * em
    if unit == "ex":
        return value * em / 2
    return value * _UNITS.get(unit, 1.0)


def _fraction(text: str | None, default: float) -> float:
    """Opacity-like values: a number or a percentage, clamped to 0..1."""
    if text is None:
        return default
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*", text)
    if not m:
        return default
    v = float(m.group(1)) / (100.0 if m.group(2) else 1.0)
    return max(0.0, min(1.0, v)) if math.isfinite(v) else default


def _numbers(text: str | None) -> list[float]:
    return [v for v in (float(m) for m in _NUM.findall(text or "")) if math.isfinite(v)]


def _bbox_len(text: str | None, default: float) -> float:
    """A coordinate in objectBoundingBox units: a fraction, or a percentage of 1."""
    if text is None:
        return default
    text = text.strip()
    return _num(text, default, 1.0) if text.endswith("%") else _num(text, default)


def parse_transform(text: str | None) -> skia.Matrix:
    """The SVG transform list as one matrix (applied left to right, as SVG specifies)."""
    m = skia.Matrix()
    if not text:
        return m
    for name, args in re.findall(r"([A-Za-z]+)\s*\(([^)]*)\)", text):
        v = _numbers(args)
        t = skia.Matrix()
        if name == "matrix" and len(v) == 6:
            t.setAll(v[0], v[2], v[4], v[1], v[3], v[5], 0, 0, 1)
        elif name == "translate" and v:
            t.setTranslate(v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale" and v:
            t.setScale(v[0], v[1] if len(v) > 1 else v[0])
        elif name == "rotate" and v:
            if len(v) == 3:
                t.setRotate(v[0], v[1], v[2])
            else:
                t.setRotate(v[0])
        elif name == "skewX" and v:
            t.setSkew(math.tan(math.radians(v[0])), 0)
        elif name == "skewY" and v:
            t.setSkew(0, math.tan(math.radians(v[0])))
        m.preConcat(t)
    return m


def view_box_matrix(vb: list[float], width: float, height: float,
                    par: str | None) -> tuple[skia.Matrix, bool]:
    """The viewBox → viewport transform, and whether content must be clipped (slice)."""
    vx, vy, vw, vh = vb
    m = skia.Matrix()
    if vw <= 0 or vh <= 0:
        return m, False
    parts = (par or "").split()
    if parts and parts[0] == "defer":
        parts = parts[1:]
    align = parts[0] if parts else "xMidYMid"
    mode = parts[1] if len(parts) > 1 else "meet"
    sx, sy = width / vw, height / vh
    if align == "none":
        m.setScaleTranslate(sx, sy, -vx * sx, -vy * sy)
        return m, False
    s = max(sx, sy) if mode == "slice" else min(sx, sy)
    fx = {"xMin": 0.0, "xMid": 0.5, "xMax": 1.0}.get(align[:4], 0.5)
    fy = {"YMin": 0.0, "YMid": 0.5, "YMax": 1.0}.get(align[4:], 0.5)
    tx = (width - vw * s) * fx - vx * s
    ty = (height - vh * s) * fy - vy * s
    m.setScaleTranslate(s, s, tx, ty)
    return m, mode == "slice"


def _bbox_matrix(bounds: skia.Rect) -> skia.Matrix:
    """Maps objectBoundingBox units (0..1) onto a bounding box."""
    return skia.Matrix.MakeAll(bounds.width(), 0, bounds.left(), 0, bounds.height(),
                               bounds.top(), 0, 0, 1)


def _union(a: skia.Rect | None, b: skia.Rect | None) -> skia.Rect | None:
    if a is None:
        return b
    if b is None:
        return a
    return skia.Rect(min(a.left(), b.left()), min(a.top(), b.top()),
                     max(a.right(), b.right()), max(a.bottom(), b.bottom()))


# ---- image cache ----------------------------------------------------------------------------
class _ImageCache:
    """Decoded images (and recorded SVG images) by content hash, bounded by count, shared
    across renders in a process: a catalogue reuses the same logo thousands of times."""

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self.items: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def lookup(self, key: str) -> object | None:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def store(self, key: str, value: object) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.limit:
                self.items.popitem(last=False)

    def raster(self, data: bytes, source: str) -> skia.Image:
        key = "img:" + hashlib.sha256(data).hexdigest()
        hit = self.lookup(key)
        if isinstance(hit, skia.Image):
            return hit
        lazy = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(data))
        if lazy is None:
            raise RenderError(f"cannot decode image {source}")
        if lazy.width() * lazy.height() > MAX_PIXELS:
            raise RenderError(f"image {source} is {lazy.width()}x{lazy.height()}, more than "
                              f"{MAX_PIXELS // 1_000_000} megapixels")
        image = lazy.makeRasterImage()
        if image is None:
            raise RenderError(f"cannot decode image {source}")
        self.store(key, image)
        return image


IMAGES = _ImageCache()


@dataclass
class _Glyphs:
    """A run of characters drawn with one typeface and one style, at explicit positions."""

    text: str
    font: skia.Font
    points: list[skia.Point]
    style: dict[str, str]


# ---- the renderer ---------------------------------------------------------------------------
class _Renderer:
    def __init__(self, root: etree._Element, allowed_roots: tuple[Path, ...],
                 nesting: int = 0) -> None:
        self.root = root
        self.allowed_roots = tuple(Path(r).resolve() for r in allowed_roots)
        self.ids: dict[str, etree._Element] = {}
        for el in root.iter():
            ident = el.get("id") if isinstance(el.tag, str) else None
            if ident and ident not in self.ids:
                self.ids[ident] = el
        self.fonts = FontRegistry.default()
        self.nesting = nesting
        self.depth = 0
        self.drawn = 0
        self.active_refs: set[int] = set()
        expanded = self.expanded_size(root, {}, set())
        if expanded > MAX_DRAWN:
            raise RenderError(f"SVG would draw {expanded} elements after expanding <use>, more "
                              f"than {MAX_DRAWN}")

    def expanded_size(self, el: etree._Element, memo: dict[etree._Element, int],
                      active: set[etree._Element], depth: int = 0) -> int:
        """How many elements drawing `el` visits with every <use> expanded, computed in
        linear time, so that a "billion laughs" of nested <use> is refused before drawing.
        Keyed by the element proxies themselves (kept alive by the memo): lxml proxies are
        transient, so id() of one can be reused by another."""
        key = el
        if key in memo:
            return memo[key]
        if key in active or depth > MAX_DEPTH:
            return 0
        active.add(key)
        total = 1
        if _local(el) == "use":
            href = _href(el)
            target = self.ids.get(href[1:]) if href.startswith("#") else None
            if target is not None:
                total += self.expanded_size(target, memo, active, depth + 1)
        for child in el:
            total += self.expanded_size(child, memo, active, depth + 1)
            if total > MAX_DRAWN:
                break
        active.discard(key)
        memo[key] = total
        return total

    def ref(self, spec: str | None) -> tuple[etree._Element | None, str]:
        """The element a `url(#id) fallback` refers to, and the fallback text."""
        if not spec:
            return None, ""
        m = _URL.match(spec.strip())
        if not m:
            return None, ""
        return self.ids.get(m.group(1)), m.group(2).strip()

    # ---- style --------------------------------------------------------------------------
    def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]:
        """Computed style: inherited properties from the parent, then presentation
        attributes, then the style attribute (which wins, as in CSS)."""
        st = {k: v for k, v in parent.items() if k in INHERITED}
        own: dict[str, str] = {}
        for key, value in el.attrib.items():
            if key in PROPERTIES:
                own[key] = value.strip()
        style_attr = el.get("style")
        if style_attr:
            for decl in style_attr.split(";"):
                k, sep, v = decl.partition(":")
                k = k.strip().lower()
                if sep and k in PROPERTIES:
                    own[k] = v.replace("!important", "").strip()
        for key, value in own.items():
            if key in PAINTS and not _valid_paint(value):
                continue
            if value == "inherit":
                if key in parent:
                    st[key] = parent[key]
            else:
                st[key] = value
        if "font-size" in own:
            st["font-size"] = repr(self.font_size(own["font-size"], parent))
        return st

    @staticmethod
    def font_size(spec: str, parent: dict[str, str]) -> float:
        """Font size in px; em and % are relative to the parent's font size."""
        base = _num(parent.get("font-size"), 16.0)
        keywords = {"xx-small": 9, "x-small": 10, "small": 13, "medium": 16, "large": 18,
                    "x-large": 24, "xx-large": 32, "larger": base * 1.2, "smaller": base / 1.2}
        if spec in keywords:
            return float(keywords[spec])
        return max(0.0, _num(spec, base, base, base))

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
            if target is None or _local(target) not in ("linearGradient", "radialGradient"):
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
            href = _href(chain[-1])
            nxt = self.ids.get(href[1:]) if href.startswith("#") else None
            if nxt is None or nxt in chain or \
                    _local(nxt) not in ("linearGradient", "radialGradient"):
                break
            chain.append(nxt)
        return chain

    def stops(self, chain: list[etree._Element]) -> tuple[list[int], list[float]]:
        owner = next((g for g in chain if any(_local(c) == "stop" for c in g)), None)
        colors: list[int] = []
        offsets: list[float] = []
        if owner is None:
            return colors, offsets
        for stop in owner:
            if _local(stop) != "stop":
                continue
            st = self.style(stop, {"color": "black"})
            spec = st.get("stop-color", "black")
            if spec.lower() == "currentcolor":
                spec = st.get("color", "black")
            c = parse_color(spec) or (0.0, 0.0, 0.0, 1.0)
            o = max(0.0, min(1.0, _bbox_len(stop.get("offset"), 0.0)))
            o = max(offsets[-1] if offsets else 0.0, o)
            a = c[3] * _fraction(st.get("stop-opacity"), 1.0)
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
            local = _bbox_matrix(bounds)
        local.preConcat(parse_transform(attr("gradientTransform")))
        diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)

        def coord(name: str, default: str, ref: float) -> float:
            text = attr(name) or default
            return _num(text, 0.0, ref) if user else _bbox_len(text, 0.0)

        if _local(el) == "linearGradient":
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

    # ---- traversal ----------------------------------------------------------------------
    def draw_children(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                      vp: Viewport) -> None:
        for child in el:
            self.draw(canvas, child, st, vp)

    def draw(self, canvas: skia.Canvas, el: etree._Element, parent: dict[str, str],
             vp: Viewport, size: tuple[str | None, str | None] = (None, None)) -> None:
        """Draw one element: transform, then clip, mask, filter and opacity around it."""
        kind = _local(el)
        if kind in NON_RENDERING:
            return
        st = self.style(el, parent)
        if st.get("display") == "none":
            return
        self.drawn += 1
        if self.drawn > MAX_DRAWN:
            raise RenderError(f"SVG draws more than {MAX_DRAWN} elements (recursive <use>?)")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RenderError(f"SVG nesting is deeper than {MAX_DEPTH} levels")
        saved = canvas.save()
        try:
            canvas.concat(parse_transform(el.get("transform")))
            self.draw_effects(canvas, el, kind, st, vp, size)
        finally:
            canvas.restoreToCount(saved)
            self.depth -= 1

    def draw_effects(self, canvas: skia.Canvas, el: etree._Element, kind: str,
                     st: dict[str, str], vp: Viewport,
                     size: tuple[str | None, str | None] = (None, None)) -> None:
        clip_el, _ = self.ref(st.get("clip-path"))
        mask_el, _ = self.ref(st.get("mask"))
        filter_el, _ = self.ref(st.get("filter"))
        opacity = _fraction(st.get("opacity"), 1.0)
        if opacity <= 0:
            return
        need_box = any(e is not None for e in (clip_el, mask_el, filter_el))
        bounds = self.bbox(el, st, vp) if need_box else None
        if clip_el is not None and _local(clip_el) == "clipPath":
            canvas.clipPath(self.clip_path(clip_el, bounds, vp), doAntiAlias=True)
        filt = None
        if st.get("filter", "none").startswith("url(") and (
                filter_el is None or _local(filter_el) != "filter"):
            return  # a filter reference to nothing hides the element (as browsers do)
        if filter_el is not None and _local(filter_el) == "filter":
            filt = self.filter_for(filter_el, bounds, st, vp)
            if filt is not None:
                canvas.clipRect(filt[1], doAntiAlias=True)
        masked = mask_el is not None and _local(mask_el) == "mask"
        if masked:
            canvas.saveLayer(None, None)
        if opacity < 1.0 and filt is None and self.single_paint(kind, st, vp):
            st = {**st, "fill-opacity": repr(_fraction(st.get("fill-opacity"), 1.0) * opacity),
                  "stroke-opacity": repr(_fraction(st.get("stroke-opacity"), 1.0) * opacity),
                  "image-opacity": repr(opacity)}
            opacity = 1.0
        layered = opacity < 1.0 or filt is not None
        if layered:
            paint = skia.Paint()
            paint.setAlphaf(opacity)
            if filt is not None:
                paint.setImageFilter(filt[0])
            canvas.saveLayer(None if filt is not None else self.layer_bounds(el, st, vp), paint)
        self.draw_element(canvas, el, kind, st, vp, size)
        if layered:
            canvas.restore()
        if masked:
            self.apply_mask(canvas, mask_el, bounds, st, vp)
            canvas.restore()

    def single_paint(self, kind: str, st: dict[str, str], vp: Viewport) -> bool:
        """Whether the element paints once (a shape with fill or stroke, not both; an
        image), so its opacity can go into the paint instead of a layer: a layer per
        translucent shape costs a full-canvas allocation."""
        if kind == "image":
            return True
        if kind not in SHAPES:
            return False
        no_fill = st.get("fill", "black").strip() == "none"
        no_stroke = st.get("stroke", "none").strip() == "none" or \
            _num(st.get("stroke-width"), 1.0, max(vp)) <= 0
        return no_fill or no_stroke

    def layer_bounds(self, el: etree._Element, st: dict[str, str],
                     vp: Viewport) -> skia.Rect | None:
        """For a leaf (shape, text, image): its bbox grown by the stroke, miters included, to
        keep its opacity layer small. Containers get None (the clip bounds): a child may
        carry a wider stroke or a filter that reaches beyond the group's bbox."""
        if _local(el) not in SHAPES | {"text", "image"}:
            return None
        box = self.bbox(el, st, vp)
        if box is None:
            return None
        width = _num(st.get("stroke-width"), 1.0, max(vp))
        margin = width * max(1.0, _num(st.get("stroke-miterlimit"), 4.0)) / 2 + 2
        return box.makeOutset(margin, margin)

    def draw_element(self, canvas: skia.Canvas, el: etree._Element, kind: str,
                     st: dict[str, str], vp: Viewport,
                     size: tuple[str | None, str | None] = (None, None)) -> None:
        if kind in ("g", "a", "switch"):
            self.draw_children(canvas, el, st, vp)
        elif kind == "svg":
            self.nested_svg(canvas, el, st, vp, size)
        elif kind == "use":
            self.use(canvas, el, st, vp)
        elif kind == "image":
            if st.get("visibility") not in ("hidden", "collapse"):
                self.image(canvas, el, vp, _fraction(st.get("image-opacity"), 1.0))
        elif kind == "text":
            self.text(canvas, el, st, vp)
        elif kind in SHAPES:
            path = self.shape(el, kind, vp, st)
            if path is not None:
                self.fill_and_stroke(canvas, path, st, vp)

    def use(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
            vp: Viewport) -> None:
        """Draw the referenced element; a reference cycle draws nothing."""
        href = _href(el)
        target = self.ids.get(href[1:]) if href.startswith("#") else None
        if target is None or id(target) in self.active_refs:
            return
        if any(a is target for a in el.iterancestors()):
            return
        self.active_refs.add(id(target))
        try:
            canvas.translate(_num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1]))
            if _local(target) == "symbol":
                self.symbol(canvas, el, target, st, vp)
            elif _local(target) == "svg":
                size = (el.get("width"), el.get("height"))
                self.draw(canvas, target, st, vp, size)
            else:
                self.draw(canvas, target, st, vp)
        finally:
            self.active_refs.discard(id(target))

    def symbol(self, canvas: skia.Canvas, use: etree._Element, sym: etree._Element,
               st: dict[str, str], vp: Viewport) -> None:
        w = _num(use.get("width") or sym.get("width"), vp[0], vp[0])
        h = _num(use.get("height") or sym.get("height"), vp[1], vp[1])
        sst = self.style(sym, st)
        vb = _numbers(sym.get("viewBox"))
        inner = vp
        if len(vb) == 4:
            if sst.get("overflow", "hidden") in ("hidden", "scroll"):
                canvas.clipRect(skia.Rect.MakeWH(w, h), doAntiAlias=True)
            m, _ = view_box_matrix(vb, w, h, sym.get("preserveAspectRatio"))
            canvas.concat(m)
            inner = (vb[2], vb[3])
        self.draw_children(canvas, sym, sst, inner)

    def nested_svg(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                   vp: Viewport, size: tuple[str | None, str | None] = (None, None)) -> None:
        """A nested viewport: its own coordinate system, clipped unless overflow is visible.
        `size` is the width/height of a <use> that references it, which take precedence."""
        x, y = _num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1])
        w = _num(size[0] or el.get("width"), vp[0], vp[0])
        h = _num(size[1] or el.get("height"), vp[1], vp[1])
        if w <= 0 or h <= 0:
            return
        if st.get("overflow", "hidden") in ("hidden", "scroll"):
            canvas.clipRect(skia.Rect.MakeXYWH(x, y, w, h), doAntiAlias=True)
        canvas.translate(x, y)
        vb = _numbers(el.get("viewBox"))
        inner = (w, h)
        if len(vb) == 4 and vb[2] > 0 and vb[3] > 0:
            m, _ = view_box_matrix(vb, w, h, el.get("preserveAspectRatio"))
            canvas.concat(m)
            inner = (vb[2], vb[3])
        self.draw_children(canvas, el, st, inner)

    # ---- shapes -------------------------------------------------------------------------
    def shape(self, el: etree._Element, kind: str, vp: Viewport,
              st: dict[str, str] | None = None) -> skia.Path | None:
        """The element's geometry as a path in its user space, or None if it has none."""
        w, h = vp
        em = _num((st or {}).get("font-size"), 16.0)
        diag = math.sqrt((w * w + h * h) / 2)
        g = el.get

        def length(name: str, ref: float) -> float:
            return _num(g(name), 0.0, ref, em)

        path = skia.Path()
        if kind == "rect":
            x, y, rw, rh = length("x", w), length("y", h), length("width", w), length("height", h)
            if rw <= 0 or rh <= 0:
                return None
            rx_s, ry_s = g("rx"), g("ry")
            rx = _num(rx_s if rx_s not in (None, "auto") else ry_s, 0, w, em)
            ry = _num(ry_s if ry_s not in (None, "auto") else rx_s, 0, h, em)
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
            rx = _num(rx_s if rx_s not in (None, "auto") else ry_s, 0, w, em)
            ry = _num(ry_s if ry_s not in (None, "auto") else rx_s, 0, h, em)
            if rx <= 0 or ry <= 0:
                return None
            cx, cy = length("cx", w), length("cy", h)
            path.addOval(skia.Rect(cx - rx, cy - ry, cx + rx, cy + ry))
        elif kind == "line":
            path.moveTo(length("x1", w), length("y1", h))
            path.lineTo(length("x2", w), length("y2", h))
        elif kind in ("polyline", "polygon"):
            v = _numbers(g("points"))
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
        em = _num(st.get("font-size"), 16.0)
        width = _num(st.get("stroke-width"), 1.0, diag, em)
        if width <= 0:
            return None
        stroke = self.paint(st.get("stroke", "none"), _fraction(st.get("stroke-opacity"), 1.0),
                            bounds, st, vp)
        if stroke is None:
            return None
        stroke.setStyle(skia.Paint.kStroke_Style)
        stroke.setStrokeWidth(width)
        stroke.setStrokeCap({"round": skia.Paint.kRound_Cap, "square": skia.Paint.kSquare_Cap}
                            .get(st.get("stroke-linecap", ""), skia.Paint.kButt_Cap))
        stroke.setStrokeJoin({"round": skia.Paint.kRound_Join, "bevel": skia.Paint.kBevel_Join}
                             .get(st.get("stroke-linejoin", ""), skia.Paint.kMiter_Join))
        stroke.setStrokeMiter(max(1.0, _num(st.get("stroke-miterlimit"), 4.0)))
        dash_text = st.get("stroke-dasharray", "none")
        dashes = [_num(d, 0.0, diag, em) for d in re.split(r"[\s,]+", dash_text.strip()) if d]
        if dash_text != "none" and dashes and all(d >= 0 for d in dashes) and sum(dashes) > 0:
            if len(dashes) % 2:
                dashes *= 2
            offset = _num(st.get("stroke-dashoffset"), 0.0, diag, em)
            stroke.setPathEffect(skia.DashPathEffect.Make(dashes, offset))
        return stroke

    def fill_and_stroke(self, canvas: skia.Canvas, path: skia.Path, st: dict[str, str],
                        vp: Viewport) -> None:
        if st.get("visibility") in ("hidden", "collapse"):
            return
        bounds = path.computeTightBounds()
        path.setFillType(skia.PathFillType.kEvenOdd if st.get("fill-rule") == "evenodd"
                         else skia.PathFillType.kWinding)
        fill = self.paint(st.get("fill", "black"), _fraction(st.get("fill-opacity"), 1.0),
                          bounds, st, vp)
        if fill is not None:
            canvas.drawPath(path, fill)
        stroke = self.stroke_paint(st, bounds, vp)
        if stroke is not None:
            canvas.drawPath(path, stroke)

    # ---- bounding boxes -----------------------------------------------------------------
    def bbox(self, el: etree._Element, st: dict[str, str], vp: Viewport,
             depth: int = 0) -> skia.Rect | None:
        """Object bounding box in the element's user space (fill geometry, no stroke):
        the reference box for objectBoundingBox units of clips, masks, filters."""
        kind = _local(el)
        if depth > 32 or kind in NON_RENDERING:
            return None
        if kind in SHAPES:
            path = self.shape(el, kind, vp, st)
            return path.computeTightBounds() if path is not None else None
        if kind == "image":
            return skia.Rect.MakeXYWH(_num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1]),
                                      _num(el.get("width"), 0, vp[0]),
                                      _num(el.get("height"), 0, vp[1]))
        if kind == "text":
            box = None
            for run in self.layout_text(el, st, vp):
                box = _union(box, self.run_bounds(run))
            return box
        if kind == "use":
            href = _href(el)
            target = self.ids.get(href[1:]) if href.startswith("#") else None
            if target is None or _local(target) == "symbol":
                return None
            inner = self.child_bbox(target, st, vp, depth + 1)
            if inner is None:
                return None
            return skia.Matrix.Translate(_num(el.get("x"), 0, vp[0]),
                                         _num(el.get("y"), 0, vp[1])).mapRect(inner)
        if kind == "svg" and el is not self.root:
            return skia.Rect.MakeXYWH(_num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1]),
                                      _num(el.get("width"), vp[0], vp[0]),
                                      _num(el.get("height"), vp[1], vp[1]))
        box = None
        for child in el:
            box = _union(box, self.child_bbox(child, st, vp, depth + 1))
        return box

    def child_bbox(self, child: etree._Element, parent: dict[str, str], vp: Viewport,
                   depth: int) -> skia.Rect | None:
        cst = self.style(child, parent)
        if cst.get("display") == "none":
            return None
        box = self.bbox(child, cst, vp, depth)
        if box is None:
            return None
        return parse_transform(child.get("transform")).mapRect(box)

    # ---- clipping and masking -----------------------------------------------------------
    def clip_path(self, target: etree._Element, bounds: skia.Rect | None, vp: Viewport,
                  depth: int = 0) -> skia.Path:
        """The union of a clipPath's children as one path in the referencing user space."""
        clip = skia.Path()
        tst = self.style(target, {})
        for child in target:
            kind = _local(child)
            cst = self.style(child, tst)
            if cst.get("display") == "none" or cst.get("visibility") in ("hidden", "collapse"):
                continue
            shape = self.clip_shape(child, kind, cst, vp)
            if shape is None:
                continue
            shape.transform(parse_transform(child.get("transform")))
            shape.setFillType(skia.PathFillType.kEvenOdd if cst.get("clip-rule") == "evenodd"
                              else skia.PathFillType.kWinding)
            nested, _ = self.ref(cst.get("clip-path"))
            if nested is not None and _local(nested) == "clipPath" and depth < 8:
                shape = skia.Op(shape, self.clip_path(nested, bounds, vp, depth + 1),
                                skia.PathOp.kIntersect_PathOp) or shape
            clip = skia.Op(clip, shape, skia.PathOp.kUnion_PathOp) or clip
        m = parse_transform(target.get("transform"))
        if target.get("clipPathUnits") == "objectBoundingBox":
            if bounds is None or bounds.isEmpty():
                return skia.Path()
            m = skia.Matrix.Concat(m, _bbox_matrix(bounds))
        clip.transform(m)
        nested, _ = self.ref(tst.get("clip-path"))
        if nested is not None and _local(nested) == "clipPath" and depth < 8:
            clip = skia.Op(clip, self.clip_path(nested, bounds, vp, depth + 1),
                           skia.PathOp.kIntersect_PathOp) or clip
        return clip

    def clip_shape(self, child: etree._Element, kind: str, cst: dict[str, str],
                   vp: Viewport) -> skia.Path | None:
        if kind in SHAPES:
            return self.shape(child, kind, vp, cst)
        if kind == "text":
            path = skia.Path()
            for run in self.layout_text(child, cst, vp):
                for ch, pt in zip(run.text, run.points, strict=False):
                    glyph = run.font.textToGlyphs(ch)
                    if len(glyph):
                        outline = run.font.getPath(glyph[0])
                        if outline is not None:
                            outline.offset(pt.x(), pt.y())
                            path.addPath(outline)
            return path
        if kind == "use":
            href = _href(child)
            target = self.ids.get(href[1:]) if href.startswith("#") else None
            if target is None or _local(target) not in SHAPES | {"text"}:
                return None
            shape = self.clip_shape(target, _local(target), self.style(target, cst), vp)
            if shape is not None:
                shape.transform(parse_transform(target.get("transform")))
                shape.offset(_num(child.get("x"), 0, vp[0]), _num(child.get("y"), 0, vp[1]))
            return shape
        return None

    def apply_mask(self, canvas: skia.Canvas, mask: etree._Element, bounds: skia.Rect | None,
                   st: dict[str, str], vp: Viewport) -> None:
        """Multiply the layer below by the mask's luminance (or alpha) with DstIn."""
        user = mask.get("maskUnits") == "userSpaceOnUse"
        content_bbox = mask.get("maskContentUnits") == "objectBoundingBox"
        if not user and (bounds is None or bounds.isEmpty()):
            canvas.clear(skia.ColorTRANSPARENT)
            return
        region = self.region(mask, bounds, vp, user)
        mst = self.style(mask, {k: v for k, v in DEFAULTS.items()})
        paint = skia.Paint(BlendMode=skia.BlendMode.kDstIn)
        if mst.get("mask-type", "luminance") != "alpha":
            paint.setColorFilter(skia.LumaColorFilter.Make())
        canvas.saveLayer(None, paint)
        canvas.clipRect(region, doAntiAlias=True)
        if content_bbox and bounds is not None:
            canvas.concat(_bbox_matrix(bounds))
        self.draw_children(canvas, mask, mst, vp)
        canvas.restore()

    def region(self, el: etree._Element, bounds: skia.Rect | None, vp: Viewport,
               user: bool) -> skia.Rect:
        """The x/y/width/height region of a mask or filter (default -10%, 120%)."""
        if user:
            return skia.Rect.MakeXYWH(_num(el.get("x"), -0.1 * vp[0], vp[0]),
                                      _num(el.get("y"), -0.1 * vp[1], vp[1]),
                                      _num(el.get("width"), 1.2 * vp[0], vp[0]),
                                      _num(el.get("height"), 1.2 * vp[1], vp[1]))
        b = bounds if bounds is not None else skia.Rect.MakeWH(0, 0)
        x, y = _bbox_len(el.get("x"), -0.1), _bbox_len(el.get("y"), -0.1)
        w, h = _bbox_len(el.get("width"), 1.2), _bbox_len(el.get("height"), 1.2)
        return skia.Rect.MakeXYWH(b.left() + x * b.width(), b.top() + y * b.height(),
                                  w * b.width(), h * b.height())

    # ---- filters ------------------------------------------------------------------------
    def filter_for(self, target: etree._Element, bounds: skia.Rect | None,
                   st: dict[str, str], vp: Viewport) -> tuple[skia.ImageFilter | None,
                                                             skia.Rect] | None:
        """The filter chain as a skia image filter plus the filter region to clip to, or
        None (draw unfiltered) when any primitive is unsupported or malformed."""
        user = target.get("filterUnits") == "userSpaceOnUse"
        if not user and (bounds is None or bounds.isEmpty()):
            return None
        region = self.region(target, bounds, vp, user)
        prim_bbox = target.get("primitiveUnits") == "objectBoundingBox"
        scale = (bounds.width(), bounds.height()) if prim_bbox and bounds else (1.0, 1.0)
        fst = self.style(target, st)
        results: dict[str, skia.ImageFilter | None] = {}
        last: skia.ImageFilter | None = None
        count = 0
        for prim in target:
            kind = _local(prim)
            if not kind or kind in ("title", "desc"):
                continue
            pst = self.style(prim, fst)
            built = self.primitive(prim, kind, pst, results, last, region, scale)
            if built is False:
                return None
            last = built  # type: ignore[assignment]
            count += 1
            if prim.get("result"):
                results[prim.get("result")] = last
        if count == 0:
            return None
        return last, region

    def primitive(self, prim: etree._Element, kind: str, st: dict[str, str],
                  results: dict[str, skia.ImageFilter | None], last: skia.ImageFilter | None,
                  region: skia.Rect, scale: tuple[float, float]) -> skia.ImageFilter | bool | None:
        """One filter primitive; False when unsupported (the whole filter is then skipped)."""
        def inp(name: str) -> skia.ImageFilter | None:
            ref = (prim.get(name) or "").strip()
            if ref == "SourceAlpha":
                return skia.ImageFilters.ColorFilter(skia.ColorFilters.Matrix(
                    [0.0] * 15 + [0, 0, 0, 1, 0]), None)
            if ref == "SourceGraphic":
                return None
            return results.get(ref, last) if ref else last

        def flood(color_spec: str | None, opacity: float) -> skia.ImageFilter:
            c = parse_color(color_spec or "black") or (0.0, 0.0, 0.0, 1.0)
            rec = skia.PictureRecorder()
            pc = rec.beginRecording(region)
            pc.drawRect(region, skia.Paint(Color4f=skia.Color4f(c[0], c[1], c[2],
                                                                   c[3] * opacity)))
            return skia.ImageFilters.Picture(rec.finishRecordingAsPicture(), region)

        def sigma() -> tuple[float, float] | None:
            sd = _numbers(prim.get("stdDeviation"))
            if prim.get("stdDeviation") is None:
                sd = [2.0] if kind == "feDropShadow" else [0.0]
            if not sd or any(v < 0 for v in sd):
                return None
            return sd[0] * scale[0], sd[-1] * scale[1]

        if kind == "feGaussianBlur":
            s = sigma()
            if s is None:
                return False
            return inp("in") if s == (0.0, 0.0) else skia.ImageFilters.Blur(
                s[0], s[1], skia.TileMode.kDecal, inp("in"))
        if kind == "feOffset":
            return skia.ImageFilters.Offset(_num(prim.get("dx")) * scale[0],
                                            _num(prim.get("dy")) * scale[1], inp("in"))
        if kind == "feDropShadow":
            s = sigma()
            if s is None:
                return False
            c = parse_color(st.get("flood-color", "black")) or (0.0, 0.0, 0.0, 1.0)
            a = c[3] * _fraction(st.get("flood-opacity"), 1.0)
            color = skia.Color4f(c[0], c[1], c[2], a).toColor()
            return skia.ImageFilters.DropShadow(_num(prim.get("dx"), 2.0) * scale[0],
                                                _num(prim.get("dy"), 2.0) * scale[1],
                                                s[0], s[1], color, inp("in"))
        if kind == "feFlood":
            return flood(st.get("flood-color"), _fraction(st.get("flood-opacity"), 1.0))
        if kind == "feMerge":
            nodes = [inp_node for inp_node in prim if _local(inp_node) == "feMergeNode"]
            inputs = []
            for node in nodes:
                ref = (node.get("in") or "").strip()
                inputs.append(None if ref == "SourceGraphic" else
                              (results.get(ref, last) if ref else last))
            return skia.ImageFilters.Merge(inputs) if inputs else flood("transparent", 0.0)
        if kind == "feComposite":
            return self.composite(prim, inp("in"), inp("in2"))
        if kind == "feBlend":
            mode = {"normal": skia.BlendMode.kSrcOver, "multiply": skia.BlendMode.kMultiply,
                    "screen": skia.BlendMode.kScreen, "darken": skia.BlendMode.kDarken,
                    "lighten": skia.BlendMode.kLighten, "overlay": skia.BlendMode.kOverlay,
                    "difference": skia.BlendMode.kDifference}.get(prim.get("mode", "normal"))
            if mode is None:
                return False
            return skia.ImageFilters.Xfermode(mode, inp("in2"), inp("in"))
        if kind == "feColorMatrix":
            matrix = _color_matrix(prim.get("type", "matrix"), prim.get("values"))
            if matrix is None:
                return False
            cf = skia.ColorFilters.Matrix(matrix)
            if st.get("color-interpolation-filters", "linearRGB") != "sRGB":
                cf = skia.ColorFilters.Compose(skia.ColorFilters.LinearToSRGBGamma(),
                                               skia.ColorFilters.Compose(
                                                   cf, skia.ColorFilters.SRGBToLinearGamma()))
            return skia.ImageFilters.ColorFilter(cf, inp("in"))
        return False

    @staticmethod
    def composite(prim: etree._Element, fg: skia.ImageFilter | None,
                  bg: skia.ImageFilter | None) -> skia.ImageFilter | bool:
        op = prim.get("operator", "over")
        if op == "arithmetic":
            k = [_num(prim.get(f"k{i}"), 0.0) for i in range(1, 5)]
            source = skia.ImageFilters.Offset(0, 0, None)  # the binding wants no null input
            return skia.ImageFilters.Arithmetic(k[0], k[1], k[2], k[3], True, bg or source,
                                                fg or source)
        mode = {"over": skia.BlendMode.kSrcOver, "in": skia.BlendMode.kSrcIn,
                "out": skia.BlendMode.kSrcOut, "atop": skia.BlendMode.kSrcATop,
                "xor": skia.BlendMode.kXor, "lighter": skia.BlendMode.kPlus}.get(op)
        if mode is None:
            return False
        return skia.ImageFilters.Xfermode(mode, bg, fg)

    # ---- images -------------------------------------------------------------------------
    def image(self, canvas: skia.Canvas, el: etree._Element, vp: Viewport,
              alpha: float = 1.0) -> None:
        """Draw a raster or SVG image into its viewport with preserveAspectRatio."""
        href = _href(el)
        if not href:
            return
        data, mime, name = self.load(href)
        x, y = _num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1])
        if _is_svg(data, mime, name):
            picture, iw, ih = self.svg_image(data, name)
        else:
            raster = IMAGES.raster(data, name)
            picture, iw, ih = raster, float(raster.width()), float(raster.height())
        w, h = self.image_size(el, iw, ih, vp)
        if w <= 0 or h <= 0 or iw <= 0 or ih <= 0:
            return
        m, slice_ = view_box_matrix([0, 0, iw, ih], w, h, el.get("preserveAspectRatio"))
        canvas.save()
        canvas.translate(x, y)
        if slice_:
            canvas.clipRect(skia.Rect.MakeWH(w, h), doAntiAlias=True)
        canvas.concat(m)
        if isinstance(picture, skia.Image):
            paint = skia.Paint(AntiAlias=True)
            paint.setAlphaf(alpha)
            canvas.drawImageRect(picture, skia.Rect.MakeWH(iw, ih),
                                 skia.SamplingOptions(skia.CubicResampler.Mitchell()), paint)
        else:
            canvas.clipRect(skia.Rect.MakeWH(iw, ih))
            paint = skia.Paint()
            paint.setAlphaf(alpha)
            canvas.drawPicture(picture, None, paint if alpha < 1.0 else None)
        canvas.restore()

    @staticmethod
    def image_size(el: etree._Element, iw: float, ih: float, vp: Viewport) -> tuple[float, float]:
        """width/height, where a missing one follows the image's aspect ratio (SVG 2 auto)."""
        ws, hs = el.get("width"), el.get("height")
        w = _num(ws, -1.0, vp[0]) if ws not in (None, "auto") else None
        h = _num(hs, -1.0, vp[1]) if hs not in (None, "auto") else None
        if w is None and h is None:
            return iw, ih
        if w is None:
            return (h * iw / ih if ih else 0.0), h  # type: ignore[operator]
        if h is None:
            return w, (w * ih / iw if iw else 0.0)
        return w, h

    def svg_image(self, data: bytes, name: str) -> tuple[skia.Picture, float, float]:
        """An SVG image recorded once as a picture, cached by content hash."""
        if self.nesting >= MAX_IMAGE_NESTING:
            raise RenderError(f"SVG images nest deeper than {MAX_IMAGE_NESTING} levels ({name})")
        key = f"svg:{self.nesting}:{hashlib.sha256(data).hexdigest()}"
        hit = IMAGES.lookup(key)
        if isinstance(hit, tuple):
            return hit
        root = parse_svg(data)
        iw, ih = intrinsic_size(root)
        rec = skia.PictureRecorder()
        pc = rec.beginRecording(skia.Rect.MakeWH(iw, ih))
        _draw_root(root, pc, iw, ih, self.allowed_roots, self.nesting + 1)
        result = (rec.finishRecordingAsPicture(), iw, ih)
        IMAGES.store(key, result)
        return result

    def load(self, href: str) -> tuple[bytes, str, str]:
        """Image bytes, MIME type (if known) and a short name for messages. Files are read
        only inside `allowed_roots`; network references are refused."""
        if href.startswith("data:"):
            head, _, payload = href.partition(",")
            mime = head[5:].split(";")[0].strip().lower()
            name = f"data:{mime or 'unknown'} URI"
            if ";base64" in head:
                try:
                    return base64.b64decode(re.sub(r"\s+", "", payload)), mime, name
                except (ValueError, binascii.Error):
                    raise RenderError(f"image {name} is not valid base64") from None
            return urllib.parse.unquote_to_bytes(payload), mime, name
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href) and not href.startswith("file:") \
                and not re.match(r"[a-zA-Z]:[\\/]", href):
            raise RenderError(f"image {href[:80]} is a network reference; only files and data "
                              "URIs are drawn")
        raw = urllib.parse.urlparse(href).path if href.startswith("file:") else href
        path = Path(urllib.parse.unquote(raw))
        candidates = [path] if path.is_absolute() else [r / path for r in self.allowed_roots]
        for cand in candidates:
            try:
                real = cand.resolve()
            except (OSError, RuntimeError):
                continue
            if any(real.is_relative_to(r) for r in self.allowed_roots) and real.is_file():
                if real.stat().st_size > MAX_BYTES:
                    raise RenderError(f"image {href} is larger than {MAX_BYTES // 1_000_000} MB")
                return real.read_bytes(), "", str(real)
        raise RenderError(f"image file {href[:200]} is outside the allowed folders or does "
                          "not exist")

    # ---- text ---------------------------------------------------------------------------
    def text(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
             vp: Viewport) -> None:
        runs = self.layout_text(el, st, vp)
        if not runs:
            return
        box = None
        for run in runs:
            box = _union(box, self.run_bounds(run))
        for run in runs:
            rst = run.style
            if rst.get("visibility") in ("hidden", "collapse"):
                continue
            blob = skia.TextBlob.MakeFromPosText(run.text, run.points, run.font)
            if blob is None:
                continue
            fill = self.paint(rst.get("fill", "black"), _fraction(rst.get("fill-opacity"), 1.0),
                              box, rst, vp)
            if fill is not None:
                canvas.drawTextBlob(blob, 0, 0, fill)
            stroke = self.stroke_paint(rst, box, vp)
            if stroke is not None:
                canvas.drawTextBlob(blob, 0, 0, stroke)

    @staticmethod
    def run_bounds(run: _Glyphs) -> skia.Rect:
        m = run.font.getMetrics()
        left = min(p.x() for p in run.points)
        right = max(p.x() for p in run.points) + sum(run.font.getWidths(
            run.font.textToGlyphs(run.text[-1])))
        top = min(p.y() for p in run.points) + m.fAscent
        bottom = max(p.y() for p in run.points) + m.fDescent
        return skia.Rect(left, top, right, bottom)

    def layout_text(self, el: etree._Element, st: dict[str, str], vp: Viewport) -> list[_Glyphs]:
        """Position every character of a <text>: whitespace collapsing, x/y/dx/dy lists,
        text chunks with their anchors, per-character font fallback, letter spacing."""
        chars, owners = _collect_text(el, st, self.style, _preserve(el))
        if not chars:
            return []
        n = len(chars)
        ax: list[float | None] = [None] * n
        ay: list[float | None] = [None] * n
        dx = [0.0] * n
        dy = [0.0] * n
        for owner, start, end in owners:  # ancestors first, so descendants override
            em = _num(owner[1].get("font-size"), 16.0)
            for name, target, ref in (("x", ax, vp[0]), ("y", ay, vp[1]), ("dx", dx, vp[0]),
                                      ("dy", dy, vp[1])):
                values = owner[0].get(name)
                if values is None:
                    continue
                parts = [p for p in re.split(r"[\s,]+", values.strip()) if p]
                for k, text in enumerate(parts[:end - start]):
                    target[start + k] = _num(text, 0.0, ref, em)
        if ax[0] is None:
            ax[0] = 0.0
        if ay[0] is None:
            ay[0] = 0.0
        return self.place_chunks(chars, ax, ay, dx, dy)

    def place_chunks(self, chars: list[tuple[str, dict[str, str]]], ax: list[float | None],
                     ay: list[float | None], dx: list[float], dy: list[float]) -> list[_Glyphs]:
        fonts: dict[int, tuple[skia.Font, float, float]] = {}
        pen_x = pen_y = 0.0
        chunks: list[list[tuple[int, float, float, skia.Font]]] = []
        for i, (ch, cst) in enumerate(chars):
            if ax[i] is not None or ay[i] is not None or not chunks:
                chunks.append([])
            if ax[i] is not None:
                pen_x = ax[i]  # type: ignore[assignment]
            if ay[i] is not None:
                pen_y = ay[i]  # type: ignore[assignment]
            pen_x += dx[i]
            pen_y += dy[i]
            key = id(cst)
            if key not in fonts:
                fonts[key] = self.style_font(cst)
            primary, spacing, shift = fonts[key]
            font = primary
            if not ch.isspace() and not self.fonts.has_glyph(primary.getTypeface(), ch):
                face = self.fonts.fallback(ch, _weight(cst), _italic(cst), primary.getSize())
                if face is not None:
                    font = configure(skia.Font(face, primary.getSize()))
            chunks[-1].append((i, pen_x, pen_y + shift, font))
            pen_x += font.measureText(ch) + spacing
        runs: list[_Glyphs] = []
        for chunk in chunks:
            first = chunk[0]
            end_x = max(x + f.measureText(chars[i][0]) + fonts[id(chars[i][1])][1]
                        for i, x, _, f in chunk)
            width = end_x - first[1]
            anchor = chars[first[0]][1].get("text-anchor", "start")
            shift_x = -width / 2 if anchor == "middle" else -width if anchor == "end" else 0.0
            for i, x, y, font in chunk:
                ch, cst = chars[i]
                point = skia.Point(x + shift_x, y)
                last = runs[-1] if runs else None
                if last is not None and last.style is cst and last.font is font:
                    last.text += ch
                    last.points.append(point)
                else:
                    runs.append(_Glyphs(ch, font, [point], cst))
        return runs

    def style_font(self, cst: dict[str, str]) -> tuple[skia.Font, float, float]:
        """The primary font of a text style, its letter spacing and its baseline shift."""
        size = _num(cst.get("font-size"), 16.0)
        font = self.fonts.font(cst.get("font-family", "sans-serif"), _weight(cst),
                               _italic(cst), size)
        ls = cst.get("letter-spacing", "normal")
        spacing = 0.0 if ls == "normal" else _num(ls, 0.0, size, size)
        baseline = cst.get("dominant-baseline", cst.get("alignment-baseline", "auto"))
        m = font.getMetrics()
        shift = {"middle": (-m.fAscent - m.fDescent) / 2, "central": (-m.fAscent - m.fDescent) / 2,
                 "hanging": -m.fAscent * 0.8, "text-before-edge": -m.fAscent,
                 "text-top": -m.fAscent, "text-after-edge": -m.fDescent,
                 "text-bottom": -m.fDescent, "ideographic": -m.fDescent,
                 "mathematical": -m.fAscent * 0.5}.get(baseline, 0.0)
        return font, spacing, shift


def _valid_paint(value: str) -> bool:
    """Whether a paint value parses; an invalid one is ignored, so the inherited one holds."""
    v = value.strip().lower()
    return v in ("none", "inherit", "currentcolor", "transparent") or v.startswith("url(") or \
        parse_color(v) is not None


def _weight(st: dict[str, str]) -> int:
    text = st.get("font-weight", "400").strip()
    if text in _WEIGHTS:
        return _WEIGHTS[text]
    return max(1, min(1000, int(_num(text, 400.0))))


def _italic(st: dict[str, str]) -> bool:
    return st.get("font-style", "normal").split()[0] in ("italic", "oblique") \
        if st.get("font-style") else False


def _preserve(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        value = node.get(XML_SPACE)
        if value is not None:
            return value == "preserve"
        node = node.getparent()
    return False


def _collect_text(el: etree._Element, st: dict[str, str], style_of, preserve: bool,
                  ) -> tuple[list[tuple[str, dict[str, str]]],
                             list[tuple[tuple[etree._Element, dict[str, str]], int, int]]]:
    """The addressable characters of a <text> after xml:space processing, each with its
    style, and the character range each positioning element covers (in document order)."""
    chars: list[tuple[str, dict[str, str]]] = []
    owners: list[tuple[tuple[etree._Element, dict[str, str]], int, int]] = []

    def add(text: str | None, cst: dict[str, str]) -> None:
        if not text:
            return
        text = re.sub(r"[\t\n\r]", " ", text)
        for ch in text:
            if not preserve and ch == " " and (not chars or chars[-1][0] == " "):
                continue
            chars.append((ch, cst))

    def walk(node: etree._Element, nst: dict[str, str], depth: int) -> None:
        start = len(chars)
        entry = [(node, nst), start, start]
        owners.append(entry)  # type: ignore[arg-type]
        add(node.text, nst)
        for child in node:
            kind = _local(child)
            if kind in ("tspan", "a", "textPath") and depth < 32:
                cst = style_of(child, nst)
                if cst.get("display") != "none":
                    walk(child, cst, depth + 1)
            add(child.tail, nst)
        entry[2] = len(chars)

    walk(el, st, 0)
    if not preserve:
        while chars and chars[-1][0] == " ":
            chars.pop()
    total = len(chars)
    fixed = [(o, s, min(e, total)) for o, s, e in owners]
    return chars, [o for o in fixed if o[1] < o[2]]


def _color_matrix(kind: str, values: str | None) -> list[float] | None:
    """feColorMatrix as Skia's 4×5 row-major matrix (translation in 0..1 units)."""
    v = _numbers(values)
    if kind == "matrix":
        if values is None:
            return [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]
        return v if len(v) == 20 else None
    if kind == "saturate":
        s = v[0] if v else 1.0
        return [0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s, 0, 0,
                0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s, 0, 0,
                0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s, 0, 0,
                0, 0, 0, 1, 0]
    if kind == "hueRotate":
        a = math.radians(v[0] if v else 0.0)
        c, s = math.cos(a), math.sin(a)
        return [0.213 + c * 0.787 - s * 0.213, 0.715 - c * 0.715 - s * 0.715,
                0.072 - c * 0.072 + s * 0.928, 0, 0,
                0.213 - c * 0.213 + s * 0.143, 0.715 + c * 0.285 + s * 0.140,
                0.072 - c * 0.072 - s * 0.283, 0, 0,
                0.213 - c * 0.213 - s * 0.787, 0.715 - c * 0.715 + s * 0.715,
                0.072 + c * 0.928 + s * 0.072, 0, 0,
                0, 0, 0, 1, 0]
    if kind == "luminanceToAlpha":
        return [0] * 15 + [0.2125, 0.7154, 0.0721, 0, 0]
    return None


def _is_svg(data: bytes, mime: str, name: str) -> bool:
    if mime:
        return mime == "image/svg+xml"
    if name.lower().endswith((".svg", ".svgz")):
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and (b"<svg" in data[:4096])


# ---- documents ------------------------------------------------------------------------------
def _root_length(root: etree._Element, name: str) -> float | None:
    """The root's own width/height in px, or None when absent, relative or invalid."""
    text = root.get(name)
    if text is None or text.strip().endswith("%") or text.strip() == "auto":
        return None
    value = _num(text, -1.0)
    return value if value > 0 else None


def intrinsic_size(root: etree._Element) -> tuple[float, float]:
    """The document's size in px: width/height, else the viewBox, else 300×150 (CSS)."""
    vb = _numbers(root.get("viewBox"))
    has_vb = len(vb) == 4 and vb[2] > 0 and vb[3] > 0
    w, h = _root_length(root, "width"), _root_length(root, "height")
    if w is None and h is not None and has_vb:
        w = h * vb[2] / vb[3]
    if h is None and w is not None and has_vb:
        h = w * vb[3] / vb[2]
    if w is None:
        w = vb[2] if has_vb else 300.0
    if h is None:
        h = vb[3] if has_vb else 150.0
    return w, h


def output_size(root: etree._Element, width: int | None, height: int | None) -> tuple[int, int]:
    """Pixels: the arguments, else the document's size; one argument keeps the aspect ratio."""
    w0, h0 = intrinsic_size(root)
    if width and not height:
        height = max(1, round(width * h0 / w0))
    if height and not width:
        width = max(1, round(height * w0 / h0))
    w, h = int(width or round(w0)), int(height or round(h0))
    if not (0 < w <= MAX_OUTPUT and 0 < h <= MAX_OUTPUT):
        raise RenderError(f"output size {w}x{h} is outside 1..{MAX_OUTPUT} px")
    return w, h


def _draw_root(root: etree._Element, canvas: skia.Canvas, width: float, height: float,
               allowed_roots: tuple[Path, ...], nesting: int = 0) -> None:
    renderer = _Renderer(root, allowed_roots, nesting)
    vb = _numbers(root.get("viewBox"))
    canvas.save()
    try:
        if len(vb) == 4 and vb[2] > 0 and vb[3] > 0:
            m, _ = view_box_matrix(vb, width, height, root.get("preserveAspectRatio"))
            canvas.concat(m)
            vp = (vb[2], vb[3])
        else:
            w0, h0 = intrinsic_size(root)
            canvas.scale(width / w0, height / h0)
            vp = (w0, h0)
        st = renderer.style(root, dict(DEFAULTS))
        if st.get("display") != "none":
            renderer.draw_effects(canvas, root, "g", st, vp)
    finally:
        canvas.restore()


def draw(svg: str | bytes | etree._Element, canvas: skia.Canvas, width: int, height: int,
         allowed_roots: tuple[Path, ...] = ()) -> None:
    """Draw an SVG document onto a canvas, fitted to width × height (for callers that
    compose several documents or draw onto their own surface)."""
    root = svg if isinstance(svg, etree._Element) else parse_svg(svg)
    try:
        _draw_root(root, canvas, width, height, allowed_roots)
    except RenderError:
        raise
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, RecursionError,
            IndexError, KeyError, LookupError) as err:
        raise RenderError(f"cannot draw SVG: {type(err).__name__}: {err}") from None


def render(svg: str | bytes, width: int | None = None, height: int | None = None,
           background: str | None = None, *, allowed_roots: tuple[Path, ...] = ()) -> np.ndarray:
    """Rasterise SVG to an H×W×4 RGBA uint8 array (unpremultiplied)."""
    root = parse_svg(svg)
    w, h = output_size(root, width, height)
    bg = None
    if background:
        bg = parse_color(background)
        if bg is None:
            raise RenderError(f"background {background!r} is not a colour")
    surface = skia.Surface.MakeRaster(skia.ImageInfo.Make(
        w, h, skia.ColorType.kRGBA_8888_ColorType, skia.AlphaType.kPremul_AlphaType))
    if surface is None:
        raise RenderError(f"cannot allocate a {w}x{h} surface")
    canvas = surface.getCanvas()
    canvas.clear(skia.Color4f(*bg).toColor() if bg else skia.ColorTRANSPARENT)
    draw(root, canvas, w, h, allowed_roots)
    return surface.makeImageSnapshot().toarray(colorType=skia.ColorType.kRGBA_8888_ColorType,
                                               alphaType=skia.AlphaType.kUnpremul_AlphaType)
