"""The layout model on templates it never saw: likelihood, geometry, diversity, speed.

The layout model (`ddm_lang/generate/model.py`, trained by `training/layout_model/`) is
judged on the held-out stdlib templates of its training split (`dataset.py`): their
layouts over the sample, grocery and studio catalogues, which no training sequence came
from. For each held-out layout's condition (format, subject aspect, cut out, roles) it
samples 8 layouts (for at most `--limit` of them, evenly spread) and measures:

- **likelihood**: the model's mean negative log-likelihood per token of the real
  held-out sequences, and its perplexity, beside a uniform choice among the tokens the
  constrained decoder allows (the floor any model must beat);
- **geometry**, on the boxes alone, with `ddm_lang.quality.layout_metrics`' own formulas
  (PosterLayout's): overlap *Ove* (pairwise IoU of content elements over their number;
  a decoration counts as an underlay, a hero covering ≥ 90 % of the canvas as the
  background, as `elements.classify` would read them) and alignment *Ali*; and the
  share of copy (headline, subline, points, price, button) over a cut-out product,
  the boxes-only form of the occlusion check. The hero's box is the slot the product is
  fitted to; what shows of a cut-out product is its subject fitted inside
  (`model.subject_box`, as `place … fit subject` draws it; the same rule for every
  proposer and for the real layouts), and that is what overlap and the copy share
  look at;
- **fidelity**: the distance from the real layout to the nearest of the 8 samples
  (box-set distance: mean over roles of 1 − IoU of that role's boxes);
- **diversity**: mean pairwise box-set distance among the 8 samples at temperature 0.7,
  1.0 and 1.3;
- **speed**: sampling time per layout (8 at a time, one thread).

The model is measured as it ships (its decoder keeps copy off copy and off a cut-out
product, `model.py`) and with that rule off (what the network itself learned), each set
beside the real held-out layouts, a uniform-random proposer (every role a box drawn
uniformly on the same grid, inside the canvas) and, when the generator's search-only
proposer (`ddm_lang.generate.search`) is importable, that proposer (which may return
fewer layouts than asked, and a decoration nobody asked for).

    python benchmarks/layout_model.py [--limit N] [--no-write]

Results: benchmarks/results/layout_model.{json,md}.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "training" / "layout_model"))

from provenance import ddm_lang_source, machine, run_lines, versions, write_results  # noqa: E402

from ddm_lang.generate.layout import Layout, LayoutCondition, RoleBox  # noqa: E402
from ddm_lang.generate.model import subject_box  # noqa: E402

OUT = REPO / "benchmarks" / "results"
SAMPLES = 8
TEMPERATURES = (0.7, 1.0, 1.3)
SEED = 2024
COPY_ROLES = frozenset({"headline", "subline", "points", "price", "button"})

Proposer = Callable[[LayoutCondition, int, np.random.Generator, float], list[Layout]]


def iou(a: RoleBox, b: RoleBox) -> float:
    w = max(0.0, min(a.right, b.right) - max(a.x, b.x))
    h = max(0.0, min(a.bottom, b.bottom) - max(a.y, b.y))
    inter = w * h
    union = a.w * a.h + b.w * b.h - inter
    return inter / union if union > 0 else 0.0


def distance(a: Layout, b: Layout) -> float:
    """Box-set distance: mean over the roles of either layout of 1 − IoU of that role's
    boxes (1 for a role only one of them has)."""
    da, db = {r.role: r for r in a}, {r.role: r for r in b}
    roles = set(da) | set(db)
    if not roles:
        return 0.0
    return sum(1.0 - iou(da[r], db[r]) if r in da and r in db else 1.0
               for r in roles) / len(roles)


def mean_pairwise(layouts: Sequence[Layout]) -> float:
    pairs = [distance(a, b) for i, a in enumerate(layouts) for b in layouts[i + 1:]]
    return statistics.fmean(pairs) if pairs else 0.0


def elements(layout: Layout, condition: LayoutCondition) -> list[Any]:
    """The boxes as `layout_metrics` elements, in canvas px (the hero: what shows of it)."""
    from ddm_lang.layout.elements import Element
    from ddm_lang.scene import Box

    width, height = condition.width, condition.height
    out = []
    for i, r in enumerate(layout):
        if r.role == "hero":
            r = subject_box(r, condition)
        box = Box(r.x * width, r.y * height, r.w * width, r.h * height)
        if r.role == "hero":
            kind, role = "image", "background" if r.w * r.h >= 0.9 else "content"
        elif r.role == "decoration":
            kind, role = "shape", "underlay"
        else:
            kind, role = "text", "content"
        out.append(Element(kind, r.role, box, i, role))
    return out


def copy_over_hero(layout: Layout, condition: LayoutCondition) -> float:
    """Area-weighted share of copy boxes lying on the product (`subject_box` of the hero)."""
    hero = next((r for r in layout if r.role == "hero"), None)
    copy = [r for r in layout if r.role in COPY_ROLES]
    total = sum(r.w * r.h for r in copy)
    if hero is None or total <= 0:
        return 0.0
    hero = subject_box(hero, condition)
    covered = 0.0
    for r in copy:
        w = max(0.0, min(r.right, hero.right) - max(r.x, hero.x))
        h = max(0.0, min(r.bottom, hero.bottom) - max(r.y, hero.y))
        covered += w * h
    return covered / total


def geometry(layout: Layout, condition: LayoutCondition) -> dict[str, float]:
    from ddm_lang.quality import layout_metrics as lm

    els = elements(layout, condition)
    out = {"overlap": lm.overlap(els, condition.width, condition.height),
           "alignment": lm.alignment(els, condition.width, condition.height)}
    if condition.cutout:
        out["copy_over_hero"] = copy_over_hero(layout, condition)
    return out


class UniformProposer:
    """Every requested role a box drawn uniformly on the model's grid, inside the canvas:
    what a proposer that knows nothing about design does."""

    def __init__(self, bins: int) -> None:
        self.bins = bins

    def propose(self, condition: LayoutCondition, n: int, rng: np.random.Generator,
                temperature: float = 1.0) -> list[Layout]:
        b = self.bins
        out = []
        for _ in range(n):
            boxes = []
            for role in dict.fromkeys(condition.roles):
                x, y = int(rng.integers(0, b)), int(rng.integers(0, b))
                w, h = int(rng.integers(0, b - x)), int(rng.integers(0, b - y))
                boxes.append(RoleBox(role, x / b, y / b, (w + 1) / b, (h + 1) / b))
            out.append(tuple(boxes))
        return out


def search_proposer() -> Any | None:
    """The generator's search-only proposer, when that module exists and offers one."""
    try:
        from ddm_lang.generate import search
    except ImportError:
        return None
    for name in ("SearchProposer", "Search", "SearchOnly"):
        cls = getattr(search, name, None)
        if cls is not None:
            try:
                return cls()
            except TypeError:
                return None
    return None


