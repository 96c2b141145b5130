"""`ddm demo`: every stdlib template × the sample catalogue × every format it serves.

Writes one JPEG per creative and one contact sheet per template (products × formats), so
a newcomer sees in a minute what the project does.
"""

from __future__ import annotations

import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np
import skia

from .api import load_template
from .perception.catalogue import load_catalogue
from .renderer import render
from .renderer.encode import encode, write_atomic
from .renderer.fonts import FontRegistry
from .syntax.diagnostics import DiagnosticError

CELL = 360          # contact sheet cell size, px
LABEL = 28          # label band height, px


def stdlib_dir() -> Path:
    return Path(str(resources.files("ddm_lang.stdlib_templates")))


def sample_catalogue() -> tuple[list[dict], Path]:
    catalogue = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    return catalogue.as_dicts(), catalogue.base_dir


def run_demo(out: Path) -> int:
    products, base = sample_catalogue()
    templates = sorted(stdlib_dir().glob("*.ddm"))
    jobs = sum(len(load_template(t).formats) * len(products) for t in templates)
    done, failures, start = 0, 0, time.perf_counter()
    for path in templates:
        template = load_template(path)
        sheet: list[list[tuple[str, np.ndarray | None]]] = []
        for product in products:
            row: list[tuple[str, np.ndarray | None]] = []
            for fmt in template.formats:
                label = f"{product['id']} · {fmt.name} {fmt.width}×{fmt.height}"
                try:
                    creative = template.compile(product, fmt.name, base_dir=base)
                    pixels = render(creative.svg, fmt.width, fmt.height,
                                    allowed_roots=(base,))
                    target = out / template.name / f"{product['id']}-{fmt.name}.jpg"
                    write_atomic(target, encode(pixels, "jpg", 90))
                    row.append((label, pixels))
                except DiagnosticError as err:
                    failures += 1
                    print(err.render(), file=sys.stderr)
                    row.append((label, None))
                done += 1
                rate = done / max(1e-9, time.perf_counter() - start)
                print(f"\r[{done}/{jobs}] {template.name:<16} {rate:5.1f} creatives/s",
                      end="", flush=True)
            sheet.append(row)
        sheet_path = out / f"{template.name}-contact-sheet.png"
        write_atomic(sheet_path, encode(contact_sheet(template.name, sheet), "png"))
    elapsed = time.perf_counter() - start
    print(f"\n{done} creatives from {len(templates)} templates in {elapsed:.1f} s "
          f"({failures} failed) → {out}/")
    return 1 if failures else 0


def contact_sheet(title: str, rows: list[list[tuple[str, np.ndarray | None]]]) -> np.ndarray:
    """A grid with one row per product and one column per format, each fitted into a cell."""
    cols = max(len(r) for r in rows)
    width, height = cols * CELL, LABEL * 2 + len(rows) * (CELL + LABEL)
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorWHITE)
    fonts = FontRegistry.default()
    head = fonts.font("Inter", 700, False, 20)
    small = fonts.font("Inter", 400, False, 12)
    ink = skia.Paint(Color=skia.ColorSetRGB(30, 30, 30), AntiAlias=True)
    canvas.drawString(title, 12, 34, head, ink)
    for r, row in enumerate(rows):
        top = LABEL * 2 + r * (CELL + LABEL)
        for c, (label, pixels) in enumerate(row):
            left = c * CELL
            canvas.drawString(label, left + 8, top + 18, small, ink)
            cell = skia.Rect.MakeXYWH(left + 8, top + LABEL, CELL - 16, CELL - 16)
            if pixels is None:
                canvas.drawRect(cell, skia.Paint(Color=skia.ColorSetRGB(250, 220, 220)))
                continue
            image = skia.Image.fromarray(np.ascontiguousarray(pixels),
                                         colorType=skia.ColorType.kRGBA_8888_ColorType)
            h, w = pixels.shape[:2]
            scale = min(cell.width() / w, cell.height() / h)
            dest = skia.Rect.MakeXYWH(cell.left() + (cell.width() - w * scale) / 2,
                                      cell.top() + (cell.height() - h * scale) / 2,
                                      w * scale, h * scale)
            canvas.drawImageRect(image, dest, skia.SamplingOptions(skia.FilterMode.kLinear))
            canvas.drawRect(dest, skia.Paint(Color=skia.ColorSetRGB(200, 200, 200),
                                             Style=skia.Paint.kStroke_Style, StrokeWidth=1))
    return surface.makeImageSnapshot().toarray(colorType=skia.ColorType.kRGBA_8888_ColorType)
