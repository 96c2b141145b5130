"""Text layout and drawing: whitespace, positioning, anchors, font fallback."""

from __future__ import annotations

import re
from dataclasses import dataclass

import skia
from lxml import etree

from .document import XML_SPACE, local_name
from .fonts import configure
from .style import font_weight, is_italic
from .units import Viewport, fraction, num, union


@dataclass
class Glyphs:
    """A run of characters drawn with one typeface and one style, at explicit positions."""

    text: str
    font: skia.Font
    points: list[skia.Point]
    style: dict[str, str]



class TextMixin:
    """The <text> element for the renderer."""

    def text(self, canvas: skia.Canvas, el: etree._Element, st: dict[str, str],
             vp: Viewport) -> None:
        runs = self.layout_text(el, st, vp)
        if not runs:
            return
        box = None
        for run in runs:
            box = union(box, self.run_bounds(run))
        for run in runs:
            rst = run.style
            if rst.get("visibility") in ("hidden", "collapse"):
                continue
            blob = skia.TextBlob.MakeFromPosText(run.text, run.points, run.font)
            if blob is None:
                continue
            fill = self.paint(rst.get("fill", "black"), fraction(rst.get("fill-opacity"), 1.0),
                              box, rst, vp)
            if fill is not None:
                canvas.drawTextBlob(blob, 0, 0, fill)
            stroke = self.stroke_paint(rst, box, vp)
            if stroke is not None:
                canvas.drawTextBlob(blob, 0, 0, stroke)

    @staticmethod
    def run_bounds(run: Glyphs) -> skia.Rect:
        m = run.font.getMetrics()
        left = min(p.x() for p in run.points)
        right = max(p.x() for p in run.points) + sum(run.font.getWidths(
            run.font.textToGlyphs(run.text[-1])))
        top = min(p.y() for p in run.points) + m.fAscent
        bottom = max(p.y() for p in run.points) + m.fDescent
        return skia.Rect(left, top, right, bottom)

    def layout_text(self, el: etree._Element, st: dict[str, str], vp: Viewport) -> list[Glyphs]:
        """Position every character of a <text>: whitespace collapsing, x/y/dx/dy lists,
        text chunks with their anchors, per-character font fallback, letter spacing."""
        chars, owners = collect_text(el, st, self.style, preserves_space(el))
        if not chars:
            return []
        n = len(chars)
        ax: list[float | None] = [None] * n
        ay: list[float | None] = [None] * n
        dx = [0.0] * n
        dy = [0.0] * n
        for owner, start, end in owners:  # ancestors first, so descendants override
            em = num(owner[1].get("font-size"), 16.0)
            for name, target, ref in (("x", ax, vp[0]), ("y", ay, vp[1]), ("dx", dx, vp[0]),
                                      ("dy", dy, vp[1])):
                values = owner[0].get(name)
                if values is None:
                    continue
                parts = [p for p in re.split(r"[\s,]+", values.strip()) if p]
                for k, text in enumerate(parts[:end - start]):
                    target[start + k] = num(text, 0.0, ref, em)
        if ax[0] is None:
            ax[0] = 0.0
        if ay[0] is None:
            ay[0] = 0.0
        return self.place_chunks(chars, ax, ay, dx, dy)

    def place_chunks(self, chars: list[tuple[str, dict[str, str]]], ax: list[float | None],
                     ay: list[float | None], dx: list[float], dy: list[float]) -> list[Glyphs]:
        fonts: dict[int, tuple[skia.Font, float, float]] = {}
        pen_x = pen_y = 0.0
        chunks: list[list[tuple[int, float, float, skia.Font]]] = []
        for i, (ch, cst) in enumerate(chars):
            if ax[i] is not None or ay[i] is not None or not chunks:
                chunks.append([])
            if ax[i] is not None:
                pen_x = ax[i]  # type: ignore[assignment]
            if ay[i] is not None:
                pen_y = ay[i]  # type: ignore[assignment]
            pen_x += dx[i]
            pen_y += dy[i]
            key = id(cst)
            if key not in fonts:
                fonts[key] = self.style_font(cst)
            primary, spacing, shift = fonts[key]
            font = primary
            if not ch.isspace() and not self.fonts.has_glyph(primary.getTypeface(), ch):
                face = self.fonts.fallback(ch, font_weight(cst), is_italic(cst), primary.getSize())
                if face is not None:
                    font = configure(skia.Font(face, primary.getSize()))
            chunks[-1].append((i, pen_x, pen_y + shift, font))
            pen_x += font.measureText(ch) + spacing
        runs: list[Glyphs] = []
        for chunk in chunks:
            first = chunk[0]
            end_x = max(x + f.measureText(chars[i][0]) + fonts[id(chars[i][1])][1]
                        for i, x, _, f in chunk)
            width = end_x - first[1]
            anchor = chars[first[0]][1].get("text-anchor", "start")
            shift_x = -width / 2 if anchor == "middle" else -width if anchor == "end" else 0.0
            for i, x, y, font in chunk:
                ch, cst = chars[i]
                point = skia.Point(x + shift_x, y)
                last = runs[-1] if runs else None
                if last is not None and last.style is cst and last.font is font:
                    last.text += ch
                    last.points.append(point)
                else:
                    runs.append(Glyphs(ch, font, [point], cst))
        return runs

    def style_font(self, cst: dict[str, str]) -> tuple[skia.Font, float, float]:
        """The primary font of a text style, its letter spacing and its baseline shift."""
        size = num(cst.get("font-size"), 16.0)
        font = self.fonts.font(cst.get("font-family", "sans-serif"), font_weight(cst),
                               is_italic(cst), size)
        ls = cst.get("letter-spacing", "normal")
        spacing = 0.0 if ls == "normal" else num(ls, 0.0, size, size)
        baseline = cst.get("dominant-baseline", cst.get("alignment-baseline", "auto"))
        m = font.getMetrics()
        shift = {"middle": (-m.fAscent - m.fDescent) / 2, "central": (-m.fAscent - m.fDescent) / 2,
                 "hanging": -m.fAscent * 0.8, "text-before-edge": -m.fAscent,
                 "text-top": -m.fAscent, "text-after-edge": -m.fDescent,
                 "text-bottom": -m.fDescent, "ideographic": -m.fDescent,
                 "mathematical": -m.fAscent * 0.5}.get(baseline, 0.0)
        return font, spacing, shift


