"""Write docs/templates.md: a section per stdlib template with its contact sheet.

The page is generated so it cannot drift from the templates: each section takes the
template's title, the comment it opens with, its formats, the objects and operations it
uses (read from the checked template), and a contact sheet of two sample products (one
English, one Chinese, those with the most photos) in every format, drawn by the same code as `ddm gallery`.

    .venv/bin/python tools/template_docs.py      # rewrites docs/templates.md and its images
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ddm_lang import load_template
from ddm_lang.demo import sample_catalogue
from ddm_lang.files import write_atomic
from ddm_lang.gallery import compile_cells, contact_sheet
from ddm_lang.renderer.encode import encode
from ddm_lang.stdlib_templates import stdlib_dir

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "templates.md"
IMAGES = REPO / "docs" / "images" / "templates"
CELL = 220
OPERATIONS = ("place", "cutout", "mirror", "shadow", "extend", "recolor", "caption")


def lead_comment(source: str) -> str:
    """The `//` comment lines a template file opens with, as one paragraph."""
    lines = []
    for line in source.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[2:].strip())
    return " ".join(lines)


def used_operations(source: str) -> list[str]:
    return [op for op in OPERATIONS if re.search(rf"(\|\s*{op}\b|\b{op}\()", source)]


def sample_pair(products: list[dict]) -> list[dict]:
    """One English and one Chinese sample product, each the one with the most photos (so
    multi-image templates show what they do with several)."""
    picks = []
    for lang in ("en", "zh"):
        pool = [p for p in products if p.get("lang") == lang]
        if pool:
            picks.append(max(pool, key=lambda p: len(p.get("images") or ())))
    return picks or products[:2]


def main() -> int:
    products, base = sample_catalogue()
    shown = sample_pair(products)
    IMAGES.mkdir(parents=True, exist_ok=True)
    paths = sorted(stdlib_dir().glob("*.ddm"))
    sections = []
    index = []
    for path in paths:
        source = path.read_text("utf-8")
        template = load_template(path)
        rows = compile_cells(template, shown, base)
        sheet = contact_sheet(f"{template.name}: {template.title}", rows, CELL)
        image = IMAGES / f"{template.name}.jpg"
        write_atomic(image, encode(sheet, "jpg", 82))
        formats = ", ".join(f"{f.name} {f.width}×{f.height}" for f in template.formats)
        objects = ", ".join(f"`{name}`" for name in template.ir.objects) or "none"
        ops = ", ".join(f"`{op}`" for op in used_operations(source)) or "none"
        index.append(f"- [`{template.name}`](#{template.name.replace('_', '-')}) — "
                     f"{template.title}")
        sections += [
            f"## {template.name}", "",
            f"**{template.title}.** {lead_comment(source)}", "",
            f"- file: `ddm_lang/stdlib_templates/{path.name}`",
            f"- formats ({len(template.formats)}): {formats}",
            f"- abstract objects: {objects}; operations: {ops}", "",
            f"![{template.name} on two sample products in every format]"
            f"(images/templates/{image.name})", "",
        ]
        print(f"{template.name}: {image.stat().st_size // 1000} KB", file=sys.stderr)
    page = [
        "# The standard template library", "",
        "Every template in `ddm_lang/stdlib_templates/`, drawn for two sample products (one "
        "English, one Chinese) in every format it serves. This page is written by "
        "`tools/template_docs.py`; `ddm gallery TEMPLATE --catalogue FILE` draws the same "
        "sheet for any catalogue, and `benchmarks/results/template_quality.md` measures every "
        "template over the 81 real grocery products.", "",
        *index, "", *sections,
    ]
    write_atomic(PAGE, ("\n".join(page).rstrip() + "\n").encode("utf-8"))
    print(f"wrote {PAGE.relative_to(REPO)} ({len(paths)} templates)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
