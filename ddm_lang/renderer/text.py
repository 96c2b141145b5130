"""The <text> element, laid out as resvg's usvg does and drawn as glyph outlines.

Pipeline (crates/usvg/src/text in resvg): the text tree (tspan, tref, a, textPath) is
flattened into characters with xml:space processing; x/y/dx/dy/rotate lists are resolved per
character; characters are grouped into chunks (a new chunk at every absolute position and
around each textPath) made of spans (runs with one style). Each chunk is shaped as a whole
with HarfBuzz (textshape.py), per span font; glyphs form clusters that get letter and word
spacing, textLength, anchors, baselines and, on a textPath, a position and angle along the
path. Each span becomes one path of glyph outlines filled and stroked like a shape, with its
decorations; the text's bbox (for paint servers, clips, filters) comes from font metrics.

This module builds the tree and drives the steps; textmodel.py holds the tree's types and
textlayout.py the cluster steps (spacing, anchors, baselines, placement, decorations).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, TypedDict

import skia
from lxml import etree

from .document import MAX_IMAGE_NESTING, XML_SPACE, local_name, parse_svg
from .errors import RenderError
from .fonts import WGHT, tag_of
from .shapes import paint_order
from .textlayout import (
    apply_length_adjust,
    apply_letter_spacing,
    apply_word_spacing,
    apply_writing_mode,
    baseline_offset,
    decoration_path,
    decoration_pieces,
    form_cluster,
    metrics_box,
    place_linear,
    place_on_path,
    span_outlines,
)
from .textmodel import (
    Chunk,
    Cluster,
    DrawnSpan,
    Leaf,
    StyledSpan,
    TextTreeNode,
    concat,
    rotate_about,
    translate,
)
from .textpath import ACCURACY, path_length
from .textshape import Glyph, ShapingFace, shape_text
from .units import Viewport, fraction, num, parse_transform, union

if TYPE_CHECKING:
    from .fonts import FontRegistry
    from .raster import Renderer

MAX_TEXT_CHARS = 100_000  # characters one <text> lays out (input is untrusted)
MAX_TEXT_DEPTH = 32
STRETCH = {"ultra-condensed": 1, "extra-condensed": 2, "condensed": 3, "narrower": 3,
           "semi-condensed": 4, "normal": 5, "semi-expanded": 6, "expanded": 7, "wider": 7,
           "extra-expanded": 8, "ultra-expanded": 9}
WDTH = {1: 50.0, 2: 62.5, 3: 75.0, 4: 87.5, 6: 112.5, 7: 125.0, 8: 150.0, 9: 200.0}
WEIGHT_KEYWORDS = {"normal": 400, "bold": 700}


class _ChunkState(TypedDict):
    """Where collect_chunks is in the text: characters passed, whether the next one starts
    a chunk, and the textPath it flows along."""

    count: int
    split: bool
    flow: tuple[skia.Path, float] | None


class TextMixin:
    """The <text> element for the renderer."""

    # Renderer's (raster.py)
    fonts: FontRegistry
    nesting: int

    if TYPE_CHECKING:  # provided by Renderer (raster.py) and the other mixins
        def document_size(self) -> tuple[float, float] | None: ...
        def sub_document(self, root: etree._Element) -> Renderer: ...
        def initial_style(self) -> dict[str, str]: ...
        def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]: ...
        def href_target(self, el: etree._Element) -> etree._Element | None: ...
        def shape(self, el: etree._Element, kind: str, vp: Viewport,
                  st: dict[str, str] | None = None) -> skia.Path | None: ...
        def paint(self, spec: str | None, opacity: float, bounds: skia.Rect | None,
                  st: dict[str, str], vp: Viewport, canvas: skia.Canvas | None = None
                  ) -> skia.Paint | None: ...
        def stroke_paint(self, st: dict[str, str], bounds: skia.Rect | None,
                         vp: Viewport, canvas: skia.Canvas | None = None
                         ) -> skia.Paint | None: ...

    def text(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
             vp: Viewport) -> None:
        spans, box = self.layout_text(el, st, vp, self.text_scale(canvas, el))
        if not spans or box is None:
            return
        crisp = st.get("text-rendering", "").strip() == "optimizeSpeed"
        for span in spans:
            if not span.visible:
                continue
            for kind in ("overline", "underline"):
                if kind in span.decorations:
                    path, owner = span.decorations[kind]
                    self.paint_text_path(canvas, path, owner.st, box, vp, crisp)
            if not span.glyphs.isEmpty():
                self.paint_text_path(canvas, span.glyphs, span.node.st, box, vp, crisp)
            for face, gid, matrix in span.color:
                self.draw_color_glyph(canvas, face, gid, matrix, crisp)
            if "line-through" in span.decorations:
                path, owner = span.decorations["line-through"]
                self.paint_text_path(canvas, path, owner.st, box, vp, crisp)

    def text_scale(self, canvas: skia.Canvas, el: etree._Element) -> float:
        """How much the text is magnified in the document's own coordinates (resvg's
        abs_transform: the canvas transform without the fit to the output size). Only
        text on a path depends on it, so it is computed only for that."""
        if not any(local_name(e) == "textPath" for e in el.iter()):
            return 1.0
        m = canvas.getTotalMatrix()
        scale = math.sqrt(math.hypot(m.getScaleX(), m.getSkewY()) *
                          math.hypot(m.getSkewX(), m.getScaleY()))
        fit = getattr(self, "_text_fit", None)
        if fit is None:
            size = self.document_size()
            device = canvas.getBaseLayerSize()
            fit = 1.0
            if size is not None and size[0] > 0 and size[1] > 0:
                fit = math.sqrt(device.width() / size[0] * device.height() / size[1]) or 1.0
            self._text_fit = fit
        return scale / fit

    def paint_text_path(self, canvas: skia.Canvas, path: skia.Path, st: dict[str, str],
                        box: skia.Rect, vp: Viewport, crisp: bool) -> None:
        """Fill (always nonzero: fill-rule does not apply to text) and stroke one path of
        text, in paint-order, with paint servers sized by the whole text's bbox;
        text-rendering (not shape-rendering) decides antialiasing, as in resvg."""
        path.setFillType(skia.PathFillType.kWinding)
        for part in paint_order(st.get("paint-order")):
            if part == "fill":
                paint = self.paint(st.get("fill", "black"),
                                   fraction(st.get("fill-opacity"), 1.0), box, st, vp, canvas)
            elif part == "stroke":
                paint = self.stroke_paint(st, box, vp, canvas)
            else:
                continue
            if paint is not None:
                paint.setAntiAlias(not crisp)
                canvas.drawPath(path, paint)

    def draw_color_glyph(self, canvas: skia.Canvas, face: ShapingFace, gid: int,
                         matrix: skia.Matrix, crisp: bool) -> None:
        """A colour glyph (emoji) at its place: COLR and CBDT glyphs drawn by skia, SVG
        glyphs by this renderer (their document is in font units, y down), sbix bitmaps
        placed as resvg places them. They paint their own colours; the foreground is
        black, as in resvg."""
        kind = face.color_kind(gid)
        canvas.save()
        canvas.concat(matrix)
        try:
            if kind == "svg":
                self.draw_svg_glyph(canvas, face, gid)
            elif kind == "sbix":
                image, ox, oy, ppem, x_min, y_min = face.sbix(gid)  # type: ignore[misc]
                shift_y = 0.128 * face.upem if abs(y_min) < 1e-6 else -y_min
                canvas.translate(-x_min, shift_y)
                canvas.scale(face.upem / ppem, face.upem / ppem)
                canvas.translate(ox, -image.height() - oy)
                canvas.drawImage(image, 0, 0, skia.SamplingOptions(skia.FilterMode.kLinear))
            else:
                blob = face.color_blob(gid)
                if blob is not None:
                    canvas.drawTextBlob(blob, 0, 0, skia.Paint(AntiAlias=not crisp))
        finally:
            canvas.restore()

    def draw_svg_glyph(self, canvas: skia.Canvas, face: ShapingFace, gid: int) -> None:
        """An OT-SVG glyph: the element `glyph<id>` of the font's SVG document (the whole
        document when that is the root), drawn without the root's viewport clip."""
        if self.nesting >= MAX_IMAGE_NESTING:
            return
        root = face.svg_roots.get(gid)
        if root is None:
            data = face.svg_document(gid)
            if data is None:
                return
            try:
                root = face.svg_roots[gid] = parse_svg(data)
            except RenderError:
                return  # a broken glyph document draws nothing, the text still does
        target = next((e for e in root.iter() if e.get("id") == f"glyph{gid}"), root)
        sub = self.sub_document(root)
        chain = [target, *target.iterancestors()][::-1]
        st = self.initial_style()
        for el in chain[:-1]:
            st = sub.style(el, st)
        vp = (float(face.upem), float(face.upem))
        if target is root:
            sub.draw_children(canvas, root, sub.style(root, st), vp)
        else:
            sub.draw(canvas, target, st, vp)

    def text_bbox(self, el: etree._Element, st: dict[str, str],
                  vp: Viewport) -> skia.Rect | None:
        """The text's object bounding box from font metrics (as resvg computes it)."""
        return self.layout_text(el, st, vp)[1]

    def text_outline(self, el: etree._Element, st: dict[str, str],
                     vp: Viewport) -> skia.Path:
        """The text as one path (glyphs and decorations of visible spans), for clipping."""
        out = skia.Path()
        for span in self.layout_text(el, st, vp)[0]:
            if span.visible:
                out.addPath(span.glyphs)
                for path, _ in span.decorations.values():
                    out.addPath(path)
        return out

    # ---- layout ---------------------------------------------------------------------
    def layout_text(self, el: etree._Element, st: dict[str, str], vp: Viewport,
                    scale: float = 1.0) -> tuple[list[DrawnSpan], skia.Rect | None]:
        """Lay out a <text>: the spans it paints and its metrics bbox. `scale` is the
        text's scale on the canvas: text on a path is measured finer when magnified."""
        root = self.text_tree(el, st)
        leaves = list(_leaves(root))
        _trim_whitespace(leaves, root.preserve)
        total = sum(len(leaf.text) for leaf, _ in leaves)
        if total == 0:
            return [], None
        positions = self.position_lists(root, total, vp)
        rotate = _rotate_list(root, total)
        chunks = self.collect_chunks(root, positions, vp)
        writing = _writing_mode(el, st)
        accuracy = ACCURACY / max(1.0, scale if math.isfinite(scale) else 1.0)
        return self.layout_chunks(chunks, positions, rotate, writing, accuracy)

    def text_tree(self, el: etree._Element, st: dict[str, str]) -> TextTreeNode:
        """The text subtree: tspan/a/tref/textPath elements and their text nodes."""
        own = _declared(el)
        root = TextTreeNode(el, "text", st, own, None, preserve=_preserves(el))
        budget = [MAX_TEXT_CHARS]

        def add_text(node: TextTreeNode, text: str | None) -> None:
            if text and budget[0] > 0:
                text = text[:budget[0]]
                budget[0] -= len(text)
                node.children.append(Leaf(_collapse(text, node.preserve), node.preserve))

        def walk(node: TextTreeNode, depth: int) -> None:
            add_text(node, node.el.text)
            for child in node.el:
                kind = local_name(child)
                if kind == "a":
                    kind = "tspan"
                ok = kind in ("tspan", "tref") or (kind == "textPath" and node.kind == "text")
                if ok and depth < MAX_TEXT_DEPTH:
                    cst = self.style(child, node.st)
                    space = child.get(XML_SPACE)
                    preserve = node.preserve if space is None else space == "preserve"
                    sub = TextTreeNode(child, kind, cst, _declared(child), node,
                               preserve=preserve)
                    node.children.append(sub)
                    if kind == "tref":
                        add_text(sub, self.tref_text(child))
                    else:
                        walk(sub, depth + 1)
                add_text(node, child.tail)

        walk(root, 0)
        return root

    def tref_text(self, el: etree._Element) -> str | None:
        """All character data inside the element a <tref> references."""
        target = self.href_target(el)
        if target is None or not local_name(target):
            return None
        return "".join(t for t in target.itertext()
                       if isinstance(t, str))[:MAX_TEXT_CHARS] or None

    def position_lists(self, root: TextTreeNode, total: int,
                       vp: Viewport) -> list[list[float | None]]:
        """x, y, dx, dy per character: each text/tspan assigns its lists to its own
        characters, descendants overriding (usvg's resolve_positions_list)."""
        lists: list[list[float | None]] = [[None] * total for _ in range(4)]
        for node, offset in _elements(root):
            if node.kind not in ("text", "tspan", "tref"):
                continue
            count = _count(node)
            em = _size(node.st)
            for k, (name, ref) in enumerate((("x", vp[0]), ("y", vp[1]), ("dx", vp[0]),
                                             ("dy", vp[1]))):
                values = node.el.get(name)
                if values is None:
                    continue
                parts = [p for p in re.split(r"[\s,]+", values.strip()) if p]
                for i, part in enumerate(parts[:count]):
                    lists[k][offset + i] = num(part, 0.0, ref, em)
        return lists

    def collect_chunks(self, root: TextTreeNode, positions: list[list[float | None]],
                       vp: Viewport) -> list[Chunk]:
        """Group characters into chunks and spans (usvg's collect_text_chunks)."""
        xs, ys = positions[0], positions[1]
        chunks: list[Chunk] = []
        state: _ChunkState = {"count": 0, "split": False, "flow": None}
        fonts: dict[int, tuple | None] = {}

        def walk(parent: TextTreeNode) -> None:
            for child in parent.children:
                if isinstance(child, TextTreeNode):
                    if child.kind == "textPath":
                        flow = self.text_flow(child, vp)
                        if flow is None:
                            state["count"] += _count(child)
                            continue
                        state["flow"] = flow
                        state["split"] = True
                    walk(child)
                    state["flow"] = None
                    if child.kind == "textPath":
                        state["split"] = True
                    continue
                text = child.text
                if not text:
                    continue
                if parent.st.get("display") == "none" or parent.own.get("display") == "none":
                    state["count"] += len(text)
                    continue
                key = id(parent)
                if key not in fonts:
                    fonts[key] = self.span_style(parent, vp)
                span_style = fonts[key]
                if span_style is None:
                    state["count"] += len(text)
                    continue
                new_span = True
                for ch in text:
                    i = state["count"]
                    if xs[i] is not None or ys[i] is not None or state["split"] or not chunks:
                        anchor = parent.st.get("text-anchor", "start").strip()
                        chunks.append(Chunk(xs[i], ys[i], anchor if anchor in (
                            "start", "middle", "end") else "start", [], state["flow"]))
                        new_span = True
                    state["split"] = False
                    chunk = chunks[-1]
                    if new_span:
                        pos = len(chunk.chars)
                        chunk.spans.append(StyledSpan(pos, pos + 1, parent, *span_style))
                    else:
                        chunk.spans[-1].end += 1
                    chunk.chars.append(ch)
                    new_span = False
                    state["count"] += 1

        walk(root)
        for chunk in chunks:
            chunk.text = "".join(chunk.chars)
        return chunks

    def text_flow(self, node: TextTreeNode, vp: Viewport) -> tuple[skia.Path, float] | None:
        """A textPath's path (with the referenced element's transform) and start offset."""
        target = self.href_target(node.el)
        if target is None:
            return None
        path = self.shape(target, local_name(target), vp, self.style(target, node.st))
        if path is None or path.countPoints() == 0:
            return None
        path = skia.Path(path)
        path.transform(parse_transform(target.get("transform")))
        text = (node.el.get("startOffset") or "0").strip()
        if text.endswith("%"):
            offset = path_length(path) * num(text[:-1], 0.0) / 100.0
        else:
            offset = num(text, 0.0, vp[0], _size(node.st))
        return path, offset

    def span_style(self, node: TextTreeNode, vp: Viewport) -> tuple | None:
        """The font and text properties of the characters directly inside `node` (the
        fields of StyledSpan after start/end/node), or None when its font size is zero."""
        st = node.st
        size = _size(st)
        if size <= 0:
            return None
        weight = _weight(node)
        italic = st.get("font-style", "normal").split()[:1] in (["italic"], ["oblique"])
        stretch = STRETCH.get(_find(node, "font-stretch") or "normal", 5)
        variations = list(_variation_settings(_find(node, "font-variation-settings")))
        tags = {t for t, _ in variations}
        if WGHT not in tags:
            variations.append((WGHT, float(weight)))
        if stretch != 5 and tag_of("wdth") not in tags:
            variations.append((tag_of("wdth"), WDTH[stretch]))
        oblique = st.get("font-style", "normal").startswith("oblique")
        if italic and not oblique and tag_of("ital") not in tags:
            variations.append((tag_of("ital"), 1.0))
        if oblique and tag_of("slnt") not in tags:
            variations.append((tag_of("slnt"), -12.0))
        family = st.get("font-family", "") or ""
        face_file = self.fonts.select(family, weight, italic, stretch)
        optical = (_find(node, "font-optical-sizing") or "auto") != "none"
        face = self.fonts.instance(face_file, None, size if optical else None,
                                   tuple(variations))
        features: dict[str, bool] = {}
        if (_find(node, "font-variant") or "").strip() == "small-caps":
            features["smcp"] = True
        kerning = _find(node, "kerning")
        if (kerning is not None and re.fullmatch(r"\s*[-+]?0*\.?0*(px)?\s*", kerning) and
                re.search(r"\d", kerning)) or \
                (_find(node, "font-kerning") or "").strip() == "none":
            features["kern"] = False
        decoration = _decorations(node)
        visible = st.get("visibility", "visible") == "visible"
        dominant = _self_or_parent(node.el, "dominant-baseline")
        if dominant == "no-change":  # the parent's value
            parent = node.el.getparent()
            dominant = _self_or_parent(parent, "dominant-baseline") if parent is not None \
                else "auto"
        alignment = _self_or_parent(node.el, "alignment-baseline")
        shifts = _baseline_shifts(node)
        ls = _find(node, "letter-spacing")
        letter = 0.0 if ls in (None, "normal") else num(ls, 0.0, vp[0], size)
        ws = _find(node, "word-spacing")
        word = 0.0 if ws in (None, "normal") else num(ws, 0.0, vp[0], size)
        length_text = node.el.get("textLength")
        text_length = None
        if length_text is not None:
            value = num(length_text, -1.0, vp[0], size)
            text_length = value if value >= 0 else None
        adjust = (node.el.get("lengthAdjust") or "spacing").strip() == "spacingAndGlyphs"
        return (face, size, tuple(variations), features, decoration, visible,
                dominant, alignment, shifts, letter, word, text_length, adjust)

    def layout_chunks(self, chunks: list[Chunk], positions: list[list[float | None]],
                      rotate: list[float], vertical: bool, accuracy: float = ACCURACY,
                      ) -> tuple[list[DrawnSpan], skia.Rect | None]:
        """Shape and place each chunk (usvg's layout_text)."""
        dx, dy = positions[2], positions[3]
        drawn: list[DrawnSpan] = []
        box: skia.Rect | None = None
        offset = 0
        last_x = last_y = 0.0
        for chunk in chunks:
            if chunk.path is None:
                x = chunk.x if chunk.x is not None else last_x
                y = chunk.y if chunk.y is not None else last_y
            else:
                x = y = 0.0
            clusters = self.shape_chunk(chunk)
            if not clusters:
                offset += len(chunk.text)
                continue
            # the clusters (positions in visual order) of each span
            members: list[list[int]] = [[] for _ in chunk.spans]
            for pos, c in enumerate(clusters):
                members[chunk.owner[c.idx]].append(pos)
            if vertical:
                apply_writing_mode(clusters)
            apply_letter_spacing(chunk, clusters)
            apply_word_spacing(chunk, clusters)
            apply_length_adjust(chunk, clusters, members)
            if chunk.path is None:
                end = place_linear(chunk, clusters, offset, dx, dy, rotate, vertical)
            else:
                end = place_on_path(chunk, clusters, offset, dx, dy, rotate, vertical,
                                     accuracy)
            text_ts = skia.Matrix()
            if vertical and chunk.path is None:
                text_ts = rotate_about(90, x, y)
            chunk_box = metrics_box(clusters)
            for span, indices in zip(chunk.spans, members, strict=True):
                span_ts = concat(text_ts, translate(x, y))
                if chunk.path is None:
                    span_ts = concat(span_ts, translate(0, baseline_offset(span, vertical)))
                decorations: dict[str, tuple[skia.Path, TextTreeNode]] = {}
                pieces = decoration_pieces(clusters, indices)
                face, size = span.face, span.size
                for kind, owner in span.decoration.items():
                    if not pieces:
                        break
                    if kind == "underline":
                        at = face.height_half(size) if vertical else \
                            -face.underline * face.scale(size)
                    elif kind == "overline":
                        at = -face.height_half(size) if vertical else \
                            -face.ascent * face.scale(size)
                    else:
                        at = 0.0 if vertical else -face.line_through * face.scale(size)
                    path = decoration_path(at, face.underline_thickness * face.scale(size),
                                            pieces, span_ts)
                    if path is not None:
                        decorations[kind] = (path, owner)
                        box = union(box, path.computeTightBounds())
                if chunk_box is None or not indices:
                    continue
                glyphs, color = span_outlines(clusters, indices, span_ts)
                box = union(box, span_ts.mapRect(chunk_box))
                drawn.append(DrawnSpan(span.node, span.visible, glyphs, decorations, color))
            offset += len(chunk.text)
            ex, ey = end
            if vertical and chunk.path is None:
                ex, ey = ey, ex
            last_x, last_y = x + ex, y + ey
        if box is not None and (box.width() <= 0 and box.height() <= 0):
            box = None
        return drawn, box

    def shape_chunk(self, chunk: Chunk) -> list[Cluster]:
        """Shape the whole chunk once per distinct span font (shaping needs the context of
        the neighbours), each span taking the clusters of its own characters from its
        font's shaping (usvg's process_chunk); glyphs grouped into clusters."""
        chunk.owner = [0] * len(chunk.text)
        for i, span in enumerate(chunk.spans):
            chunk.owner[span.start:span.end] = [i] * (span.end - span.start)
        shaped: dict[tuple, dict[int, list[Glyph]]] = {}

        def key_of(span: StyledSpan) -> tuple:
            return (id(span.face), tuple(sorted(span.features.items())), span.size,
                    span.variations)

        def shape(span: StyledSpan) -> list[list[Glyph]]:
            def fallback(ch: str, used: list[ShapingFace]) -> ShapingFace | None:
                return self.fonts.fallback_face(ch, used, None, span.size, span.variations)

            return _groups(shape_text(chunk.text, span.face, fallback, span.features))

        first = chunk.spans[0]
        base_key = key_of(first)
        clusters: list[Cluster] = []
        skip_below = -1  # characters already covered by a ligature of another font
        for group in shape(first):
            idx = group[0].cluster
            if idx < skip_below:
                continue
            span = chunk.spans[chunk.owner[idx]]
            key = key_of(span)
            if key == base_key:
                clusters.append(form_cluster(group, chunk.text, span.size))
                continue
            if key not in shaped:
                shaped[key] = {g[0].cluster: g for g in shape(span)}
            alt = shaped[key]
            own = alt.get(idx, group)
            clusters.append(form_cluster(own, chunk.text, span.size))
            base_len, own_len = _covers(group), _covers(own)
            if own_len > base_len:  # the span's font joins what the base font split
                skip_below = idx + own_len
            else:  # the span's font splits what the base font joined (a ligature)
                for k in range(idx + max(1, own_len), idx + base_len):
                    if k in alt:
                        clusters.append(form_cluster(alt[k], chunk.text, span.size))
        return clusters


