"""SVG → pixels with skia's canvas API (not skia.SVGDOM, which draws no text or images).

The renderer draws everything the compiler emits — shapes, paths, gradients, clip paths,
masks, nested viewports, images (raster or SVG, from data URIs or allowed files), text with
tspans, anchors and per-character font fallback, group opacity, and the common filter
primitives — and parses any input safely: no entity expansion, no network, bounded
size, bounded work. Anything it cannot draw is skipped; anything malformed is a RenderError.

Structure: `parse_svg` (document.py, safe parse, then the CSS cascade of css.py) →
`Renderer` walks the tree once, computing styles as it goes (inheritance is a dict copy per
element) and issuing canvas calls. Each concern lives in its own module as a mixin of
`Renderer`: style, paint servers, shapes, clipping and masking, filters, images, text.
"""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import skia
from lxml import etree

from .budget import Meter, output_bytes
from .colors import parse_color
from .conditions import switch_choice
from .css import cascade, needs_cascade
from .document import (
    MAX_DEPTH,
    MAX_DRAWN,
    MAX_HREF_CHAIN,
    href_of,
    intrinsic_size,
    local_name,
    output_size,
    parse_svg,
    sized_by_content,
    view_box,
)
from .errors import RenderError
from .filter_direct import DirectFilterMixin
from .filter_matrix import draw_through_matrices
from .filters import FilterMixin
from .fonts import FontRegistry
from .images import ImageMixin
from .masking import MaskingMixin
from .options import RenderOptions
from .paint import PaintMixin
from .shapes import ShapeMixin
from .style import NON_RENDERING, SHAPES, StyleMixin
from .text import TextMixin
from .units import (
    URL_RE,
    Viewport,
    element_transform,
    fraction,
    invertible,
    num,
    numbers,
    union,
    view_box_matrix,
)


