"""Filter effects: the `filter` property (filter elements and CSS filter functions).

Resolution follows usvg (regions, subregions, primitiveUnits, inputs, invalid-filter rules)
and rendering follows resvg: the element is drawn into an offscreen pixmap the size of the
filter region in device pixels, each primitive is applied to whole-pixel RGBA8 images
(filter_ops, filter_turbulence, filter_lighting), each result is clipped to its subregion,
and the last result is drawn back in place (scaled up when filter_reduce lets a glow or
soft shadow run at reduced resolution). Bounded work: the region is capped in pixels,
kernels in cells, turbulence in octaves.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import skia
from lxml import etree

from . import filter_ops as ops
from .budget import primitive_cost
from .document import MAX_HREF_CHAIN, href_of, local_name
from .errors import RenderError
from .filter_crop import content_crop
from .filter_lighting import Light, lighting
from .filter_parse import (
    COMPOSITE_MODES,
    FE_KINDS,
    FUNCTION_RE,
    Filter,
    Primitive,
    filter_function,
    inherited_prop,
    parse_primitive,
    subregion,
)
from .filter_reduce import reduction
from .filter_turbulence import turbulence
from .images import is_network
from .style import DEFAULTS
from .units import URL_RE, Viewport, bbox_len, num, numbers

if TYPE_CHECKING:
    from .budget import Meter

# One filter layer's pixels (≈ 2800²): bounds memory and time; a larger one is not drawn.
MAX_FILTER_PIXELS = 8_000_000
MAX_PRIMITIVES = 256  # per filter; later ones are ignored (bounds work per element)
CONTENT_BANDS = 8  # row bands a scaled-up filter result is drawn in
IntRect = tuple[int, int, int, int]  # x, y, width, height in layer pixels


@dataclass
class Result:
    """A primitive's output: region-sized premultiplied pixels, the layer rectangle that
    holds data, and whether the pixels are in linearRGB."""
    data: np.ndarray
    region: IntRect
    linear: bool
    alpha_only: bool = False  # black pixels: the same in either colour space


def int_rect(r: skia.Rect) -> IntRect | None:
    """tiny-skia's Rect::to_int_rect: floor the origin, ceil the size (at least 1)."""
    vals = (r.left(), r.top(), r.width(), r.height())
    if not all(math.isfinite(v) for v in vals) or r.width() <= 0 or r.height() <= 0:
        return None
    return (math.floor(r.left()), math.floor(r.top()), max(1, math.ceil(r.width())),
            max(1, math.ceil(r.height())))