def _covers(group: list[Glyph]) -> int:
    """How many characters a cluster's glyphs stand for."""
    return max(1, max(g.cluster_len for g in group))


def _groups(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Consecutive glyphs of one cluster together (in visual order)."""
    out: list[list[Glyph]] = []
    for g in glyphs:
        if out and out[-1][0].cluster == g.cluster:
            out[-1].append(g)
        else:
            out.append([g])
    return out


# ---- tree helpers --------------------------------------------------------------------
def _declared(el: etree._Element) -> dict[str, str]:
    """The properties an element declares (style sheets and `style` attributes were
    cascaded into attributes at parse time), `inherit` resolved to the nearest ancestor
    that declares the property."""
    own: dict[str, str] = {}
    for key, value in el.attrib.items():
        if not isinstance(key, str) or key.startswith("{"):
            continue
        value = value.strip()
        if value == "inherit":
            source = next((a.get(key) for a in el.iterancestors()
                           if a.get(key) not in (None, "inherit")), None)
            if source is None:
                continue
            value = source.strip()
        own[key] = value
    return own


def _self_or_parent(el: etree._Element, name: str) -> str:
    """A property that does not inherit but that resvg reads from the element or, when
    it has none, from its direct parent (dominant-baseline, alignment-baseline)."""
    value = _declared(el).get(name)
    parent = el.getparent()
    if value is None and parent is not None:
        value = _declared(parent).get(name)
    return (value or "auto").strip()


def _preserves(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        value = node.get(XML_SPACE)
        if value is not None:
            return value == "preserve"
        node = node.getparent()
    return False


def _collapse(text: str, preserve: bool) -> str:
    """Tabs and newlines become spaces; runs of spaces collapse unless preserved."""
    text = re.sub(r"[\t\n\r]", " ", text)
    return text if preserve else re.sub(r" {2,}", " ", text)


def _leaves(node: TextTreeNode, depth: int = 0):
    for child in node.children:
        if isinstance(child, Leaf):
            yield child, depth
        else:
            yield from _leaves(child, depth + 1)


def _trim_whitespace(leaves: list[tuple[Leaf, int]], preserve: bool) -> None:
    """Space trimming across text nodes, as usvg does (mimicking Chrome): the first
    leading and the last trailing space go, and a space doubled across two nodes once."""
    if len(leaves) == 1:
        leaf = leaves[0][0]
        if not leaf.preserve:
            if leaf.text == " ":
                leaf.text = ""
            else:
                if leaf.text.startswith(" "):
                    leaf.text = leaf.text[1:]
                if leaf.text.endswith(" "):
                    leaf.text = leaf.text[:-1]
        return
    last_non_empty: Leaf | None = None
    n = len(leaves) - 1
    for i in range(n):
        node1, depth1 = leaves[i]
        node2, depth2 = leaves[i + 1]
        if not node1.text and last_non_empty is not None:
            node1 = last_non_empty
        t1, t2 = node1.text, node2.text
        c1, c2 = t1[:1], t1[-1:]
        c3, c4 = t2[:1], t2[-1:]
        if depth1 < depth2:
            if c3 == " " and not node2.preserve:
                node2.text = node2.text[1:]
        elif c2 == " " and c3 == " ":
            if not node1.preserve and not node2.preserve:
                node1.text = node1.text[:-1]
            elif node1.preserve and not node2.preserve:
                node2.text = node2.text[1:]
        if i == 0 and c1 == " " and not node1.preserve and node1.text:
            node1.text = node1.text[1:]
        elif i == n - 1 and c4 == " " and node2.text and not node2.preserve:
            node2.text = node2.text[:-1]
        if i == n - 1 and c2 == " " and node1.text and not node2.text and \
                node1.text.endswith(" "):
            node1.text = node1.text[:-1]
        if node1.text.strip():
            last_non_empty = node1


def _count(node: TextTreeNode) -> int:
    return sum(len(leaf.text) for leaf, _ in _leaves(node))


def _size(st: dict[str, str]) -> float:
    return num(st.get("font-size"), 16.0)


def _find(node: TextTreeNode, name: str) -> str | None:
    """An inherited text property: the nearest declaration up the tree, then the
    computed style (declarations outside the <text>)."""
    for n in node.ancestors():
        if name in n.own:
            return n.own[name]
    return node.st.get(name)


def _weight(node: TextTreeNode) -> int:
    """font-weight with bolder/lighter relative to the parent's weight, from the root of the
    document down (usvg's rules: bolder from 400 is 700, lighter from 400 is 200)."""
    chain = list(node.ancestors())[::-1]
    outside = list(chain[0].el.iterancestors())[::-1]
    weight = 400
    for el in outside:
        value = el.get("font-weight")
        if value is not None:
            weight = _weight_value(value, weight)
    for n in chain:
        value = n.own.get("font-weight")
        if value is not None:
            weight = _weight_value(value, weight)
    return weight


def _weight_value(text: str, parent: int) -> int:
    text = text.strip()
    if text in WEIGHT_KEYWORDS:
        return WEIGHT_KEYWORDS[text]
    if text == "bolder":
        return max(100, min(900, parent + (300 if parent == 400 else 100)))
    if text == "lighter":
        return max(100, min(900, parent - (200 if parent == 400 else 100)))
    if text in ("100", "200", "300", "400", "500", "600", "700", "800", "900"):
        return int(text)
    return parent


def _variation_settings(text: str | None) -> list[tuple[int, float]]:
    """font-variation-settings: `"wght" 700, "wdth" 50` → [(tag, value)]."""
    out: list[tuple[int, float]] = []
    if not text or text.strip().lower() == "normal":
        return out
    for part in text.split(",")[:16]:
        m = re.fullmatch(r"\s*(['\"])(.{4})\1\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*",
                         part)
        if m and math.isfinite(float(m.group(3))):
            out.append((tag_of(m.group(2)), float(m.group(3))))
    return out


def _declares(el: etree._Element, name: str, word: str) -> bool:
    """Whether an element outside the text tree declares `word` in a property, as an
    attribute or in its style attribute."""
    values = [el.get(name) or ""]
    for decl in (el.get("style") or "").split(";"):
        key, _, value = decl.partition(":")
        if key.strip().lower() == name:
            values.append(value)
    return any(word in v.split() for v in values)


def _decorations(node: TextTreeNode) -> dict[str, TextTreeNode]:
    """text-decoration lines that apply to the node's characters (declared on it or on any
    ancestor, even outside the <text>), each with the element whose fill and stroke paint
    it: the nearest declaring element inside the text, else the <text> (as usvg does)."""
    found: dict[str, TextTreeNode] = {}
    chain = list(node.ancestors())
    outside = list(chain[-1].el.iterancestors())
    for kind in ("underline", "overline", "line-through"):
        owner = next((n for n in chain if kind in (n.own.get("text-decoration") or "").split()),
                     None)
        if owner is None and any(_declares(a, "text-decoration", kind) for a in outside):
            owner = chain[-1]
        if owner is not None:
            found[kind] = owner
    return found


def _baseline_shifts(node: TextTreeNode) -> list[str | float]:
    """baseline-shift of the node and its ancestors inside the <text>, innermost first."""
    shifts: list[str | float] = []
    for n in node.ancestors():
        if n.kind == "text":
            break
        value = n.own.get("baseline-shift")
        if value is None:
            continue
        value = value.strip()
        size = _size(n.st)
        if value in ("sub", "super", "baseline"):
            shifts.append(value)
        elif value.endswith("%"):
            shifts.append(size * num(value[:-1], 0.0) / 100.0)
        elif re.match(r"[-+]?(\d|\.\d)", value):
            shifts.append(num(value, 0.0, 0.0, size))
        else:
            shifts.append("baseline")
    if all(s == "baseline" for s in shifts):
        return []
    return shifts


def _rotate_list(root: TextTreeNode, total: int) -> list[float]:
    """rotate per character: each element's list for its characters, the last value
    repeating (SVG 1.1 rotate rules, as usvg resolves them)."""
    out = [0.0] * total
    for node, offset in _elements(root):
        values = node.el.get("rotate")
        if values is None:
            continue
        angles = _number_list(values)
        last = 0.0
        for i in range(_count(node)):
            if i < len(angles):
                last = angles[i]
            if offset + i < total:
                out[offset + i] = last
    return out


def _elements(root: TextTreeNode) -> Iterator[tuple[TextTreeNode, int]]:
    """Every element of a text tree in document order, with the index of its first
    character: where its per-character attribute lists start."""
    offset = 0

    def walk(node: TextTreeNode) -> Iterator[tuple[TextTreeNode, int]]:
        nonlocal offset
        yield node, offset
        for child in node.children:
            if isinstance(child, Leaf):
                offset += len(child.text)
            else:
                yield from walk(child)

    yield from walk(root)


def _number_list(text: str) -> list[float]:
    """A list of plain numbers (`rotate`); anything else invalidates the whole list."""
    out = []
    for part in (p for p in re.split(r"[\s,]+", text.strip()) if p):
        m = re.fullmatch(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", part)
        if m is None or not math.isfinite(float(part)):
            return []
        out.append(float(part))
    return out


def _writing_mode(el: etree._Element, st: dict[str, str]) -> bool:
    """Whether the text is vertical (tb, tb-rl, vertical-rl, vertical-lr)."""
    node: etree._Element | None = el
    value = st.get("writing-mode")
    while value is None and node is not None:
        value = node.get("writing-mode")
        node = node.getparent()
    return (value or "").strip() in ("tb", "tb-rl", "vertical-rl", "vertical-lr")
