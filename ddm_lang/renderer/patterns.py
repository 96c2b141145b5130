"""Pattern paint servers: one tile rendered to an image, repeated by an image shader.

As resvg does: attributes and children are inherited through `href` (patterns only), the
tile is patternUnits-relative (objectBoundingBox by default), its content is in
patternContentUnits (userSpaceOnUse by default) or mapped by the viewBox, and the tile is
rendered at the device scale of the painted element so it stays sharp, then mapped back by
patternTransform · translate(x, y) · scale(1/sx, 1/sy).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import skia
from lxml import etree

from .units import (
    Viewport,
    bbox_len,
    num,
    numbers,
    parse_transform,
    view_box_matrix,
    with_origin,
)

if TYPE_CHECKING:
    from .paint import Context

#: Largest tile side in pixels; larger tiles are rendered at a lower resolution.
MAX_TILE = 2048
#: Tiles kept for reuse within one render, and the largest one kept (64 MiB at most).
MAX_CACHED_TILES = 16
MAX_CACHED_PIXELS = 1 << 20
#: Patterns nested inside pattern tiles at most.
MAX_PATTERN_DEPTH = 8
PATTERN = frozenset(("pattern",))


class PatternMixin:
    """Pattern shaders for the renderer."""

    #: Patterns whose tile is being rendered (by id), so a recursive reference paints nothing.
    pattern_stack: tuple[int, ...] = ()
    context: Context | None  # PaintMixin's

    if TYPE_CHECKING:  # provided by Renderer (raster.py) and PaintMixin
        def href_chain(self, el: etree._Element,
                       kinds: frozenset[str]) -> list[etree._Element]: ...
        def draw_children(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                          vp: Viewport) -> None: ...
        def tree_style(self, el: etree._Element) -> dict[str, str]: ...

    def pattern_chain(self, el: etree._Element) -> list[etree._Element]:
        """The pattern and the patterns it inherits from through href (cycle-safe)."""
        return self.href_chain(el, PATTERN)

    def pattern_shader(self, el: etree._Element, bounds: skia.Rect | None, vp: Viewport,
                       ctm: skia.Matrix | None) -> skia.Shader | None:
        """The pattern as a repeating image shader in the painted element's user space
        (drawn under canvas matrix `ctm`), or None when it paints nothing (no children,
        empty tile, recursion, empty bbox)."""
        if id(el) in self.pattern_stack or len(self.pattern_stack) >= MAX_PATTERN_DEPTH:
            return None
        chain = self.pattern_chain(el)

        def attr(name: str) -> str | None:
            return next((p.get(name) for p in chain if p.get(name) is not None), None)

        content = next((p for p in chain if any(isinstance(c.tag, str) for c in p)), None)
        if content is None:
            return None
        user = (attr("patternUnits") or "").strip() == "userSpaceOnUse"
        content_bbox = (attr("patternContentUnits") or "").strip() == "objectBoundingBox"
        has_box = bounds is not None and bounds.width() > 0 and bounds.height() > 0
        if (not user or content_bbox) and not has_box:
            return None
        if user:
            x, y = num(attr("x"), 0.0, vp[0]), num(attr("y"), 0.0, vp[1])
            w, h = num(attr("width"), 0.0, vp[0]), num(attr("height"), 0.0, vp[1])
        else:
            assert bounds is not None  # has_box, checked above
            x = bounds.left() + bbox_len(attr("x"), 0.0) * bounds.width()
            y = bounds.top() + bbox_len(attr("y"), 0.0) * bounds.height()
            w = bbox_len(attr("width"), 0.0) * bounds.width()
            h = bbox_len(attr("height"), 0.0) * bounds.height()
        if not (w > 0 and h > 0 and math.isfinite(w * h)):
            return None
        inner = skia.Matrix()
        vb = numbers(attr("viewBox"))
        if len(vb) == 4 and vb[2] > 0 and vb[3] > 0:
            inner, _ = view_box_matrix(vb, w, h, attr("preserveAspectRatio"))
        elif content_bbox:
            assert bounds is not None  # has_box, checked above
            inner = skia.Matrix.Scale(bounds.width(), bounds.height())
        transform = with_origin(parse_transform(attr("patternTransform")),
                                el.get("transform-origin"), vp)
        device = skia.Matrix.Concat(ctm, transform) if ctm is not None else transform
        # The scale as tiny-skia's get_scale measures it (row norms), for the same tile size.
        sx = math.hypot(device.getScaleX(), device.getSkewX())
        sy = math.hypot(device.getSkewY(), device.getScaleY())
        cols, rows = round(w * sx), round(h * sy)
        if cols <= 0 or rows <= 0:
            return None
        if max(cols, rows) > MAX_TILE:  # keep the tile bounded; trade resolution for memory
            shrink = MAX_TILE / max(cols, rows)
            sx, sy = sx * shrink, sy * shrink
            cols, rows = max(1, round(w * sx)), max(1, round(h * sy))
        image = self.pattern_tile(el, content, cols, rows, sx, sy, inner, vp)
        if image is None:
            return None
        local = skia.Matrix.Concat(transform, skia.Matrix.Translate(x, y))
        local.preScale(1 / sx, 1 / sy)
        # Pixel-aligned tiles (the usual case: tile rendered at device scale, no rotation or
        # skew) are sampled as they are, as tiny-skia does; others are filtered bicubically.
        mapped = skia.Matrix.Concat(device, skia.Matrix.Scale(1 / sx, 1 / sy))
        aligned = all(abs(a - b) < 1e-3 for a, b in zip(
            (mapped.getScaleX(), mapped.getSkewX(), mapped.getSkewY(), mapped.getScaleY()),
            (1.0, 0.0, 0.0, 1.0), strict=True))
        sampling = skia.SamplingOptions(skia.CubicResampler.Mitchell())
        if aligned:
            sampling = skia.SamplingOptions()
            inverse = skia.Matrix()
            if ctm is not None and ctm.invert(inverse):
                # Whole-pixel tile origin, so nearest sampling never lands on a tie.
                placed = skia.Matrix.Concat(ctm, local)
                local = skia.Matrix.Concat(inverse, skia.Matrix.Translate(
                    math.ceil(placed.getTranslateX() - 0.5 - 1e-6),
                    math.ceil(placed.getTranslateY() - 0.5 - 1e-6)))
        return image.makeShader(skia.TileMode.kRepeat, skia.TileMode.kRepeat, sampling, local)

    def pattern_tile(self, el: etree._Element, content: etree._Element, cols: int, rows: int,
                     sx: float, sy: float, inner: skia.Matrix, vp: Viewport) -> skia.Image | None:
        """One tile, rendered once per size and placement of its content: text or many
        shapes filled with the same pattern reuse it. Content inherits from its own tree,
        with no context element; the pattern itself is refused inside (recursion)."""
        key = (el, self.pattern_stack, cols, rows, sx, sy, tuple(inner.get9()), vp)
        cache: dict[tuple, skia.Image | None] = self.__dict__.setdefault("_pattern_tiles", {})
        if key in cache:
            return cache[key]
        surface = skia.Surface.MakeRasterN32Premul(cols, rows)
        if surface is None:
            return None
        tile = surface.getCanvas()
        tile.scale(sx, sy)
        tile.concat(inner)
        self.pattern_stack = (*self.pattern_stack, id(el))
        outer_context = self.context
        try:
            self.context = None
            self.draw_children(tile, content, self.tree_style(content), vp)
        finally:
            self.pattern_stack = self.pattern_stack[:-1]
            self.context = outer_context
        image = surface.makeImageSnapshot()
        if cols * rows <= MAX_CACHED_PIXELS:
            if len(cache) >= MAX_CACHED_TILES:
                cache.clear()
            cache[key] = image
        return image
