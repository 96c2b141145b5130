"""Clipping paths and masks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import skia
from lxml import etree

from .document import local_name
from .errors import RenderError
from .matte import combined, matted_image
from .style import SHAPES
from .units import Viewport, bbox_len, bbox_matrix, element_transform, num


class MaskingMixin:
    """clip-path and mask for the renderer."""

    # Renderer's (raster.py)
    root: etree._Element
    nesting: int
    cut_links: dict[str, set[etree._Element]]
    image_overrides: dict[etree._Element, skia.Image]

    if TYPE_CHECKING:  # provided by Renderer (raster.py) and the other mixins
        def ref(self, spec: str | None) -> tuple[etree._Element | None, str]: ...
        def href_target(self, el: etree._Element) -> etree._Element | None: ...
        def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]: ...
        def tree_style(self, el: etree._Element) -> dict[str, str]: ...
        def shape(self, el: etree._Element, kind: str, vp: Viewport,
                  st: dict[str, str] | None = None) -> skia.Path | None: ...
        def text_outline(self, el: etree._Element, st: dict[str, str],
                         vp: Viewport) -> skia.Path: ...
        def load_image(self, href: str
                       ) -> tuple[skia.Image | skia.Picture, float, float] | None: ...
        def charge_layer(self, canvas: skia.Canvas, bounds: skia.Rect | None,
                         what: str) -> None: ...
        def draw_children(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                          vp: Viewport) -> None: ...
        def draw_element(self, canvas: skia.Canvas, el: etree._Element, kind: str,
                         st: dict[str, str], vp: Viewport,
                         size: tuple[str | None, str | None] = (None, None)) -> None: ...

    def link(self, el: etree._Element, st: dict[str, str], prop: str) -> etree._Element | None:
        """The clipPath or mask (`prop`) an element refers to, unless that reference closes
        a cycle (resvg cuts those, see `recursive_links`)."""
        target, _ = self.ref(st.get(prop))
        if target is None:
            return None
        cuts = self.cut_links.get(prop)
        if cuts is None:
            cuts = self.cut_links[prop] = recursive_links(
                self.root, CUT_TAGS[prop], prop, lambda e: self.ref(e.get(prop))[0])
        return None if el in cuts else target

    def clip_path(self, target: etree._Element, bounds: skia.Rect | None, vp: Viewport,
                  depth: int = 0) -> skia.Path:
        """The union of a clipPath's children as one path in the referencing user space."""
        clip = skia.Path()
        tst = self.tree_style(target)  # clip-rule and friends inherit from its ancestors
        for child in target:
            kind = local_name(child)
            cst = self.style(child, tst)
            if cst.get("display") == "none" or cst.get("visibility") in ("hidden", "collapse"):
                continue
            shape = self.clip_shape(child, kind, cst, vp)
            if shape is None:
                continue
            shape.setFillType(skia.PathFillType.kEvenOdd if cst.get("clip-rule") == "evenodd"
                              else skia.PathFillType.kWinding)
            nested = self.link(child, cst, "clip-path")
            if nested is not None and local_name(nested) == "clipPath" and depth < 8:
                # a child's own clip-path works in the child's coordinates (its transform
                # applies to both), with the child's shape as its bounding box
                shape = skia.Op(shape, self.clip_path(nested, shape.computeTightBounds(), vp,
                                                      depth + 1),
                                skia.PathOp.kIntersect_PathOp) or shape
            shape.transform(element_transform(child, vp))
            clip = skia.Op(clip, shape, skia.PathOp.kUnion_PathOp) or clip
        m = element_transform(target, vp)
        if target.get("clipPathUnits") == "objectBoundingBox":
            if bounds is None or bounds.isEmpty():
                return skia.Path()
            m = skia.Matrix.Concat(m, bbox_matrix(bounds))
        clip.transform(m)
        nested = self.link(target, tst, "clip-path")
        if nested is not None and local_name(nested) == "clipPath" and depth < 8:
            clip = skia.Op(clip, self.clip_path(nested, bounds, vp, depth + 1),
                           skia.PathOp.kIntersect_PathOp) or clip
        return clip

    def clip_shape(self, child: etree._Element, kind: str, cst: dict[str, str],
                   vp: Viewport) -> skia.Path | None:
        if kind in SHAPES:
            return self.shape(child, kind, vp, cst)
        if kind == "text":
            return self.text_outline(child, cst, vp)
        if kind == "use":
            target = self.href_target(child)
            if target is None or local_name(target) not in SHAPES | {"text"}:
                return None
            shape = self.clip_shape(target, local_name(target), self.style(target, cst), vp)
            if shape is not None:
                shape.transform(element_transform(target, vp))
                shape.offset(num(child.get("x"), 0, vp[0]), num(child.get("y"), 0, vp[1]))
            return shape
        return None

    def apply_mask(self, canvas: skia.Canvas, mask: etree._Element, bounds: skia.Rect | None,
                   st: dict[str, str], vp: Viewport, depth: int = 0) -> None:
        """Multiply the layer below by the mask's luminance (or alpha) with DstIn."""
        content_bbox = mask.get("maskContentUnits") == "objectBoundingBox"
        region = self.mask_region(mask, bounds, vp)
        if region is None:
            canvas.clear(skia.ColorTRANSPARENT)
            return
        mst = self.tree_style(mask)  # mask content inherits from the mask's ancestors
        nested = self.link(mask, mst, "mask")
        if nested is not None and local_name(nested) == "mask" and depth < 8:
            # a mask on the <mask> masks the content too: both multiply it (as resvg)
            self.apply_mask(canvas, nested, bounds, st, vp, depth + 1)
        paint = skia.Paint(BlendMode=skia.BlendMode.kDstIn)
        if mst.get("mask-type", "luminance") != "alpha":
            paint.setColorFilter(skia.LumaColorFilter.Make())
        # The outermost mask's layer is as small as the content's (see mask_region); a
        # nested one covers the content's whole layer, clearing what lies outside it.
        self.charge_layer(canvas, region if depth == 0 else None, "a mask's layer")
        canvas.saveLayer(region if depth == 0 else None, paint)
        canvas.clipRect(region, doAntiAlias=True)
        if content_bbox and bounds is not None:
            canvas.concat(bbox_matrix(bounds))
        self.draw_children(canvas, mask, mst, vp)
        canvas.restore()

    def draw_matted(self, canvas: skia.Canvas, el: etree._Element, kind: str,
                    st: dict[str, str], vp: Viewport, size: tuple[str | None, str | None],
                    mask: etree._Element) -> bool:
        """Draw a cut-out (one image under a luminance matte of the same placement) as one
        image with the matte applied to its pixels (matte.py); False (nothing drawn) for
        any other mask."""
        found = matted_image(mask, el)
        if found is None or self.nesting > 0:
            return False
        image_el, photo_href, matte_href, stretched = found
        try:
            photo, matte = self.load_image(photo_href), self.load_image(matte_href)
        except RenderError:
            return False  # the general path reports it
        if photo is None or matte is None or not isinstance(photo[0], skia.Image) or \
                not isinstance(matte[0], skia.Image):
            return False
        image = combined(photo[0], matte[0], stretched)
        if image is None:
            return False
        self.image_overrides[image_el] = image
        try:
            self.draw_element(canvas, el, kind, st, vp, size)
        finally:
            del self.image_overrides[image_el]
        return True

    def mask_region(self, mask: etree._Element, bounds: skia.Rect | None,
                    vp: Viewport) -> skia.Rect | None:
        """The mask's region in the masked element's user space; None when it is relative
        to an empty bounding box (nothing is then drawn). Nothing outside it survives the
        mask, so the masked content's layer need not be larger: at 1080² a full-canvas
        layer pair costs more than drawing the product photo it masks."""
        user = mask.get("maskUnits") == "userSpaceOnUse"
        if not user and (bounds is None or bounds.isEmpty()):
            return None
        return self.region(mask, bounds, vp, user)

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



