"""Draw real held-out layouts beside the model's samples for the same conditions.

    .venv/bin/python training/layout_model/sheet.py [-o training/layout_model/samples.png]

A figure for people: numbers say how far samples are from the designers' layouts, a
picture shows what kind of mistakes they make. Each row is one held-out layout's
condition (template and format named): the real layout first, then four samples at
temperature 1.0 (seeded). Boxes are filled by role; a cut-out hero shows its slot
outlined and the product fitted inside it filled, as `place … fit subject` would draw it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import skia

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import dataset as ds  # noqa: E402
import extract  # noqa: E402

from ddm_lang.generate import model as layout_model  # noqa: E402
from ddm_lang.generate.layout import Layout, LayoutCondition  # noqa: E402
from ddm_lang.generate.model import subject_box  # noqa: E402

COLOURS = {"hero": (70, 130, 180), "headline": (200, 60, 60), "subline": (230, 150, 60),
           "points": (150, 110, 200), "price": (40, 160, 90), "button": (30, 30, 30),
           "brand": (120, 120, 120), "badge": (220, 40, 160), "decoration": (215, 205, 180)}
CELL = 150
GAP = 12
SAMPLES = 4
FORMATS = ("feed", "story", "banner", "leaderboard", "portrait", "rectangle")


def draw_layout(canvas: skia.Canvas, layout: Layout, condition: LayoutCondition,
                x0: float, y0: float) -> None:
    scale = CELL / max(condition.width, condition.height)
    w, h = condition.width * scale, condition.height * scale
    canvas.drawRect(skia.Rect.MakeXYWH(x0, y0, w, h), skia.Paint(Color=skia.ColorWHITE))
    ordered = sorted(layout, key=lambda r: (r.role != "decoration", r.role != "hero"))
    for r in ordered:
        c = COLOURS[r.role]
        box = subject_box(r, condition) if r.role == "hero" else r
        rect = skia.Rect.MakeXYWH(x0 + box.x * w, y0 + box.y * h, box.w * w, box.h * h)
        canvas.drawRect(rect, skia.Paint(Color=skia.ColorSetARGB(170, *c), AntiAlias=True))
        if r.role == "hero" and condition.cutout:
            slot = skia.Rect.MakeXYWH(x0 + r.x * w, y0 + r.y * h, r.w * w, r.h * h)
            canvas.drawRect(slot, skia.Paint(Color=skia.ColorSetRGB(*c), AntiAlias=True,
                                             Style=skia.Paint.kStroke_Style, StrokeWidth=1))
    canvas.drawRect(skia.Rect.MakeXYWH(x0, y0, w, h),
                    skia.Paint(Color=skia.ColorSetRGB(160, 160, 160),
                               Style=skia.Paint.kStroke_Style, StrokeWidth=1))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--out", type=Path, default=HERE / "samples.png")
    args = p.parse_args()
    from ddm_lang.renderer.fonts import FontRegistry

    model = layout_model.load()
    _, held = ds.split(ds.examples(extract.load()))
    rows = []
    for template in sorted({e.template for e in held}):
        for fmt in FORMATS:
            pick = next((e for e in held if e.template == template and e.format == fmt
                         and e.catalogue == "studio"), None)
            if pick is not None and len([r for r in rows if r.template == template]) < 3:
                rows.append(pick)
    rng = np.random.default_rng(7)
    label_w = 150
    width = label_w + (SAMPLES + 1) * (CELL + GAP) + GAP
    height = GAP + len(rows) * (CELL + GAP) + 24
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorSetRGB(238, 238, 234))
    font = FontRegistry.default().font("Inter", 500, False, 12)
    ink = skia.Paint(Color=skia.ColorSetRGB(40, 40, 40), AntiAlias=True)
    canvas.drawString("real | model samples (T 1.0)", label_w, 16, font, ink)
    for i, e in enumerate(rows):
        y = 24 + GAP + i * (CELL + GAP)
        canvas.drawString(e.template, GAP, y + 14, font, ink)
        canvas.drawString(f"{e.format} {e.condition.width}x{e.condition.height}", GAP, y + 30,
                          font, ink)
        canvas.drawString(f"subject {e.condition.subject_aspect:.2f}"
                          f"{' cut out' if e.condition.cutout else ''}", GAP, y + 46, font, ink)
        draw_layout(canvas, e.layout, e.condition, label_w, y)
        for j, layout in enumerate(model.propose(e.condition, SAMPLES, rng, 1.0), start=1):
            draw_layout(canvas, layout, e.condition, label_w + j * (CELL + GAP), y)
    pixels = surface.makeImageSnapshot().toarray(colorType=skia.ColorType.kRGBA_8888_ColorType)
    from ddm_lang.renderer.encode import encode
    args.out.write_bytes(encode(pixels, "png", 90))
    print(f"wrote {args.out} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
