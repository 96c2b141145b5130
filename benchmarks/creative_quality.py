"""Defect census: the creative checks over every stdlib template, format and catalogue.

`ddm check --product` tells a template author what is wrong with one template; this
counts, over the whole standard library, how often each defect a viewer would see
(`ddm_lang.quality`: overflow, off-canvas, occlusion, safe margin, orphan decoration,
separation, head noun, orphan line, hyphen break, dash start, word split) occurs, per
catalogue and per template, so a change to layout or copy can be judged by the defects
it adds or removes. Catalogues:

- `grocery`: ../shared/data/products-grocery, 81 real product photos (never copied into
  the repo), loaded as `layout_quality.py` loads it;
- `samples`: the sample catalogue shipped with the templates (10 products, 3 languages);
- `studio`: benchmarks/catalogues/studio/catalogue.json, studio packshots (skipped with a
  note when absent).

Perception records go to the same private material library as layout_quality.py
(`$XDG_CACHE_HOME/ddm_lang/layout-quality.sqlite`, or `--library`), so a second run
reuses them.

    python benchmarks/creative_quality.py [--catalogues grocery,samples,studio]
        [--templates NAME,...] [--limit N] [--jobs N] [--minutes M] [--library PATH]
        [--no-write]
    python benchmarks/creative_quality.py --redraw    # the sheet again, from the results

Results: benchmarks/results/creative_quality.{md,json} and a contact sheet of the 20
worst creatives, benchmarks/results/creative_quality_worst.jpg (at most 500 KB).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import skia

sys.path.insert(0, str(Path(__file__).resolve().parent))
from layout_quality import (
    DATA,
    SHEET_INK,
    default_library,
    draw_framed,
    encode_within,
    sheet_pixels,
    titled_sheet,
)
from provenance import ddm_lang_source, machine, run_lines, versions, write_results

REPO = Path(__file__).resolve().parent.parent
STDLIB = REPO / "ddm_lang" / "stdlib_templates"
CATALOGUES = {
    "grocery": DATA,
    "samples": STDLIB / "samples" / "catalogue.json",
    "studio": REPO / "benchmarks" / "catalogues" / "studio" / "catalogue.json",
}
RESULTS = REPO / "benchmarks" / "results"
SHEET = RESULTS / "creative_quality_worst.jpg"
SHEET_LIMIT = 500_000   # bytes
WORST = 20              # creatives on the sheet
PER_TEMPLATE = 3        # at most this many of them from one template, so one bad template
#                         does not hide the others' defects
CELL = 300              # sheet: the longer side of one creative's thumbnail, px
LABEL_LINES = 5
LINE = 15
GAP = 12
DETAIL = 40             # findings kept per template and catalogue in the JSON


def _census(task: tuple[str, str, Path, int]) -> dict[str, Any]:
    """Compile one template for every product of one catalogue in every format and run
    every check: per-check counts and each creative's findings (in a worker process)."""
    catalogue_name, template_path, catalogue_path, limit = task
    from ddm_lang import load_template
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.quality import headline_names, run_checks
    from ddm_lang.quality.layout_metrics import measure
    from ddm_lang.syntax.diagnostics import DiagnosticError

    template = load_template(Path(template_path))
    catalogue = load_catalogue(catalogue_path)
    products = catalogue.as_dicts()[: limit or None]
    headlines = headline_names(template)
    findings: Counter[str] = Counter()
    affected: Counter[str] = Counter()
    creatives: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    start = time.perf_counter()
    for product in products:
        for fmt in template.formats:
            try:
                creative = template.compile(product, fmt.name, base_dir=catalogue.base_dir)
            except DiagnosticError as err:
                errors.append({"product": product["id"], "format": fmt.name,
                               "error": err.render().splitlines()[0]})
                continue
            found = run_checks(creative, product=product, headlines=headlines,
                               metrics=measure(creative, render=False))
            findings.update(f.check for f in found)
            affected.update({f.check for f in found})
            creatives.append({"product": product["id"], "title": str(product.get("title", "")),
                              "format": fmt.name, "size": [fmt.width, fmt.height],
                              "findings": [f.as_dict() for f in found]})
    return {"catalogue": catalogue_name, "template": template.name,
            "formats": [f.name for f in template.formats], "products": len(products),
            "base_dir": str(catalogue.base_dir), "catalogue_path": str(catalogue_path),
            "template_path": template_path, "creatives": creatives, "errors": errors,
            "findings": dict(findings), "affected": dict(affected),
            "seconds": round(time.perf_counter() - start, 1)}


