"""Clipping paths and masks."""

from __future__ import annotations

import skia
from lxml import etree

from .document import href_of, local_name
from .style import DEFAULTS, SHAPES
from .units import Viewport, bbox_len, bbox_matrix, num, parse_transform


class MaskingMixin:
    """clip-path and mask for the renderer."""

    def clip_path(self, target: etree._Element, bounds: skia.Rect | None, vp: Viewport,
                  depth: int = 0) -> skia.Path:
        """The union of a clipPath's children as one path in the referencing user space."""
        clip = skia.Path()
        tst = self.style(target, {})
        for child in target:
            kind = local_name(child)
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
            if nested is not None and local_name(nested) == "clipPath" and depth < 8:
                shape = skia.Op(shape, self.clip_path(nested, bounds, vp, depth + 1),
                                skia.PathOp.kIntersect_PathOp) or shape
            clip = skia.Op(clip, shape, skia.PathOp.kUnion_PathOp) or clip
        m = parse_transform(target.get("transform"))
        if target.get("clipPathUnits") == "objectBoundingBox":
            if bounds is None or bounds.isEmpty():
                return skia.Path()
            m = skia.Matrix.Concat(m, bbox_matrix(bounds))
        clip.transform(m)
        nested, _ = self.ref(tst.get("clip-path"))
        if nested is not None and local_name(nested) == "clipPath" and depth < 8:
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
            href = href_of(child)
            target = self.ids.get(href[1:]) if href.startswith("#") else None
            if target is None or local_name(target) not in SHAPES | {"text"}:
                return None
            shape = self.clip_shape(target, local_name(target), self.style(target, cst), vp)
            if shape is not None:
                shape.transform(parse_transform(target.get("transform")))
                shape.offset(num(child.get("x"), 0, vp[0]), num(child.get("y"), 0, vp[1]))
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
            canvas.concat(bbox_matrix(bounds))
        self.draw_children(canvas, mask, mst, vp)
        canvas.restore()

    def region(self, el: etree._Element, bounds: skia.Rect | None, vp: Viewport,
               user: bool) -> skia.Rect:
        """The x/y/width/height region of a mask or filter (default -10%, 120%)."""
        if user:
            return skia.Rect.MakeXYWH(num(el.get("x"), -0.1 * vp[0], vp[0]),
                                      num(el.get("y"), -0.1 * vp[1], vp[1]),
                                      num(el.get("width"), 1.2 * vp[0], vp[0]),
                                      num(el.get("height"), 1.2 * vp[1], vp[1]))
        b = bounds if bounds is not None else skia.Rect.MakeWH(0, 0)
        x, y = bbox_len(el.get("x"), -0.1), bbox_len(el.get("y"), -0.1)
        w, h = bbox_len(el.get("width"), 1.2), bbox_len(el.get("height"), 1.2)
        return skia.Rect.MakeXYWH(b.left() + x * b.width(), b.top() + y * b.height(),
                                  w * b.width(), h * b.height())