CUT_TAGS = {"clip-path": "clipPath", "mask": "mask"}
MAX_LINK_STEPS = 1_000_000


def recursive_links(root: etree._Element, tag: str, prop: str,
                    target_of: Callable[[etree._Element], etree._Element | None],
                    ) -> set[etree._Element]:
    """Elements whose `prop` reference must be ignored because it loops back into the
    clipPath or mask that contains it, found as resvg does: for each such element in
    document order, a descendant (or itself) that refers to it, or an element inside the
    referenced one that refers back, has its reference cut; repeated until none is left.
    Work is bounded by the number of references and MAX_LINK_STEPS."""
    holders = [e for e in root.iter() if isinstance(e.tag, str) and e.get(prop)]
    if not holders:
        return set()
    cut: set[etree._Element] = set()
    steps = 0

    def link(e: etree._Element) -> etree._Element | None:
        return None if e in cut or not e.get(prop) else target_of(e)

    def find() -> etree._Element | None:
        nonlocal steps
        for node in root.iter():
            if local_name(node) != tag:
                continue
            for child in node.iter():
                steps += 1
                if steps > MAX_LINK_STEPS:
                    raise RenderError(f"too many {prop} references to check for cycles")
                target = link(child)
                if target is None:
                    continue
                if target is node:
                    return child
                for inner in target.iter():
                    steps += 1
                    if link(inner) is node:
                        return inner
        return None

    for _ in range(len(holders)):
        found = find()
        if found is None:
            break
        cut.add(found)
    return cut
