"""Layout quality of the whole standard template library over a real catalogue.

Users judge the project by its templates, and a template that looks right on the sample
catalogue can still overflow a long title or lose its copy over a product photo. This runs
every `ddm_lang/stdlib_templates/*.ddm` against every product of a catalogue (default:
../shared/data/products-grocery, 81 real product photos; never copied into the repo) in
every format the template serves, and measures each creative with
`ddm_lang.quality.layout_metrics` (PosterLayout's overlap, alignment, occlusion, unreadability,
plus overflow, off-canvas, cut subjects) and the contrast guarantee's notes (texts whose
colour it changed or plated, and texts it could not make readable). The bar: no compile
error, no overflow, no contrast failure, no failing layout check.

    python benchmarks/template_quality.py [--catalogue PATH] [--library PATH]
        [--templates NAME,...] [--limit N] [--no-write]

Results: benchmarks/results/template_quality.{md,json}. Perception records go to the same
private library as layout_quality.py, so a second run reuses them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from layout_quality import DATA, default_library, fmt, measure_template
from provenance import ddm_lang_source, machine, run_lines, versions, write_results

REPO = Path(__file__).resolve().parent.parent
STDLIB = REPO / "ddm_lang" / "stdlib_templates"
OUT = REPO / "benchmarks" / "results"


def _count(stats: dict[str, float] | None, creatives: int) -> int:
    """A per-creative count's total from its mean (0 when nothing was measured)."""
    mean = stats["mean"] if stats else float("nan")
    return 0 if mean != mean else round(mean * creatives)


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DDM_LIBRARY"] = str(args.library)
    from ddm_lang import load_template
    from ddm_lang.perception.catalogue import load_catalogue

    catalogue = load_catalogue(args.catalogue)
    products = catalogue.as_dicts()[: args.limit or None]
    paths = sorted(STDLIB.glob("*.ddm"))
    if args.templates:
        wanted = set(args.templates.split(","))
        paths = [p for p in paths if p.stem in wanted]
    rows = []
    start = time.perf_counter()
    for path in paths:
        template = load_template(path)
        t0 = time.perf_counter()
        res = measure_template(template, products, catalogue.base_dir)
        res.pop("_blocks")
        overall = res["overall"]
        rows.append({
            "template": template.name, "title": template.title,
            "formats": res["formats"], "creatives": res["creatives"], "errors": res["errors"],
            "error_details": res["error_details"][:20],
            "failed_layout_checks": res["failed_layout_checks"],
            "failures": res["failures"][:20],
            "overflowing_texts": _count(overall["overflow"], res["creatives"]),
            "contrast_fixed": res["contrast_fixed"], "contrast_failed": res["contrast_failed"],
            "contrast_failures": res["contrast_failures"][:20],
            "layouts_repaired": res["layouts_repaired"],
            "means": {k: overall[k]["mean"] if overall[k] else None
                      for k in ("overlap", "alignment", "occlusion", "unreadability",
                                "underlay", "subject_cut")},
            "seconds": round(time.perf_counter() - t0, 1),
        })
    total = {k: sum(r[k] for r in rows) for k in
             ("creatives", "errors", "failed_layout_checks", "overflowing_texts",
              "contrast_fixed", "contrast_failed", "layouts_repaired")}
    return {
        "benchmark": "template_quality",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source(),
        "catalogue": os.path.relpath(args.catalogue, REPO), "products": len(products),
        "templates": len(rows), "seconds": round(time.perf_counter() - start, 1),
        "total": total, "rows": rows,
    }


def markdown(res: dict[str, Any]) -> str:
    t = res["total"]
    lines = [
        "# Template quality: the standard library over a real catalogue",
        "",
        f"Every template of `ddm_lang/stdlib_templates/` compiled for every product of "
        f"`{res['catalogue']}` ({res['products']} products) in every format it serves, each "
        "creative measured by `ddm_lang.quality.layout_metrics` and the contrast guarantee "
        "(definitions in those modules' docstrings; ↓ lower is better, ↑ higher is better).",
        "",
        f"- **{t['creatives']} creatives** from {res['templates']} templates in "
        f"{res['seconds']:.0f} s: **{t['errors']} compile errors**, **{t['overflowing_texts']} "
        f"overflowing texts**, **{t['contrast_failed']} contrast failures**, "
        f"**{t['failed_layout_checks']} failing layout checks** (overflow, off canvas, text "
        "over the product above 10 %).",
        f"- The contrast guarantee recoloured or plated {t['contrast_fixed']} texts to reach "
        f"WCAG AA; the layout solver repaired {t['layouts_repaired']} creatives.",
        "",
        "| template | formats | creatives | errors | failing checks | overflow | contrast "
        "fixed / failed | repaired | Ove ↓ | Ali ↓ | Occ ↓ | Rea ↓ | on a plate ↑ |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["rows"]:
        m = {k: float("nan") if v is None else v for k, v in r["means"].items()}
        lines.append(
            f"| `{r['template']}` | {len(r['formats'])} | {r['creatives']} | {r['errors']} | "
            f"{r['failed_layout_checks']} | {r['overflowing_texts']} | {r['contrast_fixed']} / "
            f"{r['contrast_failed']} | {r['layouts_repaired']} | {fmt(m['overlap'])} | "
            f"{fmt(m['alignment'])} | {fmt(m['occlusion'])} | {fmt(m['unreadability'])} | "
            f"{fmt(m['underlay'])} |")
    problems = [(r["template"], kind, item) for r in res["rows"]
                for kind, items in (("error", [e["error"].splitlines()[0] for e in
                                               r["error_details"]]),
                                    ("check", [f"{f['product']} ({f['format']}): "
                                               f"{'; '.join(f['problems'])}"
                                               for f in r["failures"]]),
                                    ("contrast", r["contrast_failures"]))
                for item in items]
    if problems:
        lines += ["", "## Problems (first 20 per template and kind)", ""]
        lines += [f"- `{name}` {kind}: {item}" for name, kind, item in problems]
    lines += ["", *run_lines(res)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--catalogue", type=Path, default=DATA)
    p.add_argument("--library", type=Path, default=default_library(),
                   help="material library file (default: %(default)s)")
    p.add_argument("--templates", help="comma-separated template names (default: all)")
    p.add_argument("--limit", type=int, default=0, help="first N products only")
    p.add_argument("--no-write", action="store_true", help="print, write no results")
    args = p.parse_args(argv)
    if not args.catalogue.exists():
        print(f"{args.catalogue}: catalogue not found", file=sys.stderr)
        return 2
    res = run(args)
    text = markdown(res)
    if args.no_write or args.templates or args.limit:
        print(text)
        return 0
    write_results(OUT, "template_quality", res, text)
    print(f"wrote {OUT / 'template_quality.md'} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
