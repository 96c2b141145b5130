"""Filter resolution after usvg: primitive parameters, inputs, subregions, colours, and
the CSS filter functions, parsed into plain `Primitive`/`Filter` records for filters.py."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import skia
from lxml import etree

from . import filter_ops as ops
from .colors import parse_color
from .document import local_name
from .filter_lighting import Light
from .paint import BLEND_MODES
from .units import NUMBER_RE, Viewport, bbox_len, num, numbers

FUNCTION_RE = re.compile(r"\s*([a-zA-Z-]+)\(((?:[^()]|\([^()]*\))*)\)\s*")
COMPOSITE_MODES = {
    "over": skia.BlendMode.kSrcOver, "in": skia.BlendMode.kSrcIn,
    "out": skia.BlendMode.kSrcOut, "atop": skia.BlendMode.kSrcATop,
    "xor": skia.BlendMode.kXor}
FE_KINDS = frozenset((
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDropShadow", "feFlood", "feGaussianBlur",
    "feImage", "feMerge", "feMorphology", "feOffset", "feSpecularLighting", "feTile",
    "feTurbulence"))


@dataclass
class Primitive:
    """One resolved filter primitive: its kind, user-space subregion, colour space, the
    result name, its inputs (SourceGraphic, SourceAlpha or result names) and parameters."""
    kind: str
    rect: skia.Rect
    linear: bool
    result: str
    inputs: list[str]
    params: dict = field(default_factory=dict)


@dataclass
class Filter:
    """One filter of the `filter` list: a user-space region and its primitives."""
    rect: skia.Rect
    primitives: list[Primitive]
    element: etree._Element | None = None


def own_prop(el: etree._Element, name: str) -> str | None:
    """A property set on the element itself (style attribute wins over the attribute)."""
    style = el.get("style")
    if style:
        for decl in style.split(";"):
            k, sep, v = decl.partition(":")
            if sep and k.strip().lower() == name:
                return v.replace("!important", "").strip()
    value = el.get(name)
    return value.strip() if value is not None else None


def inherited_prop(el: etree._Element | None, name: str) -> str | None:
    """A property looked up through the element's ancestors (`inherit` defers upward)."""
    while el is not None:
        value = own_prop(el, name) if isinstance(el.tag, str) else None
        if value is not None and value != "inherit":
            return value
        el = el.getparent()
    return None


def rgb8(color: tuple[float, float, float, float]) -> tuple[int, int, int]:
    return (round(color[0] * 255), round(color[1] * 255), round(color[2] * 255))


def subregion(fe: etree._Element, kind: str, prim_obb: bool, obb: skia.Rect | None,
              region: skia.Rect, vp: Viewport) -> skia.Rect | None:
    """usvg's resolve_primitive_region: x/y/width/height default to the filter region.
    In objectBoundingBox units feFlood and feImage take fractions of the bbox; other
    primitives get usvg's (self-confessedly odd) `region.bbox_transform(fractions)`:
    the region's origin is scaled by the width/height fractions, then offset."""
    vals = [fe.get(a) for a in ("x", "y", "width", "height")]
    if prim_obb:
        x, y = bbox_len(vals[0], 0.0), bbox_len(vals[1], 0.0)
        w, h = bbox_len(vals[2], 1.0), bbox_len(vals[3], 1.0)
        if w <= 0 or h <= 0:
            return None
        if kind in ("feFlood", "feImage"):
            if obb is None:
                return None
            return skia.Rect.MakeXYWH(obb.left() + x * obb.width(),
                                      obb.top() + y * obb.height(),
                                      w * obb.width(), h * obb.height())
        return skia.Rect.MakeXYWH(region.left() * w + x, region.top() * h + y,
                                  region.width() * w, region.height() * h)
    x = num(vals[0], region.left(), vp[0])
    y = num(vals[1], region.top(), vp[1])
    w = num(vals[2], region.width(), vp[0])
    h = num(vals[3], region.height(), vp[1])
    if not (w > 0 and h > 0):
        return None
    return skia.Rect.MakeXYWH(x, y, w, h)


def resolve_input(value: str | None, prims: list[Primitive]) -> str:
    """usvg's resolve_input: unknown references fall back to the previous result."""
    if value is None or not value.strip():
        return prims[-1].result if prims else "SourceGraphic"
    value = value.strip()
    if value in ("SourceGraphic", "SourceAlpha"):
        return value
    if value in ("BackgroundImage", "BackgroundAlpha", "FillPaint", "StrokePaint"):
        return "SourceGraphic"
    if any(p.result == value for p in prims):
        return value
    return prims[-1].result if prims else "SourceGraphic"


