"""Caption quality: what the copy writer produces for real product data, how close it is
to what people write, and whether it keeps its two promises (fits the box, states only
facts of the data).

Why this exists: `caption` replaces a copywriter for every box of every creative, so its
failure modes (a box overflowing, a number or attribute the product does not have, the
same fact in two boxes) must be measured, and its learned part (attribute salience) must
beat what a frequency table would do. Parts, in one run:

1. Salience on AdvertiseGen dev (525 products): the shipped ONNX model against the key
   frequency baseline (how often copy mentions a key in a category) and a value
   frequency baseline (how often it mentions this very value), on "is this attribute
   mentioned in the human copy": pooled ROC AUC and average precision, F1 at the shipped
   thresholds, per-product mean AP, precision at 1 and 3.
2. Copy against the human summaries: character BLEU-4 (corpus) and ROUGE-L (mean over
   products) of (a) one selling-point box of 2 lines × 16 characters and (b) a creative's
   copy: a 1 × 12 headline and three 2 × 16 selling points written with `used`, joined by
   "，". For scale, the same for the attribute values simply listed; as the baseline, the
   same boxes with the mined phrase patterns switched off (`patterns.disabled()`, the
   fixed per-key templates the writer used before), in the same run. Also the share of
   selling points that say a head word in two phrases (撞色图案，印花图案), both ways.
3. Factuality: violations of every caption written in parts 2 and 4 (must be 0), and for
   reference how many human summaries the same check would reject.
4. Length fit over a grid of boxes (chars_per_line 3..24 × 1..3 lines) × the five kinds ×
   products (200 dev products, the sample catalogue, the grocery catalogue): a caption
   fits when `ddm_lang.copy.text.fits` holds (greedy wrap, CJK 1, other characters 0.55
   of a line's full-width capacity); the fit rate is over non-empty captions, the fill
   rate says how often a box got any copy.

Data are read from ../shared/data at run time and never copied into the repo.

    .venv/bin/python benchmarks/caption_quality.py            # writes results/caption_quality.*
    .venv/bin/python benchmarks/caption_quality.py --limit 50 # quick look, prints only
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from provenance import ddm_lang_source, machine, versions, write_results

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ddm_lang.copy import Facts, metrics, patterns, salience, violations, write  # noqa: E402
from ddm_lang.copy.text import fits  # noqa: E402
from ddm_lang.copy.writer import KINDS  # noqa: E402
from ddm_lang.perception.catalogue import load_catalogue  # noqa: E402

DATA = REPO.parent / "shared" / "data"
ADVERTISEGEN = DATA / "copy-advertisegen"
GROCERY = DATA / "products-grocery" / "iconic-images-and-descriptions"
SAMPLES = REPO / "ddm_lang" / "stdlib_templates" / "samples" / "catalogue.json"
OUT = REPO / "benchmarks" / "results"
POINT_BOX = (16, 2)
HEADLINE_BOX = (12, 1)
GRID_CHARS = (3, 4, 6, 8, 10, 12, 16, 20, 24)
GRID_LINES = (1, 2, 3)
FIT_PRODUCTS = 200


def read_rows(split: str, limit: int | None) -> list[dict[str, str]]:
    path = ADVERTISEGEN / f"{split}.jsonl"
    if not path.is_file():
        sys.exit(f"{path}: not found (the benchmark reads ../shared/data)")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return rows[:limit] if limit else rows


def salience_part(rows: list[dict[str, str]]) -> dict[str, Any]:
    contract = salience.contract()
    model = salience.model()
    runs: dict[str, list[tuple[list[float], list[int]]]] = {"model": [], "key_frequency": [],
                                                            "value_frequency": []}
    for row in rows:
        facts = Facts.from_content(row["content"])
        pairs = list(facts.attributes)
        labels = [salience.label(k, v, row["summary"]) for k, v in pairs]
        runs["model"].append((model.scores(facts.category, pairs).tolist(), labels))
        for kind in ("key", "value"):
            s = salience.baseline_scores(contract["baseline"], facts.category, pairs, kind)
            runs[f"{kind}_frequency"].append((s.tolist(), labels))
    thresholds = {"model": model.threshold,
                  **{k: v for k, v in contract["baseline_thresholds"].items()}}
    return {name: {k: round(v, 4) for k, v in
                   metrics.ranking_report(products, thresholds[name]).items()}
            | {"threshold": thresholds[name]} for name, products in runs.items()}


def creative(facts: Facts) -> tuple[str, list[str], list[str]]:
    """(joined copy, its captions, their violations) of a headline and three points."""
    used: set[str] = set()
    texts, problems = [], []
    boxes = [("headline", HEADLINE_BOX)] + [("selling_point", POINT_BOX)] * 3
    for kind, (chars, lines) in boxes:
        cap = write(kind, facts, chars_per_line=chars, max_lines=lines, used=used)
        used |= cap.facts
        if cap.text:
            texts.append(cap.text)
            problems += violations(cap.text, facts)
    return "，".join(texts), texts, problems


def write_copy(rows: list[dict[str, str]]) -> dict[str, Any]:
    """The writer's copy for every row: one selling-point box, a creative (headline and
    three points), caption and violation counts, and how many selling points repeat a
    head word across their phrases (撞色图案，印花图案)."""
    out: dict[str, Any] = {"single": [], "full": [], "creatives": [], "captions": 0,
                           "violations": 0, "repeated_points": 0}
    points = repeated = single_repeated = 0
    for row in rows:
        facts = Facts.from_content(row["content"])
        cap = write("selling_point", facts, chars_per_line=POINT_BOX[0],
                    max_lines=POINT_BOX[1])
        out["single"].append(cap.text)
        out["captions"] += 1
        out["violations"] += len(violations(cap.text, facts))
        single_repeated += bool(patterns.repeated_heads(cap.text, "zh"))
        joined, texts, problems = creative(facts)
        out["full"].append(joined)
        out["creatives"].append(texts)
        out["captions"] += len(texts)
        out["violations"] += len(problems)
        creative_points = texts[1:]
        out["repeated_points"] += len(creative_points) - len(set(creative_points))
        points += len(creative_points)
        repeated += sum(bool(patterns.repeated_heads(t, "zh")) for t in creative_points)
    filled = sum(bool(t) for t in out["single"])
    out["repeated_head"] = {
        "selling_point_box": round(single_repeated / max(1, filled), 4),
        "selling_point_box_count": single_repeated,
        "creative_points": round(repeated / max(1, points), 4),
        "creative_points_count": repeated, "creative_points_total": points}
    return out


def text_scores(cands: list[str], refs: list[str]) -> dict[str, float]:
    """Character BLEU-4 (corpus, with and without the brevity penalty) and ROUGE-L (mean
    over pairs) of candidates against the human summaries, in percent."""
    b = metrics.bleu4(cands, refs)
    rl = [metrics.rouge_l(c, r) for c, r in zip(cands, refs, strict=True)]
    return {"bleu4": round(100 * b["bleu4"], 2),
            "bleu4_without_brevity_penalty": round(100 * b["bleu4_no_bp"], 2),
            "brevity_penalty": round(b["brevity_penalty"], 4),
            **{f"p{n}": round(b[f"p{n}"], 4) for n in range(1, 5)},
            "rouge_l_f1": round(100 * statistics.fmean(x["f1"] for x in rl), 2),
            "rouge_l_precision": round(100 * statistics.fmean(x["precision"] for x in rl), 2),
            "rouge_l_recall": round(100 * statistics.fmean(x["recall"] for x in rl), 2),
            "mean_chars": round(statistics.fmean(len(c) for c in cands), 1)}


def copy_part(rows: list[dict[str, str]]) -> tuple[dict[str, Any], int, int, list[dict]]:
    """Part 2, for the writer as it is and, in the same run, with mined phrase patterns
    switched off (`patterns.disabled()`: fixed templates, no merging) as the baseline."""
    refs = [r["summary"] for r in rows]
    now = write_copy(rows)
    with patterns.disabled():
        before = write_copy(rows)
    listed = ["，".join(v for _, v in Facts.from_content(r["content"]).attributes)
              for r in rows]
    human_rejected = sum(bool(violations(r["summary"], Facts.from_content(r["content"])))
                         for r in rows)
    examples = [{"content": row["content"], "copy": texts, "human": row["summary"][:60] + "…"}
                for row, texts in zip(rows[:5], now["creatives"], strict=False)]
    changed = [{"content": row["content"], "before": b, "after": a}
               for row, b, a in zip(rows, before["single"], now["single"], strict=True)
               if patterns.repeated_heads(b, "zh")][:6]
    result = {"products": len(rows),
              "mean_reference_chars": round(statistics.fmean(len(r) for r in refs), 1),
              "selling_point_box": text_scores(now["single"], refs),
              "creative_copy": text_scores(now["full"], refs),
              "attribute_values_listed": text_scores(listed, refs),
              "without_patterns": {
                  "selling_point_box": text_scores(before["single"], refs),
                  "creative_copy": text_scores(before["full"], refs),
                  "repeated_head": before["repeated_head"]},
              "repeated_head": now["repeated_head"],
              "repeated_selling_points": now["repeated_points"],
              "human_summaries_rejected_by_check": round(human_rejected / len(rows), 4),
              "phrasing_examples": changed}
    return result, now["captions"], now["violations"], examples


def catalogue_products() -> list[tuple[str, Facts]]:
    out = [(f"sample:{p.id}", Facts.from_product(p)) for p in load_catalogue(SAMPLES)]
    if GROCERY.is_dir():
        out += [(f"grocery:{p.id}", Facts.from_product(p)) for p in load_catalogue(GROCERY)]
    return out


def fit_part(rows: list[dict[str, str]], catalogue: list[tuple[str, Facts]]
             ) -> tuple[dict[str, Any], int, int, list[float]]:
    products = [Facts.from_content(r["content"]) for r in rows[:FIT_PRODUCTS]]
    products += [f for _, f in catalogue]
    per_kind = {k: {"captions": 0, "filled": 0, "fit": 0} for k in KINDS}
    bad = 0
    times: list[float] = []
    for facts in products:
        for chars in GRID_CHARS:
            for lines in GRID_LINES:
                for kind in KINDS:
                    t0 = time.perf_counter()
                    cap = write(kind, facts, chars_per_line=chars, max_lines=lines)
                    times.append(1000 * (time.perf_counter() - t0))
                    k = per_kind[kind]
                    k["captions"] += 1
                    if cap.text:
                        k["filled"] += 1
                        k["fit"] += fits(cap.text, chars, lines)
                        bad += len(violations(cap.text, facts))
    total = sum(k["captions"] for k in per_kind.values())
    filled = sum(k["filled"] for k in per_kind.values())
    fit = sum(k["fit"] for k in per_kind.values())
    summary = {"products": len(products), "boxes": len(GRID_CHARS) * len(GRID_LINES),
               "captions": total, "fit_rate": round(fit / max(1, filled), 4),
               "fill_rate": round(filled / total, 4),
               "per_kind": {k: {**v, "fill_rate": round(v["filled"] / max(1, v["captions"]), 4),
                                "fit_rate": round(v["fit"] / max(1, v["filled"]), 4)}
                            for k, v in per_kind.items()}}
    return summary, filled, bad, times


def english_examples(catalogue: list[tuple[str, Facts]]) -> list[dict[str, str]]:
    out = []
    picks = [c for c in catalogue if c[0].startswith("sample:")]
    picks += [c for c in catalogue if c[0].startswith("grocery:")][::16]
    for name, facts in picks:
        used: set[str] = set()
        row = {"product": name, "title": facts.title}
        for kind, (chars, lines) in (("headline", (10, 1)), ("selling_point", (16, 1)),
                                     ("cta", (8, 1)), ("price", (8, 1)), ("brand", (8, 1))):
            cap = write(kind, facts, chars_per_line=chars, max_lines=lines, used=used)
            used |= cap.facts
            row[kind] = cap.text
        out.append(row)
    return out


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        "# Caption quality", "",
        f"- date: {r['date']}", f"- machine: {m['processor']}, {m['cpus']} CPUs, {m['platform']}",
        f"- ddm_lang: {r['ddm_lang']['path']} @ {r['ddm_lang']['commit']}; onnxruntime "
        f"{r['versions'].get('onnxruntime')}",
        f"- command: `{r['command']}`",
        f"- salience model: {r['salience_model']['version']}, "
        f"{r['salience_model']['onnx_bytes']} bytes ONNX", "",
        "## 1. Attribute salience on AdvertiseGen dev", "",
        "Label: the human copy mentions the attribute's value (or names its key). "
        f"{r['salience']['model']['pairs']} attributes of {r['products_dev']} products, "
        f"{100 * r['salience']['model']['positive_rate']:.1f} % mentioned; per-product "
        f"figures over the {r['salience']['model']['products_ranked']} products with both "
        "a mentioned and an unmentioned attribute.", "",
        "| ranker | ROC AUC | AP | F1 @ thr | recall of unmentioned @ thr | mean product AP "
        "| P@1 | P@3 | unmentioned ranked last |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {"model": "salience model (ONNX)", "key_frequency": "key frequency baseline",
             "value_frequency": "value frequency baseline"}
    for name, s in r["salience"].items():
        lines.append(f"| {names[name]} | {s['roc_auc']:.3f} | {s['average_precision']:.3f} | "
                     f"{s['f1_at_threshold']:.3f} (thr {s['threshold']:.2f}) | "
                     f"{s['negative_recall_at_threshold']:.3f} | {s['mean_product_ap']:.3f} | "
                     f"{s['p_at_1']:.3f} | {s['p_at_3']:.3f} | "
                     f"{s['unmentioned_ranked_last']:.3f} |")
    c = r["copy"]
    lines += [
        "", "Thresholds were chosen on a 10 % tuning slice of train.jsonl, not on dev.", "",
        "## 2. Copy against the human summaries (dev)", "",
        f"Character-level; references average {c['mean_reference_chars']} characters, far "
        "longer than any box, so BLEU's brevity penalty dominates: the column without it and "
        "ROUGE-L precision say how much of what the writer says the copywriter also said.", "",
        "| copy | mean chars | BLEU-4 | BLEU-4 w/o BP | p1 / p2 / p3 / p4 | ROUGE-L F1 "
        "| ROUGE-L P | ROUGE-L R |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = (("selling_point_box", "one selling point, 2 × 16", c),
            ("selling_point_box", "one selling point, 2 × 16, without patterns (before)",
             c["without_patterns"]),
            ("creative_copy", "headline 1 × 12 + 3 selling points 2 × 16", c),
            ("creative_copy", "headline 1 × 12 + 3 selling points 2 × 16, without patterns "
             "(before)", c["without_patterns"]),
            ("attribute_values_listed", "attribute values listed (reference)", c))
    for key, label, source in rows:
        s = source[key]
        lines.append(f"| {label} | {s['mean_chars']} | {s['bleu4']:.2f} | "
                     f"{s['bleu4_without_brevity_penalty']:.2f} | {s['p1']:.2f} / {s['p2']:.2f}"
                     f" / {s['p3']:.2f} / {s['p4']:.2f} | {s['rouge_l_f1']:.2f} | "
                     f"{s['rouge_l_precision']:.2f} | {s['rouge_l_recall']:.2f} |")
    f = r["factuality"]
    fit = r["length_fit"]
    lines += [
        "", "\"Without patterns\" is the writer with the mined phrase patterns switched off "
        "(`patterns.disabled()`: one fixed template per key, phrases joined as they come), "
        "measured in the same run.", "",
        f"Selling points repeated within a creative: {c['repeated_selling_points']}.", "",
        "Selling points that repeat a head word across their phrases (撞色图案，印花图案): "
        f"one 2 × 16 box {_share(c['repeated_head'], 'selling_point_box')} "
        f"(before {_share(c['without_patterns']['repeated_head'], 'selling_point_box')}); "
        f"a creative's points {_share(c['repeated_head'], 'creative_points')} (before "
        f"{_share(c['without_patterns']['repeated_head'], 'creative_points')}).", "",
        "| attributes | before | after |", "|---|---|---|",
        *(f"| `{ex['content']}` | {ex['before']} | {ex['after']} |"
          for ex in c["phrasing_examples"]), "",
        "## 3. Factuality", "",
        f"- captions checked: {f['captions_checked']}; violations: **{f['violations']}**",
        f"- for reference, human summaries the same check would reject (a number or an "
        f"attribute value not in the product's data): "
        f"{100 * c['human_summaries_rejected_by_check']:.1f} %", "",
        "## 4. Length fit", "",
        f"{fit['products']} products × {fit['boxes']} boxes (chars per line "
        f"{', '.join(map(str, r['grid']['chars_per_line']))}; lines "
        f"{', '.join(map(str, r['grid']['max_lines']))}) × 5 kinds = {fit['captions']} "
        f"captions. Fit rate (non-empty captions that fit): **{fit['fit_rate']:.4f}**; fill "
        f"rate (boxes that got copy): {fit['fill_rate']:.3f}. Median time per caption "
        f"{r['ms_per_caption']['median']} ms (p90 {r['ms_per_caption']['p90']} ms).", "",
        "| kind | captions | fill rate | fit rate |", "|---|---|---|---|",
    ]
    for kind, v in fit["per_kind"].items():
        lines.append(f"| {kind} | {v['captions']} | {v['fill_rate']:.3f} | {v['fit_rate']:.4f} |")
    lines += ["", "## Examples", "", "AdvertiseGen dev (headline 1 × 12, points 2 × 16):", ""]
    for ex in r["examples_zh"]:
        lines.append(f"- `{ex['content']}` → {' / '.join(ex['copy'])}")
    lines += ["", "Catalogue products (headline 1 × 10, point 1 × 16, others 1 × 8):", "",
              "| product | title | headline | selling point | cta | price | brand |",
              "|---|---|---|---|---|---|---|"]
    for ex in r["examples_catalogue"]:
        lines.append("| " + " | ".join(ex[k].replace("|", "/") for k in (
            "product", "title", "headline", "selling_point", "cta", "price", "brand")) + " |")
    return "\n".join(lines) + "\n"


def _share(r: dict[str, Any], key: str) -> str:
    count = r[f"{key}_count"]
    return f"{100 * r[key]:.1f} % ({count})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="dev products (prints only)")
    args = ap.parse_args()
    started = dt.datetime.now(dt.UTC)
    rows = read_rows("dev", args.limit)
    catalogue = catalogue_products()
    sal = salience_part(rows)
    copy, n_copy, bad_copy, examples = copy_part(rows)
    fit, n_fit, bad_fit, times = fit_part(rows, catalogue)
    vers = versions()
    for name in ("onnxruntime", "onnxruntime-gpu"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            vers[name] = metadata.version(name)
    contract = salience.contract()
    times.sort()
    record = {
        "benchmark": "caption_quality",
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python benchmarks/caption_quality.py", *sys.argv[1:]]),
        "machine": machine(), "versions": vers, "ddm_lang": ddm_lang_source(),
        "salience_model": {"version": contract["model_version"],
                           "onnx_bytes": salience.DEFAULT_ONNX.stat().st_size,
                           "onnx_sha256": contract["onnx_sha256"]},
        "products_dev": len(rows),
        "salience": sal, "copy": copy,
        "factuality": {"captions_checked": n_copy + n_fit, "violations": bad_copy + bad_fit},
        "length_fit": fit,
        "grid": {"chars_per_line": list(GRID_CHARS), "max_lines": list(GRID_LINES)},
        "ms_per_caption": {"median": round(times[len(times) // 2], 3),
                           "p90": round(times[int(len(times) * 0.9)], 3)},
        "examples_zh": examples, "examples_catalogue": english_examples(catalogue),
    }
    md = markdown(record)
    print(md)
    if args.limit is None:
        write_results(OUT, "caption_quality", record, md)


if __name__ == "__main__":
    main()
