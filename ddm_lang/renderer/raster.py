"""SVG → pixels with skia's canvas API (not skia.SVGDOM, which draws no text or images).

This first version draws everything the compiler emits — shapes, paths, gradients, clip
paths, nested viewports, images from data URIs or allowed files, text with tspans and
font fallback, group opacity, blur and drop-shadow filters — and parses any input safely:
no entity expansion, no network, bounded size.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import urllib.parse
from collections import OrderedDict
from pathlib import Path

import numpy as np
import skia
from lxml import etree

from .colors import parse_color
from .errors import RenderError
from .fonts import FontRegistry
from .pathdata import parse_path

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
MAX_BYTES = 50_000_000
MAX_ELEMENTS = 200_000
MAX_PIXELS = 50_000_000
MAX_OUTPUT = 16384

INHERITED = ("fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
             "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
             "stroke-dashoffset", "font-family", "font-size", "font-weight", "font-style",
             "text-anchor", "letter-spacing", "visibility", "clip-rule")
DEFAULTS = {"fill": "black", "stroke": "none", "stroke-width": "1", "font-family": "sans-serif",
            "font-size": "16", "font-weight": "400", "font-style": "normal",
            "text-anchor": "start", "fill-rule": "nonzero", "visibility": "visible",
            "stroke-linecap": "butt", "stroke-linejoin": "miter", "stroke-miterlimit": "4"}
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_svg(svg: str | bytes) -> etree._Element:
    """Parse untrusted SVG: size-bounded, no DTD entities, no network."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    if len(data) > MAX_BYTES:
        raise RenderError(f"SVG is larger than {MAX_BYTES // 1_000_000} MB")
    if re.search(rb"<!ENTITY", data[:65536], re.I):
        raise RenderError("SVG declares entities, which are refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        raise RenderError(f"SVG is not well-formed: {err.msg} (line {err.lineno})") from None
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        raise RenderError(f"root element is <{etree.QName(root).localname}>, not <svg>")
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise RenderError(f"SVG has {count} elements, more than {MAX_ELEMENTS}")
    return root


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _num(text: str | None, default: float = 0.0, ref: float = 0.0) -> float:
    if text is None:
        return default
    text = text.strip()
    m = _NUM.match(text)
    if not m:
        return default
    value = float(m.group(0))
    unit = text[m.end():].strip()
    if unit == "%":
        return value * ref / 100.0
    if unit in ("", "px"):
        return value
    return value * {"pt": 4 / 3, "pc": 16, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96,
                    "em": 16, "ex": 8}.get(unit, 1.0)


def _numbers(text: str | None) -> list[float]:
    return [float(m) for m in _NUM.findall(text or "")]


def parse_transform(text: str | None) -> skia.Matrix:
    m = skia.Matrix()
    if not text:
        return m
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", text):
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


def view_box_matrix(vb: list[float], width: float, height: float, par: str | None) -> tuple[skia.Matrix, bool]:
    """The viewBox → viewport transform, and whether content must be clipped (slice)."""
    vx, vy, vw, vh = vb
    m = skia.Matrix()
    if vw <= 0 or vh <= 0:
        return m, False
    parts = (par or "xMidYMid meet").split()
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


class _ImageCache:
    """Decoded images by content hash, bounded, shared across renders in a process."""

    def __init__(self, limit: int = 64):
        self.limit = limit
        self.items: OrderedDict[str, skia.Image] = OrderedDict()

    def get(self, data: bytes, source: str) -> skia.Image:
        key = hashlib.sha256(data).hexdigest()
        hit = self.items.get(key)
        if hit is not None:
            self.items.move_to_end(key)
            return hit
        codec_image = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(data))
        if codec_image is None:
            raise RenderError(f"cannot decode image {source}")
        if codec_image.width() * codec_image.height() > MAX_PIXELS:
            raise RenderError(f"image {source} is larger than {MAX_PIXELS // 1_000_000} megapixels")
        image = codec_image.makeRasterImage()
        self.items[key] = image
        if len(self.items) > self.limit:
            self.items.popitem(last=False)
        return image


IMAGES = _ImageCache()