def nll(model: Any, sequences: list[tuple[int, ...]]) -> dict[str, Any]:
    """Mean NLL per predicted token (nats) of the real sequences, overall and per slot,
    with the uniform-among-allowed baseline for the same tokens."""
    vocab = model.vocabulary
    slots = ("role", "x", "y", "w", "h")
    totals: dict[str, list[float]] = {s: [] for s in (*slots, "end")}
    uniform: dict[str, list[float]] = {s: [] for s in (*slots, "end")}
    for i in range(0, len(sequences), 64):
        chunk = sequences[i:i + 64]
        length = max(len(s) for s in chunk)
        tokens = np.full((len(chunk), length), vocab.PAD, np.int64)
        for j, s in enumerate(chunk):
            tokens[j, :len(s)] = s
        logits = model.logits(tokens[:, :-1]).astype(np.float64)
        logp = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1,
                                                                                keepdims=True)) \
            - logits.max(-1, keepdims=True)
        for j, s in enumerate(chunk):
            elements = (len(s) - vocab.prefix_length - 1) // 5
            roles_left = elements
            for t in range(vocab.prefix_length, len(s)):
                k = t - vocab.prefix_length
                slot = "end" if k == 5 * elements else slots[k % 5]
                totals[slot].append(-float(logp[j, t - 1, s[t]]))
                if slot == "role":
                    choices = 1 if k == 0 else roles_left
                    roles_left -= 1
                elif slot in ("x", "y"):
                    choices = vocab.bins
                elif slot in ("w", "h"):
                    choices = vocab.bins - (s[t - 2] - vocab.coord_base)
                else:
                    choices = 1
                uniform[slot].append(math.log(choices))
    every = [v for vs in totals.values() for v in vs]
    every_u = [v for vs in uniform.values() for v in vs]
    return {
        "tokens": len(every),
        "nll": round(statistics.fmean(every), 4),
        "perplexity": round(math.exp(statistics.fmean(every)), 3),
        "uniform_nll": round(statistics.fmean(every_u), 4),
        "uniform_perplexity": round(math.exp(statistics.fmean(every_u)), 3),
        "per_slot": {s: {"nll": round(statistics.fmean(v), 4),
                         "uniform_nll": round(statistics.fmean(uniform[s]), 4)}
                     for s, v in totals.items() if v},
    }


