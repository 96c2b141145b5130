"""Filter effects as skia image filters."""

from __future__ import annotations

import math

import skia
from lxml import etree

from .colors import parse_color
from .document import local_name
from .units import Viewport, fraction, num, numbers


class FilterMixin:
    """The filter property for the renderer."""

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
            kind = local_name(prim)
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
            sd = numbers(prim.get("stdDeviation"))
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
            return skia.ImageFilters.Offset(num(prim.get("dx")) * scale[0],
                                            num(prim.get("dy")) * scale[1], inp("in"))
        if kind == "feDropShadow":
            s = sigma()
            if s is None:
                return False
            c = parse_color(st.get("flood-color", "black")) or (0.0, 0.0, 0.0, 1.0)
            a = c[3] * fraction(st.get("flood-opacity"), 1.0)
            color = skia.Color4f(c[0], c[1], c[2], a).toColor()
            return skia.ImageFilters.DropShadow(num(prim.get("dx"), 2.0) * scale[0],
                                                num(prim.get("dy"), 2.0) * scale[1],
                                                s[0], s[1], color, inp("in"))
        if kind == "feFlood":
            return flood(st.get("flood-color"), fraction(st.get("flood-opacity"), 1.0))
        if kind == "feMerge":
            nodes = [inp_node for inp_node in prim if local_name(inp_node) == "feMergeNode"]
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
            matrix = color_matrix(prim.get("type", "matrix"), prim.get("values"))
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
            k = [num(prim.get(f"k{i}"), 0.0) for i in range(1, 5)]
            source = skia.ImageFilters.Offset(0, 0, None)  # the binding wants no null input
            return skia.ImageFilters.Arithmetic(k[0], k[1], k[2], k[3], True, bg or source,
                                                fg or source)
        mode = {"over": skia.BlendMode.kSrcOver, "in": skia.BlendMode.kSrcIn,
                "out": skia.BlendMode.kSrcOut, "atop": skia.BlendMode.kSrcATop,
                "xor": skia.BlendMode.kXor, "lighter": skia.BlendMode.kPlus}.get(op)
        if mode is None:
            return False
        return skia.ImageFilters.Xfermode(mode, bg, fg)


def color_matrix(kind: str, values: str | None) -> list[float] | None:
    """feColorMatrix as Skia's 4×5 row-major matrix (translation in 0..1 units)."""
    v = numbers(values)
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