class Renderer(StyleMixin, PaintMixin, ShapeMixin, MaskingMixin, FilterMixin, DirectFilterMixin,
               ImageMixin, TextMixin):
    """One render of one document: the id map, the options and the work counters."""

    def __init__(self, root: etree._Element, options: RenderOptions, nesting: int = 0,
                 meter: Meter | None = None) -> None:
        self.root = root
        self.options = options
        self.meter = meter if meter is not None else Meter(options.budget)
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
        self.cut_links: dict[str, set[etree._Element]] = {}  # masking.recursive_links
        self.image_overrides: dict[etree._Element, skia.Image] = {}  # masking.draw_matted
        # Counted before drawing: what the traversal would visit, <defs> included.
        self.max_drawn = min(MAX_DRAWN, options.budget.drawn)
        self.meter.check_drawn(self.expanded_size(root, {}, set()))

    def sub_document(self, root: etree._Element) -> Renderer:
        """A renderer for another document (an SVG image), with these options, one
        nesting level down, spending from this render's budget."""
        return Renderer(root, self.options, self.nesting + 1, self.meter)

    def document_size(self) -> tuple[float, float] | None:
        """The document's size in px (None: zero or negative, nothing is drawn). Without a
        viewBox and with a percentage or missing width/height, resvg sizes the document to
        its drawing's extent (the right and bottom of its bounding box)."""
        size = intrinsic_size(self.root)
        if size is None or not sized_by_content(self.root):
            return size
        st = self.style(self.root, self.initial_style())
        box = self.bbox(self.root, st, size, stroked=True) if st.get("display") != "none" \
            else None
        if box is not None and box.right() > 0 and box.bottom() > 0:
            return box.right(), box.bottom()
        return size

    def draw_root(self, canvas: skia.Canvas, width: float, height: float,
                  size: tuple[float, float] | None = None) -> None:
        """Draw the whole document fitted to width × height: the viewBox mapped with
        preserveAspectRatio, else the document size scaled; the non-standard
        `background-color` (resvg's) fills the viewBox first."""
        size = size or self.document_size()
        if size is None:
            return
        root = self.root
        vb = view_box(root)
        canvas.save()
        try:
            if vb:
                m, _ = view_box_matrix(vb, width, height, root.get("preserveAspectRatio"))
                canvas.concat(m)
                vp = (vb[2], vb[3])
                area = skia.Rect.MakeXYWH(*vb)
            else:
                canvas.scale(width / size[0], height / size[1])
                vp = intrinsic_size(root) or size
                area = skia.Rect.MakeWH(*vp)
            st = self.style(root, self.initial_style())
            if st.get("display") == "none":
                return
            background = parse_color(root.get("background-color") or "")
            if background is not None:
                canvas.drawRect(area, skia.Paint(Color4f=skia.Color4f(*background)))
            self.draw_effects(canvas, root, "g", st, vp)
        finally:
            canvas.restore()

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
            target = self.href_target(el)
            if target is not None:
                total += self.expanded_size(target, memo, active, depth + 1)
        for child in el:
            total += self.expanded_size(child, memo, active, depth + 1)
            if total > self.max_drawn:
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

    def href_target(self, el: etree._Element) -> etree._Element | None:
        """The element an href (`#id`) points at in this document, if any."""
        href = href_of(el)
        return self.ids.get(href[1:]) if href.startswith("#") else None

    def href_chain(self, el: etree._Element, kinds: frozenset[str]) -> list[etree._Element]:
        """`el` and the elements of `kinds` it inherits from through href, stopping at a
        cycle, another kind or MAX_HREF_CHAIN links (gradients, patterns)."""
        chain = [el]
        while len(chain) < MAX_HREF_CHAIN:
            nxt = self.href_target(chain[-1])
            if nxt is None or nxt in chain or local_name(nxt) not in kinds:
                break
            chain.append(nxt)
        return chain

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
        transform = element_transform(el, vp)
        if not invertible(transform):
            return  # squashed flat: nothing to see (resvg drops the element)
        self.drawn += 1
        if self.drawn > self.max_drawn:
            raise RenderError(f"SVG draws more than {self.max_drawn} elements (markers or "
                              "recursive <use>?; raise RenderOptions.budget.drawn)")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RenderError(f"SVG nesting is deeper than {MAX_DEPTH} levels")
        saved = canvas.save()
        try:
            canvas.concat(transform)
            self.draw_effects(canvas, el, kind, st, vp, size)
        finally:
            canvas.restoreToCount(saved)
            self.depth -= 1

    def draw_effects(self, canvas: skia.Canvas, el: etree._Element, kind: str,
                     st: dict[str, str], vp: Viewport,
                     size: tuple[str | None, str | None] = (None, None)) -> None:
        """Draw the element through its clip, mask, filter and opacity; the layers these
        open are charged to the memory budget and given back when they close here."""
        live = self.meter.live
        try:
            self.draw_layered(canvas, el, kind, st, vp, size)
        finally:
            self.meter.live = live

    def charge_layer(self, canvas: skia.Canvas, bounds: skia.Rect | None, what: str) -> None:
        """Charge an offscreen layer about to open: skia allocates the device clip bounds,
        cut to the layer's bounds when it has them."""
        clip = canvas.getDeviceClipBounds()
        box = skia.Rect.Make(clip)
        if bounds is not None and not box.intersect(canvas.getTotalMatrix().mapRect(bounds)):
            return
        self.meter.hold(round(box.width()) * round(box.height()) * 4, what)

    def draw_layered(self, canvas: skia.Canvas, el: etree._Element, kind: str,
                     st: dict[str, str], vp: Viewport,
                     size: tuple[str | None, str | None] = (None, None)) -> None:
        clip_el = self.link(el, st, "clip-path")
        mask_el = self.link(el, st, "mask")
        filter_spec = st.get("filter", "none").strip()
        filtered = filter_spec not in ("", "none")
        opacity = fraction(st.get("opacity"), 1.0)
        if opacity <= 0:
            return
        need_box = filtered or any(e is not None for e in (clip_el, mask_el))
        bounds = self.bbox(el, st, vp) if need_box else None
        if clip_el is not None and local_name(clip_el) == "clipPath":
            canvas.clipPath(self.clip_path(clip_el, bounds, vp), doAntiAlias=True)
        filt = self.filter_for(filter_spec, bounds, st, vp, el) if filtered else None
        if filt is not None and not filt:
            return  # only broken filter references: the element is not drawn (as resvg)
        blended = self.blend_layer(canvas, st)
        if blended:  # charged as soon as it opens: no larger than the clip bounds
            self.charge_layer(canvas, None, "a blending layer")
        masked = mask_el is not None and local_name(mask_el) == "mask"
        if masked and filt is None and opacity >= 1.0 and \
                self.draw_matted(canvas, el, kind, st, vp, size, mask_el):
            if blended:
                canvas.restore()
            return  # drawn, with its mask applied to the image's pixels
        if masked:
            # The layer's bounds clip the content to the mask region (nothing outside it
            # survives); apply_mask clears outside the region with its anti-aliased edge.
            region = self.mask_region(mask_el, bounds, vp)
            self.charge_layer(canvas, region, "a mask layer")
            canvas.saveLayer(region, None)
        if opacity < 1.0 and filt is None and self.single_paint(kind, st, vp):
            st = {**st, "fill-opacity": repr(fraction(st.get("fill-opacity"), 1.0) * opacity),
                  "stroke-opacity": repr(fraction(st.get("stroke-opacity"), 1.0) * opacity),
                  "image-opacity": repr(opacity)}
            opacity = 1.0
        layered = opacity < 1.0 and filt is None
        if filt is not None:
            def content(c: skia.Canvas) -> None:
                self.draw_element(c, el, kind, st, vp, size)
            if not (self.draw_filtered_directly(canvas, filt, opacity, el, kind, st, vp)
                    or draw_through_matrices(canvas, filt, opacity, content)):
                self.draw_filtered(canvas, filt, opacity, content)
        else:
            if layered:
                paint = skia.Paint()
                paint.setAlphaf(opacity)
                layer = self.layer_bounds(el, st, vp)
                self.charge_layer(canvas, layer, "an opacity layer")
                canvas.saveLayer(layer, paint)
            self.draw_element(canvas, el, kind, st, vp, size)
            if layered:
                canvas.restore()
        if masked:
            self.apply_mask(canvas, mask_el, bounds, st, vp)
            canvas.restore()
        if blended:
            canvas.restore()

    def single_paint(self, kind: str, st: dict[str, str], vp: Viewport) -> bool:
        """Whether the element paints once (a shape with fill or stroke, not both; an
        image), so its opacity can go into the paint instead of a layer: a layer per
        translucent shape costs a full-canvas allocation."""
        if kind == "image":
            return True
        if kind not in SHAPES or self.has_markers(st):
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
        if kind in ("g", "a"):
            self.draw_children(canvas, el, st, vp)
        elif kind == "switch":
            child = switch_choice(el, self.options.languages)
            if child is not None:
                self.draw(canvas, child, st, vp)
        elif kind == "svg":
            self.nested_svg(canvas, el, st, vp, size)
        elif kind == "use":
            self.use(canvas, el, st, vp)
        elif kind == "image":
            if st.get("visibility") not in ("hidden", "collapse"):
                self.image(canvas, el, vp, fraction(st.get("image-opacity"), 1.0), st)
        elif kind == "text":
            self.text(canvas, el, st, vp)
        elif kind in SHAPES:
            path = self.shape(el, kind, vp, st)
            if path is not None:
                self.fill_and_stroke(canvas, path, st, vp)

    def use(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
            vp: Viewport) -> None:
        """Draw the referenced element; a reference cycle draws nothing."""
        target = self.href_target(el)
        if target is None or id(target) in self.active_refs or not local_name(target):
            return
        if any(a is target for a in el.iterancestors()):
            return
        self.active_refs.add(id(target))
        outer_context = self.context
        self.context = self.use_context(canvas, el, target, st, vp)
        saved = canvas.save()  # the use's own clip, mask and filter apply after this
        try:
            if local_name(target) == "symbol":
                self.symbol(canvas, el, target, st, vp)
                return
            canvas.translate(num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1]))
            if local_name(target) == "svg":
                size = (el.get("width"), el.get("height"))
                self.draw(canvas, target, st, vp, size)
            else:
                self.draw(canvas, target, st, vp)
        finally:
            canvas.restoreToCount(saved)
            self.active_refs.discard(id(target))
            self.context = outer_context

    def symbol(self, canvas: skia.Canvas, use: etree._Element, sym: etree._Element,
               st: dict[str, str], vp: Viewport) -> None:
        """A symbol instance: a viewport of the <use>'s x/y/width/height (100 % by default),
        clipped unless the symbol's overflow is visible, its viewBox mapped onto it; the
        symbol itself then draws as a group (its opacity, clip, mask and filter apply)."""
        sst = self.style(sym, st)
        if sst.get("display") == "none":
            return
        viewport, m, inner = symbol_frame(use, sym, vp)
        if not viewport.isEmpty() and sst.get("overflow", "hidden") not in ("visible", "auto"):
            canvas.clipRect(viewport, doAntiAlias=True)
        canvas.concat(m)
        self.draw_effects(canvas, sym, "g", sst, inner)

    def nested_svg(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
                   vp: Viewport, size: tuple[str | None, str | None] = (None, None)) -> None:
        """A nested viewport: its own coordinate system, clipped unless overflow is visible.
        `size` is the width/height of a <use> that references it, which take precedence.
        As in resvg, an <svg> without both width and height (and not sized by a <use>) is
        not clipped."""
        x, y = num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1])
        w = num(size[0] or el.get("width"), vp[0], vp[0])
        h = num(size[1] or el.get("height"), vp[1], vp[1])
        if w <= 0 or h <= 0:
            return
        sized = size != (None, None) or (el.get("width") is not None and
                                         el.get("height") is not None)
        if sized and st.get("overflow", "hidden") not in ("visible", "auto"):
            canvas.clipRect(skia.Rect.MakeXYWH(x, y, w, h), doAntiAlias=True)
        canvas.translate(x, y)
        vb = numbers(el.get("viewBox"))
        inner = (w, h)
        if len(vb) == 4 and vb[2] > 0 and vb[3] > 0:
            m, _ = view_box_matrix(vb, w, h, el.get("preserveAspectRatio"))
            canvas.concat(m)
            inner = (vb[2], vb[3])
        self.draw_children(canvas, el, st, inner)

    # ---- bounding boxes -----------------------------------------------------------------
    def bbox(self, el: etree._Element, st: dict[str, str], vp: Viewport,
             depth: int = 0, stroked: bool = False) -> skia.Rect | None:
        """Object bounding box in the element's user space (fill geometry, no stroke):
        the reference box for objectBoundingBox units of clips, masks, filters. `stroked`
        grows shapes by half their stroke width (the extent of a document sized by its
        content)."""
        kind = local_name(el)
        if depth > 32 or kind in NON_RENDERING:
            return None
        if kind in SHAPES:
            path = self.shape(el, kind, vp, st)
            if path is None:
                return None
            box = path.computeTightBounds()
            if stroked and st.get("stroke", "none").strip() != "none":
                half = num(st.get("stroke-width"), 1.0, max(vp)) / 2
                box = box.makeOutset(half, half) if half > 0 else box
            return box
        if kind == "image":
            return skia.Rect.MakeXYWH(num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1]),
                                      num(el.get("width"), 0, vp[0]),
                                      num(el.get("height"), 0, vp[1]))
        if kind == "text":
            return self.text_bbox(el, st, vp)
        if kind == "use":
            target = self.href_target(el)
            if target is None or any(a is target for a in el.iterancestors()):
                return None
            if local_name(target) == "symbol":
                return self.symbol_bbox(el, target, st, vp, depth + 1, stroked)
            inner = self.child_bbox(target, st, vp, depth + 1, stroked)
            if inner is None:
                return None
            return skia.Matrix.Translate(num(el.get("x"), 0, vp[0]),
                                         num(el.get("y"), 0, vp[1])).mapRect(inner)
        if kind == "svg" and el is not self.root:
            return skia.Rect.MakeXYWH(num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1]),
                                      num(el.get("width"), vp[0], vp[0]),
                                      num(el.get("height"), vp[1], vp[1]))
        if kind == "switch":
            chosen = switch_choice(el, self.options.languages)
            children = [chosen] if chosen is not None else []
        else:
            children = list(el)
        box = None
        for child in children:
            box = union(box, self.child_bbox(child, st, vp, depth + 1, stroked))
        return box

    def symbol_bbox(self, use: etree._Element, sym: etree._Element, st: dict[str, str],
                    vp: Viewport, depth: int, stroked: bool) -> skia.Rect | None:
        """The bounding box of a symbol instance in the <use>'s user space (its content
        through the viewBox mapping, as `symbol` draws it)."""
        sst = self.style(sym, st)
        if sst.get("display") == "none":
            return None
        _, m, inner = symbol_frame(use, sym, vp)
        box = None
        for child in sym:
            box = union(box, self.child_bbox(child, sst, inner, depth + 1, stroked))
        return m.mapRect(box) if box is not None else None

    def child_bbox(self, child: etree._Element, parent: dict[str, str], vp: Viewport,
                   depth: int, stroked: bool = False) -> skia.Rect | None:
        cst = self.style(child, parent)
        if cst.get("display") == "none":
            return None
        box = self.bbox(child, cst, vp, depth, stroked)
        if box is None:
            return None
        return element_transform(child, vp).mapRect(box)


