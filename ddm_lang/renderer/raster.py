"""SVG → pixels with skia's canvas API (not skia.SVGDOM, which draws no text or images).

The renderer draws everything the compiler emits — shapes, paths, gradients, clip paths,
masks, nested viewports, images (raster or SVG, from data URIs or allowed files), text with
tspans, anchors and per-character font fallback, group opacity, and the common filter
primitives — and parses any input safely: no entity expansion, no network, bounded size,
bounded work. Anything it cannot draw is skipped; anything malformed is a RenderError.

Structure: `parse_svg` (document.py, safe parse) → `Renderer` walks the tree once, computing
styles as it goes (inheritance is a dict copy per element) and issuing canvas calls. Each
concern lives in its own module as a mixin of `Renderer`: style, paint servers, shapes,
clipping and masking, filters, images, text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import skia
from lxml import etree

from .colors import parse_color
from .document import (
    MAX_DEPTH,
    MAX_DRAWN,
    href_of,
    intrinsic_size,
    local_name,
    output_size,
    parse_svg,
)
from .errors import RenderError
from .filters import FilterMixin
from .fonts import FontRegistry
from .images import ImageMixin
from .masking import MaskingMixin
from .options import RenderOptions
from .paint import PaintMixin
from .shapes import ShapeMixin
from .style import DEFAULTS, NON_RENDERING, SHAPES, StyleMixin
from .text import TextMixin
from .units import URL_RE, Viewport, fraction, num, numbers, parse_transform, union, view_box_matrix


class Renderer(StyleMixin, PaintMixin, ShapeMixin, MaskingMixin, FilterMixin, ImageMixin, TextMixin):
    """One render of one document: the id map, the options and the work counters."""

    def __init__(self, root: etree._Element, options: RenderOptions, nesting: int = 0) -> None:
        self.root = root
        self.options = options
        self.allowed_roots = options.resolved_roots
        self.ids: dict[str, etree._Element] = {}
        for el in root.iter():
            ident = el.get("id") if isinstance(el.tag, str) else None
            if ident and ident not in self.ids:
                self.ids[ident] = el
        self.fonts = options.registry
        self.nesting = nesting
        self.depth = 0
        self.drawn = 0
        self.active_refs: set[int] = set()
        expanded = self.expanded_size(root, {}, set())
        if expanded > MAX_DRAWN:
            raise RenderError(f"SVG would draw {expanded} elements after expanding <use>, more "
                              f"than {MAX_DRAWN}")

    def draw_document(self, root: etree._Element, canvas: skia.Canvas, width: float,
                      height: float) -> None:
        """Draw another document (an SVG image) with these options, one nesting level down."""
        _draw_root(root, canvas, width, height, self.options, self.nesting + 1)

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
        if local_name(el) == "use":
            href = href_of(el)
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
        m = URL_RE.match(spec.strip())
        if not m:
            return None, ""
        return self.ids.get(m.group(1)), m.group(2).strip()

    # ---- style --------------------------------------------------------------------------
    # ---- traversal ----------------------------------------------------------------------
    def draw_children(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                      vp: Viewport) -> None:
        for child in el:
            self.draw(canvas, child, st, vp)

    def draw(self, canvas: skia.Canvas, el: etree._Element, parent: dict[str, str],
             vp: Viewport, size: tuple[str | None, str | None] = (None, None)) -> None:
        """Draw one element: transform, then clip, mask, filter and opacity around it."""
        kind = local_name(el)
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
        opacity = fraction(st.get("opacity"), 1.0)
        if opacity <= 0:
            return
        need_box = any(e is not None for e in (clip_el, mask_el, filter_el))
        bounds = self.bbox(el, st, vp) if need_box else None
        if clip_el is not None and local_name(clip_el) == "clipPath":
            canvas.clipPath(self.clip_path(clip_el, bounds, vp), doAntiAlias=True)
        filt = None
        if st.get("filter", "none").startswith("url(") and (
                filter_el is None or local_name(filter_el) != "filter"):
            return  # a filter reference to nothing hides the element (as browsers do)
        if filter_el is not None and local_name(filter_el) == "filter":
            filt = self.filter_for(filter_el, bounds, st, vp)
            if filt is not None:
                canvas.clipRect(filt[1], doAntiAlias=True)
        masked = mask_el is not None and local_name(mask_el) == "mask"
        if masked:
            canvas.saveLayer(None, None)
        if opacity < 1.0 and filt is None and self.single_paint(kind, st, vp):
            st = {**st, "fill-opacity": repr(fraction(st.get("fill-opacity"), 1.0) * opacity),
                  "stroke-opacity": repr(fraction(st.get("stroke-opacity"), 1.0) * opacity),
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
            num(st.get("stroke-width"), 1.0, max(vp)) <= 0
        return no_fill or no_stroke

    def layer_bounds(self, el: etree._Element, st: dict[str, str],
                     vp: Viewport) -> skia.Rect | None:
        """For a leaf (shape, text, image): its bbox grown by the stroke, miters included, to
        keep its opacity layer small. Containers get None (the clip bounds): a child may
        carry a wider stroke or a filter that reaches beyond the group's bbox."""
        if local_name(el) not in SHAPES | {"text", "image"}:
            return None
        box = self.bbox(el, st, vp)
        if box is None:
            return None
        width = num(st.get("stroke-width"), 1.0, max(vp))
        margin = width * max(1.0, num(st.get("stroke-miterlimit"), 4.0)) / 2 + 2
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
                self.image(canvas, el, vp, fraction(st.get("image-opacity"), 1.0))
        elif kind == "text":
            self.text(canvas, el, st, vp)
        elif kind in SHAPES:
            path = self.shape(el, kind, vp, st)
            if path is not None:
                self.fill_and_stroke(canvas, path, st, vp)

    def use(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
            vp: Viewport) -> None:
        """Draw the referenced element; a reference cycle draws nothing."""
        href = href_of(el)
        target = self.ids.get(href[1:]) if href.startswith("#") else None
        if target is None or id(target) in self.active_refs:
            return
        if any(a is target for a in el.iterancestors()):
            return
        self.active_refs.add(id(target))
        try:
            canvas.translate(num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1]))
            if local_name(target) == "symbol":
                self.symbol(canvas, el, target, st, vp)
            elif local_name(target) == "svg":
                size = (el.get("width"), el.get("height"))
                self.draw(canvas, target, st, vp, size)
            else:
                self.draw(canvas, target, st, vp)
        finally:
            self.active_refs.discard(id(target))

    def symbol(self, canvas: skia.Canvas, use: etree._Element, sym: etree._Element,
               st: dict[str, str], vp: Viewport) -> None:
        w = num(use.get("width") or sym.get("width"), vp[0], vp[0])
        h = num(use.get("height") or sym.get("height"), vp[1], vp[1])
        sst = self.style(sym, st)
        vb = numbers(sym.get("viewBox"))
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
        x, y = num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1])
        w = num(size[0] or el.get("width"), vp[0], vp[0])
        h = num(size[1] or el.get("height"), vp[1], vp[1])
        if w <= 0 or h <= 0:
            return
        if st.get("overflow", "hidden") in ("hidden", "scroll"):
            canvas.clipRect(skia.Rect.MakeXYWH(x, y, w, h), doAntiAlias=True)
        canvas.translate(x, y)
        vb = numbers(el.get("viewBox"))
        inner = (w, h)
        if len(vb) == 4 and vb[2] > 0 and vb[3] > 0:
            m, _ = view_box_matrix(vb, w, h, el.get("preserveAspectRatio"))
            canvas.concat(m)
            inner = (vb[2], vb[3])
        self.draw_children(canvas, el, st, inner)

    # ---- shapes -------------------------------------------------------------------------
    # ---- bounding boxes -----------------------------------------------------------------
    def bbox(self, el: etree._Element, st: dict[str, str], vp: Viewport,
             depth: int = 0) -> skia.Rect | None:
        """Object bounding box in the element's user space (fill geometry, no stroke):
        the reference box for objectBoundingBox units of clips, masks, filters."""
        kind = local_name(el)
        if depth > 32 or kind in NON_RENDERING:
            return None
        if kind in SHAPES:
            path = self.shape(el, kind, vp, st)
            return path.computeTightBounds() if path is not None else None
        if kind == "image":
            return skia.Rect.MakeXYWH(num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1]),
                                      num(el.get("width"), 0, vp[0]),
                                      num(el.get("height"), 0, vp[1]))
        if kind == "text":
            box = None
            for run in self.layout_text(el, st, vp):
                box = union(box, self.run_bounds(run))
            return box
        if kind == "use":
            href = href_of(el)
            target = self.ids.get(href[1:]) if href.startswith("#") else None
            if target is None or local_name(target) == "symbol":
                return None
            inner = self.child_bbox(target, st, vp, depth + 1)
            if inner is None:
                return None
            return skia.Matrix.Translate(num(el.get("x"), 0, vp[0]),
                                         num(el.get("y"), 0, vp[1])).mapRect(inner)
        if kind == "svg" and el is not self.root:
            return skia.Rect.MakeXYWH(num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1]),
                                      num(el.get("width"), vp[0], vp[0]),
                                      num(el.get("height"), vp[1], vp[1]))
        box = None
        for child in el:
            box = union(box, self.child_bbox(child, st, vp, depth + 1))
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