def parse_primitive(fe: etree._Element, kind: str, prims: list[Primitive],
                    scale: tuple[float, float]) -> Primitive:
    """Parse one primitive's parameters (usvg's convert_* functions). A malformed one
    becomes a transparent flood, as usvg's dummy primitive."""
    inp = [resolve_input(fe.get("in"), prims)]
    prim = Primitive(kind, skia.Rect.MakeEmpty(), True, "", inp)
    p = prim.params
    dummy = Primitive("feFlood", prim.rect, True, "", [], {"color": (0, 0, 0, 0.0)})
    if kind in ("feGaussianBlur", "feDropShadow"):
        sd = numbers(fe.get("stdDeviation", "2 2" if kind == "feDropShadow" else "0 0"))
        sx, sy = (sd[0], sd[0]) if len(sd) == 1 else (sd[0], sd[1]) if len(sd) == 2 \
            else (0.0, 0.0)
        p["std"] = (max(0.0, sx * scale[0]), max(0.0, sy * scale[1]))
        if kind == "feDropShadow":
            p["dx"] = num(fe.get("dx"), 2.0) * scale[0]
            p["dy"] = num(fe.get("dy"), 2.0) * scale[1]
            p["color"] = flood_color(fe)
    elif kind == "feOffset":
        p["dx"] = num(fe.get("dx"), 0.0) * scale[0]
        p["dy"] = num(fe.get("dy"), 0.0) * scale[1]
    elif kind == "feFlood":
        prim.inputs = []
        p["color"] = flood_color(fe)
    elif kind in ("feBlend", "feComposite", "feDisplacementMap"):
        prim.inputs.append(resolve_input(fe.get("in2"), prims))
        if kind == "feBlend":
            p["mode"] = BLEND_MODES.get((fe.get("mode") or "normal").strip(),
                                        skia.BlendMode.kSrcOver)
        elif kind == "feComposite":
            p["op"] = (fe.get("operator") or "over").strip()
            p["k"] = [num(fe.get(f"k{i}"), 0.0) for i in range(1, 5)]
        else:
            p["scale"] = num(fe.get("scale"), 0.0) * (scale[0] + scale[1]) / 2
            p["channels"] = tuple("RGBA".find(c) if c in "RGB" else 3 for c in (
                (fe.get("xChannelSelector") or "A").strip(),
                (fe.get("yChannelSelector") or "A").strip()))
    elif kind == "feMerge":
        prim.inputs = [resolve_input(n.get("in"), prims) for n in fe
                       if isinstance(n.tag, str) and local_name(n) == "feMergeNode"]
    elif kind == "feTile":
        pass
    elif kind == "feImage":
        prim.inputs = []
        p["el"] = fe
    elif kind == "feComponentTransfer":
        p["funcs"] = transfer_functions(fe)
    elif kind == "feColorMatrix":
        p["matrix"] = color_matrix_kind(fe.get("type"), fe.get("values"))
    elif kind == "feConvolveMatrix":
        conv = convolve_params(fe)
        if conv is None:
            return dummy
        p.update(conv)
    elif kind == "feMorphology":
        p["dilate"] = (fe.get("operator") or "erode").strip() == "dilate"
        p["radius"] = morphology_radius(fe.get("radius"), scale)
    elif kind == "feTurbulence":
        prim.inputs = []
        p.update(turbulence_params(fe))
    elif kind in ("feDiffuseLighting", "feSpecularLighting"):
        light = light_source(fe)
        if light is None:
            return dummy
        p["light"] = light
        p["surface"] = num(fe.get("surfaceScale"), 1.0)
        p["color"] = lighting_color(fe)
        if kind == "feDiffuseLighting":
            p["constant"] = num(fe.get("diffuseConstant"), 1.0)
            p["exponent"] = 1.0
        else:
            p["constant"] = num(fe.get("specularConstant"), 1.0)
            p["exponent"] = num(fe.get("specularExponent"), 1.0)
            if not 1.0 <= p["exponent"] <= 128.0:
                return dummy
    return prim