def score(creative: dict[str, Any]) -> tuple[int, int]:
    """How bad a creative is: the number of different checks it fails, then findings."""
    return len({f["check"] for f in creative["findings"]}), len(creative["findings"])


def worst(parts: list[dict[str, Any]], count: int = WORST,
          per_template: int = PER_TEMPLATE) -> list[dict[str, Any]]:
    """The `count` worst creatives, at most `per_template` from one template."""
    ranked = sorted(((c, p) for p in parts for c in p["creatives"] if c["findings"]),
                    key=lambda cp: (-score(cp[0])[0], -score(cp[0])[1], cp[1]["template"],
                                    cp[0]["format"], cp[0]["product"]))
    taken: Counter[str] = Counter()
    out = []
    for c, p in ranked:
        if taken[p["template"]] >= per_template:
            continue
        taken[p["template"]] += 1
        out.append({**c, "template": p["template"], "catalogue": p["catalogue"],
                    "template_path": p["template_path"],
                    "catalogue_path": p["catalogue_path"]})
        if len(out) == count:
            break
    return out


def _wrap(text: str, font: skia.Font, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.measureText(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def worst_sheet(picks: list[dict[str, Any]], title: str) -> np.ndarray:
    """The worst creatives, re-compiled and drawn in a grid, each labelled with its
    template, format, product and findings."""
    from ddm_lang import load_template
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.renderer import render
    from ddm_lang.renderer.fonts import FontRegistry

    per_row = 5
    cell_w = CELL + GAP
    rows = max(1, (len(picks) + per_row - 1) // per_row)
    cell_h = CELL + LABEL_LINES * LINE + 2 * GAP
    width, height = GAP + per_row * cell_w, 48 + rows * cell_h
    surface, canvas = titled_sheet(width, height, title)
    fonts = FontRegistry.default()
    bold = fonts.font("Inter", 700, False, 12)
    small = fonts.font("Inter", 400, False, 11)
    ink = skia.Paint(Color=skia.ColorSetRGB(*SHEET_INK), AntiAlias=True)
    red = skia.Paint(Color=skia.ColorSetRGB(170, 30, 30), AntiAlias=True)
    templates: dict[str, Any] = {}
    catalogues: dict[str, Any] = {}
    for n, pick in enumerate(picks):
        left = GAP + (n % per_row) * cell_w
        top = 48 + (n // per_row) * cell_h
        template = templates.setdefault(pick["template_path"],
                                        load_template(Path(pick["template_path"])))
        catalogue = catalogues.setdefault(pick["catalogue_path"],
                                          load_catalogue(pick["catalogue_path"]))
        product = next(p for p in catalogue.as_dicts() if p["id"] == pick["product"])
        creative = template.compile(product, pick["format"], base_dir=catalogue.base_dir)
        w, h = pick["size"]
        k = CELL / max(w, h)
        dw, dh = max(1, round(w * k)), max(1, round(h * k))
        pixels = render(creative.svg, dw * 2, dh * 2, allowed_roots=(catalogue.base_dir,))
        draw_framed(canvas, pixels,
                    skia.Rect.MakeXYWH(left + (CELL - dw) / 2, top + (CELL - dh) / 2, dw, dh))
        y = top + CELL + LINE
        product_name = pick["product"].rsplit("/", 1)[-1]  # grocery ids are folder paths
        head_line = f"{pick['template']} · {pick['format']} · {product_name}"
        while len(head_line) > 8 and bold.measureText(head_line) > CELL:
            head_line = head_line[:-2] + "…"
        canvas.drawString(head_line, left, y, bold, ink)
        shown = [f"{f['check']}: {f['element']}" + (
            f" ({f['value']:.1f} / {f['threshold']:g})" if f["check"] == "separation" else
            f" ({f['value']:.0f} / {f['threshold']:.0f} px)" if f["check"] == "safe-margin"
            else "") for f in pick["findings"]]
        wrapped = [line for text in shown for line in _wrap(text, small, CELL)]
        if len(wrapped) > LABEL_LINES - 1:
            wrapped = [*wrapped[: LABEL_LINES - 2], f"… and {len(shown)} findings in all"]
        for line in wrapped:
            y += LINE
            canvas.drawString(line, left, y, small, red)
    return sheet_pixels(surface)


def tally(parts: list[dict[str, Any]], checks: list[str]) -> dict[str, Any]:
    """Counts per check (findings, creatives with one) for a set of census parts."""
    creatives = sum(len(p["creatives"]) for p in parts)
    findings = Counter[str]()
    affected = Counter[str]()
    for p in parts:
        findings.update(p["findings"])
        affected.update(p["affected"])
    clean = sum(1 for p in parts for c in p["creatives"] if not c["findings"])
    return {"creatives": creatives, "errors": sum(len(p["errors"]) for p in parts),
            "clean": clean, "findings": {c: findings[c] for c in checks},
            "creatives_with": {c: affected[c] for c in checks}}


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DDM_LIBRARY"] = str(args.library)
    from ddm_lang.quality import CHECKS, check_names

    checks = check_names()
    notes: list[str] = []
    wanted = [c.strip() for c in args.catalogues.split(",") if c.strip()]
    catalogues = {}
    for name in wanted:
        path = CATALOGUES.get(name)
        if path is None:
            raise SystemExit(f"unknown catalogue {name}: one of {', '.join(CATALOGUES)}")
        if not path.exists():
            notes.append(f"catalogue `{name}` skipped: {os.path.relpath(path, REPO)} is absent")
            continue
        catalogues[name] = path
    paths = sorted(STDLIB.glob("*.ddm"))
    if args.templates:
        names = set(args.templates.split(","))
        paths = [p for p in paths if p.stem in names]
    # The small catalogues first: a run stopped at --minutes still covers every template.
    order = sorted(catalogues, key=lambda c: (c == "grocery", list(CATALOGUES).index(c)))
    tasks = [(c, str(t), catalogues[c], args.limit) for c in order for t in paths]
    start = time.perf_counter()
    parts: list[dict[str, Any]] = []
    deadline = start + args.minutes * 60 if args.minutes else None
    pool = ProcessPoolExecutor(max(1, args.jobs))
    pending = [pool.submit(_census, task) for task in tasks]
    try:
        for future in as_completed(pending, timeout=None if deadline is None
                                   else max(1.0, deadline - time.perf_counter())):
            part = future.result()
            parts.append(part)
            print(f"[{len(parts)}/{len(tasks)}] {part['catalogue']} {part['template']}: "
                  f"{len(part['creatives'])} creatives, {part['seconds']} s", flush=True)
    except FuturesTimeout:
        notes.append(f"stopped at the {args.minutes}-minute limit after {len(parts)} of "
                     f"{len(tasks)} template × catalogue tasks: the figures cover those only")
    pool.shutdown(wait=True, cancel_futures=True)
    parts.sort(key=lambda p: (p["catalogue"], p["template"]))
    seconds = time.perf_counter() - start
    per_catalogue = {c: tally([p for p in parts if p["catalogue"] == c], checks)
                     for c in catalogues}
    per_template = {}
    for c in catalogues:
        for p in parts:
            if p["catalogue"] == c:
                per_template.setdefault(p["template"], {})[c] = tally([p], checks)
    picks = worst(parts)
    record = {
        "benchmark": "creative_quality",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source(),
        "library": str(args.library), "seconds": round(seconds, 1), "jobs": args.jobs,
        "limit": args.limit, "notes": notes,
        "checks": {name: {"description": CHECKS[name].description,
                          "threshold": CHECKS[name].threshold_text} for name in checks},
        "catalogues": {c: {"path": os.path.relpath(p, REPO) if p.is_relative_to(REPO)
                           else str(p), **per_catalogue[c]} for c, p in catalogues.items()},
        "total": tally(parts, checks),
        "templates": per_template,
        "worst": [{k: v for k, v in w.items() if not k.endswith("_path")} for w in picks],
        "details": [{"catalogue": p["catalogue"], "template": p["template"],
                     "errors": p["errors"][:DETAIL],
                     "findings": [{"product": c["product"], "format": c["format"], **f}
                                  for c in p["creatives"] for f in c["findings"]][:DETAIL]}
                    for p in parts],
        "_picks": picks,
    }
    return record


def markdown(res: dict[str, Any]) -> str:
    checks = list(res["checks"])
    cats = list(res["catalogues"])
    t = res["total"]
    lines = [
        "# Creative quality: a defect census",
        "",
        "Every stdlib template × every format it serves × each catalogue, each creative run "
        "through the creative checks of `ddm check` (`ddm_lang/quality/`, definitions and "
        "thresholds in `docs/quality.md`). A figure is the number of findings; in brackets, "
        "the number of creatives with at least one.",
        "",
        f"- **{t['creatives']} creatives**, {t['errors']} compile errors, "
        f"{t['clean']} ({t['clean'] / max(t['creatives'], 1):.0%}) with no finding; "
        f"{res['seconds']:.0f} s with {res['jobs']} job(s)"
        + (f", first {res['limit']} products per catalogue" if res["limit"] else "") + ".",
        *[f"- {note}" for note in res["notes"]],
        "",
        "## Per catalogue",
        "",
        "| check | threshold | " + " | ".join(
            f"{c} ({res['catalogues'][c]['creatives']})" for c in cats) + " |",
        "|---|---|" + "---|" * len(cats),
    ]
    for name in checks:
        info = res["checks"][name]
        cells = [f"{res['catalogues'][c]['findings'][name]} "
                 f"({res['catalogues'][c]['creatives_with'][name]})" for c in cats]
        lines.append(f"| {name} | {info['threshold']} | " + " | ".join(cells) + " |")
    lines.append("| no finding | | " + " | ".join(
        f"{res['catalogues'][c]['clean']}" for c in cats) + " |")
    active = list(checks)
    lines += ["", "## Per template (findings over all catalogues)", "",
              "| template | creatives | " + " | ".join(active) + " |",
              "|---|---|" + "---|" * len(active)]
    for template, by_cat in sorted(res["templates"].items()):
        creatives = sum(v["creatives"] for v in by_cat.values())
        cells = [str(sum(v["findings"][n] for v in by_cat.values())) for n in active]
        lines.append(f"| {template} | {creatives} | " + " | ".join(cells) + " |")
    lines += ["", "## The worst creatives", "",
              f"`{os.path.relpath(SHEET, REPO)}`: the {len(res['worst'])} creatives failing "
              f"the most checks (at most {PER_TEMPLATE} per template).", ""]
    for w in res["worst"]:
        found = "; ".join(f["message"] for f in w["findings"][:4])
        more = len(w["findings"]) - 4
        lines.append(f"- {w['template']} · {w['format']} · {w['catalogue']}/{w['product']}: "
                     f"{found}" + (f" (and {more} more)" if more > 0 else ""))
    lines += ["", *run_lines(res)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--catalogues", default=",".join(CATALOGUES),
                   help="comma-separated, of %(default)s")
    p.add_argument("--templates", help="comma-separated template names (default: all)")
    p.add_argument("--limit", type=int, default=0, help="first N products of each catalogue")
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--minutes", type=float, default=0,
                   help="stop collecting after this long and record what is done")
    p.add_argument("--library", type=Path, default=default_library(),
                   help="material library file (default: %(default)s)")
    p.add_argument("--no-write", action="store_true", help="print, write no results")
    p.add_argument("--redraw", action="store_true",
                   help="only redraw the contact sheet from the recorded results")
    args = p.parse_args(argv)
    if args.redraw:
        os.environ["DDM_LIBRARY"] = str(args.library)
        res = json.loads((RESULTS / "creative_quality.json").read_text("utf-8"))
        res["_picks"] = [{**w, "template_path": str(STDLIB / f"{w['template']}.ddm"),
                          "catalogue_path": CATALOGUES[w["catalogue"]]} for w in res["worst"]]
        text = (RESULTS / "creative_quality.md").read_text("utf-8").rstrip("\n")
    else:
        res = run(args)
        text = markdown(res)
        print(text)
    picks = res.pop("_picks")
    if args.no_write:
        return 0
    write_results(RESULTS, "creative_quality", res, text + "\n")  # before the slow part
    sheet = worst_sheet(picks, f"The {len(picks)} worst creatives by the creative checks "
                        "(value / threshold where the check measures one)")
    jpeg, quality = encode_within(sheet, SHEET_LIMIT)
    from ddm_lang.files import write_atomic
    write_atomic(SHEET, jpeg)
    SHEET.chmod(0o644)
    res["sheet"] = {"path": os.path.relpath(SHEET, REPO), "bytes": len(jpeg),
                    "jpeg_quality": quality, "size": [sheet.shape[1], sheet.shape[0]]}
    write_results(RESULTS, "creative_quality", res, text + "\n")
    print(f"{SHEET}: {len(jpeg) // 1000} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