def symbol_frame(use: etree._Element, sym: etree._Element,
                 vp: Viewport) -> tuple[skia.Rect, skia.Matrix, Viewport]:
    """Where a symbol instance sits in the <use>'s user space: its viewport (the use's
    x/y/width/height, 100 % by default), the matrix onto the symbol's coordinates (the
    viewBox mapped onto that viewport) and the viewport size its percentages refer to."""
    x, y = num(use.get("x"), 0, vp[0]), num(use.get("y"), 0, vp[1])
    w = num(use.get("width"), vp[0], vp[0])
    h = num(use.get("height"), vp[1], vp[1])
    m = skia.Matrix.Translate(x, y)
    inner = (w, h) if w > 0 and h > 0 else vp
    vb = numbers(sym.get("viewBox"))
    if len(vb) == 4 and vb[2] > 0 and vb[3] > 0 and w > 0 and h > 0:
        m.preConcat(view_box_matrix(vb, w, h, sym.get("preserveAspectRatio"))[0])
        inner = (vb[2], vb[3])
    return skia.Rect.MakeXYWH(x, y, w, h), m, inner


def draw(svg: str | bytes | etree._Element, canvas: skia.Canvas, width: int, height: int,
         allowed_roots: tuple[Path, ...] = (), *, options: RenderOptions | None = None) -> None:
    """Draw an SVG document onto a canvas, fitted to width × height (for callers that
    compose several documents or draw onto their own surface). A tree passed in is
    cascaded on a copy (style sheets become attributes), so the caller's stays as it was."""
    if isinstance(svg, etree._Element):
        root = cascade(copy.deepcopy(svg)) if needs_cascade(svg) else svg
    else:
        root = parse_svg(svg)
    options = options or RenderOptions(allowed_roots=tuple(allowed_roots))
    with render_errors():
        Renderer(root, options).draw_root(canvas, width, height)


