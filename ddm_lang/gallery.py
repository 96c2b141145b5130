"""Contact sheets: one template's creatives for many products in every format, on one image.

A template is judged by looking at it across products and slots at once: a headline that
wraps badly for one title, a product lost in a leaderboard, a colour that fails on one
photo. `ddm gallery` and `ddm demo` draw the same sheet: a row per product, a column per
format, each creative scaled into its cell with its label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import skia

from .api import Template
from .progress import Progress
from .renderer.fonts import FontRegistry
from .syntax.diagnostics import DiagnosticError

CELL = 360          # contact sheet cell size, px
LABEL = 28          # label band height, px


@dataclass(frozen=True)
class Cell:
    """One creative of the sheet: its label and pixels (None when it failed)."""

    label: str
    pixels: np.ndarray | None
    error: str | None = None


def compile_cells(template: Template, products: Iterable[dict[str, Any]], base: Path,
                  on_creative: Callable[[dict[str, Any], str, np.ndarray], None] | None = None,
                  progress: Progress | None = None) -> list[list[Cell]]:
    """Every product × format of `template` rendered at full size: the sheet's rows.
    `on_creative(product, format_name, pixels)` sees each one (to save it); a creative
    that does not compile is a red cell with its diagnostic, not the end of the sheet."""
    rows: list[list[Cell]] = []
    for product in products:
        row: list[Cell] = []
        for fmt in template.formats:
            label = f"{short_id(product)} · {fmt.name} {fmt.width}×{fmt.height}"
            try:
                creative = template.compile(product, fmt.name, base_dir=base)
                pixels = creative.pixels()
            except DiagnosticError as err:
                row.append(Cell(label, None, err.render()))
            else:
                row.append(Cell(label, pixels))
                if on_creative is not None:
                    on_creative(product, fmt.name, pixels)
            if progress is not None:
                progress.advance()
        rows.append(row)
    if progress is not None:
        progress.close()
    return rows


def short_id(product: dict[str, Any], limit: int = 22) -> str:
    """A product's id as a cell label holds it: its last path part, cut to `limit`."""
    name = str(product.get("id", "?")).rstrip("/").rsplit("/", 1)[-1]
    return name if len(name) <= limit else name[:limit - 1] + "…"


def spread(items: list[Any], limit: int) -> list[Any]:
    """At most `limit` items spread evenly over the list (all when limit ≤ 0), so a sheet of
    a large catalogue shows its variety rather than its first page."""
    if limit <= 0 or len(items) <= limit:
        return list(items)
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _fitted_height(cell: Cell, inner: float) -> float:
    """How high a cell's creative is drawn, fitted into an `inner` × `inner` frame."""
    if cell.pixels is None:
        return inner
    h, w = cell.pixels.shape[:2]
    return h * min(inner / w, inner / h)


def contact_sheet(title: str, rows: list[list[Cell]], cell_size: int = CELL) -> np.ndarray:
    """A grid with one row per product and one column per format, each fitted into a cell
    of `cell_size` px; a row is only as high as its tallest creative, so a row of
    leaderboards is not a band of white."""
    cols = max((len(r) for r in rows), default=1)
    inner = cell_size - 16
    heights = [round(max((_fitted_height(c, inner) for c in row), default=inner)) + 16
               for row in rows]
    width, height = cols * cell_size, LABEL * 2 + sum(h + LABEL for h in heights)
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorWHITE)
    fonts = FontRegistry.default()
    head = fonts.font("Inter", 700, False, 20)
    small = fonts.font("Inter", 400, False, 12)
    small_cjk = fonts.font("Noto Sans CJK SC", 400, False, 12)   # labels naming CJK products
    ink = skia.Paint(Color=skia.ColorSetRGB(30, 30, 30), AntiAlias=True)
    canvas.drawString(title, 12, 34, head, ink)
    top = LABEL * 2
    for row, row_height in zip(rows, heights, strict=True):
        for c, cell in enumerate(row):
            left = c * cell_size
            canvas.save()
            canvas.clipRect(skia.Rect.MakeXYWH(left, top, cell_size - 4, LABEL))
            face = small_cjk if any(ord(ch) >= 0x2E80 for ch in cell.label) else small
            canvas.drawString(cell.label, left + 8, top + 18, face, ink)
            canvas.restore()
            frame = skia.Rect.MakeXYWH(left + 8, top + LABEL, inner, row_height - 16)
            if cell.pixels is None:
                canvas.drawRect(frame, skia.Paint(Color=skia.ColorSetRGB(250, 220, 220)))
                continue
            image = skia.Image.fromarray(np.ascontiguousarray(cell.pixels),
                                         colorType=skia.ColorType.kRGBA_8888_ColorType)
            h, w = cell.pixels.shape[:2]
            scale = min(frame.width() / w, frame.height() / h)
            dest = skia.Rect.MakeXYWH(frame.left() + (frame.width() - w * scale) / 2,
                                      frame.top() + (frame.height() - h * scale) / 2,
                                      w * scale, h * scale)
            canvas.drawImageRect(image, dest, skia.SamplingOptions(
                skia.FilterMode.kLinear, skia.MipmapMode.kLinear))
            canvas.drawRect(dest, skia.Paint(Color=skia.ColorSetRGB(200, 200, 200),
                                             Style=skia.Paint.kStroke_Style, StrokeWidth=1))
        top += row_height + LABEL
    return surface.makeImageSnapshot().toarray(colorType=skia.ColorType.kRGBA_8888_ColorType)
