"""Numbers, lengths, opacities, transforms and viewBox mapping, as SVG defines them."""

from __future__ import annotations

import math
import re

import skia
from lxml import etree

NUMBER_RE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
URL_RE = re.compile(r"url\(\s*['\"]?\s*#([^)'\"\s]+)\s*['\"]?\s*\)\s*(.*)", re.S)
Viewport = tuple[float, float]  # the width and height that % lengths refer to
UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54,
          "in": 96.0}  # resvg knows no others (Q, vw, vh, vmin, vmax, lh): those are invalid


def num(text: str | None, default: float = 0.0, ref: float = 0.0, em: float = 16.0) -> float:
    """A length in px: % of `ref`, em/ex of the font size, absolute units converted.
    Garbage and non-finite values give the default, as browsers ignore invalid lengths."""
    if text is None:
        return default
    text = text.strip()
    m = NUMBER_RE.match(text)
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
    if unit not in UNITS:
        return default  # an unknown unit makes the length invalid (`44mmx`)
    return value * UNITS[unit]


def fraction(text: str | None, default: float) -> float:
    """Opacity-like values: a number or a percentage, clamped to 0..1."""
    if text is None:
        return default
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*", text)
    if not m:
        return default
    v = float(m.group(1)) / (100.0 if m.group(2) else 1.0)
    return max(0.0, min(1.0, v)) if math.isfinite(v) else default


def numbers(text: str | None) -> list[float]:
    return [v for v in (float(m) for m in NUMBER_RE.findall(text or "")) if math.isfinite(v)]


def bbox_len(text: str | None, default: float) -> float:
    """A coordinate in objectBoundingBox units: a fraction, or a percentage of 1."""
    if text is None:
        return default
    text = text.strip()
    return num(text, default, 1.0) if text.endswith("%") else num(text, default)


def parse_transform(text: str | None) -> skia.Matrix:
    """The SVG transform list as one matrix (applied left to right, as SVG specifies)."""
    m = skia.Matrix()
    if not text:
        return m
    for name, args in re.findall(r"([A-Za-z]+)\s*\(([^)]*)\)", text):
        v = numbers(args)
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


ORIGIN_KEYWORDS = {"left": ("x", "0"), "right": ("x", "100%"), "top": ("y", "0"),
                   "bottom": ("y", "100%"), "center": ("", "50%")}


def parse_origin(text: str | None, vp: Viewport) -> tuple[float, float] | None:
    """`transform-origin` (CSS syntax: one or two keywords or lengths, a third z value is
    ignored) as a point; percentages refer to the viewport, as in resvg. None: no origin."""
    if not text:
        return None
    tokens = text.replace(",", " ").split()[:2]
    if not tokens:
        return None
    axes: list[tuple[str, str]] = []
    for token in tokens:
        low = token.lower()
        if low in ORIGIN_KEYWORDS:
            axes.append(ORIGIN_KEYWORDS[low])
        elif NUMBER_RE.match(token):
            axes.append(("", token))
        else:
            return None
    if len(axes) == 1:
        axis, value = axes[0]
        axes = [("x", "50%"), ("y", value)] if axis == "y" else [("x", value), ("y", "50%")]
    (a0, v0), (a1, v1) = axes
    if a0 == "y" or a1 == "x":  # `top left`, `top 20%`, `10% left`: the y value came first
        v0, v1 = v1, v0
    return num(v0, 0.0, vp[0]), num(v1, 0.0, vp[1])


def element_transform(el: etree._Element, vp: Viewport, attr: str = "transform") -> skia.Matrix:
    """An element's transform attribute (or gradientTransform, patternTransform) around
    its `transform-origin` (SVG 2)."""
    return with_origin(parse_transform(el.get(attr)), el.get("transform-origin"), vp)


def with_origin(m: skia.Matrix, origin: str | None, vp: Viewport) -> skia.Matrix:
    """translate(origin) · m · translate(-origin); origin percentages refer to the
    viewport (as resvg resolves them, for paint servers too)."""
    if origin is None or m.isIdentity():
        return m
    point = parse_origin(origin, vp)
    if point is None:
        return m
    dx, dy = point
    out = skia.Matrix.Translate(dx, dy)
    out.preConcat(m)
    out.preTranslate(-dx, -dy)
    return out


def invertible(m: skia.Matrix) -> bool:
    """Whether a transform keeps some area (resvg skips elements whose transform squashes
    them to a line or a point, or is not finite)."""
    values = [m.get(i) for i in range(6)]
    if not all(math.isfinite(v) for v in values):
        return False
    sx, kx, _, ky, sy, _ = values
    return math.hypot(sx, ky) > 1e-7 and math.hypot(kx, sy) > 1e-7 and \
        abs(sx * sy - kx * ky) > 1e-12


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


def bbox_matrix(bounds: skia.Rect) -> skia.Matrix:
    """Maps objectBoundingBox units (0..1) onto a bounding box."""
    return skia.Matrix.MakeAll(bounds.width(), 0, bounds.left(), 0, bounds.height(),
                               bounds.top(), 0, 0, 1)


def union(a: skia.Rect | None, b: skia.Rect | None) -> skia.Rect | None:
    if a is None:
        return b
    if b is None:
        return a
    return skia.Rect(min(a.left(), b.left()), min(a.top(), b.top()),
                     max(a.right(), b.right()), max(a.bottom(), b.bottom()))