# Python frames per level of nesting (draw → draw_effects → draw_layered → draw_element →
# draw_children, and use/mask/filter detours) with room for what runs beneath the deepest.
FRAMES_PER_LEVEL = 12
RECURSION_LIMIT = FRAMES_PER_LEVEL * MAX_DEPTH + 1000
_recursion_lock = threading.Lock()
_recursion_users = 0
_recursion_saved = 0


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Let the recursive traversal reach MAX_DEPTH: Python's default limit (1000 frames)
    ends it near 245 levels. Raised for the process while any render runs (the limit is
    global) and put back by the last one; Python-to-Python calls use no C stack (3.11+),
    so the deeper limit does not risk the thread's stack."""
    global _recursion_users, _recursion_saved
    with _recursion_lock:
        if _recursion_users == 0:
            _recursion_saved = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_recursion_saved, RECURSION_LIMIT))
        _recursion_users += 1
    try:
        yield
    finally:
        with _recursion_lock:
            _recursion_users -= 1
            if _recursion_users == 0:
                sys.setrecursionlimit(_recursion_saved)


@contextmanager
def render_errors() -> Iterator[None]:
    """Turn a stray exception from malformed input into a RenderError, with the recursion
    limit the documented nesting depth needs."""
    try:
        with deep_recursion():
            yield
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
    with render_errors():
        renderer = Renderer(root, options)
        size = renderer.document_size()
    w, h = output_size(size, width, height)
    bg = None
    if background:
        bg = parse_color(background)
        if bg is None:
            raise RenderError(f"background {background!r} is not a colour")
    # Drawn straight into the array handed back: no snapshot and copy of the pixels, and
    # numpy's allocator reuses memory across renders where a fresh skia surface's pages
    # fault in on first write (together ~2 ms of a 1080² render).
    renderer.meter.hold(output_bytes(w, h), f"a {w}x{h} output")
    try:
        pixels = np.zeros((h, w, 4), np.uint8)
    except MemoryError:
        raise RenderError(f"cannot allocate a {w}x{h} surface") from None
    surface = skia.Surface(pixels, colorType=skia.ColorType.kRGBA_8888_ColorType,
                           alphaType=skia.AlphaType.kPremul_AlphaType)
    canvas = surface.getCanvas()
    if bg:
        canvas.clear(skia.Color4f(*bg).toColor())
    with render_errors():
        renderer.draw_root(canvas, w, h, size)
    surface.flushAndSubmit()
    del canvas, surface
    return straight_pixels(pixels)


def all_opaque(pixels: np.ndarray) -> bool:
    """Whether every pixel of an H×W×4 RGBA8 array has alpha 255. Alpha is the high byte
    of each little-endian RGBA word: all opaque exactly when the smallest word is at least
    0xFF000000 (one contiguous SIMD min, 5× the strided one)."""
    if sys.byteorder == "little" and pixels.flags.c_contiguous:
        return int(pixels.view(np.uint32).min()) >= 0xFF000000
    return bool(pixels[..., 3].min() == 255)


def straight_pixels(pixels: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA8 pixels unpremultiplied. Creatives are mostly opaque (a
    backdrop), and opaque pixels are already straight: checking alpha costs a fifth of
    skia's unpremultiplying read, which only translucent images then pay."""
    if all_opaque(pixels):
        return pixels
    image = skia.Image.fromarray(pixels, colorType=skia.ColorType.kRGBA_8888_ColorType,
                                 alphaType=skia.AlphaType.kPremul_AlphaType, copy=False)
    return image.toarray(colorType=skia.ColorType.kRGBA_8888_ColorType,
                         alphaType=skia.AlphaType.kUnpremul_AlphaType)
