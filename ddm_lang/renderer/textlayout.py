"""Cluster layout: glyph clusters from shaped glyphs, spacing, textLength, anchors,
baselines, placement on a line or a path, decorations and outlines (usvg's text layout)."""

from __future__ import annotations

import math
import unicodedata

import skia

from .textmodel import Chunk, Cluster, StyledSpan, concat, rotate_about, translate
from .textpath import ACCURACY, path_normals
from .textshape import Glyph, ShapingFace

# scripts whose letters join, so letter-spacing would break them apart (css-text-3)
NO_LETTER_SPACING = ("ARABIC", "SYRIAC", "NKO", "MANICHAEAN", "PSALTER PAHLAVI", "MANDAIC",
                     "MONGOLIAN", "PHAGS-PA", "DEVANAGARI", "BENGALI", "GURMUKHI", "MODI",
                     "SHARADA", "SYLOTI NAGRI", "TIRHUTA", "OGHAM")
WORD_SEPARATORS = frozenset("\u0020\u00a0\u1361\U00010100\U00010101\U0001039f\U0001091f")


# ---- cluster layout -----------------------------------------------------------------
def form_cluster(glyphs: list[Glyph], text: str, size: float) -> Cluster:
    """A cluster from its glyphs: each glyph scaled from font units and offset within the
    cluster (marks above a base, zalgo); advance is the sum, width the widest glyph."""
    x = 0.0
    width = advance = 0.0
    placed: list[tuple[ShapingFace, int, skia.Matrix]] = []
    for g in glyphs:
        sx = g.face.scale(size)
        ts = skia.Matrix.MakeAll(sx, 0, sx * (x + g.dx), 0, sx, -sx * g.dy, 0, 0, 1)
        placed.append((g.face, g.gid, ts))
        x += g.advance
        w = g.advance * sx
        advance += w
        width = max(width, w)
    face = glyphs[0].face
    sx = face.scale(size)
    return Cluster(glyphs[0].cluster, text[glyphs[0].cluster], width, advance,
                   face.ascent * sx, face.descent * sx, placed)


def span_at(chunk: Chunk, idx: int) -> StyledSpan | None:
    return chunk.spans[chunk.owner[idx]] if 0 <= idx < len(chunk.owner) else None


def apply_writing_mode(clusters: list[Cluster]) -> None:
    """Upright characters (CJK) turn back upright in vertical text; others stay rotated
    with the line, centred on it (usvg's apply_writing_mode)."""
    for c in clusters:
        if unicodedata.east_asian_width(c.char) in ("W", "F"):
            ts = translate(0, (c.ascent + c.descent) / 2)
            ts = concat(ts, rotate_about(-90, c.width / 2, -(c.ascent + c.descent) / 2))
            c.path_transform = ts
            c.ascent, c.descent = c.width / 2, -c.width / 2
        else:
            c.transform = concat(c.transform, translate(0, (c.ascent + c.descent) / 2))