class _Renderer:
    def __init__(self, root: etree._Element, allowed_roots: tuple[Path, ...]):
        self.root = root
        self.allowed_roots = tuple(Path(r).resolve() for r in allowed_roots)
        self.ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        self.fonts = FontRegistry.default()
        self.depth = 0

    # ---- style ---------------------------------------------------------------------
    def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]:
        st = {k: v for k, v in parent.items() if k in INHERITED}
        for key in (*INHERITED, "opacity", "clip-path", "filter", "display", "stop-color",
                    "stop-opacity", "mask"):
            v = el.get(key)
            if v is not None:
                st[key] = v.strip()
        for decl in (el.get("style") or "").split(";"):
            if ":" in decl:
                k, v = decl.split(":", 1)
                st[k.strip()] = v.strip()
        for k, v in list(st.items()):
            if v == "inherit":
                st[k] = parent.get(k, DEFAULTS.get(k, ""))
        return st

    def paint(self, spec: str | None, opacity: float, bounds: skia.Rect) -> skia.Paint | None:
        if spec is None or spec == "none":
            return None
        paint = skia.Paint(AntiAlias=True)
        if spec.startswith("url("):
            ref = re.match(r"url\(\s*['\"]?#([^)'\"]+)['\"]?\s*\)\s*(.*)", spec)
            target = self.ids.get(ref.group(1)) if ref else None
            shader = self.gradient(target, bounds) if target is not None else None
            if shader is None:
                fallback = ref.group(2).strip() if ref else ""
                return self.paint(fallback or None, opacity, bounds)
            paint.setShader(shader)
            paint.setAlphaf(max(0.0, min(1.0, opacity)))
            return paint
        color = parse_color(spec)
        if color is None:
            return None
        r, g, b, a = color
        paint.setColor4f(skia.Color4f(r, g, b, a * max(0.0, min(1.0, opacity))))
        return paint

    def gradient(self, el: etree._Element, bounds: skia.Rect) -> skia.Shader | None:
        kind = _local(el)
        if kind not in ("linearGradient", "radialGradient"):
            return None
        stops_el = el
        for _ in range(8):  # follow href for stops
            if any(_local(c) == "stop" for c in stops_el):
                break
            href = stops_el.get("href") or stops_el.get(XLINK_HREF)
            nxt = self.ids.get(href[1:]) if href and href.startswith("#") else None
            if nxt is None:
                break
            stops_el = nxt
        colors, offsets = [], []
        for stop in stops_el:
            if _local(stop) != "stop":
                continue
            st = self.style(stop, {})
            c = parse_color(st.get("stop-color", "black")) or (0, 0, 0, 1)
            op = float(_num(st.get("stop-opacity"), 1.0))
            off = stop.get("offset", "0").strip()
            o = float(off[:-1]) / 100 if off.endswith("%") else _num(off)
            o = max(offsets[-1] if offsets else 0.0, min(1.0, max(0.0, o)))
            colors.append(skia.Color4f(c[0], c[1], c[2], c[3] * op).toColor())
            offsets.append(o)
        if not colors:
            return None
        if len(colors) == 1:
            colors.append(colors[0])
            offsets.append(1.0)
        user = el.get("gradientUnits") == "userSpaceOnUse"
        mode = {"reflect": skia.TileMode.kMirror, "repeat": skia.TileMode.kRepeat}.get(
            el.get("spreadMethod", "pad"), skia.TileMode.kClamp)
        local = skia.Matrix()
        if not user:
            local.setRectToRect(skia.Rect(0, 0, 1, 1), bounds, skia.Matrix.kFill_ScaleToFit)
        local.preConcat(parse_transform(el.get("gradientTransform")))
        if kind == "linearGradient":
            ref = 1.0 if not user else bounds.width()
            p0 = (_num(el.get("x1"), 0, ref), _num(el.get("y1"), 0, ref))
            p1 = (_num(el.get("x2"), 1.0 if not user else 0, ref) if el.get("x2") or not user
                  else bounds.width(), _num(el.get("y2"), 0, ref))
            if el.get("x2") is None:
                p1 = (1.0, p1[1]) if not user else (bounds.width(), p1[1])
            return skia.GradientShader.MakeLinear([skia.Point(*p0), skia.Point(*p1)], colors,
                                                  offsets, mode, 0, local)
        cx, cy = _num(el.get("cx"), 0.5), _num(el.get("cy"), 0.5)
        r = _num(el.get("r"), 0.5)
        return skia.GradientShader.MakeRadial(skia.Point(cx, cy), r, colors, offsets, mode, 0,
                                              local)

    # ---- traversal -------------------------------------------------------------------
    def draw_children(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                      vp: tuple[float, float]) -> None:
        for child in el:
            self.draw(canvas, child, st, vp)

    def draw(self, canvas: skia.Canvas, el: etree._Element, parent: dict[str, str],
             vp: tuple[float, float]) -> None:
        kind = _local(el)
        if kind in ("defs", "linearGradient", "radialGradient", "clipPath", "mask", "filter",
                    "symbol", "title", "desc", "metadata", "style", "pattern", "") :
            return
        st = self.style(el, parent)
        if st.get("display") == "none":
            return
        self.depth += 1
        if self.depth > 64:
            raise RenderError("SVG nesting is deeper than 64 levels")
        try:
            canvas.save()
            canvas.concat(parse_transform(el.get("transform")))
            self.apply_clip(canvas, st.get("clip-path"), vp)
            opacity = _num(st.get("opacity"), 1.0)
            filt = self.filter_for(st.get("filter"))
            layered = opacity < 1.0 or filt is not None
            if layered:
                paint = skia.Paint()
                paint.setAlphaf(max(0.0, min(1.0, opacity)))
                if filt is not None:
                    paint.setImageFilter(filt)
                canvas.saveLayer(None, paint)
            self.draw_element(canvas, el, kind, st, vp)
            if layered:
                canvas.restore()
            canvas.restore()
        finally:
            self.depth -= 1

    def draw_element(self, canvas: skia.Canvas, el: etree._Element, kind: str,
                     st: dict[str, str], vp: tuple[float, float]) -> None:
        if kind in ("g", "a", "switch"):
            self.draw_children(canvas, el, st, vp)
        elif kind == "svg":
            self.nested_svg(canvas, el, st, vp)
        elif kind == "use":
            href = el.get("href") or el.get(XLINK_HREF) or ""
            target = self.ids.get(href[1:]) if href.startswith("#") else None
            if target is not None and target is not el:
                canvas.translate(_num(el.get("x")), _num(el.get("y")))
                if _local(target) == "symbol":
                    self.draw_children(canvas, target, st, vp)
                else:
                    self.draw(canvas, target, st, vp)
        elif kind == "image":
            self.image(canvas, el, vp)
        elif kind == "text":
            self.text(canvas, el, st, vp)
        else:
            path = self.shape(el, kind, vp)
            if path is not None:
                self.fill_and_stroke(canvas, path, st, vp)

    def nested_svg(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                   vp: tuple[float, float]) -> None:
        x, y = _num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1])
        w = _num(el.get("width"), vp[0], vp[0])
        h = _num(el.get("height"), vp[1], vp[1])
        canvas.clipRect(skia.Rect.MakeXYWH(x, y, w, h), doAntiAlias=True)
        canvas.translate(x, y)
        vb = _numbers(el.get("viewBox"))
        inner = (w, h)
        if len(vb) == 4:
            m, _ = view_box_matrix(vb, w, h, el.get("preserveAspectRatio"))
            canvas.concat(m)
            inner = (vb[2], vb[3])
        self.draw_children(canvas, el, st, inner)

    # ---- shapes ------------------------------------------------------------------------
    def shape(self, el: etree._Element, kind: str, vp: tuple[float, float]) -> skia.Path | None:
        w, h = vp
        diag = math.sqrt((w * w + h * h) / 2)
        g = el.get
        path = skia.Path()
        if kind == "rect":
            x, y = _num(g("x"), 0, w), _num(g("y"), 0, h)
            rw, rh = _num(g("width"), 0, w), _num(g("height"), 0, h)
            if rw <= 0 or rh <= 0:
                return None
            rx = g("rx")
            ry = g("ry")
            rxv = _num(rx if rx is not None else ry, 0, w)
            ryv = _num(ry if ry is not None else rx, 0, h)
            rxv, ryv = min(rxv, rw / 2), min(ryv, rh / 2)
            path.addRRect(skia.RRect.MakeRectXY(skia.Rect.MakeXYWH(x, y, rw, rh), rxv, ryv))
        elif kind == "circle":
            r = _num(g("r"), 0, diag)
            if r <= 0:
                return None
            path.addCircle(_num(g("cx"), 0, w), _num(g("cy"), 0, h), r)
        elif kind == "ellipse":
            rx, ry = _num(g("rx"), 0, w), _num(g("ry"), 0, h)
            if rx <= 0 or ry <= 0:
                return None
            cx, cy = _num(g("cx"), 0, w), _num(g("cy"), 0, h)
            path.addOval(skia.Rect(cx - rx, cy - ry, cx + rx, cy + ry))
        elif kind == "line":
            path.moveTo(_num(g("x1"), 0, w), _num(g("y1"), 0, h))
            path.lineTo(_num(g("x2"), 0, w), _num(g("y2"), 0, h))
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
        else:
            return None
        return path

    def fill_and_stroke(self, canvas: skia.Canvas, path: skia.Path, st: dict[str, str],
                        vp: tuple[float, float]) -> None:
        if st.get("visibility") in ("hidden", "collapse"):
            return
        bounds = path.computeTightBounds()
        path.setFillType(skia.PathFillType.kEvenOdd if st.get("fill-rule") == "evenodd"
                         else skia.PathFillType.kWinding)
        fill = self.paint(st.get("fill", "black"), _num(st.get("fill-opacity"), 1.0), bounds)
        if fill is not None:
            canvas.drawPath(path, fill)
        stroke = self.paint(st.get("stroke", "none"), _num(st.get("stroke-opacity"), 1.0), bounds)
        if stroke is not None:
            diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)
            width = _num(st.get("stroke-width"), 1.0, diag)
            if width <= 0:
                return
            stroke.setStyle(skia.Paint.kStroke_Style)
            stroke.setStrokeWidth(width)
            stroke.setStrokeCap({"round": skia.Paint.kRound_Cap, "square": skia.Paint.kSquare_Cap}
                                .get(st.get("stroke-linecap", ""), skia.Paint.kButt_Cap))
            stroke.setStrokeJoin({"round": skia.Paint.kRound_Join, "bevel": skia.Paint.kBevel_Join}
                                 .get(st.get("stroke-linejoin", ""), skia.Paint.kMiter_Join))
            stroke.setStrokeMiter(_num(st.get("stroke-miterlimit"), 4.0))
            dashes = [d for d in _numbers(st.get("stroke-dasharray")) if d >= 0]
            if dashes and sum(dashes) > 0:
                if len(dashes) % 2:
                    dashes *= 2
                stroke.setPathEffect(skia.DashPathEffect.Make(
                    dashes, _num(st.get("stroke-dashoffset"), 0.0)))
            canvas.drawPath(path, stroke)

    def apply_clip(self, canvas: skia.Canvas, spec: str | None, vp: tuple[float, float]) -> None:
        if not spec or not spec.startswith("url("):
            return
        ref = re.match(r"url\(\s*['\"]?#([^)'\"]+)", spec)
        target = self.ids.get(ref.group(1)) if ref else None
        if target is None or _local(target) != "clipPath":
            return
        clip = skia.Path()
        for child in target:
            kind = _local(child)
            shape = self.shape(child, kind, vp)
            if shape is None:
                continue
            shape.transform(parse_transform(child.get("transform")))
            rule = child.get("clip-rule") or target.get("clip-rule")
            shape.setFillType(skia.PathFillType.kEvenOdd if rule == "evenodd"
                              else skia.PathFillType.kWinding)
            clip = skia.Op(clip, shape, skia.PathOp.kUnion_PathOp) or clip
        clip.transform(parse_transform(target.get("transform")))
        canvas.clipPath(clip, doAntiAlias=True)

    def filter_for(self, spec: str | None) -> skia.ImageFilter | None:
        if not spec or not spec.startswith("url("):
            return None
        ref = re.match(r"url\(\s*['\"]?#([^)'\"]+)", spec)
        target = self.ids.get(ref.group(1)) if ref else None
        if target is None or _local(target) != "filter":
            return None
        result: skia.ImageFilter | None = None
        for prim in target:
            kind = _local(prim)
            if kind == "feGaussianBlur":
                sd = _numbers(prim.get("stdDeviation")) or [0.0]
                result = skia.ImageFilters.Blur(sd[0], sd[-1], skia.TileMode.kDecal, result)
            elif kind == "feDropShadow":
                sd = _numbers(prim.get("stdDeviation")) or [2.0]
                c = parse_color(prim.get("flood-color", "black")) or (0, 0, 0, 1)
                a = c[3] * _num(prim.get("flood-opacity"), 1.0)
                color = skia.Color4f(c[0], c[1], c[2], a).toColor()
                result = skia.ImageFilters.DropShadow(_num(prim.get("dx"), 2.0),
                                                      _num(prim.get("dy"), 2.0), sd[0], sd[-1],
                                                      color, result)
            elif kind == "feOffset":
                result = skia.ImageFilters.Offset(_num(prim.get("dx")), _num(prim.get("dy")),
                                                  result)
        return result

    # ---- images ------------------------------------------------------------------------
    def image(self, canvas: skia.Canvas, el: etree._Element, vp: tuple[float, float]) -> None:
        href = (el.get("href") or el.get(XLINK_HREF) or "").strip()
        if not href:
            return
        data = self.load(href)
        image = IMAGES.get(data, href[:40] if href.startswith("data:") else href)
        x, y = _num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1])
        w = _num(el.get("width"), image.width(), vp[0])
        h = _num(el.get("height"), image.height(), vp[1])
        if w <= 0 or h <= 0:
            return
        m, slice_ = view_box_matrix([0, 0, image.width(), image.height()], w, h,
                                    el.get("preserveAspectRatio"))
        canvas.save()
        canvas.translate(x, y)
        if slice_:
            canvas.clipRect(skia.Rect.MakeWH(w, h), doAntiAlias=True)
        canvas.concat(m)
        canvas.drawImage(image, 0, 0, skia.SamplingOptions(skia.FilterMode.kLinear,
                                                           skia.MipmapMode.kLinear))
        canvas.restore()

    def load(self, href: str) -> bytes:
        if href.startswith("data:"):
            head, _, payload = href.partition(",")
            if ";base64" in head:
                try:
                    return base64.b64decode(payload, validate=False)
                except ValueError:
                    raise RenderError("image data URI is not valid base64") from None
            return urllib.parse.unquote_to_bytes(payload)
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", href) and not href.startswith("file://"):
            raise RenderError(f"image {href[:80]} is a network reference; only files and data "
                              "URIs are drawn")
        path = Path(urllib.parse.unquote(href[7:] if href.startswith("file://") else href))
        candidates = [path] if path.is_absolute() else [r / path for r in self.allowed_roots]
        for cand in candidates:
            real = cand.resolve()
            if any(real.is_relative_to(r) for r in self.allowed_roots) and real.is_file():
                if real.stat().st_size > MAX_BYTES:
                    raise RenderError(f"image {href} is larger than {MAX_BYTES // 1_000_000} MB")
                return real.read_bytes()
        raise RenderError(f"image {href} is outside the allowed folders or does not exist")

    # ---- text --------------------------------------------------------------------------
    def text(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
             vp: tuple[float, float]) -> None:
        cursor = [_num(el.get("x"), 0, vp[0]), _num(el.get("y"), 0, vp[1])]
        self.text_run(canvas, el.text, el, st, vp, cursor)
        for child in el:
            if _local(child) == "tspan":
                cst = self.style(child, st)
                if child.get("x") is not None:
                    cursor[0] = _num(child.get("x"), 0, vp[0])
                if child.get("y") is not None:
                    cursor[1] = _num(child.get("y"), 0, vp[1])
                cursor[0] += _num(child.get("dx"), 0, vp[0])
                cursor[1] += _num(child.get("dy"), 0, vp[1])
                self.text_run(canvas, child.text, child, cst, vp, cursor)
            self.text_run(canvas, child.tail, el, st, vp, cursor)

    def text_run(self, canvas: skia.Canvas, content: str | None, el: etree._Element,
                 st: dict[str, str], vp: tuple[float, float], cursor: list[float]) -> None:
        if not content or st.get("visibility") in ("hidden", "collapse"):
            return
        if el.get("{http://www.w3.org/XML/1998/namespace}space") != "preserve":
            content = re.sub(r"\s+", " ", content)
        diag = math.sqrt((vp[0] ** 2 + vp[1] ** 2) / 2)
        size = _num(st.get("font-size"), 16.0, diag)
        weight_text = st.get("font-weight", "400")
        weight = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 300}.get(
            weight_text, int(_num(weight_text, 400)))
        italic = st.get("font-style") in ("italic", "oblique")
        family = st.get("font-family", "sans-serif")
        spacing = _num(st.get("letter-spacing"), 0.0) if st.get("letter-spacing") not in (
            None, "normal") else 0.0
        width = self.fonts.measure(content, family, weight, italic, size, spacing)
        anchor = st.get("text-anchor", "start")
        x = cursor[0] - (width / 2 if anchor == "middle" else width if anchor == "end" else 0)
        y = cursor[1]
        bounds = skia.Rect.MakeXYWH(x, y - size, max(width, 1), size * 1.2)
        fill = self.paint(st.get("fill", "black"), _num(st.get("fill-opacity"), 1.0), bounds)
        stroke = self.paint(st.get("stroke", "none"), _num(st.get("stroke-opacity"), 1.0), bounds)
        if stroke is not None:
            stroke.setStyle(skia.Paint.kStroke_Style)
            stroke.setStrokeWidth(_num(st.get("stroke-width"), 1.0, diag))
        pen = x
        for run, face in self.fonts.runs(content, family, weight, italic):
            font = skia.Font(face, size)
            font.setSubpixel(True)
            font.setEdging(skia.Font.Edging.kAntiAlias)
            if spacing:
                for ch in run:
                    for paint in (fill, stroke):
                        if paint is not None:
                            canvas.drawString(ch, pen, y, font, paint)
                    pen += font.measureText(ch) + spacing
                continue
            for paint in (fill, stroke):
                if paint is not None:
                    canvas.drawString(run, pen, y, font, paint)
            pen += font.measureText(run)
        cursor[0] = x + width if anchor == "start" else cursor[0] + width