def flood_color(fe: etree._Element) -> tuple[float, float, float, float]:
    spec = own_prop(fe, "flood-color") or "black"
    if spec.lower() == "currentcolor":
        spec = inherited_prop(fe, "color") or "black"
    c = parse_color(spec) or (0.0, 0.0, 0.0, 1.0)
    opacity = own_prop(fe, "flood-opacity")
    op = 1.0
    if opacity is not None:
        m = NUMBER_RE.match(opacity)
        if m:
            op = float(m.group(0)) / (100.0 if opacity.endswith("%") else 1.0)
            op = min(1.0, max(0.0, op))
    return (c[0], c[1], c[2], c[3] * op)


def lighting_color(fe: etree._Element) -> tuple[int, int, int]:
    """lighting-color without alpha; currentColor without a colour is black, an
    unparsable colour is white (usvg's rules)."""
    spec = own_prop(fe, "lighting-color")
    if spec == "inherit":
        spec = inherited_prop(fe.getparent(), "lighting-color")
    if spec is None:
        return (255, 255, 255)
    if spec.lower() == "currentcolor":
        c = parse_color(inherited_prop(fe, "color") or "black") or (0.0, 0.0, 0.0, 1.0)
        return rgb8(c)
    color = parse_color(spec)
    return rgb8(color) if color is not None else (255, 255, 255)


def transfer_functions(fe: etree._Element) -> list[tuple[str, list[float]] | None]:
    funcs: list[tuple[str, list[float]] | None] = [None, None, None, None]
    for child in fe:
        if not isinstance(child.tag, str):
            continue
        ch = {"feFuncR": 0, "feFuncG": 1, "feFuncB": 2, "feFuncA": 3}.get(local_name(child))
        if ch is None:
            continue
        kind = (child.get("type") or "").strip()
        if kind in ("table", "discrete"):
            values = number_list(child.get("tableValues"))
            funcs[ch] = (kind, values) if values else None
        elif kind == "linear":
            funcs[ch] = ("linear", [number(child.get("slope"), 1.0),
                                    number(child.get("intercept"), 0.0)])
        elif kind == "gamma":
            funcs[ch] = ("gamma", [number(child.get("amplitude"), 1.0),
                                   number(child.get("exponent"), 1.0),
                                   number(child.get("offset"), 0.0)])
        elif kind == "identity":
            funcs[ch] = None
    return funcs


