"""`ddm demo`: every stdlib template × the sample catalogue × every format it serves.

Writes one JPEG per creative and one contact sheet per template (products × formats), so
a newcomer sees in a minute what the project does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from .api import load_template
from .files import write_atomic
from .gallery import compile_cells, contact_sheet
from .perception.catalogue import load_catalogue
from .progress import Progress
from .renderer.encode import encode
from .stdlib_templates import bundled_templates, stdlib_dir


def sample_catalogue() -> tuple[list[dict], Path]:
    catalogue = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    return catalogue.as_dicts(), catalogue.base_dir


def run_demo(out: Path) -> int:
    products, base = sample_catalogue()
    templates = [load_template(t) for t in bundled_templates()]
    done, failures, start = 0, 0, time.perf_counter()
    for template in templates:
        def save(product: dict, fmt: str, pixels: np.ndarray, name: str = template.name) -> None:
            write_atomic(out / name / f"{product['id']}-{fmt}.jpg", encode(pixels, "jpg", 90))

        total = len(template.formats) * len(products)
        rows = compile_cells(template, products, base, save, Progress(total, template.name))
        for cell in (c for row in rows for c in row if c.error):
            failures += 1
            print(cell.error, file=sys.stderr)
        done += total
        sheet = contact_sheet(f"{template.name}: {template.title}", rows)
        write_atomic(out / f"{template.name}-contact-sheet.jpg", encode(sheet, "jpg", 88))
    elapsed = time.perf_counter() - start
    print(f"{done} creatives from {len(templates)} templates in {elapsed:.1f} s "
          f"({failures} failed) → {out}/")
    return 1 if failures else 0