def intersect(a: IntRect, b: IntRect) -> IntRect | None:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def draw_content_bands(canvas: skia.Canvas, src: np.ndarray, paint: skia.Paint) -> None:
    """Draw an image bilinearly under the canvas's scaling, leaving out what would come out
    transparent: scaled drawing costs per device pixel, so the image goes in bands of rows,
    each cut to the columns holding content in or next to it (a blurred disc fills π/4 of
    its box). A pixel left out samples only transparent neighbours, so nothing changes."""
    filled = src[..., 3] != 0
    rows = np.flatnonzero(filled.any(axis=1))
    if rows.size == 0:
        return
    sh, sw = filled.shape
    top, bottom = max(int(rows[0]) - 1, 0), min(int(rows[-1]) + 2, sh)
    step = -(-(bottom - top) // CONTENT_BANDS)
    image = ops.image_of(src)
    sampling = skia.SamplingOptions(skia.FilterMode.kLinear)
    for r0 in range(top, bottom, step):
        r1 = min(r0 + step, bottom)
        # Rows r0-1 ..= r1 are the ones bilinear sampling of this band reads.
        cols = np.flatnonzero(filled[max(r0 - 1, 0):r1 + 1].any(axis=0))
        if cols.size == 0:
            continue
        band = skia.Rect(max(int(cols[0]) - 1, 0), r0, min(int(cols[-1]) + 2, sw), r1)
        # kFast: samples beyond the band come from the image, so bands meet seamlessly.
        canvas.drawImageRect(image, band, band, sampling, paint,
                             skia.Canvas.kFast_SrcRectConstraint)


class FilterMixin:
    """The filter property for the renderer."""

    # Renderer's (raster.py)
    root: etree._Element
    ids: dict[str, etree._Element]
    meter: Meter

    if TYPE_CHECKING:  # provided by Renderer (raster.py) and the other mixins
        def href_target(self, el: etree._Element) -> etree._Element | None: ...
        def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]: ...
        def draw(self, canvas: skia.Canvas, el: etree._Element, parent: dict[str, str],
                 vp: Viewport, size: tuple[str | None, str | None] = (None, None)) -> None: ...
        def image(self, canvas: skia.Canvas, el: etree._Element, vp: Viewport,
                  alpha: float = 1.0, st: dict[str, str] | None = None) -> None: ...

    # ---- resolution (usvg) ----------------------------------------------------------------
    def filter_for(self, spec: str, bounds: skia.Rect | None, st: dict[str, str],
                   vp: Viewport, el: etree._Element | None = None) -> list[Filter] | None:
        """The filters of element `el`'s `filter` value: None draws the element unfiltered
        (an unparsable list, or a filter whose feImage draws `el` itself), an empty list
        hides it (only broken references), else the filters to apply in order."""
        em = num(st.get("font-size"), 16.0)
        obb = bounds if bounds is not None and bounds.width() > 0 and \
            bounds.height() > 0 else None
        filters: list[Filter] = []
        invalid = False
        pos = 0
        spec = spec.strip()
        while pos < len(spec):
            m = FUNCTION_RE.match(spec, pos)
            if not m:
                return None
            pos = m.end()
            name, args = m.group(1).lower(), m.group(2)
            if name == "url":
                target = URL_RE.match(m.group(0).strip())
                fel = self.ids.get(target.group(1)) if target else None
                if fel is not None and (fel in self.applying_filters() or
                                        self.draws_itself(fel, el)):
                    return None  # usvg sets filter="none" on an element its feImage draws
                made = self.filter_element(fel, obb, vp) if fel is not None else None
                if made is None:
                    invalid = True
                else:
                    filters.append(made)
                continue
            prim = filter_function(name, args, st, em)
            if prim is False:
                return None
            if prim is not None and obb is not None:
                grow = 0.5 if prim.kind in ("feGaussianBlur", "feDropShadow") else 0.1
                rect = skia.Rect.MakeXYWH(obb.left() - grow * obb.width(),
                                          obb.top() - grow * obb.height(),
                                          obb.width() * (1 + 2 * grow),
                                          obb.height() * (1 + 2 * grow))
                prim.rect = rect
                filters.append(Filter(rect, [prim]))
        if not filters:
            return [] if invalid else None
        return filters

    @staticmethod
    def draws_itself(filter_el: etree._Element, el: etree._Element | None) -> bool:
        """Whether one of the filter's feImage primitives references the filtered element."""
        ident = el.get("id") if el is not None else None
        return bool(ident and any(
            isinstance(c.tag, str) and local_name(c) == "feImage" and href_of(c) == "#" + ident
            for c in filter_el))

    def filter_attr(self, el: etree._Element, name: str) -> str | None:
        """A filter attribute, inherited along the xlink:href chain of filter elements."""
        # Elements themselves, not id()s: lxml proxies are transient and ids get reused.
        seen: list[etree._Element] = []
        node: etree._Element | None = el
        while node is not None and node not in seen and len(seen) < MAX_HREF_CHAIN:
            seen.append(node)
            if node.get(name) is not None:
                return node.get(name)
            node = self.href_target(node)
            if node is not None and local_name(node) != "filter":
                return None
        return None

    def primitives_holder(self, el: etree._Element) -> etree._Element | None:
        """The first filter in the href chain with children (usvg's rule); a link to a
        non-filter element invalidates the filter."""
        # Elements themselves, not id()s: lxml proxies are transient and ids get reused.
        seen: list[etree._Element] = []
        node: etree._Element | None = el
        while node is not None and node not in seen and len(seen) < MAX_HREF_CHAIN:
            seen.append(node)
            if local_name(node) != "filter":
                return None
            if any(isinstance(c.tag, str) for c in node):
                return node
            node = self.href_target(node)
        return None

    def filter_element(self, el: etree._Element, obb: skia.Rect | None,
                       vp: Viewport) -> Filter | None:
        """A <filter> element resolved for one element, or None when invalid."""
        if local_name(el) != "filter":
            return None
        user = self.filter_attr(el, "filterUnits") == "userSpaceOnUse"
        prim_obb = self.filter_attr(el, "primitiveUnits") == "objectBoundingBox"
        get = self.filter_attr
        if user:
            rect = skia.Rect.MakeXYWH(num(get(el, "x"), -0.1 * vp[0], vp[0]),
                                      num(get(el, "y"), -0.1 * vp[1], vp[1]),
                                      num(get(el, "width"), 1.2 * vp[0], vp[0]),
                                      num(get(el, "height"), 1.2 * vp[1], vp[1]))
        else:
            if obb is None:
                return None
            x, y = bbox_len(get(el, "x"), -0.1), bbox_len(get(el, "y"), -0.1)
            w, h = bbox_len(get(el, "width"), 1.2), bbox_len(get(el, "height"), 1.2)
            rect = skia.Rect.MakeXYWH(obb.left() + x * obb.width(), obb.top() + y * obb.height(),
                                      w * obb.width(), h * obb.height())
        if not (rect.width() > 0 and rect.height() > 0):
            return None
        holder = self.primitives_holder(el)
        if holder is None or (prim_obb and obb is None):
            return None
        scale = (obb.width(), obb.height()) if prim_obb and obb is not None else (1.0, 1.0)
        prims: list[Primitive] = []
        names: set[str] = set()
        counter = 1
        for child in holder:
            kind = local_name(child) if isinstance(child.tag, str) else ""
            if kind not in FE_KINDS:
                continue
            if len(prims) >= MAX_PRIMITIVES:
                break
            sub = subregion(child, kind, prim_obb, obb, rect, vp)
            if sub is None:
                break
            result = child.get("result")
            if result:
                names.add(result)
                counter += 1
            else:
                while f"result{counter}" in names:
                    counter += 1
                result = f"result{counter}"
                counter += 1
            prim = parse_primitive(child, kind, prims, scale)
            prim.rect = sub
            prim.result = result
            prim.linear = inherited_prop(child, "color-interpolation-filters") != "sRGB"
            prims.append(prim)
        if not prims:
            return None
        return Filter(rect, prims, el)

    # ---- rendering (resvg) ----------------------------------------------------------------
    def applying_filters(self) -> list[etree._Element]:
        """The filter elements being applied right now (outermost first): an feImage that
        draws an element using one of them draws that element unfiltered, which also
        bounds the recursion."""
        return self.__dict__.setdefault("_applying_filters", [])

    def draw_filtered(self, canvas: skia.Canvas, filters: list[Filter], opacity: float,
                      draw: Callable[[skia.Canvas], None]) -> None:
        """Draw through the filters: render into a pixmap covering the filter regions in
        device space, apply each filter, composite the result with the group opacity. A
        chain whose output is a wide blur runs on 1/k-scale pixels (filter_reduce)."""
        ts = canvas.getTotalMatrix()
        box: skia.Rect | None = None
        for f in filters:
            r = ts.mapRect(f.rect)
            box = r if box is None else skia.Rect(min(box.left(), r.left()),
                                                  min(box.top(), r.top()),
                                                  max(box.right(), r.right()),
                                                  max(box.bottom(), r.bottom()))
        layer = int_rect(box) if box is not None else None
        size = canvas.getBaseLayerSize()
        bw, bh = max(1, size.width()), max(1, size.height())
        if layer is not None:
            # resvg's bound: the canvas grown by twice its size on each side.
            layer = intersect(layer, (-2 * bw, -2 * bh, 5 * bw, 5 * bh))
        clip = canvas.getDeviceClipBounds()
        for share in (8, 0):
            if layer is None or layer[2] * layer[3] <= MAX_FILTER_PIXELS:
                break
            # Too large: keep what can be seen, plus a margin for offsets and blurs.
            mx, my = (clip.width() // share, clip.height() // share) if share else (0, 0)
            layer = intersect(layer, (clip.left() - mx, clip.top() - my,
                                      clip.width() + 2 * mx, clip.height() + 2 * my))
        if layer is None or layer[2] * layer[3] > MAX_FILTER_PIXELS:
            return
        x0, y0, w, h = layer
        k = reduction(filters, (math.hypot(ts.getScaleX(), ts.getSkewX()),
                                math.hypot(ts.getSkewY(), ts.getScaleY())))
        # The layer's pixels: device pixels, or k×k blocks of them for a reduced chain.
        lts = skia.Matrix.Scale(1 / k, 1 / k)
        lts.preTranslate(-x0, -y0)
        lts.preConcat(ts)
        # Charged before the pixels exist; Renderer.draw_effects gives the memory back.
        self.meter.hold(-(-h // k) * -(-w // k) * 4, f"a {w}x{h} filter image")
        src = ops.blank(-(-h // k), -(-w // k))
        surface = skia.Surface(src, colorType=ops.RGBA, alphaType=ops.PREMUL)
        inner = surface.getCanvas()
        inner.concat(lts)
        draw(inner)
        surface.flushAndSubmit()
        del inner, surface
        crop = content_crop(filters, src, lts)
        if crop is not None:
            cx, cy, cw, ch = crop
            if cw == 0:
                return  # nothing drawn, and the chain paints nothing of its own
            src = src[cy:cy + ch, cx:cx + cw].copy()
            lts.postTranslate(-cx, -cy)
            x0, y0 = x0 + cx * k, y0 + cy * k
            w, h = min(cw * k, w - cx * k), min(ch * k, h - cy * k)
            layer = (x0, y0, w, h)
        self.charge_filters(filters, src.shape[0] * src.shape[1])
        active = self.applying_filters()
        for f in filters:
            active.append(f.element)
            try:
                src = self.apply_filter(f, lts, src)
            finally:
                active.pop()
        self.draw_filter_result(canvas, src, layer, k, opacity)

    def charge_filters(self, filters: list[Filter], pixels: int) -> None:
        """Charge the filters' work and the results they hold before any primitive runs:
        every primitive works on (at most) the layer's `pixels`, and a filter keeps each
        result until it ends (plus its source, output and a scratch image)."""
        work = sum(primitive_cost(p.kind, p.params, pixels)
                   for f in filters for p in f.primitives)
        held = max(len(f.primitives) for f in filters) + 3
        self.meter.spend(work, f"a filter of {sum(len(f.primitives) for f in filters)} "
                               f"primitives on {pixels:,} pixels")
        self.meter.hold(pixels * 4 * held, "a filter's results")

    @staticmethod
    def draw_filter_result(canvas: skia.Canvas, src: np.ndarray, layer: IntRect, k: int,
                           opacity: float) -> None:
        """Composite the filtered layer in device space with the group opacity; a reduced
        layer is scaled back up bilinearly and clipped to the exact layer rectangle."""
        x0, y0, w, h = layer
        canvas.save()
        canvas.resetMatrix()
        paint = skia.Paint()
        paint.setAlphaf(opacity)
        if k == 1:
            canvas.drawImage(ops.image_of(src), x0, y0, skia.SamplingOptions(), paint)
        else:
            canvas.clipRect(skia.Rect.MakeXYWH(x0, y0, w, h))
            canvas.translate(x0, y0)
            canvas.scale(k, k)
            paint.setDither(True)  # skia's fast (float) pipeline for the scaled draw
            draw_content_bands(canvas, src, paint)
        canvas.restore()

    def apply_filter(self, f: Filter, ts: skia.Matrix, source: np.ndarray) -> np.ndarray:
        """resvg's filter::apply on one layer pixmap; an invalid region clears it."""
        lh, lw = source.shape[:2]
        region = int_rect(ts.mapRect(f.rect))
        region = intersect(region, (0, 0, lw, lh)) if region is not None else None
        if region is None:
            return ops.blank(lh, lw)
        rx, ry, rw, rh = region
        src = source[ry:ry + rh, rx:rx + rw]
        # tiny-skia's Transform::get_scale (row norms), which resvg scales lengths by.
        sx = math.hypot(ts.getScaleX(), ts.getSkewX())
        sy = math.hypot(ts.getSkewY(), ts.getScaleY())
        named: dict[str, Result] = {}
        last = Result(src, region, False)

        def get(name: str) -> Result:
            if name == "SourceGraphic":
                return Result(src, region, False)
            if name == "SourceAlpha":
                alpha = np.zeros_like(src)
                alpha[..., 3] = src[..., 3]
                return Result(alpha, region, False, True)
            return named.get(name) or Result(src, region, False)

        for prim in f.primitives:
            sub = int_rect(ts.mapRect(prim.rect))
            if sub is None:
                return ops.blank(lh, lw)
            if prim.kind == "feOffset" and prim.inputs[0] in named:
                sub = named[prim.inputs[0]].region
            res = self.run_primitive(prim, [get(n) for n in prim.inputs], region, sub, ts,
                                     (sx, sy))
            if sub != region:
                keep = (0, 0, rw, rh) if prim.kind == "feOffset" else \
                    (sub[0] - rx, sub[1] - ry, sub[2], sub[3])
                data = res.data.copy()
                mask = np.ones((rh, rw), bool)
                kx0, ky0 = max(keep[0], 0), max(keep[1], 0)
                kx1, ky1 = min(keep[0] + keep[2], rw), min(keep[1] + keep[3], rh)
                if kx1 > kx0 and ky1 > ky0:
                    mask[ky0:ky1, kx0:kx1] = False
                data[mask] = 0
                res = Result(data, sub, res.linear, res.alpha_only)
            named[prim.result] = last = res
        out = ops.blank(lh, lw)
        out[ry:ry + rh, rx:rx + rw] = ops.convert(last.data, False) if last.linear else last.data
        return out

    def run_primitive(self, prim: Primitive, inputs: list[Result], region: IntRect,
                      sub: IntRect, ts: skia.Matrix, scale: tuple[float, float]) -> Result:
        """One primitive on region-sized images (resvg's apply_* functions)."""
        rw, rh = region[2], region[3]
        lin = prim.linear
        p = prim.params
        kind = prim.kind

        def inp(i: int = 0) -> np.ndarray:
            r = inputs[i]
            return r.data if r.linear == lin or r.alpha_only else ops.convert(r.data, lin)

        if kind == "feFlood":
            c = p["color"]
            alpha = round(c[3] * 255)
            rgb = np.floor(np.array([round(v * 255) for v in c[:3]]) * alpha / 255 + 0.5)
            data = np.empty((rh, rw, 4), np.uint8)
            data[...] = np.clip(np.append(rgb, alpha), 0, 255).astype(np.uint8)
            return Result(data, region, False)
        if kind == "feOffset":
            dx, dy = p["dx"] * scale[0], p["dy"] * scale[1]
            src = inputs[0]
            if abs(dx) < 1e-6 and abs(dy) < 1e-6:
                return src
            return Result(ops.shift(src.data, int(dx), int(dy)), region, src.linear,
                          src.alpha_only)
        if kind == "feGaussianBlur":
            std = self.std_dev(p["std"], scale)
            if std is None:
                return inputs[0]
            if inputs[0].alpha_only:
                data = ops.blank(rh, rw)
                data[..., 3] = ops.blur_alpha(inputs[0].data[..., 3], *std)
                return Result(data, region, lin, True)
            return Result(ops.blur(inp(), *std), region, lin)
        if kind == "feDropShadow":
            base = inp()
            std = self.std_dev(p["std"], scale)
            alpha = base[..., 3]
            tinted = ops.tint(ops.blur_alpha(alpha, *std) if std is not None else alpha,
                              p["color"], lin)
            dx, dy = int(p["dx"] * scale[0]), int(p["dy"] * scale[1])
            data = ops.draw_stack(rh, rw, [(ops.shift(tinted, dx, dy), skia.BlendMode.kSrcOver),
                                           (base, skia.BlendMode.kSrcOver)])
            return Result(data, region, lin)
        if kind == "feBlend":
            data = ops.draw_stack(rh, rw, [(inp(1), skia.BlendMode.kSrcOver),
                                           (inp(0), p["mode"])])
            return Result(data, region, lin)
        if kind == "feComposite":
            if p["op"] == "arithmetic":
                return Result(ops.arithmetic(p["k"], inp(0), inp(1)), region, lin)
            mode = COMPOSITE_MODES.get(p["op"], skia.BlendMode.kSrcOver)
            data = ops.draw_stack(rh, rw, [(inp(1), skia.BlendMode.kSrcOver), (inp(0), mode)])
            return Result(data, region, lin)
        if kind == "feMerge":
            layers = [(inp(i), skia.BlendMode.kSrcOver) for i in range(len(inputs))]
            return Result(ops.draw_stack(rh, rw, layers), region, lin)
        if kind == "feTile":
            src = inputs[0]
            cell = (src.region[0] - region[0], src.region[1] - region[1], src.region[2],
                    src.region[3])
            return Result(ops.tile(src.data, cell), region, src.linear)
        if kind == "feComponentTransfer":
            return Result(ops.transfer(inp(), p["funcs"]), region, lin)
        if kind == "feColorMatrix":
            mkind, values = p["matrix"]
            if mkind == "identity":
                return Result(inp(), region, lin)
            return Result(ops.color_matrix(inp(), mkind, values), region, lin)
        if kind == "feConvolveMatrix":
            data = ops.convolve(inp(), p["kernel"], p["target"], p["divisor"], p["bias"],
                                p["edge"], p["preserve_alpha"])
            return Result(data, region, lin)
        if kind == "feMorphology":
            data = inp()
            rx, ry = p["radius"]
            rx, ry = rx * scale[0], ry * scale[1]
            if not (rx > 0 and ry > 0):
                return Result(ops.blank(rh, rw), region, lin)
            return Result(ops.morphology(data, p["dilate"], rx, ry), region, lin)
        if kind == "feDisplacementMap":
            # resvg multiplies by `scale` twice (once in scale_coordinates, once per pixel).
            k = p["scale"] * p["scale"]
            data = ops.displace(inp(0), inp(1), k * scale[0], k * scale[1],
                                *p["channels"])
            return Result(data, region, lin)
        if kind == "feTurbulence":
            if scale[0] < 1e-9 or scale[1] < 1e-9:
                return Result(ops.blank(rh, rw), region, lin)
            raw = turbulence(rw, rh, (region[0] - ts.getTranslateX(),
                                      region[1] - ts.getTranslateY()), scale, p["freq"],
                             p["octaves"], p["seed"], p["stitch"], p["fractal"])
            return Result(ops.premultiply(raw), region, lin)
        if kind in ("feDiffuseLighting", "feSpecularLighting"):
            light = self.device_light(p["light"], region, ts)
            data = lighting(inputs[0].data[..., 3], light, p["surface"], p["color"],
                            kind == "feSpecularLighting", p["constant"], p["exponent"])
            return Result(data, region, lin)
        if kind == "feImage":
            size = (prim.rect.width(), prim.rect.height())
            return Result(self.fe_image(p["el"], region, sub, size, scale), region, False)
        return Result(ops.blank(rh, rw), region, lin)

    @staticmethod
    def std_dev(std: tuple[float, float], scale: tuple[float, float]) -> tuple[float, float] | None:
        """resvg's resolve_std_dev: device sigmas, None when the blur is a no-op."""
        sx, sy = std[0] * scale[0], std[1] * scale[1]
        if abs(sx) < 1e-7 and abs(sy) < 1e-7:
            return None
        return (sx if sx >= 0.05 else 0.0, sy if sy >= 0.05 else 0.0)

    @staticmethod
    def device_light(light: Light, region: IntRect, ts: skia.Matrix) -> Light:
        """A point or spot light moved into region pixels (z scaled by the mean scale)."""
        if light.kind == "distant":
            return light
        sz = math.sqrt(ts.getScaleX() ** 2 + ts.getScaleY() ** 2) / math.sqrt(2)
        p = ts.mapXY(light.x, light.y)
        q = ts.mapXY(light.at_x, light.at_y)
        return replace(light, x=p.x() - region[0], y=p.y() - region[1], z=light.z * sz,
                       at_x=q.x() - region[0], at_y=q.y() - region[1], at_z=light.at_z * sz)

    def fe_image(self, fe: etree._Element, region: IntRect, sub: IntRect,
                 size: tuple[float, float], scale: tuple[float, float]) -> np.ndarray:
        """feImage: an image fitted into the user-space subregion `size`, or a referenced
        element drawn in user units; either is scaled (not rotated) and placed at the
        device subregion's origin, as resvg renders it."""
        rw, rh = region[2], region[3]
        data = ops.blank(rh, rw)
        href = href_of(fe)
        if not href:
            return data
        if is_network(href):  # as for <image>: an error, never fetched nor skipped silently
            raise RenderError(f"feImage {href[:80]} is a network reference; only files, data "
                              "URIs and elements are drawn")
        surface = skia.Surface(data, colorType=ops.RGBA, alphaType=ops.PREMUL)
        canvas = surface.getCanvas()
        canvas.concat(skia.Matrix.MakeAll(scale[0], 0, sub[0] - region[0],
                                          0, scale[1], sub[1] - region[1], 0, 0, 1))
        if href.startswith("#"):
            target = self.ids.get(href[1:])
            if target is not None and not any(a is target for a in fe.iterancestors()):
                self.draw_fe_image_element(canvas, target)
        else:
            img = etree.Element("image")
            img.set("href", href)
            img.set("width", repr(size[0]))
            img.set("height", repr(size[1]))
            if fe.get("preserveAspectRatio"):
                img.set("preserveAspectRatio", fe.get("preserveAspectRatio"))
            # An image that cannot be loaded leaves the primitive transparent (usvg).
            with contextlib.suppress(RenderError):
                self.image(canvas, img, size)
        surface.flushAndSubmit()
        del canvas, surface
        return data

    def draw_fe_image_element(self, canvas: skia.Canvas, target: etree._Element) -> None:
        """Draw an element referenced by feImage with the styles it would inherit."""
        st = dict(DEFAULTS)
        for anc in reversed(list(target.iterancestors())):
            st = self.style(anc, st)
        vp = (num(self.root.get("width"), 100.0), num(self.root.get("height"), 100.0))
        vb = numbers(self.root.get("viewBox"))
        if len(vb) == 4:
            vp = (vb[2], vb[3])
        self.draw(canvas, target, st, vp)