def preserves_space(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        value = node.get(XML_SPACE)
        if value is not None:
            return value == "preserve"
        node = node.getparent()
    return False


def collect_text(el: etree._Element, st: dict[str, str], style_of, preserve: bool,
                  ) -> tuple[list[tuple[str, dict[str, str]]],
                             list[tuple[tuple[etree._Element, dict[str, str]], int, int]]]:
    """The addressable characters of a <text> after xml:space processing, each with its
    style, and the character range each positioning element covers (in document order)."""
    chars: list[tuple[str, dict[str, str]]] = []
    owners: list[tuple[tuple[etree._Element, dict[str, str]], int, int]] = []

    def add(text: str | None, cst: dict[str, str]) -> None:
        if not text:
            return
        text = re.sub(r"[\t\n\r]", " ", text)
        for ch in text:
            if not preserve and ch == " " and (not chars or chars[-1][0] == " "):
                continue
            chars.append((ch, cst))

    def walk(node: etree._Element, nst: dict[str, str], depth: int) -> None:
        start = len(chars)
        entry = [(node, nst), start, start]
        owners.append(entry)  # type: ignore[arg-type]
        add(node.text, nst)
        for child in node:
            kind = local_name(child)
            if kind in ("tspan", "a", "textPath") and depth < 32:
                cst = style_of(child, nst)
                if cst.get("display") != "none":
                    walk(child, cst, depth + 1)
            add(child.tail, nst)
        entry[2] = len(chars)

    walk(el, st, 0)
    if not preserve:
        while chars and chars[-1][0] == " ":
            chars.pop()
    total = len(chars)
    fixed = [(o, s, min(e, total)) for o, s, e in owners]
    return chars, [o for o in fixed if o[1] < o[2]]