def summarise(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def measure(name: str, proposer: Any, conditions: list[tuple[LayoutCondition, Layout]],
            timed: bool) -> dict[str, Any]:
    """Geometry, fidelity and diversity of `proposer`'s samples for every condition."""
    rng = np.random.default_rng(SEED)
    geo: dict[str, list[float]] = {"overlap": [], "alignment": [], "copy_over_hero": []}
    nearest: list[float] = []
    diversity: dict[float, list[float]] = {t: [] for t in TEMPERATURES}
    seconds = 0.0
    made = empty = 0
    for condition, real in conditions:
        for t in TEMPERATURES:
            start = time.perf_counter()
            layouts = proposer.propose(condition, SAMPLES, rng, t)
            seconds += time.perf_counter() - start
            made += len(layouts)
            if not layouts:
                empty += 1
                continue
            diversity[t].append(mean_pairwise(layouts))
            if t == 1.0:
                for layout in layouts:
                    for k, v in geometry(layout, condition).items():
                        geo[k].append(v)
                nearest.append(min(distance(layout, real) for layout in layouts))
    out: dict[str, Any] = {"name": name, **{k: summarise(v) for k, v in geo.items()},
                           "nearest_to_real": summarise(nearest),
                           "diversity": {str(t): summarise(v) for t, v in diversity.items()},
                           "layouts_per_request": round(made / (len(conditions)
                                                                * len(TEMPERATURES)), 2),
                           "empty_requests": empty}
    if timed:
        out["ms_per_layout"] = round(1000 * seconds / max(made, 1), 2)
    return out


def real_geometry(conditions: list[tuple[LayoutCondition, Layout]]) -> dict[str, Any]:
    geo: dict[str, list[float]] = {"overlap": [], "alignment": [], "copy_over_hero": []}
    for condition, real in conditions:
        for k, v in geometry(real, condition).items():
            geo[k].append(v)
    return {"name": "real held-out layouts", **{k: summarise(v) for k, v in geo.items()},
            "nearest_to_real": 0.0, "diversity": {}}


def run(args: argparse.Namespace) -> dict[str, Any]:
    import dataset as ds
    import extract

    from ddm_lang.generate import model as lm_model

    model = lm_model.load(args.weights)
    rows = extract.load()
    items = ds.examples(rows)
    _, held = ds.split(items)
    likelihood = nll(model, [e.tokens for e in held])
    sampled = held
    if args.limit and len(held) > args.limit:
        step = len(held) / args.limit
        sampled = [held[int(i * step)] for i in range(args.limit)]
    conditions = [(e.condition, e.layout) for e in sampled]
    proposers: list[tuple[str, Any, bool]] = [
        ("layout model", model, True),
        ("layout model, unconstrained decoding", model.unconstrained(), True),
        ("uniform random", UniformProposer(model.vocabulary.bins), False)]
    search = search_proposer()
    if search is not None:
        proposers.append(("search-only proposer", search, True))
    rows_out = [real_geometry(conditions)]
    for name, proposer, timed in proposers:
        rows_out.append(measure(name, proposer, conditions, timed))
        print(rows_out[-1], flush=True)
    return {
        "benchmark": "layout_model",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source(),
        "model": {k: model.contract.get(k) for k in ("model_version", "onnx_sha256",
                                                     "validation_templates", "network")},
        "held_out": {"layouts": len(held),
                     "templates": sorted({e.template for e in held}),
                     "cut_out": sum(e.condition.cutout for e in held),
                     "sampled_conditions": len(conditions),
                     "sampled_cut_out": sum(c.cutout for c, _ in conditions)},
        "samples_per_condition": SAMPLES, "temperatures": list(TEMPERATURES), "seed": SEED,
        "search_proposer": search is not None,
        "likelihood": likelihood, "rows": rows_out,
    }


def fmt(v: float | None, digits: int = 4) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def markdown(res: dict[str, Any]) -> str:
    lk, held = res["likelihood"], res["held_out"]
    lines = [
        "# Layout model: held-out templates",
        "",
        f"The trained layout model (`{res['model']['model_version']}`) on the "
        f"{held['layouts']} distinct layouts of the stdlib templates it never saw in "
        f"training ({', '.join(f'`{t}`' for t in held['templates'])}) over the sample, "
        f"grocery and studio catalogues ({held['cut_out']} with a cut-out hero). "
        f"{res['samples_per_condition']} layouts sampled for each of "
        f"{held['sampled_conditions']} of their conditions, evenly spread "
        f"({held['sampled_cut_out']} cut out); "
        "definitions in `benchmarks/layout_model.py`'s docstring (↓ lower is better).",
        "",
        "## Likelihood of the real layouts",
        "",
        f"- NLL **{lk['nll']:.3f}** nats per token, perplexity **{lk['perplexity']:.2f}** "
        f"over {lk['tokens']} tokens; a uniform choice among the tokens the constrained "
        f"decoder allows: NLL {lk['uniform_nll']:.3f}, perplexity "
        f"{lk['uniform_perplexity']:.2f}.",
        "",
        "| token | model NLL | uniform NLL |",
        "|---|---|---|",
        *(f"| {s} | {v['nll']:.3f} | {v['uniform_nll']:.3f} |"
          for s, v in lk["per_slot"].items()),
        "",
        "## Sampled layouts (temperature 1.0 unless stated)",
        "",
        "| layouts | Ove ↓ | Ali ↓ | copy over cut-out product ↓ | nearest sample to the "
        "real layout ↓ | diversity T 0.7 | T 1.0 | T 1.3 | layouts per request of 8 | "
        "ms per layout |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["rows"]:
        d = r["diversity"]
        lines.append(
            f"| {r['name']} | {fmt(r['overlap'])} | {fmt(r['alignment'])} | "
            f"{fmt(r['copy_over_hero'], 3)} | {fmt(r['nearest_to_real'], 3)} | "
            f"{fmt(d.get('0.7'), 3)} | {fmt(d.get('1.0'), 3)} | {fmt(d.get('1.3'), 3)} | "
            f"{fmt(r.get('layouts_per_request'), 2)} | {fmt(r.get('ms_per_layout'), 2)} |")
    if not res["search_proposer"]:
        lines += ["", "The search-only proposer (`ddm_lang.generate.search`) was not "
                  "available when this ran, so it has no row."]
    lines += ["", *run_lines(res)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--limit", type=int, default=600,
                   help="sample for at most N held-out layouts' conditions, evenly spread "
                   "(default: %(default)s; 0: all); the likelihood uses all of them")
    p.add_argument("--weights", type=Path, help="another layout model ONNX file (its .json "
                   "beside it; results are then printed, not written)")
    p.add_argument("--no-write", action="store_true", help="print, write no results")
    args = p.parse_args(argv)
    res = run(args)
    text = markdown(res)
    if args.no_write or args.weights:
        print(text)
        return 0
    write_results(OUT, "layout_model", res, text)
    print(f"wrote {OUT / 'layout_model.md'} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