def _draw_root(root: etree._Element, canvas: skia.Canvas, width: float, height: float,
               options: RenderOptions, nesting: int = 0) -> None:
    renderer = Renderer(root, options, nesting)
    vb = numbers(root.get("viewBox"))
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
         allowed_roots: tuple[Path, ...] = (), *, options: RenderOptions | None = None) -> None:
    """Draw an SVG document onto a canvas, fitted to width × height (for callers that
    compose several documents or draw onto their own surface)."""
    root = svg if isinstance(svg, etree._Element) else parse_svg(svg)
    options = options or RenderOptions(allowed_roots=tuple(allowed_roots))
    try:
        _draw_root(root, canvas, width, height, options)
    except RenderError:
        raise
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, RecursionError,
            IndexError, KeyError, LookupError) as err:
        raise RenderError(f"cannot draw SVG: {type(err).__name__}: {err}") from None


def render(svg: str | bytes, width: int | None = None, height: int | None = None,
           background: str | None = None, *, allowed_roots: tuple[Path, ...] = (),
           base_dir: Path | str | None = None, fonts: FontRegistry | None = None,
           options: RenderOptions | None = None) -> np.ndarray:
    """Rasterise SVG to an H×W×4 RGBA uint8 array (unpremultiplied). Files are read only
    inside `allowed_roots`; relative hrefs resolve against `base_dir`; `fonts` replaces the
    default font registry (or pass a whole `options`)."""
    if options is None:
        options = RenderOptions(allowed_roots=tuple(allowed_roots),
                                base_dir=Path(base_dir) if base_dir is not None else None,
                                fonts=fonts)
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
    draw(root, canvas, w, h, options=options)
    return surface.makeImageSnapshot().toarray(colorType=skia.ColorType.kRGBA_8888_ColorType,
                                               alphaType=skia.AlphaType.kUnpremul_AlphaType)
