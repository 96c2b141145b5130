"""Compile speed: template × product → SVG (bind, layout, contrast check, emit), per creative.

Why this exists: a production batch needs tens of creatives per second per core, and
compiling is half of a creative's cost next to rasterising and encoding it. This times
`Template.compile` over every stdlib template's 1080×1080 format × the 10 sample products
(perception comes from the material library, as in a batch whose images were perceived):

- first pass: a fresh process (fonts, models and caches loading);
- warm: the same creatives again after that pass (caches filled, as in a long-running
  batch worker or an editor preview refreshing);
- fresh text: warm, but the font registry's memoised measurements dropped before every
  creative (text laid out from scratch, as for products never compiled before).

Each measurement runs in its own process and is CPU time of that process (the machine may
be shared). `--baseline PATH` runs the same measurement with another ddm_lang (a checkout
of an earlier commit: PATH holds its `ddm_lang/` folder), interleaved round by round, so
the ratio compares two trees on the same machine in the same run.

    .venv/bin/python benchmarks/compile_speed.py                      # writes results/
    .venv/bin/python benchmarks/compile_speed.py --baseline /tmp/old --label "ffc2a72" --rounds 3
    .venv/bin/python benchmarks/compile_speed.py --reps 1 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from provenance import ddm_lang_source, machine, run_lines, versions, write_results

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "benchmarks" / "results"
SIZE = (1080, 1080)
# The same measurement of the tree as it was before compile-speed work began (recorded
# once; not re-measurable from this tree): shown for context, not used for ratios.
RECORDED_BEFORE = {"date": "2026-11-23", "warm_ms": 35.0, "first_ms": 44.0,
                   "note": "measured in the same way on the 2-CPU development machine"}


def child(reps: int) -> dict[str, Any]:
    """One process's measurement (ms per creative, CPU time): runs in a subprocess."""
    import ddm_lang
    from ddm_lang.api import load_template
    from ddm_lang.demo import sample_catalogue
    from ddm_lang.renderer.fonts import FontRegistry

    products, base = sample_catalogue()
    jobs = []
    stdlib = Path(ddm_lang.__file__).parent / "stdlib_templates"  # a baseline tree's too
    for path in sorted(stdlib.glob("*.ddm")):
        template = load_template(path)
        fmt = next((f for f in template.formats if (f.width, f.height) == SIZE), None)
        if fmt is not None:
            jobs.extend((template, fmt.name, product) for product in products)

    def one_pass(before: Any = None) -> float:
        start = time.process_time()
        for template, fmt, product in jobs:
            if before is not None:
                before()
            template.compile(product, fmt, base_dir=base)
        return (time.process_time() - start) / len(jobs) * 1000

    first = one_pass()
    warm = [one_pass() for _ in range(reps)]
    registry = FontRegistry.default()
    forget = getattr(registry, "forget", None)  # absent from trees without the memos
    fresh = [one_pass(forget) for _ in range(reps)] if forget is not None else []
    return {"creatives": len(jobs), "templates": len({id(j[0]) for j in jobs}),
            "first_ms": first, "warm_ms": warm, "fresh_text_ms": fresh}


def run_child(tree: Path | None, reps: int) -> dict[str, Any]:
    """The measurement in a fresh process, with `tree`'s ddm_lang first on the path."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child",
                           "--reps", str(reps)],
                          capture_output=True, text=True, env=env,
                          cwd=str(tree or REPO), timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"measurement failed ({tree or 'this tree'}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the processes' passes."""
    def med(key: str) -> float | None:
        values = [v for r in runs for v in (r[key] if isinstance(r[key], list) else [r[key]])]
        return round(statistics.median(values), 2) if values else None
    return {"first_ms": med("first_ms"), "warm_ms": med("warm_ms"),
            "fresh_text_ms": med("fresh_text_ms"), "creatives": runs[0]["creatives"],
            "templates": runs[0]["templates"], "processes": len(runs)}


def markdown(record: dict[str, Any]) -> str:
    ours, base = record["ours"], record.get("baseline")
    fmt = (lambda v: "–" if v is None else f"{v:.1f}")  # noqa: E731
    lines = [
        "# Compile speed: template × product → SVG", "",
        f"{ours['templates']} stdlib templates × 10 sample products at {SIZE[0]}×{SIZE[1]} "
        f"({ours['creatives']} creatives): milliseconds per creative, CPU time of one "
        "process, median over the passes of "
        f"{ours['processes']} process(es). Warm: the same creatives again after a first pass; "
        "fresh text: warm with the font measurements forgotten before every creative.", "",
        "| tree | first pass | warm | fresh text | creatives/s warm |",
        "|---|---:|---:|---:|---:|",
        f"| this tree | {fmt(ours['first_ms'])} | {fmt(ours['warm_ms'])} | "
        f"{fmt(ours['fresh_text_ms'])} | {1000 / ours['warm_ms']:.0f} |",
    ]
    if base is not None:
        lines.append(f"| baseline: {record['baseline_tree']} | {fmt(base['first_ms'])} | "
                     f"{fmt(base['warm_ms'])} | {fmt(base['fresh_text_ms'])} | "
                     f"{1000 / base['warm_ms']:.0f} |")
        lines += ["", f"Same-run ratio, baseline / this tree: warm "
                  f"**{base['warm_ms'] / ours['warm_ms']:.2f}×**, first pass "
                  f"{base['first_ms'] / ours['first_ms']:.2f}×."]
    before = RECORDED_BEFORE
    lines += ["", f"Recorded before the compile-speed work ({before['date']}, "
              f"{before['note']}): first pass {before['first_ms']:.0f} ms, warm "
              f"{before['warm_ms']:.0f} ms per creative (not a same-run figure).", ""]
    return "\n".join(lines + run_lines(record))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="warm passes per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per tree")
    parser.add_argument("--baseline", type=Path, help="folder holding another ddm_lang/")
    parser.add_argument("--label", help="what the baseline is, for the results (its commit)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.reps)))
        return
    if args.baseline is not None and not (args.baseline / "ddm_lang").is_dir():
        raise SystemExit(f"{args.baseline} holds no ddm_lang/ folder")
    ours_runs, base_runs = [], []
    for _ in range(args.rounds):  # interleaved: both trees see the same machine load
        ours_runs.append(run_child(None, args.reps))
        if args.baseline is not None:
            base_runs.append(run_child(args.baseline.resolve(), args.reps))
    record: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python benchmarks/compile_speed.py " + shlex.join(sys.argv[1:]),
        "machine": {**machine(), "load_1min": round(os.getloadavg()[0], 2)},
        "versions": versions(), "ddm_lang": ddm_lang_source(),
        "ours": summary(ours_runs), "ours_runs": ours_runs,
    }
    if base_runs:
        record["baseline"] = summary(base_runs)
        record["baseline_runs"] = base_runs
        record["baseline_tree"] = args.label or str(args.baseline)
    text = markdown(record)
    print(text)
    if not args.no_write:
        write_results(args.out, "compile_speed", record, text)


if __name__ == "__main__":
    main()
