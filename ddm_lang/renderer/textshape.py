"""Text shaping: HarfBuzz turns characters into positioned glyphs (kerning, ligatures,
Arabic joining, mark placement), as resvg does with rustybuzz/harfrust.

A ShapingFace is one font file at one variation instance: the skia typeface whose outlines
are drawn, the HarfBuzz font that shapes with the same file and the same axis values, and the
metrics text layout needs (ascent, x-height, decoration and sub/superscript offsets), all in
font units. `shape_text` shapes a string with a primary face and fills missing glyphs from
fallback faces, the way usvg does.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import skia
import uharfbuzz as hb

if TYPE_CHECKING:
    from lxml import etree

    from .fonts import FaceFile

MAX_FALLBACKS = 32  # fallback faces tried for one string


@lru_cache(maxsize=64)
def _blob(path: str) -> hb.Blob:
    """The file's bytes for HarfBuzz, read once per file."""
    return hb.Blob.from_file_path(path)


def _tag_text(tag: int) -> str:
    return tag.to_bytes(4, "big").decode("latin-1")


@dataclass
class Glyph:
    """One shaped glyph: its id, the character index its cluster starts at, how many
    characters the cluster covers, and its advance and offsets in font units."""

    gid: int
    cluster: int
    cluster_len: int
    advance: float
    dx: float
    dy: float
    face: ShapingFace


# Typefaces are made by a font manager that knows no system fonts: output never depends on
# the host's fontconfig (nor prints its warnings), only on registered files.
_FILE_FONTS = skia.FontMgr.New_Custom_Empty()


def load_typeface(path: str | Path, index: int = 0) -> skia.Typeface | None:
    """The face at `index` of a font file, or None when there is none."""
    return _FILE_FONTS.makeFromFile(str(path), index)


class _PathPen:
    """A pen (fontTools' protocol, which HarfBuzz draws into) that builds a skia path in
    font units with y pointing down."""

    def __init__(self) -> None:
        self.path = skia.Path()

    def moveTo(self, p: tuple[float, float]) -> None:
        self.path.moveTo(p[0], -p[1])

    def lineTo(self, p: tuple[float, float]) -> None:
        self.path.lineTo(p[0], -p[1])

    def qCurveTo(self, *points: tuple[float, float]) -> None:
        (cx, cy), (x, y) = points[-2], points[-1]  # HarfBuzz gives one control point
        self.path.quadTo(cx, -cy, x, -y)

    def curveTo(self, *points: tuple[float, float]) -> None:
        (ax, ay), (bx, by), (x, y) = points[-3:]
        self.path.cubicTo(ax, -ay, bx, -by, x, -y)

    def closePath(self) -> None:
        self.path.close()