def output_size(root: etree._Element, width: int | None, height: int | None) -> tuple[int, int]:
    vb = _numbers(root.get("viewBox"))
    w0 = _num(root.get("width"), vb[2] if len(vb) == 4 else 300.0)
    h0 = _num(root.get("height"), vb[3] if len(vb) == 4 else 150.0)
    if width and not height:
        height = round(width * h0 / w0) if w0 else width
    if height and not width:
        width = round(height * w0 / h0) if h0 else height
    w, h = int(width or round(w0)), int(height or round(h0))
    if not (0 < w <= MAX_OUTPUT and 0 < h <= MAX_OUTPUT):
        raise RenderError(f"output size {w}x{h} is outside 1..{MAX_OUTPUT} px")
    return w, h


def draw(svg: str | bytes | etree._Element, canvas: skia.Canvas, width: int, height: int,
         allowed_roots: tuple[Path, ...] = ()) -> None:
    """Draw an SVG document onto a canvas, scaled to width × height."""
    root = svg if isinstance(svg, etree._Element) else parse_svg(svg)
    renderer = _Renderer(root, allowed_roots)
    vb = _numbers(root.get("viewBox"))
    w0 = _num(root.get("width"), vb[2] if len(vb) == 4 else width)
    h0 = _num(root.get("height"), vb[3] if len(vb) == 4 else height)
    canvas.save()
    if len(vb) == 4:
        m, _ = view_box_matrix(vb, width, height, root.get("preserveAspectRatio"))
        canvas.concat(m)
        vp = (vb[2], vb[3])
    else:
        canvas.scale(width / w0 if w0 else 1, height / h0 if h0 else 1)
        vp = (w0, h0)
    st = renderer.style(root, dict(DEFAULTS))
    renderer.draw_children(canvas, root, st, vp)
    canvas.restore()


def render(svg: str | bytes, width: int | None = None, height: int | None = None,
           background: str | None = None, *, allowed_roots: tuple[Path, ...] = ()) -> np.ndarray:
    """Rasterise SVG to an H×W×4 RGBA uint8 array (unpremultiplied)."""
    root = parse_svg(svg)
    w, h = output_size(root, width, height)
    surface = skia.Surface(skia.ImageInfo.Make(w, h, skia.ColorType.kRGBA_8888_ColorType,
                                               skia.AlphaType.kPremul_AlphaType))
    canvas = surface.getCanvas()
    bg = parse_color(background) if background else None
    canvas.clear(skia.Color4f(*bg).toColor() if bg else skia.ColorTRANSPARENT)
    draw(root, canvas, w, h, allowed_roots)
    return surface.makeImageSnapshot().toarray(colorType=skia.ColorType.kRGBA_8888_ColorType,
                                               alphaType=skia.AlphaType.kUnpremul_AlphaType)