def filter_function(name: str, args: str, st: dict[str, str],
                    em: float) -> Primitive | Literal[False] | None:
    """A CSS filter function as a one-primitive filter in sRGB (usvg's conversion);
    False when it does not parse (the whole list is then ignored)."""
    prim = Primitive("feColorMatrix", skia.Rect.MakeEmpty(), False, "result",
                     ["SourceGraphic"])
    args = args.strip()

    def amount(default: float = 1.0) -> float | None:
        if not args:
            return default
        m = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(%?)", args)
        if not m:
            return None
        return float(m.group(1)) / (100.0 if m.group(2) else 1.0)

    def length(text: str) -> float | None:
        """A CSS length: a number with an absolute or font-relative unit (or a bare
        zero); percentages are not allowed here."""
        m = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([a-zA-Z]*)", text)
        if not m:
            return None
        unit = m.group(2).lower()
        if unit not in ("", "px", "pt", "pc", "mm", "cm", "in", "q", "em", "ex"):
            return None
        return num(text, 0.0, 0.0, em)

    if name == "blur":
        sd = length(args) if args else 0.0
        if sd is None or sd < 0:
            return False
        prim.kind, prim.params = "feGaussianBlur", {"std": (sd, sd)}
        return prim
    if name == "drop-shadow":
        parts = re.findall(r"(?:[a-zA-Z-]+\([^)]*\)|[^\s]+)", args)
        color_parts = [t for t in parts if not NUMBER_RE.match(t)]
        lens = [t for t in parts if NUMBER_RE.match(t)]
        if len(color_parts) > 1 or not 2 <= len(lens) <= 3:
            return False
        vals = [length(t) for t in lens]
        if any(v is None for v in vals):
            return False
        spec = color_parts[0] if color_parts else st.get("color", "black")
        if spec.lower() == "currentcolor":
            spec = st.get("color", "black")
        c = parse_color(spec)
        if c is None:
            return False
        sd = vals[2] if len(vals) == 3 else 0.0
        prim.kind = "feDropShadow"
        prim.params = {"dx": vals[0], "dy": vals[1], "std": (sd, sd), "color": c}
        return prim
    if name == "hue-rotate":
        m = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(deg|grad|rad|turn)?",
                         args)
        if args and not m:
            return False
        deg = 0.0
        if m:
            v = float(m.group(1))
            unit = m.group(2) or ("" if v == 0 else None)
            if unit is None:
                return False
            deg = {"deg": v, "grad": v * 0.9, "rad": math.degrees(v), "turn": v * 360,
                   "": 0.0}[unit]
        prim.params = {"matrix": ("hueRotate", hue_rotate(deg))}
        return prim
    a = amount()
    if a is None or a < 0:
        return False
    one = min(a, 1.0)
    if name == "grayscale":
        r = 1.0 - one
        prim.params = {"matrix": ("matrix", [
            0.2126 + 0.7874 * r, 0.7152 - 0.7152 * r, 0.0722 - 0.0722 * r, 0, 0,
            0.2126 - 0.2126 * r, 0.7152 + 0.2848 * r, 0.0722 - 0.0722 * r, 0, 0,
            0.2126 - 0.2126 * r, 0.7152 - 0.7152 * r, 0.0722 + 0.9278 * r, 0, 0,
            0, 0, 0, 1, 0])}
    elif name == "sepia":
        r = 1.0 - one
        prim.params = {"matrix": ("matrix", [
            0.393 + 0.607 * r, 0.769 - 0.769 * r, 0.189 - 0.189 * r, 0, 0,
            0.349 - 0.349 * r, 0.686 + 0.314 * r, 0.168 - 0.168 * r, 0, 0,
            0.272 - 0.272 * r, 0.534 - 0.534 * r, 0.131 + 0.869 * r, 0, 0,
            0, 0, 0, 1, 0])}
    elif name == "saturate":
        prim.params = {"matrix": ("saturate", saturate(a))}
    elif name in ("invert", "opacity", "brightness", "contrast"):
        prim.kind = "feComponentTransfer"
        if name == "invert":
            f = ("table", [one, 1.0 - one])
            funcs = [f, f, f, None]
        elif name == "opacity":
            funcs = [None, None, None, ("table", [0.0, one])]
        else:
            lin = ("linear", [a, 0.0 if name == "brightness" else 0.5 - 0.5 * a])
            funcs = [lin, lin, lin, None]
        prim.params = {"funcs": funcs}
    else:
        return False
    return prim


def number(text: str | None, default: float) -> float:
    """A plain number attribute (no units); anything else gives the default, as usvg's
    f32 attribute parsing does."""
    if text is None:
        return default
    m = NUMBER_RE.fullmatch(text.strip())
    return float(m.group(0)) if m and math.isfinite(float(m.group(0))) else default


def number_list(text: str | None) -> list[float] | None:
    """A list of plain numbers (comma or space separated), None when any item is not one."""
    if text is None:
        return None
    items = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if not all(NUMBER_RE.fullmatch(t) for t in items):
        return None
    return [float(t) for t in items]


def saturate(v: float) -> list[float]:
    return [0.213 + 0.787 * v, 0.715 - 0.715 * v, 0.072 - 0.072 * v,
            0.213 - 0.213 * v, 0.715 + 0.285 * v, 0.072 - 0.072 * v,
            0.213 - 0.213 * v, 0.715 - 0.715 * v, 0.072 + 0.928 * v]


def color_matrix_kind(kind: str | None, values: str | None) -> tuple[str, list[float]]:
    """usvg's convert_color_matrix_kind; anything malformed is the identity."""
    v = numbers(values)
    kind = (kind or "matrix").strip()
    if kind == "saturate" and values is not None:
        return ("saturate", saturate(min(max(v[0], 0.0), 1.0) if v else 1.0))
    if kind == "hueRotate" and values is not None:
        return ("hueRotate", hue_rotate(v[0] if v else 0.0))
    if kind == "luminanceToAlpha":
        return ("luminanceToAlpha", [])
    if kind not in ("saturate", "hueRotate") and len(v) == 20:
        return ("matrix", v)
    return ("identity", [])


def hue_rotate(deg: float) -> list[float]:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return [0.213 + 0.787 * c - 0.213 * s, 0.715 - 0.715 * c - 0.715 * s,
            0.072 - 0.072 * c + 0.928 * s,
            0.213 - 0.213 * c + 0.143 * s, 0.715 + 0.285 * c + 0.140 * s,
            0.072 - 0.072 * c - 0.283 * s,
            0.213 - 0.213 * c - 0.787 * s, 0.715 - 0.715 * c + 0.715 * s,
            0.072 + 0.928 * c + 0.072 * s]