class ShapingFace:
    """A font file at one variation instance: typeface, HarfBuzz font and metrics."""

    def __init__(self, file: FaceFile, coords: dict[int, float]) -> None:
        self.file = file
        self.coords = dict(coords)
        base = load_typeface(file.path, file.index)
        typeface = base
        if coords:
            # every intermediate object stays referenced until makeClone has read it:
            # skia-python does not keep the coordinate list alive on its own
            kind = skia.FontArguments.VariationPosition
            items = [kind.Coordinate(t, v) for t, v in coords.items()]
            values = kind.Coordinates(items)
            position = kind(values)
            args = skia.FontArguments()
            args.setVariationDesignPosition(position)
            assert base is not None  # a FaceFile names a face that loaded (fonts._add_file)
            typeface = base.makeClone(args) or base
            del items, values, position, args
        self.typeface: skia.Typeface = typeface
        self.hb_face = hb.Face(_blob(str(file.path)), file.index)
        self.hb_font = hb.Font(self.hb_face)
        if coords:
            self.hb_font.set_variations({_tag_text(t): v for t, v in coords.items()})
        self.upem = max(16, self.hb_face.upem or 1000)
        self._lock = threading.Lock()
        self._outlines: dict[int, skia.Path] = {}
        self._chars: dict[str, bool] = {}
        self._color: dict[int, str | None] = {}
        self._sbix: dict[int, tuple | None] = {}
        # parsed OT-SVG glyph documents (lxml roots), filled by the text renderer
        self.svg_roots: dict[int, etree._Element] = {}
        self._outline_font = skia.Font(typeface, self.upem)
        self._outline_font.setHinting(skia.FontHinting.kNone)
        self._outline_font.setLinearMetrics(True)
        self._outline_font.setSubpixel(True)
        self._metrics()

    def _metrics(self) -> None:
        """Metrics as resvg reads them (skrifa), in font units; fallbacks as resvg's."""
        font, tags, upem = self.hb_font, hb.OTMetricsTag, self.upem
        ext = font.get_font_extents("ltr")
        self.ascent = float(ext.ascender)
        self.descent = float(ext.descender)  # negative: below the baseline
        self.line_gap = float(ext.line_gap)

        def metric(tag: hb.OTMetricsTag) -> float | None:
            try:
                value = font.get_metric_position(tag)
            except (ValueError, KeyError):
                return None
            return float(value) if value is not None else None

        x_height = metric(tags.X_HEIGHT)
        self.x_height = x_height if x_height and x_height > 0 else \
            round((self.ascent - self.descent) * 0.45)
        strike = metric(tags.STRIKEOUT_OFFSET)
        self.line_through = round(strike) if strike is not None else self.x_height // 2
        under, thick = metric(tags.UNDERLINE_OFFSET), metric(tags.UNDERLINE_SIZE)
        if under is None and not thick:
            self.underline, self.underline_thickness = -(upem // 9), upem // 12
        else:
            self.underline = round(under or 0.0)
            self.underline_thickness = round(thick) if thick and thick >= 1 else upem // 12
        sub, sup = metric(tags.SUBSCRIPT_EM_Y_OFFSET), metric(tags.SUPERSCRIPT_EM_Y_OFFSET)
        self.subscript = round(sub) if sub is not None else round(upem / 0.2)
        self.superscript = round(sup) if sup is not None else round(upem / 0.4)

    def scale(self, size: float) -> float:
        """Font units → px at a font size."""
        return size / self.upem

    def height_half(self, size: float) -> float:
        """Half the ascent-to-descent height in px (vertical decoration offsets)."""
        return (self.ascent - self.descent) * self.scale(size) / 2

    def has_char(self, ch: str) -> bool:
        hit = self._chars.get(ch)
        if hit is None:
            hit = self._chars[ch] = self.hb_font.get_nominal_glyph(ord(ch)) not in (None, 0)
        return hit

    def sbix(self, gid: int) -> tuple[skia.Image, float, float, int, float, float] | None:
        """An sbix (Apple) bitmap glyph from the largest strike that has it: the image, its
        origin offsets, the strike's ppem and the outline's x/y minimum (0 without glyf),
        which resvg uses to place it."""
        if gid in self._sbix:
            return self._sbix[gid]
        found = None
        table = self.hb_face.reference_table("sbix").data or b""
        if len(table) >= 8:
            count = min(int.from_bytes(table[4:8], "big"), 64)
            strikes = []
            for k in range(count):
                at = 8 + 4 * k
                if at + 4 > len(table):
                    break
                strike = int.from_bytes(table[at:at + 4], "big")
                if strike + 4 <= len(table):
                    strikes.append((int.from_bytes(table[strike:strike + 2], "big"), strike))
            for ppem, strike in sorted(strikes, reverse=True):
                at = strike + 4 + 4 * gid
                if at + 8 > len(table) or ppem <= 0:
                    continue
                start = strike + int.from_bytes(table[at:at + 4], "big")
                end = strike + int.from_bytes(table[at + 4:at + 8], "big")
                if end - start <= 8 or end > len(table) or table[start + 4:start + 8] != b"png ":
                    continue
                image = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(
                    bytes(table[start + 8:end])))
                if image is None:
                    continue
                ox = int.from_bytes(table[start:start + 2], "big", signed=True)
                oy = int.from_bytes(table[start + 2:start + 4], "big", signed=True)
                x_min, y_min = self._outline_min(gid)
                found = (image, float(ox), float(oy), ppem, x_min, y_min)
                break
        self._sbix[gid] = found
        return found

    def _outline_min(self, gid: int) -> tuple[float, float]:
        """The minimum x and y (y up) of the glyph's outline in font units, (0, 0) without
        one; HarfBuzz draws it, since skia hides outlines of bitmap glyphs."""
        pen = _PointsPen()
        self.hb_font.draw_glyph_with_pen(gid, pen)
        if not pen.points:
            return 0.0, 0.0
        return min(p[0] for p in pen.points), min(p[1] for p in pen.points)

    def color_kind(self, gid: int) -> str | None:
        """How the glyph is drawn in colour, in resvg's order of preference: "colr" (COLR
        layers or paint), "svg" (an SVG document), "sbix" or "png" (a CBDT bitmap); None
        for a plain outline glyph."""
        if gid in self._color:
            return self._color[gid]
        face = self.hb_face
        kind = None
        if face.glyph_has_color_paint(gid) or face.get_glyph_color_layers(gid):
            kind = "colr"
        elif self.svg_document(gid) is not None:
            kind = "svg"
        elif self.sbix(gid) is not None:
            kind = "sbix"
        else:
            png = self.hb_font.get_glyph_color_png(gid)
            kind = "png" if png is not None and png.data else None
        self._color[gid] = kind
        return kind

    def is_color(self, gid: int) -> bool:
        return self.color_kind(gid) is not None

    def svg_document(self, gid: int) -> bytes | None:
        """The OT-SVG document holding the glyph, if the font has one for it."""
        blob = self.hb_face.get_glyph_color_svg(gid)
        data = blob.data if blob is not None else None
        return bytes(data) if data else None

    def color_blob(self, gid: int) -> skia.TextBlob | None:
        """The glyph as a text blob at one unit per font unit, for skia to draw in colour."""
        data = int(gid).to_bytes(2, "little")
        return skia.TextBlob.MakeFromText(data, self._outline_font, skia.TextEncoding.kGlyphID)

    def outline(self, gid: int) -> skia.Path | None:
        """The glyph outline in font units, y down (skia's orientation), cached.

        Drawn by HarfBuzz, not read from skia: skia's FreeType outlines of a variable font
        instance depend on which glyphs were loaded before (Noto Sans at wght 700 gave "t"
        the width of wght 900+ after "h" had been loaded), so the same text came out in
        different weights depending on what a process had drawn earlier. HarfBuzz applies
        the variation to every glyph alike, as resvg's outline reader does."""
        path = self._outlines.get(gid)
        if path is None:
            with self._lock:
                pen = _PathPen()
                self.hb_font.draw_glyph_with_pen(gid, pen)
                path = self._outlines[gid] = pen.path
        return path if path.countVerbs() else None

    def shape(self, text: str, features: dict[str, bool] | None = None) -> list[Glyph]:
        """Shape a string: split into direction runs (bidi, LTR paragraph), each shaped
        by HarfBuzz; glyphs come back in visual order, clusters as character indices."""
        glyphs: list[Glyph] = []
        for start, end, rtl in _direction_runs(text):
            sub = text[start:end]
            buf = hb.Buffer()
            buf.add_codepoints([ord(c) for c in sub])
            buf.direction = "rtl" if rtl else "ltr"
            buf.guess_segment_properties()
            hb.shape(self.hb_font, buf, features or {})
            infos, positions = buf.glyph_infos, buf.glyph_positions
            for i, (info, pos) in enumerate(zip(infos, positions, strict=True)):
                nxt = i - 1 if rtl else i + 1
                end_cluster = infos[nxt].cluster if 0 <= nxt < len(infos) else len(sub)
                glyphs.append(Glyph(info.codepoint, start + info.cluster,
                                    max(0, end_cluster - info.cluster), pos.x_advance,
                                    pos.x_offset, pos.y_offset, self))
        return glyphs


