"""Layout quality of a template over a real catalogue: every product × every format.

Compiles `benchmarks/templates/showcase.ddm` (or `--template`) against every product of
a catalogue (default: ../shared/data/products-grocery, 81 real product photos; never
copied into the repo) in every format it serves, counts the creatives that fail to
compile (the figure must be 0), measures each creative with `ddm_lang.quality.layout_metrics`
and writes mean / median / max per format next to the figures PosterLayout's DS-GAN
reached on its test split, for scale. For comparison it measures the bundled
`hero_split` template and `benchmarks/templates/flowing.ddm` (whose flowed copy the
layout solver repairs where a long title breaks it; `--baseline`), and two variants of
the showcase with the product
placed over the whole canvas, with and without `avoid` (what the checks catch when
placement does not keep the product clear of the copy). It
also draws a contact sheet (a subset of products × every format) so the numbers can be
checked against what the creatives look like.

Perception runs on first use of each image (about 0.35 s per image on CPU) and is kept in
a material library; the benchmark uses its own library file,
`$XDG_CACHE_HOME/ddm_lang/layout-quality.sqlite` (or `--library PATH`), never the user's
default one, so a second run reuses the records and a fresh path measures from scratch.

    python benchmarks/layout_quality.py [--catalogue PATH] [--template PATH]
        [--library PATH] [--limit N] [--baseline OTHER.ddm] [--no-ablation]
        [--sheet-products 12] [--png /tmp/sheet.png] [--no-write]

Results: benchmarks/results/layout_quality.{md,json}; the sheet:
docs/images/showcase-sheet.jpg (JPEG, at most 400 KB).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import skia

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import ddm_lang_source, machine, run_lines, versions

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "products-grocery"
TEMPLATE = REPO / "benchmarks" / "templates" / "showcase.ddm"
RESULTS = REPO / "benchmarks" / "results"
SHEET = REPO / "docs" / "images" / "showcase-sheet.jpg"
SHEET_LIMIT = 400_000          # bytes
ROW = 230                      # contact sheet: height of one creative thumbnail, px
GAP = 10
LABEL = 22

# Metric name → (label, direction, in the PosterLayout comparison).
METRICS: dict[str, tuple[str, str]] = {
    "overlap": ("Ove overlap", "↓"),
    "alignment": ("Ali alignment", "↓"),
    "alignment_posterlayout": ("Ali as PosterLayout's eval.py", "↓"),
    "occlusion": ("Occ text over subject", "↓"),
    "occlusion_max": ("worst text over subject", "↓"),
    "unreadability": ("Rea unreadability", "↓"),
    "underlay": ("text on a plate", "↑"),
    "overflow": ("texts overflowing", "↓"),
    "off_canvas": ("elements off canvas", "↓"),
    "subject_cut": ("subject cut", "↓"),
}


def default_library() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "ddm_lang" / "layout-quality.sqlite"


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"mean": float("nan"), "median": float("nan"), "max": float("nan")}
    return {"mean": round(statistics.fmean(values), 4),
            "median": round(statistics.median(values), 4), "max": round(max(values), 4)}


def sheet_subset(count: int, total: int) -> list[int]:
    """`count` product indices spread evenly over the catalogue (its folders are sorted by
    kind, so this samples fruit, packages and vegetables alike)."""
    if count >= total:
        return list(range(total))
    return sorted({round(i * (total - 1) / (count - 1)) for i in range(count)})


SHEET_INK = (40, 40, 40)


def titled_sheet(width: int, height: int, title: str) -> tuple[skia.Surface, skia.Canvas]:
    """A blank contact sheet with its title: the ground every sheet of the benchmarks
    is drawn on."""
    from ddm_lang.renderer.fonts import FontRegistry
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorSetRGB(238, 238, 234))
    head = FontRegistry.default().font("Inter", 700, False, 20)
    canvas.drawString(title, GAP + 4, 32, head,
                      skia.Paint(Color=skia.ColorSetRGB(*SHEET_INK), AntiAlias=True))
    return surface, canvas


def draw_framed(canvas: skia.Canvas, pixels: np.ndarray, dest: skia.Rect) -> None:
    """RGBA pixels drawn into `dest`, smoothly scaled, with a thin frame."""
    image = skia.Image.fromarray(np.ascontiguousarray(pixels),
                                 colorType=skia.ColorType.kRGBA_8888_ColorType)
    canvas.drawImageRect(image, dest,
                         skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kLinear))
    canvas.drawRect(dest, skia.Paint(Color=skia.ColorSetRGB(200, 200, 196),
                                     Style=skia.Paint.kStroke_Style, StrokeWidth=1))


def sheet_pixels(surface: skia.Surface) -> np.ndarray:
    return surface.makeImageSnapshot().toarray(colorType=skia.ColorType.kRGBA_8888_ColorType)


def contact_sheet(title: str, blocks: list[tuple[str, list[np.ndarray]]],
                  per_row: int = 2) -> np.ndarray:
    """Products in blocks (each: its formats side by side at one height), `per_row` blocks
    to a row, each block labelled with the product's name."""
    from ddm_lang.renderer.fonts import FontRegistry
    widths = [sum(round(ROW * p.shape[1] / p.shape[0]) for p in pics) + GAP * (len(pics) - 1)
              for _, pics in blocks]
    block_w = max(widths) if widths else ROW
    rows = (len(blocks) + per_row - 1) // per_row
    width = GAP + per_row * (block_w + 2 * GAP)
    height = 48 + rows * (ROW + LABEL + 2 * GAP)
    surface, canvas = titled_sheet(width, height, title)
    small = FontRegistry.default().font("Inter", 500, False, 13)
    ink = skia.Paint(Color=skia.ColorSetRGB(*SHEET_INK), AntiAlias=True)
    for n, (label, pics) in enumerate(blocks):
        left = GAP + (n % per_row) * (block_w + 2 * GAP)
        top = 48 + (n // per_row) * (ROW + LABEL + 2 * GAP)
        canvas.drawString(label, left + 2, top + 15, small, ink)
        x = left
        for pixels in pics:
            h, w = pixels.shape[:2]
            dw = round(ROW * w / h)
            draw_framed(canvas, pixels, skia.Rect.MakeXYWH(x, top + LABEL, dw, ROW))
            x += dw + GAP
    return sheet_pixels(surface)


def encode_within(pixels: np.ndarray, limit: int) -> tuple[bytes, int]:
    """The sheet as JPEG at the highest quality (from 88 down) that fits `limit` bytes."""
    from ddm_lang.renderer.encode import encode
    data, quality = b"", 88
    for quality in range(88, 40, -4):
        data = encode(pixels, "jpg", quality)
        if len(data) <= limit:
            break
    return data, quality


def short_name(product: dict[str, Any]) -> str:
    title = str(product.get("title", product.get("id", "?")))
    return title if len(title) <= 44 else title[:43] + "…"


def measure_template(template: Any, products: list[dict[str, Any]], base: Path,
                     sheet_ids: set[int] | None = None,
                     only: set[str] | None = None) -> dict[str, Any]:
    """Compile and measure every product × format (of the formats named in `only`, when
    given); thumbnails for `sheet_ids`."""
    from ddm_lang.layout import elements as le
    from ddm_lang.quality import layout_metrics as lm
    from ddm_lang.renderer import render
    from ddm_lang.syntax.diagnostics import DiagnosticError

    formats = [f for f in template.formats if only is None or f.name in only]
    per_format: dict[str, list[dict[str, Any]]] = {f.name: [] for f in formats}
    errors: list[dict[str, str]] = []
    failures: list[dict[str, Any]] = []
    blocks: list[tuple[str, list[np.ndarray]]] = []
    timing = {"compile": 0.0, "metrics": 0.0, "thumbnails": 0.0}
    repairs = {"kept": 0, "not kept": 0}  # layouts the constraint solver repaired
    contrast = {"fixed": 0, "failed": 0}  # texts the contrast guarantee changed / could not
    contrast_notes: list[str] = []
    for i, product in enumerate(products):
        thumbs: list[np.ndarray] = []
        for fmt in formats:
            t0 = time.perf_counter()
            try:
                creative = template.compile(product, fmt.name, base_dir=base)
            except DiagnosticError as err:
                errors.append({"product": product["id"], "format": fmt.name,
                               "error": err.render()})
                continue
            t1 = time.perf_counter()
            for note in creative.scene.notes:
                if note.startswith("layout:"):
                    repairs["not kept" if "not kept" in note else "kept"] += 1
                elif note.startswith("contrast:") and ("not checked" in note
                                                       or "can reach it" in note):
                    contrast["failed"] += 1
                    contrast_notes.append(f"{product['id']} ({fmt.name}): {note}")
                elif note.startswith("contrast:"):
                    contrast["fixed"] += 1
            m = lm.measure(creative)
            elements = le.flatten(creative.scene, le.library_subjects)
            valid = [e.box for e in lm.valid_elements(elements, fmt.width, fmt.height)
                     if e.role != "background"]
            row = {"product": product["id"], **m.as_dict(),
                   "alignment_posterlayout": round(
                       lm.alignment_posterlayout(valid, fmt.width, fmt.height), 4)}
            per_format[fmt.name].append(row)
            if m.failed:
                failures.append({"product": product["id"], "format": fmt.name,
                                 "problems": list(m.problems)})
            t2 = time.perf_counter()
            timing["compile"] += t1 - t0
            timing["metrics"] += t2 - t1
            if sheet_ids is not None and i in sheet_ids:
                k = ROW * 2 / fmt.height  # drawn at twice the thumbnail size, then downsampled
                thumbs.append(render(creative.svg, round(fmt.width * k), round(fmt.height * k),
                                     allowed_roots=(base,)))
                timing["thumbnails"] += time.perf_counter() - t2
        if thumbs:
            blocks.append((short_name(product), thumbs))
        print(f"\r{template.name}: [{i + 1}/{len(products)}] {len(errors)} errors", end="",
              flush=True)
    print()
    table: dict[str, dict[str, dict[str, float]]] = {}
    for name, rows in per_format.items():
        table[name] = {key: stats([float(r[key]) for r in rows if r.get(key) is not None])
                       for key in METRICS}
    everything = [r for rows in per_format.values() for r in rows]
    overall = {key: stats([float(r[key]) for r in everything if r.get(key) is not None])
               for key in METRICS}
    return {"formats": [f"{f.name} {f.width}x{f.height}" for f in formats],
            "creatives": len(everything), "errors": len(errors), "error_details": errors,
            "failed_layout_checks": len(failures), "failures": failures,
            "layouts_repaired": repairs["kept"], "repairs_not_kept": repairs["not kept"],
            "contrast_fixed": contrast["fixed"], "contrast_failed": contrast["failed"],
            "contrast_failures": contrast_notes,
            "seconds_by_stage": {k: round(v, 1) for k, v in timing.items()},
            "per_format": table, "overall": overall, "creatives_detail": per_format,
            "_blocks": blocks}


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DDM_LIBRARY"] = str(args.library)
    from ddm_lang import load_template
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.perception.library import default_library as library
    from ddm_lang.quality import layout_metrics as lm

    template = load_template(args.template)
    catalogue = load_catalogue(args.catalogue)
    products = catalogue.as_dicts()[: args.limit or None]
    base = catalogue.base_dir
    records_before = library().count()
    sheet_ids = set(sheet_subset(args.sheet_products, len(products)))
    start = time.perf_counter()
    main_result = measure_template(template, products, base, sheet_ids)
    elapsed = time.perf_counter() - start
    blocks = main_result.pop("_blocks")
    baselines = []
    others = [(os.path.relpath(path, REPO), load_template(path)) for path in args.baseline]
    if not args.no_ablation:
        # The showcase with its product placed over the whole canvas, with and without
        # `avoid`: what the checks catch when placement does not keep the product clear
        # of the copy, and what `avoid` alone recovers.
        whole = re.sub(r"place in slot\([^)]*\)", "place in slot(0 0 100% 100%)",
                       args.template.read_text("utf-8"))
        name = os.path.relpath(args.template, REPO)
        others.append((f"{name}, product over the whole canvas, with `avoid`",
                       load_template(whole)))
        others.append((f"{name}, product over the whole canvas, no `avoid`",
                       load_template(re.sub(r"\s+avoid\s+[\w-]+(\s*,\s*[\w-]+)*", "", whole))))
    for label, other_template in others:
        other = measure_template(other_template, products, base)
        other.pop("_blocks")
        baselines.append({"template": label,
                          **{k: other[k] for k in ("formats", "creatives", "errors",
                                                   "failed_layout_checks", "layouts_repaired",
                                                   "repairs_not_kept", "overall")}})

    sheet = contact_sheet(f"{template.name}: {len(blocks)} of {len(products)} products × "
                          f"{', '.join(f.name for f in template.formats)}", blocks)
    jpeg, quality = encode_within(sheet, SHEET_LIMIT)
    return {
        "benchmark": "layout_quality",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source(),
        "template": os.path.relpath(args.template, REPO),
        "catalogue": os.path.relpath(args.catalogue, REPO),
        "library": str(args.library),
        "perception_records_computed": library().count() - records_before,
        "products": len(products),
        "seconds": round(elapsed, 1),
        "reference_dsgan_posterlayout": lm.DSGAN_POSTERLAYOUT,
        "occlusion_limit": lm.OCCLUSION_LIMIT,
        **main_result,
        "baselines": baselines,
        "sheet": {"path": os.path.relpath(args.sheet, REPO), "bytes": len(jpeg),
                  "jpeg_quality": quality, "size": [sheet.shape[1], sheet.shape[0]],
                  "products": [label for label, _ in blocks]},
        "_sheet_pixels": sheet, "_sheet_jpeg": jpeg,
    }


def fmt(v: float) -> str:
    if v != v:  # nan
        return "–"
    return f"{v:.4f}" if abs(v) < 10 else f"{v:.1f}"


def markdown(res: dict[str, Any]) -> str:
    ref = res["reference_dsgan_posterlayout"]
    o = res["overall"]
    lines = [
        "# Layout quality",
        "",
        f"`{res['template']}` compiled for every product of `{res['catalogue']}` in every "
        f"format it serves, each creative measured by `ddm_lang.quality.layout_metrics` "
        "(definitions in that module's docstring; ↓ lower is better, ↑ higher is better).",
        "",
        f"- **{res['creatives']} creatives** ({res['products']} products × "
        f"{len(res['formats'])} formats: {', '.join(res['formats'])}), "
        f"**{res['errors']} compile errors**, "
        f"**{res['failed_layout_checks']} failing a hard layout check** (text overflow, an "
        f"element off canvas, text over the product above {res['occlusion_limit']:.0%}).",
        f"- {res['seconds']} s for the showcase (compile {res['seconds_by_stage']['compile']} s, "
        f"metrics {res['seconds_by_stage']['metrics']} s, sheet thumbnails "
        f"{res['seconds_by_stage']['thumbnails']} s); perception records computed in this "
        f"run: {res['perception_records_computed']} (library `{res['library']}`).",
        "",
        "## Against PosterLayout, for scale",
        "",
        "DS-GAN's figures are from the PosterLayout paper (CVPR 2023) on its test split: "
        "layouts *predicted* for 513×750 poster canvases. Ours are templates compiled on "
        "product photos, so this is a sense of scale, not a contest.",
        "",
        "| metric | DS-GAN, PosterLayout test | ours, mean over all creatives |",
        "|---|---|---|",
        f"| Ove ↓ | {ref['overlap']:.4f} | {fmt(o['overlap']['mean'])} |",
        f"| Ali ↓ | {ref['alignment']:.4f} | {fmt(o['alignment']['mean'])} (PosterLayout's "
        f"eval.py formula: {fmt(o['alignment_posterlayout']['mean'])}) |",
        f"| Occ ↓ | {ref['occlusion']:.4f} | {fmt(o['occlusion']['mean'])} (text over the "
        "product's matte; theirs: saliency under all elements) |",
        f"| Rea ↓ | {ref['unreadability']:.4f} | {fmt(o['unreadability']['mean'])} |",
        "",
    ]
    if res["baselines"]:
        lines += [
            "## The same catalogue through other templates",
            "",
            "Measured the same way (means over each template's creatives): the bundled "
            "`hero_split` template; `flowing.ddm`, one layout for four formats with its copy "
            "stacked by `flow`, whose long titles push the chain past the canvas's margin in "
            "some creatives, so the constraint solver repairs them (*repaired*: creatives "
            "bound again with solved boxes; the note of each says what moved); and two "
            "variants of the showcase generated at run time with the product placed over the "
            "whole canvas instead of its slot, with and without `avoid`: what the checks "
            "catch when placement does not keep the product clear of the copy, and what "
            "`avoid` alone recovers.",
            "",
            "| template | creatives | compile errors | failing checks | repaired | Ove ↓ | "
            "Ali ↓ | Occ ↓ | Rea ↓ | text on a plate ↑ | subject cut ↓ |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for b in [{"template": res["template"], "creatives": res["creatives"],
                   "errors": res["errors"], "failed_layout_checks": res["failed_layout_checks"],
                   "layouts_repaired": res["layouts_repaired"],
                   "repairs_not_kept": res["repairs_not_kept"],
                   "overall": res["overall"]}, *res["baselines"]]:
            ov = b["overall"]
            unkept = f" ({b['repairs_not_kept']} not kept)" if b["repairs_not_kept"] else ""
            lines.append(
                f"| {b['template']} | {b['creatives']} | {b['errors']} | "
                f"{b['failed_layout_checks']} | {b['layouts_repaired']}{unkept} | "
                f"{fmt(ov['overlap']['mean'])} | "
                f"{fmt(ov['alignment']['mean'])} | {fmt(ov['occlusion']['mean'])} | "
                f"{fmt(ov['unreadability']['mean'])} | {fmt(ov['underlay']['mean'])} | "
                f"{fmt(ov['subject_cut']['mean'])} |")
        lines.append("")
    lines += ["## Per format", ""]
    for name, table in res["per_format"].items():
        lines += [f"### {name}", "", "| metric | mean | median | max |", "|---|---|---|---|"]
        for key, (label, direction) in METRICS.items():
            s = table[key]
            lines.append(f"| {label} {direction} | {fmt(s['mean'])} | {fmt(s['median'])} | "
                         f"{fmt(s['max'])} |")
        lines.append("")
    if res["failures"]:
        lines += ["## Failing creatives", ""]
        lines += [f"- {f['product']} ({f['format']}): {'; '.join(f['problems'])}"
                  for f in res["failures"]]
        lines.append("")
    if res["error_details"]:
        lines += ["## Compile errors", ""]
        lines += [f"- {e['product']} ({e['format']}): `{e['error'].splitlines()[0]}`"
                  for e in res["error_details"]]
        lines.append("")
    s = res["sheet"]
    lines += [
        "## Contact sheet",
        "",
        f"`{s['path']}`: {len(s['products'])} products spread over the catalogue × every "
        f"format, {s['size'][0]}×{s['size'][1]} px, JPEG quality {s['jpeg_quality']}, "
        f"{s['bytes'] // 1000} KB.",
        "",
        *run_lines(res),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--catalogue", type=Path, default=DATA)
    p.add_argument("--template", type=Path, default=TEMPLATE)
    p.add_argument("--library", type=Path, default=default_library(),
                   help="material library file (default: %(default)s)")
    p.add_argument("--limit", type=int, default=0, help="first N products only")
    p.add_argument("--baseline", type=Path, action="append",
                   default=[REPO / "ddm_lang" / "stdlib_templates" / "hero_split.ddm",
                            REPO / "benchmarks" / "templates" / "flowing.ddm"],
                   help="another template to measure on the same catalogue (repeatable)")
    p.add_argument("--no-ablation", action="store_true",
                   help="skip the showcase variants with the product over the whole canvas")
    p.add_argument("--sheet-products", type=int, default=12)
    p.add_argument("--sheet", type=Path, default=SHEET)
    p.add_argument("--png", type=Path, help="also write the contact sheet as PNG here")
    p.add_argument("--no-write", action="store_true", help="print, write no results")
    args = p.parse_args(argv)
    if not args.catalogue.exists():
        print(f"{args.catalogue}: catalogue not found", file=sys.stderr)
        return 2
    res = run(args)
    sheet, jpeg = res.pop("_sheet_pixels"), res.pop("_sheet_jpeg")
    if args.png:
        from ddm_lang.files import write_atomic
        from ddm_lang.renderer.encode import encode
        write_atomic(args.png, encode(sheet, "png"))
    text = markdown(res)
    if args.no_write:
        print(text)
    else:
        from ddm_lang.files import write_atomic
        RESULTS.mkdir(parents=True, exist_ok=True)
        write_atomic(args.sheet, jpeg)
        args.sheet.chmod(0o644)  # a picture in the docs, readable by all
        (RESULTS / "layout_quality.json").write_text(
            json.dumps(res, indent=1, ensure_ascii=False) + "\n", "utf-8")
        (RESULTS / "layout_quality.md").write_text(text, "utf-8")
        print(text)
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