def letter_spacing_applies(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return not any(name.startswith(script) for script in NO_LETTER_SPACING)


def apply_letter_spacing(chunk: Chunk, clusters: list[Cluster]) -> None:
    if not any(s.letter_spacing for s in chunk.spans):
        return
    last = len(clusters) - 1
    for i, c in enumerate(clusters):
        if not letter_spacing_applies(c.char):
            continue
        span = span_at(chunk, c.idx)
        if span is None:
            continue
        if i != last:
            c.advance += span.letter_spacing
        if not c.advance > 0:
            c.width = c.advance = 0.0
            c.glyphs = []


def apply_word_spacing(chunk: Chunk, clusters: list[Cluster]) -> None:
    if not any(s.word_spacing for s in chunk.spans):
        return
    for c in clusters:
        if c.char in WORD_SEPARATORS:
            span = span_at(chunk, c.idx)
            if span is not None:
                c.advance += span.word_spacing


def apply_length_adjust(chunk: Chunk, clusters: list[Cluster],
                         members: list[list[int]]) -> None:
    """textLength: spread the spacing, or scale the glyphs, to the requested length."""
    horizontal = chunk.path is None
    for span, chosen in zip(chunk.spans, members, strict=True):
        if span.text_length is None:
            continue
        if not chosen:
            continue
        width = sum(clusters[i].width for i in chosen)
        if not span.spacing_and_glyphs:
            factor = (span.text_length - width) / (len(chosen) - 1) if len(chosen) > 1 else 0
            for i in chosen:
                clusters[i].advance = clusters[i].width + factor
        else:
            factor = span.text_length / width if width else 0.0
            if factor < 0.001:
                continue
            for i in chosen:
                c = clusters[i]
                c.transform = concat(c.transform, skia.Matrix.Scale(factor, 1))
                if not horizontal:
                    c.advance *= factor
                    c.width *= factor


def anchor_shift(anchor: str, width: float) -> float:
    return -width / 2 if anchor == "middle" else -width if anchor == "end" else 0.0


def place_linear(chunk: Chunk, clusters: list[Cluster], offset: int, dx: list, dy: list,
                  rotate: list[float], vertical: bool) -> tuple[float, float]:
    x = anchor_shift(chunk.anchor, sum(c.advance for c in clusters))
    y = 0.0
    for c in clusters:
        cp = offset + c.idx
        if cp < len(dx):
            ddx, ddy = dx[cp] or 0.0, dy[cp] or 0.0
            if vertical:
                y -= ddx
                x += ddy
            else:
                x += ddx
                y += ddy
            c.relative_shift = ddx != 0 or ddy != 0
        c.transform = concat(c.transform, translate(x, y))
        angle = rotate[cp] if cp < len(rotate) else 0.0
        if angle:
            c.transform = concat(c.transform, rotate_about(angle))
            c.relative_shift = True
        x += c.advance
    return x, y


def baseline_offset(span: StyledSpan, vertical: bool) -> float:
    """The vertical shift of a span's baseline: baseline-shift, then the alignment or
    dominant baseline (resvg's hardcoded, Chrome-like values)."""
    face, size = span.face, span.size
    sx = face.scale(size)
    shift = 0.0
    for s in reversed(span.shifts):
        if s == "sub":
            shift -= face.subscript * sx
        elif s == "super":
            shift += face.superscript * sx
        elif isinstance(s, float):
            shift += s
    total = -shift
    if not vertical:
        name = span.alignment
        if name in ("auto", "baseline"):
            name = {"use-script": "auto", "no-change": "auto", "reset-size": "auto"}.get(
                span.dominant, span.dominant)
        total += alignment_shift(face, name, sx)
    return total


def alignment_shift(face: ShapingFace, name: str, sx: float) -> float:
    ascent, descent = face.ascent * sx, face.descent * sx
    return {"before-edge": ascent, "text-before-edge": ascent,
            "middle": face.x_height * sx * 0.5,
            "central": ascent - (ascent - descent) * 0.5,
            "after-edge": descent, "text-after-edge": descent, "ideographic": descent,
            "hanging": ascent * 0.8, "mathematical": ascent * 0.5}.get(name, 0.0)


def place_on_path(chunk: Chunk, clusters: list[Cluster], offset: int, dx: list, dy: list,
                   rotate: list[float], vertical: bool,
                   accuracy: float = ACCURACY) -> tuple[float, float]:
    """Clusters along a textPath: each at the point of the path under its midpoint,
    rotated to the tangent; those off the path are hidden (usvg's text-on-path)."""
    path, start = chunk.path  # type: ignore[misc]
    chunk_offset = (chunk.y if vertical else chunk.x) or 0.0
    start_at = chunk_offset + start + anchor_shift(chunk.anchor,
                                                    sum(c.advance for c in clusters))
    offsets = []
    advance = start_at
    for c in clusters:
        cp = offset + c.idx
        advance += (dx[cp] or 0.0) if cp < len(dx) else 0.0
        offsets.append(advance + c.width / 2)
        advance += c.advance
    normals = path_normals(path, offsets, accuracy)
    last = (0.0, 0.0)
    shift_y = 0.0
    for c, normal in zip(clusters, normals, strict=True):
        if normal is None:
            c.visible = False
            continue
        x, y, angle = normal
        c.relative_shift = True
        original = c.transform
        half = c.width / 2
        ts = concat(translate(x - half, y), rotate_about(angle, half, 0))
        cp = offset + c.idx
        shift_y += (dy[cp] or 0.0) if cp < len(dy) else 0.0
        span = span_at(chunk, c.idx)
        baseline = -baseline_offset(span, vertical) if span is not None else 0.0
        if shift_y or baseline:
            ts = concat(ts, translate(0, shift_y - baseline))
        angle2 = rotate[cp] if cp < len(rotate) else 0.0
        if angle2:
            ts = concat(ts, rotate_about(angle2))
        c.transform = concat(ts, original)
        last = (x + c.advance, y)
    return last


def decoration_pieces(clusters: list[Cluster],
                       positions: list[int]) -> list[tuple[float, skia.Matrix]]:
    """Continuous stretches of a span's clusters for decoration lines, broken where
    another span's clusters come between and wherever a cluster was moved on its own
    (dx/dy, rotate, text on a path), as usvg does."""
    pieces: list[tuple[float, skia.Matrix]] = []
    width = 0.0
    ts = skia.Matrix()
    previous = None
    for pos in positions:
        c = clusters[pos]
        if previous is not None and (pos != previous + 1 or c.relative_shift):
            pieces.append((width, ts))
            previous = None
        if previous is None:
            width, ts = c.advance, c.transform
        else:
            width += c.advance
        previous = pos
    if previous is not None:
        pieces.append((width, ts))
    return pieces


def decoration_path(at: float, thickness: float, pieces: list[tuple[float, skia.Matrix]],
                     span_ts: skia.Matrix) -> skia.Path | None:
    out = skia.Path()
    for width, ts in pieces:
        if width <= 0 or thickness <= 0:
            continue
        rect = skia.Path()
        rect.addRect(skia.Rect.MakeXYWH(0, -thickness / 2, width, thickness))
        rect.transform(concat(span_ts, concat(ts, translate(0, at))))
        out.addPath(rect)
    return out if out.countVerbs() else None


def metrics_box(clusters: list[Cluster]) -> skia.Rect | None:
    """The chunk's bbox from font metrics: each visible cluster's advance × (ascent to
    descent) box, as placed (usvg counts every visible cluster of the chunk in each span's
    bbox, so it is computed once per chunk)."""
    left = top = math.inf
    right = bottom = -math.inf
    for c in clusters:
        if not c.visible or c.ascent - c.descent <= 0:
            continue
        advance = c.advance if c.advance > 0 else 1.0
        rect = c.full().mapRect(skia.Rect.MakeXYWH(0, -c.ascent, advance, c.ascent - c.descent))
        left, top = min(left, rect.left()), min(top, rect.top())
        right, bottom = max(right, rect.right()), max(bottom, rect.bottom())
    return skia.Rect(left, top, right, bottom) if left <= right else None


def span_outlines(clusters: list[Cluster], positions: list[int], span_ts: skia.Matrix,
                   ) -> tuple[skia.Path, list[tuple[ShapingFace, int, skia.Matrix]]]:
    """A span's glyph outlines in user space, and its colour glyphs with their
    transforms (clusters off a text path are hidden)."""
    path = skia.Path()
    color: list[tuple[ShapingFace, int, skia.Matrix]] = []
    for pos in positions:
        c = clusters[pos]
        if not c.visible:
            continue
        full = concat(span_ts, c.full())
        for face, gid, ts in c.glyphs:
            matrix = concat(full, ts)
            if face.is_color(gid):
                color.append((face, gid, matrix))
                continue
            outline = face.outline(gid)
            if outline is not None:
                path.addPath(outline, matrix)
    return path, color
