"""Run the hostile corpus (tests/hostile) and record how ddm_lang holds up.

Every case must stay within 5 s and 1 GB and either draw or be refused with a clear
message (no traceback, no object repr, no absolute server path, naming the file, field or
limit). This records, per family, how many cases meet that, which do not, and the worst
time and memory with the case names, so a regression in robustness shows as a diff.

    .venv/bin/python benchmarks/hostile.py                      # whole corpus: writes results/
    .venv/bin/python benchmarks/hostile.py --family svg-use --no-write
    .venv/bin/python benchmarks/hostile.py --fuzz-minutes 10    # and fuzz for 10 minutes
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile.corpus import all_cases  # noqa: E402
from hostile.pending import PENDING  # noqa: E402
from hostile.runner import LIMIT_BYTES, LIMIT_S, Result, run_cases  # noqa: E402
from provenance import ddm_lang_source, machine, run_lines, versions, write_results  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def run_corpus(families: list[str], http: bool, jobs: int, verbose: bool) -> list[Result]:
    """Run the selected cases; HTTP cases against one `ddm serve` started here."""
    cases = [c for c in all_cases(http=http) if not families or c.family in families]
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        root = Path(tmp)
        os.environ["DDM_LIBRARY"] = str(root / "materials.sqlite")  # never the user's cache
        server = None
        from hostile.assets import make_assets
        assets = make_assets(root / "assets")
        if any(c.kind == "http" for c in cases):
            from hostile.server import start_server
            server = start_server(root / "site", assets)
        try:
            results = []
            for result in run_cases(cases, jobs=jobs, base=server.base if server else "",
                                    workdir=root, server_rss=server.added_rss if server else None):
                results.append(result)
                if verbose:
                    print(line(result), flush=True)
        finally:
            if server is not None:
                server.stop()
    return results


def line(r: Result) -> str:
    mark = "pass" if r.passed else "FAIL"
    return (f"{mark} {r.name:48s} {r.expect:8s} {r.outcome:8s} {r.elapsed:6.2f} s "
            f"{r.added_rss / 2**20:6.0f} MB  {r.detail[:90]}")


def summary(results: list[Result]) -> dict[str, Any]:
    by_family: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_family[r.family].append(r)
    families = {}
    for name, rs in by_family.items():
        slow = max(rs, key=lambda r: r.elapsed)
        big = max(rs, key=lambda r: r.added_rss)
        families[name] = {"cases": len(rs), "passed": sum(r.passed for r in rs),
                          "unbounded": sum(not r.bounded for r in rs),
                          "outcomes": dict(Counter(r.outcome for r in rs)),
                          "worst_time": [slow.name, slow.elapsed],
                          "worst_memory": [big.name, big.added_rss]}
    return {"cases": len(results), "passed": sum(r.passed for r in results),
            "unbounded": sum(not r.bounded for r in results),
            "pending_failures": sum(not r.passed and r.finding in PENDING for r in results),
            "outcomes": dict(Counter(r.outcome for r in results)), "families": families}


def markdown(record: dict[str, Any]) -> str:
    s = record["summary"]
    out = ["# Hostile corpus: bounded, and refused clearly", "",
           f"{s['cases']} hostile inputs (tests/hostile: SVG documents, templates, product "
           f"records and catalogues, HTTP requests to `ddm serve`), each run in a forked child "
           f"bounded to {LIMIT_S:g} s and {LIMIT_BYTES >> 30} GB (memory: what the case adds to the resident set its child inherits from the parent, which has ddm_lang, its fonts and caches loaded; for HTTP cases, what `ddm serve` and its render pool grew by since they were warm). A case passes when it stays "
           "within both bounds and its outcome is the expected one: drawn (`ok`), refused with "
           "a clear message (`refused`), or either (`bounded`). Other outcomes: `crash` (an "
           "exception, a signal or HTTP 5xx), `unclear` (a refusal showing a traceback, an "
           "object repr or a server path, or not naming the file, field or limit), `leak` (a "
           "file outside the roots was drawn), `timeout`, `memory`.", "",
           f"**{s['passed']} of {s['cases']} pass; {s['unbounded']} unbounded; "
           f"{s['pending_failures']} of the failures belong to findings still being fixed "
           "(tests/hostile/pending.py).**", "",
           "| family | cases | pass | unbounded | outcomes | worst time | worst memory |",
           "|---|---:|---:|---:|---|---|---|"]
    for name, fam in s["families"].items():
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(fam["outcomes"].items()))
        wt, wm = fam["worst_time"], fam["worst_memory"]
        out.append(f"| {name} | {fam['cases']} | {fam['passed']} | {fam['unbounded']} | "
                   f"{outcomes} | {wt[1]:.2f} s `{wt[0].split('.', 1)[1]}` | "
                   f"{wm[1] / 2**20:.0f} MB `{wm[0].split('.', 1)[1]}` |")
    failing = [r for r in record["results"] if not r["passed"]]
    out += ["", f"## Failing cases ({len(failing)})", "",
            "| case | expected | outcome | time | memory | detail |", "|---|---|---|---:|---:|---|"]
    for r in sorted(failing, key=lambda r: r["name"]):
        detail = r["detail"].replace("|", "\\|")[:100]
        out.append(f"| `{r['name']}` | {r['expect']} | {r['outcome']} | {r['elapsed']:.2f} s | "
                   f"{r['added_rss'] / 2**20:.0f} MB | {detail} |")
    if record.get("fuzz"):
        out += ["", "## Fuzzing", ""]
        out += [f"- {name}: {info}" for name, info in record["fuzz"].items()]
    out += ["", *run_lines(record), ""]
    return "\n".join(out)


def fuzz(minutes: float) -> dict[str, str]:
    """Run each fuzz target for its share of `minutes`; what each found."""
    from hostile.fuzz import TARGETS, run_target
    share = minutes * 60 / len(TARGETS)
    return {name: run_target(name, seconds=share) for name in TARGETS}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", action="append", default=[], help="only this family (repeatable)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP cases (no server)")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--fuzz-minutes", type=float, default=0.0, help="then fuzz this long")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--quiet", action="store_true", help="no line per case")
    args = ap.parse_args()
    started = time.time()
    results = run_corpus(args.family, not args.no_http, args.jobs, not args.quiet)
    record: dict[str, Any] = {
        "summary": summary(results), "results": [r.as_dict() for r in results],
        "fuzz": fuzz(args.fuzz_minutes) if args.fuzz_minutes > 0 else {},
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(time.time() - started, 1),
        "command": "python benchmarks/hostile.py " + shlex.join(sys.argv[1:]),
        "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source()}
    text = markdown(record)
    print(text)
    if not args.no_write and not args.family:
        write_results(RESULTS, "hostile", record, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
