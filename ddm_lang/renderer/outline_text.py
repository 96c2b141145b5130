"""Text as glyph outlines: `text-mode: path` writes each line as SVG path data.

An SVG `<text>` is drawn by whatever fonts and shaper the viewer has; outlines are drawn
the same by every renderer, byte for byte the same file, with no fonts at all. The
outlines come from the faces, shaping and script runs the layout measured with (the same
`FontRegistry`), so the path covers exactly where the text would have been drawn.
"""

from __future__ import annotations

import skia

from .fonts import FontRegistry
from .textshape import _bidi_levels, shape_text, visual_order


def line_outline(fonts: FontRegistry, text: str, family: str, weight: int, italic: bool,
                 size: float, letter_spacing: float = 0.0) -> tuple[skia.Path, float]:
    """One line's outlines with the pen starting at (0, 0) on the baseline, and its advance
    (what `FontRegistry.measure` gives for the same line)."""
    runs = fonts.script_runs(text, family, weight, italic)
    levels = _bidi_levels(text)
    run_levels, start = [], 0
    for run, _ in runs:
        solid = next((k for k, ch in enumerate(run) if not ch.isspace()), 0)
        run_levels.append(levels[start + solid] if start + solid < len(levels) else 0)
        start += len(run)
    path = skia.Path()
    pen = 0.0
    for index in visual_order(run_levels):
        run, run_family = runs[index]
        face = fonts.shaping_face(run_family or family, weight, italic, size)
        glyphs = shape_text(run, face,
                            lambda ch, used: fonts.fallback_face(ch, used, weight, size))
        for g in glyphs:
            scale = size / g.face.upem
            outline = g.face.outline(g.gid)
            if outline is not None:
                matrix = skia.Matrix.Translate(pen + g.dx * scale, -g.dy * scale)
                matrix.preScale(scale, scale)
                path.addPath(outline, matrix)
            pen += g.advance * scale + letter_spacing * g.cluster_len
    # Spacing goes between letters: none after the last one (as SVG renderers set it).
    return path, pen - (letter_spacing if text else 0.0)


def path_data(path: skia.Path, digits: int = 2) -> str:
    """SVG path data for a skia path (move, line, quad, cubic, close; conics as quads)."""
    out: list[str] = []

    def pts(*points: skia.Point) -> str:
        return " ".join(f"{_num(p.x(), digits)} {_num(p.y(), digits)}" for p in points)

    for verb, points in path:
        if verb == skia.Path.Verb.kMove_Verb:
            out.append("M" + pts(points[0]))
        elif verb == skia.Path.Verb.kLine_Verb:
            out.append("L" + pts(points[1]))
        elif verb == skia.Path.Verb.kQuad_Verb:
            out.append("Q" + pts(points[1], points[2]))
        elif verb == skia.Path.Verb.kConic_Verb:
            out.append("Q" + pts(points[1], points[2]))  # glyphs have none; kept drawable
        elif verb == skia.Path.Verb.kCubic_Verb:
            out.append("C" + pts(points[1], points[2], points[3]))
        elif verb == skia.Path.Verb.kClose_Verb:
            out.append("Z")
    return "".join(out)


def _num(v: float, digits: int) -> str:
    text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
