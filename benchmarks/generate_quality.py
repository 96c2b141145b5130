"""Template-free generation (`ddm generate`) measured over three catalogues.

For every product of the sample catalogue, the studio packshots
(`benchmarks/catalogues/studio`, real demo-store photos with feed-style titles) and the
grocery photos (`../shared/data/products-grocery`, never copied into the repo), `-n`
designs are generated for feed, story and banner and measured:

- PosterLayout's metrics (overlap, alignment, occlusion, unreadability) of every chosen
  design, next to the standard library's templates compiled for the same products and
  formats, and DS-GAN's published figures (for scale: their canvases are posters);
- the census: each design's written template compiled again from its text for its
  product and slot and run through every creative check (`quality.run_checks`, the
  `ddm check --product` census), which must find nothing; and how each template did in
  the other formats (`coverage`);
- diversity: the mean pairwise layout distance (`search.layout_distance`: 1 − IoU per
  role) of the designs of one product and format, and with style (`design_distance`);
- the share of candidates that passed every check, and time per design with perception
  cached (the records are computed, untimed, before generation);
- for the sample catalogue also each proposer (`search`, `model`, `both`): what the
  trained layout model adds to the archetype search.

A contact sheet per catalogue (a spread of products, the first two designs of each
format) is written to benchmarks/results/generate_<catalogue>.jpg.

    python benchmarks/generate_quality.py [--catalogues sample,studio,grocery] [-n 8]
        [--limit K] [--library PATH] [--no-proposers] [--no-stdlib] [--no-write]

Results: benchmarks/results/generate_quality.{md,json}. Perception records go to the
same private library as layout_quality.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from layout_quality import DATA, default_library, encode_within, fmt, measure_template, stats
from provenance import ddm_lang_source, machine, run_lines, versions, write_results

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "results"
CATALOGUES = {
    "sample": REPO / "ddm_lang" / "stdlib_templates" / "samples" / "catalogue.json",
    "studio": REPO / "benchmarks" / "catalogues" / "studio" / "catalogue.json",
    "grocery": DATA,
}
FORMATS = "feed,story,banner"
POSTERLAYOUT = ("overlap", "alignment", "alignment_posterlayout", "occlusion",
                "unreadability")
SHEET_PRODUCTS = 6
SHEET_PER_FORMAT = 2
SHEET_LIMIT = 450_000


def _metrics_row(creative: Any, slot: Any, metrics: Any) -> dict[str, float]:
    from ddm_lang.layout import elements as le
    from ddm_lang.quality import layout_metrics as lm
    elements = le.flatten(creative.scene, le.library_subjects)
    valid = [e.box for e in lm.valid_elements(elements, slot.width, slot.height)
             if e.role != "background"]
    return {**metrics.as_dict(),
            "alignment_posterlayout": round(lm.alignment_posterlayout(
                valid, slot.width, slot.height), 4)}


def _mean_pairwise(values: list[Any], distance: Any) -> float | None:
    pairs = [distance(a, b) for i, a in enumerate(values) for b in values[i + 1:]]
    return statistics.fmean(pairs) if pairs else None


def generate_catalogue(name: str, path: Path, n: int, limit: int, proposer: str,
                       sheet: bool) -> dict[str, Any]:
    """Generate for every product of a catalogue and measure what came out."""
    import ddm_lang
    from ddm_lang.environment import default_environment
    from ddm_lang.gallery import Cell, spread
    from ddm_lang.generate.design import design_distance, parse_slots
    from ddm_lang.generate.generator import GenerateError, generate, perceive
    from ddm_lang.generate.proposers import make
    from ddm_lang.generate.search import layout_distance
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.quality import run_checks

    catalogue = load_catalogue(path)
    products = spread(list(catalogue.products), limit)
    slots = parse_slots(FORMATS)
    env = default_environment()
    chooser = make(proposer)
    rows: list[dict[str, float]] = []
    census = {"designs": 0, "findings": 0, "examples": []}
    coverage = {"checked": 0, "failed": 0}
    diversity: list[float] = []
    diversity_styled: list[float] = []
    candidates = passed = designs = 0
    seconds = 0.0
    shortfall = 0
    failed_products: list[str] = []
    sheet_rows: list[list[Any]] = []
    sheet_ids = {products[i].id for i in _spread_ids(SHEET_PRODUCTS, len(products))}
    for k, product in enumerate(products):
        perceive(product, env)                 # untimed: perception is cached below
        try:
            result = generate(product, slots, n, proposer=chooser, env=env)
        except GenerateError as err:
            failed_products.append(f"{product.id}: {err}")
            continue
        data = product.as_dict()
        candidates += result.candidates
        passed += result.passed
        designs += len(result.designs)
        seconds += result.seconds
        shortfall += sum(result.shortfall.values())
        for slot in slots:
            mine = [g for g in result.designs if g.design.slot == slot]
            value = _mean_pairwise([g.design.primary.layout for g in mine], layout_distance)
            if value is not None:
                diversity.append(value)
                diversity_styled.append(_mean_pairwise([g.design for g in mine],
                                                       design_distance) or 0.0)
        for g in result.designs:
            rows.append({"format": g.design.slot.name,
                         **_metrics_row(g.creative, g.design.slot, g.metrics)})
            template = ddm_lang.template_from_string(g.text)
            creative = template.compile(data, g.design.slot.name, base_dir=product.base_dir)
            findings = run_checks(creative, product=data, template=template)
            census["designs"] += 1
            census["findings"] += len(findings)
            if findings and len(census["examples"]) < 10:
                census["examples"].append(f"{product.id} {g.stem}: " + "; ".join(
                    f"{f.check}: {f.message}" for f in findings[:2]))
            for c in g.coverage:
                if c.slot != g.design.slot.name:
                    coverage["checked" if c.status == "checked" else "failed"] += 1
        if sheet and product.id in sheet_ids:    # a row per product: each format's first
            sheet_rows.append([Cell(f"{_short(product.title)} · {g.stem} · "
                                    f"{g.design.style.name}", g.creative.pixels())
                               for slot in slots
                               for g in [d for d in result.designs
                                         if d.design.slot == slot][:SHEET_PER_FORMAT]])
        print(f"\r{name} ({proposer}): [{k + 1}/{len(products)}] {designs} designs",
              end="", flush=True)
    print()
    return {
        "catalogue": name, "path": os.path.relpath(path, REPO), "proposer": proposer,
        "products": len(products), "failed_products": failed_products, "n": n,
        "designs": designs, "missing": shortfall,
        "candidates": candidates, "passed": passed,
        "pass_share": round(passed / candidates, 4) if candidates else None,
        "seconds": round(seconds, 1),
        "ms_per_design": round(1000 * seconds / designs, 1) if designs else None,
        "census": census, "coverage": coverage,
        "diversity": round(statistics.fmean(diversity), 4) if diversity else None,
        "diversity_with_style": (round(statistics.fmean(diversity_styled), 4)
                                 if diversity_styled else None),
        "overall": {key: stats([r[key] for r in rows if r.get(key) is not None])
                    for key in (*POSTERLAYOUT, "underlay", "subject_cut")},
        "_sheet": sheet_rows,
    }


def _spread_ids(count: int, total: int) -> list[int]:
    if count >= total:
        return list(range(total))
    return sorted({round(i * (total - 1) / (count - 1)) for i in range(count)})


def _short(title: str) -> str:
    return title if len(title) <= 28 else title[:27] + "…"


def stdlib_baseline(path: Path, limit: int) -> dict[str, Any]:
    """The standard library's templates compiled for the same products in the same
    formats (where a template serves them), measured the same way."""
    from ddm_lang import load_template
    from ddm_lang.gallery import spread
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.stdlib_templates import stdlib_dir

    catalogue = load_catalogue(path)
    products = [p.as_dict() for p in spread(list(catalogue.products), limit)]
    wanted = set(FORMATS.split(","))
    rows: list[dict[str, Any]] = []
    failing = creatives = 0
    for file in sorted(stdlib_dir().glob("*.ddm")):
        template = load_template(file)
        if not any(f.name in wanted for f in template.formats):
            continue
        measured = measure_template(template, products, catalogue.base_dir, only=wanted)
        measured.pop("_blocks")
        creatives += measured["creatives"]
        failing += measured["failed_layout_checks"]
        rows += [r for fmt_rows in measured["creatives_detail"].values() for r in fmt_rows]
    return {"creatives": creatives, "failed_layout_checks": failing,
            "overall": {key: stats([float(r[key]) for r in rows if r.get(key) is not None])
                        for key in (*POSTERLAYOUT, "underlay", "subject_cut")}}


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DDM_LIBRARY"] = str(args.library)
    from ddm_lang.quality import layout_metrics as lm
    names = [c.strip() for c in args.catalogues.split(",") if c.strip()]
    results: list[dict[str, Any]] = []
    baselines: dict[str, Any] = {}
    sheets: dict[str, Any] = {}
    for name in names:
        result = generate_catalogue(name, CATALOGUES[name], args.n, args.limit, "both",
                                    sheet=True)
        rows = result.pop("_sheet")
        if rows:
            sheets[name] = rows
        results.append(result)
        if not args.no_stdlib:
            baselines[name] = stdlib_baseline(CATALOGUES[name], args.limit)
    proposers = []
    if not args.no_proposers:
        for proposer in ("search", "model", "both"):
            result = generate_catalogue("sample", CATALOGUES["sample"], args.n, 0, proposer,
                                        sheet=False)
            result.pop("_sheet")
            proposers.append(result)
    return {
        "benchmark": "generate_quality",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source(),
        "library": str(args.library), "formats": FORMATS, "n": args.n,
        "reference_dsgan_posterlayout": lm.DSGAN_POSTERLAYOUT,
        "catalogues": results, "stdlib": baselines, "proposers": proposers,
        "_sheets": sheets,
    }


def _f(v: Any, digits: int = 4) -> str:
    return "–" if v is None else fmt(float(v)) if digits == 4 else f"{float(v):.{digits}f}"


def markdown(res: dict[str, Any]) -> str:
    ref = res["reference_dsgan_posterlayout"]
    lines = [
        "# Template-free generation: `ddm generate` over three catalogues", "",
        f"`-n {res['n']}` designs per product for {res['formats'].replace(',', ', ')}, "
        "with the default proposer (`both`: half the trained layout model's layouts, "
        "repaired, half the archetype search's). Every chosen design's template is "
        "compiled again from its text and run through every creative check (the census). "
        "Metrics as in `layout_quality.md` (↓ lower is better).", "",
        "| catalogue | products | designs | missing | candidates passing | census findings "
        "| other formats checked | diversity (layout / with style) | ms per design |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["catalogues"]:
        cov = r["coverage"]
        lines.append(
            f"| {r['catalogue']} | {r['products']} | {r['designs']} | {r['missing']} | "
            f"{r['passed']}/{r['candidates']} ({_f(r['pass_share'], 3)}) | "
            f"{r['census']['findings']} in {r['census']['designs']} | "
            f"{cov['checked']}/{cov['checked'] + cov['failed']} | "
            f"{_f(r['diversity'], 3)} / {_f(r['diversity_with_style'], 3)} | "
            f"{_f(r['ms_per_design'], 0)} |")
    lines += ["", "## Against the standard library and DS-GAN", "",
              "Means over every design (generated) or every creative of every stdlib "
              "template in the same formats for the same products (stdlib). DS-GAN's "
              "figures are from the PosterLayout paper (CVPR 2023), layouts predicted for "
              "its test posters: a sense of scale, not a contest.", "",
              "| | Ove ↓ | Ali ↓ | Ali (eval.py) ↓ | Occ ↓ | Rea ↓ | text on a plate | "
              "subject cut ↓ |", "|---|---|---|---|---|---|---|---|",
              f"| DS-GAN, PosterLayout test | {fmt(ref['overlap'])} | {fmt(ref['alignment'])} "
              f"| – | {fmt(ref['occlusion'])} | {fmt(ref['unreadability'])} | – | – |"]
    keys = (*POSTERLAYOUT, "underlay", "subject_cut")
    for r in res["catalogues"]:
        o = r["overall"]
        lines.append(f"| {r['catalogue']}, generated | "
                     + " | ".join(fmt(o[k]["mean"]) for k in keys) + " |")
        base = res["stdlib"].get(r["catalogue"])
        if base:
            lines.append(f"| {r['catalogue']}, stdlib ({base['creatives']} creatives, "
                         f"{base['failed_layout_checks']} failing) | "
                         + " | ".join(fmt(base["overall"][k]["mean"]) for k in keys) + " |")
    if res["proposers"]:
        lines += ["", "## What the layout model adds (sample catalogue)", "",
                  "The same products and seed with each proposer: `search` samples the "
                  "archetypes written into it, `model` samples the trained layout model "
                  "and repairs its layouts to the rules (`generate/repair.py`), `both` "
                  "takes half of each and lets selection choose.", "",
                  "| proposer | designs | candidates passing | diversity (layout / with "
                  "style) | Ove ↓ | Ali ↓ | Rea ↓ | ms per design |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in res["proposers"]:
            o = r["overall"]
            lines.append(
                f"| {r['proposer']} | {r['designs']} | {r['passed']}/{r['candidates']} "
                f"({_f(r['pass_share'], 3)}) | {_f(r['diversity'], 3)} / "
                f"{_f(r['diversity_with_style'], 3)} | {fmt(o['overlap']['mean'])} | "
                f"{fmt(o['alignment']['mean'])} | {fmt(o['unreadability']['mean'])} | "
                f"{_f(r['ms_per_design'], 0)} |")
    examples = [e for r in res["catalogues"] for e in r["census"]["examples"]]
    failed = [e for r in res["catalogues"] for e in r["failed_products"]]
    if examples or failed:
        lines += ["", "## Findings", "", *(f"- {e}" for e in examples + failed)]
    if res.get("sheets"):
        lines += ["", "## Contact sheets", "",
                  *(f"- {name}: [{Path(path).name}]({Path(path).name})"
                    for name, path in res["sheets"].items())]
    lines += ["", *run_lines(res)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalogues", default=",".join(CATALOGUES))
    parser.add_argument("-n", type=int, default=8)
    parser.add_argument("--limit", type=int, default=0,
                        help="at most K products per catalogue, spread over it (0: all)")
    parser.add_argument("--library", type=Path, default=default_library())
    parser.add_argument("--no-proposers", action="store_true")
    parser.add_argument("--no-stdlib", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    res = run(args)
    sheets = res.pop("_sheets")
    res["seconds"] = round(time.perf_counter() - start, 1)
    if not args.no_write:
        from ddm_lang.gallery import contact_sheet
        res["sheets"] = {}
        for name, rows in sheets.items():
            pixels = contact_sheet(f"ddm generate: {name}, {len(rows)} products × {FORMATS}, "
                                   f"the first {SHEET_PER_FORMAT} designs of each", rows)
            jpeg, _ = encode_within(np.ascontiguousarray(pixels), SHEET_LIMIT)
            path = OUT / f"generate_{name}.jpg"
            path.write_bytes(jpeg)
            res["sheets"][name] = os.path.relpath(path, REPO)
        write_results(OUT, "generate_quality", res, markdown(res))
    print(markdown(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