class _PointsPen:
    """Collects the points of a glyph outline (the fontTools pen protocol HarfBuzz calls)."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def moveTo(self, p: tuple[float, float]) -> None:
        self.points.append(p)

    def lineTo(self, p: tuple[float, float]) -> None:
        self.points.append(p)

    def curveTo(self, *ps: tuple[float, float]) -> None:
        self.points.extend(ps)

    def qCurveTo(self, *ps: tuple[float, float]) -> None:
        self.points.extend(ps)

    def closePath(self) -> None:
        """Contours need no bookkeeping here."""

    def endPath(self) -> None:
        """Contours need no bookkeeping here."""


def _bidi_levels(text: str) -> list[int]:
    """Embedding levels of a left-to-right paragraph by the Unicode bidi algorithm (UAX #9)
    without explicit embeddings: weak types resolved (W1-W7), neutrals take the direction
    around them (N1-N2), then L is 0, R is 1 and numbers inside R are 2 (I1)."""
    types = [unicodedata.bidirectional(ch) or "L" for ch in text]
    n = len(types)
    previous = "L"
    for i, t in enumerate(types):  # W1: a mark takes the type before it
        if t == "NSM":
            types[i] = previous
        previous = types[i]
    strong = "L"
    for i, t in enumerate(types):  # W2, W3: European numbers after Arabic are Arabic
        if t in ("L", "R", "AL"):
            strong = t
        elif t == "EN" and strong == "AL":
            types[i] = "AN"
        if types[i] == "AL":
            types[i] = "R"
    for i in range(1, n - 1):  # W4: one separator between two numbers of a kind
        if types[i] == "ES" and types[i - 1] == types[i + 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] and types[i - 1] in ("EN", "AN"):
            types[i] = types[i - 1]
    i = 0
    while i < n:  # W5: terminators next to European numbers join them
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                types[i:j] = ["EN"] * (j - i)
            i = j
        else:
            i += 1
    strong = "L"
    for i, t in enumerate(types):  # W6, W7
        if t in ("ES", "ET", "CS"):
            types[i] = t = "ON"
        if t in ("L", "R"):
            strong = t
        elif t == "EN" and strong == "L":
            types[i] = "L"
    direction = ["R" if t in ("R", "EN", "AN") else "L" if t == "L" else None for t in types]
    i = 0
    while i < n:  # N1, N2: neutrals between the same direction take it, else the paragraph's
        if direction[i] is not None:
            i += 1
            continue
        j = i
        while j < n and direction[j] is None:
            j += 1
        before = direction[i - 1] if i > 0 else "L"
        after = direction[j] if j < n else "L"
        direction[i:j] = [before if before == after else "L"] * (j - i)
        i = j
    return [0 if d == "L" else 2 if t in ("EN", "AN") else 1
            for d, t in zip(direction, types, strict=True)]


def visual_order(levels: list[int]) -> list[int]:
    """Indices of items (runs of text) with these embedding levels, in display order
    (UAX #9 rule L2: from the highest level down to 1, reverse every sequence of items at
    that level or above)."""
    order = list(range(len(levels)))
    for level in range(max(levels, default=0), 0, -1):
        k = 0
        while k < len(order):
            if levels[order[k]] >= level:
                j = k
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[k:j] = order[k:j][::-1]
                k = j
            else:
                k += 1
    return order


def _direction_runs(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, rtl) runs of one level each, in visual order."""
    if text.isascii():  # no ASCII character is right-to-left: one LTR run (most copy)
        return [(0, len(text), False)] if text else []
    levels = _bidi_levels(text)
    runs: list[tuple[int, int, int]] = []
    for i, level in enumerate(levels):
        if runs and runs[-1][2] == level:
            runs[-1] = (runs[-1][0], i + 1, level)
        else:
            runs.append((i, i + 1, level))
    order = visual_order([r[2] for r in runs])
    return [(runs[k][0], runs[k][1], runs[k][2] % 2 == 1) for k in order]


FallbackFn = Callable[[str, list[ShapingFace]], "ShapingFace | None"]


def shape_text(text: str, primary: ShapingFace, fallback: FallbackFn,
               features: dict[str, bool] | None = None) -> list[Glyph]:
    """Shape with the primary face, then reshape with fallback faces for characters it
    lacks: all glyphs are taken from a fallback that covers everything, else only the
    missing ones (when the glyph counts agree), as usvg does."""
    glyphs = primary.shape(text, features)
    used = [primary]
    for _ in range(MAX_FALLBACKS):
        missing = next((g for g in glyphs if g.gid == 0), None)
        if missing is None:
            break
        face = fallback(text[missing.cluster], used)
        if face is None:
            break
        alternative = face.shape(text, features)
        if all(g.gid != 0 for g in alternative):
            return alternative
        if len(alternative) != len(glyphs):
            break
        glyphs = [b if a.gid == 0 and b.gid != 0 else a
                  for a, b in zip(glyphs, alternative, strict=True)]
        used.append(face)
    return glyphs
