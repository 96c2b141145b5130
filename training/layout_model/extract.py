"""Extract designer-made layouts: every stdlib template compiled over real catalogues.

    .venv/bin/python training/layout_model/extract.py [--jobs 2] [--force]

The stdlib templates are the project's designs: each was laid out by hand for every format
it serves, and its `place`, `flow` and text fitting adapt it to each product. Compiling
every template × product × format therefore gives many real layouts of the same designs
over products of different shapes, title lengths and price data. For each creative this
reads the bound scene's elements (`ddm_lang.layout.elements.flatten`), maps them to the
layout roles (`roles.py`) and records, as canvas shares, one box per role (the hero's:
the box its image is drawn in, the slot `place` fitted it to; and beside it the box its
subject shows in), with the condition the layout was made for: the format's size, the
hero subject's aspect in its photo and whether the hero is cut out.

Catalogues (read in place, never copied into the repository):

- `samples`: `ddm_lang/stdlib_templates/samples/catalogue.json` (10 products);
- `grocery`: `$DDM_TRAIN_DATA/products-grocery` (81 studio packshots; default data folder
  `../shared/data`), read as a folder catalogue as the benchmarks do;
- `studio`: `benchmarks/catalogues/studio/catalogue.json` (30 products, 48 packshots).

Output: `training/.cache/layout_model/layouts-<digest>.jsonl` (ignored by git), one line
per creative; the digest covers the templates, the catalogues' files, this script and
`roles.py`, so a change to any of them extracts again. Perception records go to a private
material library (`$XDG_CACHE_HOME/ddm_lang/layout-model.sqlite`), so a second run
perceives nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

STDLIB = ROOT / "ddm_lang" / "stdlib_templates"
DATA = Path(os.environ.get("DDM_TRAIN_DATA", ROOT.parent / "shared" / "data"))
CATALOGUES: dict[str, Path] = {
    "samples": STDLIB / "samples" / "catalogue.json",
    "grocery": DATA / "products-grocery",
    "studio": ROOT / "benchmarks" / "catalogues" / "studio" / "catalogue.json",
}
CACHE = ROOT / "training" / ".cache" / "layout_model"
DIGITS = 5


def default_library() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "ddm_lang" / "layout-model.sqlite"


def _catalogue_files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file())
    else:
        yield path
        yield from sorted(p for p in (path.parent / "images").rglob("*") if p.is_file())


def digest() -> str:
    """What the extracted layouts depend on: templates, catalogue files (names and sizes),
    the extractor and the role rules."""
    h = hashlib.sha256()
    for p in [*sorted(STDLIB.glob("*.ddm")), HERE / "extract.py", HERE / "roles.py"]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    for name, path in sorted(CATALOGUES.items()):
        h.update(name.encode())
        for f in _catalogue_files(path):
            h.update(f"{f.relative_to(path if path.is_dir() else path.parent)}"
                     f":{f.stat().st_size}".encode())
    return h.hexdigest()[:16]


def cache_path() -> Path:
    return CACHE / f"layouts-{digest()}.jsonl"


def shares(box: Any, width: float, height: float) -> list[float]:
    return [round(box.x / width, DIGITS), round(box.y / height, DIGITS),
            round(box.width / width, DIGITS), round(box.height / height, DIGITS)]


def creative_layout(template: Any, creative: Any,
                    subjects: Any = None) -> dict[str, Any] | None:
    """The layout record of one compiled creative (None when it has no hero image).
    `subjects` says where each image's subject is (`elements.SubjectLookup`; the material
    library's perception records by default)."""
    import roles
    import skia

    from ddm_lang.layout import elements as le
    from ddm_lang.scene import Box, ImageNode

    scene = creative.scene
    lookup = le.cached_lookup(subjects or le.library_subjects)
    elements = le.flatten(scene, lookup)
    kinds = roles.caption_kinds(template.ir.body,
                                {n: c.body for n, c in template.ir.components.items()})
    found = roles.pieces(elements, kinds, roles.ancestors(scene))
    w, h = scene.width, scene.height
    hero = roles.hero_element(found, w, h)
    if hero is None or not isinstance(hero.item, ImageNode):
        return None
    node = hero.item
    subject = lookup(node)
    matrix = skia.Matrix()
    a, b, tx, c, d, ty = hero.matrix
    matrix.setAll(a, b, tx, c, d, ty, 0, 0, 1)
    # The hero's box is the one its image is drawn in: the slot `place` fitted it to, which
    # is what a generated design writes (`place in slot(…) fit subject`); where the
    # subject shows inside it is kept beside, for the measures.
    slot = le.map_box(matrix, node.box)
    placed = le.image_subject_box(node, subject)
    shown = le.map_box(matrix, le.intersection(placed, node.box)) if placed is not None \
        else None
    m = node.material
    if subject is not None and subject.box[2] > 0 and subject.box[3] > 0:
        aspect = subject.box[2] * m.width / (subject.box[3] * m.height)
    else:
        aspect = m.width / m.height
    boxes = roles.role_boxes(found, w, h, slot)
    if "hero" not in boxes:
        return None
    canvas = Box(0, 0, w, h)
    visible = le.intersection(shown, canvas) if shown is not None else None
    return {"width": w, "height": h, "subject_aspect": round(aspect, 4),
            "subject_found": subject is not None, "cutout": roles.is_cutout(node),
            "boxes": {role: shares(box, w, h) for role, box in boxes.items()},
            "hero_subject": shares(visible, w, h) if visible is not None
            and visible.width > 0 and visible.height > 0 else None}