def convolve_params(fe: etree._Element) -> dict | None:
    """usvg's convert_convolve_matrix; None for an invalid primitive (transparent)."""
    order_x = order_y = 3
    if fe.get("order") is not None:
        o = numbers(fe.get("order"))
        x = int(o[0]) if o else 3
        y = int(o[1]) if len(o) > 1 else x
        if x > 0 and y > 0:
            order_x, order_y = x, y
    if order_x * order_y > ops.MAX_KERNEL:
        return None
    values = numbers(fe.get("kernelMatrix"))
    matrix = values if len(values) == order_x * order_y else []
    total = round(sum(matrix) * 1_000_000) / 1_000_000
    if abs(total) < 1e-9:
        total = 1.0
    divisor = num(fe.get("divisor"), total) if fe.get("divisor") is not None else total
    if abs(divisor) < 1e-9:
        return None

    def target(attr: str, order: int) -> int | None:
        t = int(num(fe.get(attr), float(order // 2))) if fe.get(attr) is not None else order // 2
        return t if 0 <= t < order else None

    tx, ty = target("targetX", order_x), target("targetY", order_y)
    if tx is None or ty is None or not matrix:
        return None
    edge = (fe.get("edgeMode") or "duplicate").strip()
    return {"kernel": np.array(matrix, np.float32).reshape(order_y, order_x),
            "target": (tx, ty), "divisor": divisor, "bias": num(fe.get("bias"), 0.0),
            "edge": edge if edge in ("none", "wrap") else "duplicate",
            "preserve_alpha": (fe.get("preserveAlpha") or "false").strip() == "true"}


def morphology_radius(spec: str | None, scale: tuple[float, float]) -> tuple[float, float]:
    """usvg's radius rules: one or two numbers, a zero one becomes 1, negatives ignored."""
    if spec is None:
        return scale
    v = numbers(spec)
    rx, ry = (v[0], v[1]) if len(v) == 2 else (v[0], v[0]) if len(v) == 1 else (0.0, 0.0)
    if rx == 0 and ry == 0:
        rx = ry = 1.0
    if rx == 0:
        rx = 1.0
    if ry == 0:
        ry = 1.0
    if rx >= 0 and ry >= 0:
        return (rx * scale[0], ry * scale[1])
    return scale


def turbulence_params(fe: etree._Element) -> dict:
    """usvg's convert_turbulence: negative frequencies give zero, octaves round."""
    fx = fy = 0.0
    if fe.get("baseFrequency") is not None:
        v = numbers(fe.get("baseFrequency"))
        x, y = (v[0], v[1]) if len(v) == 2 else (v[0], v[0]) if len(v) == 1 else (0.0, 0.0)
        if x >= 0 and y >= 0:
            fx, fy = x, y
    octaves = num(fe.get("numOctaves"), 1.0)
    seed = num(fe.get("seed"), 0.0)
    return {"freq": (fx, fy), "octaves": max(0, round(octaves)),
            "seed": math.trunc(seed) if math.isfinite(seed) else 0,
            "stitch": (fe.get("stitchTiles") or "").strip() == "stitch",
            "fractal": (fe.get("type") or "").strip() == "fractalNoise"}


def light_source(fe: etree._Element) -> Light | None:
    """The first light source child of a lighting primitive (usvg's convert_light_source)."""
    for child in fe:
        if not isinstance(child.tag, str):
            continue
        kind = local_name(child)
        if kind == "feDistantLight":
            return Light("distant", azimuth=num(child.get("azimuth"), 0.0),
                         elevation=num(child.get("elevation"), 0.0))
        if kind == "fePointLight":
            return Light("point", x=num(child.get("x")), y=num(child.get("y")),
                         z=num(child.get("z")))
        if kind == "feSpotLight":
            exp = num(child.get("specularExponent"), 1.0)
            cone = child.get("limitingConeAngle")
            return Light("spot", x=num(child.get("x")), y=num(child.get("y")),
                         z=num(child.get("z")), at_x=num(child.get("pointsAtX")),
                         at_y=num(child.get("pointsAtY")), at_z=num(child.get("pointsAtZ")),
                         exponent=exp if exp > 0 else 1.0,
                         cone=num(cone) if cone is not None else None)
    return None