def extract_one(job: tuple[str, str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every product × format of one template over one catalogue."""
    catalogue_name, template_path, library = job
    os.environ["DDM_LIBRARY"] = library
    from ddm_lang import load_template
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.syntax.diagnostics import DiagnosticError

    catalogue = load_catalogue(CATALOGUES[catalogue_name])
    template = load_template(template_path)
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for product in catalogue.as_dicts():
        for fmt in template.formats:
            try:
                creative = template.compile(product, fmt.name, base_dir=catalogue.base_dir)
            except DiagnosticError as err:
                errors.append(f"{template.name} {product['id']} {fmt.name}: "
                              f"{err.render().splitlines()[0]}")
                continue
            record = creative_layout(template, creative)
            if record is None:
                errors.append(f"{template.name} {product['id']} {fmt.name}: no hero image")
                continue
            rows.append({"template": template.name, "format": fmt.name,
                         "catalogue": catalogue_name, "product": str(product["id"]),
                         **record})
    return rows, errors


def extract(jobs: int, library: Path) -> tuple[list[dict[str, Any]], list[str]]:
    work = [(name, str(path), str(library)) for name in CATALOGUES
            for path in sorted(STDLIB.glob("*.ddm"))]
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    if jobs <= 1:
        results = map(extract_one, work)
        for r, e in results:
            rows += r
            errors += e
    else:
        with ProcessPoolExecutor(jobs) as pool:
            for r, e in pool.map(extract_one, work):
                rows += r
                errors += e
    return rows, errors


def load(force: bool = False, jobs: int = 2) -> list[dict[str, Any]]:
    """The extracted layouts, from the cache when it is current."""
    path = cache_path()
    if path.exists() and not force:
        return [json.loads(line) for line in path.read_text().splitlines() if line]
    library = default_library()
    library.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows, errors = extract(jobs, library)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    os.replace(tmp, path)
    print(f"extracted {len(rows)} layouts in {time.perf_counter() - started:.0f} s; "
          f"{len(errors)} creatives left out", file=sys.stderr)
    for e in errors[:20]:
        print("  " + e, file=sys.stderr)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--force", action="store_true", help="extract again even when cached")
    args = p.parse_args()
    rows = load(args.force, args.jobs)
    print(f"{len(rows)} layouts in {cache_path().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
