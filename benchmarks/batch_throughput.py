"""Batch throughput: creatives per second per core for `ddm batch`, against a naive pipeline.

Why this exists: production means tens of millions of creatives a day, so the figure that
decides the cost is creatives per second per core for the common case: the bundled
templates at their 1080×1080 format, as JPEG, with perception already in the material
library. This measures, in one run on one machine:

- the split of one creative's time between compile, raster and encode (one process);
- the local engine with 1 and N worker processes, and the effect of grouping work by
  product (one job = one product × its templates) against one job per creative;
- the Ray engine on a local Ray instance with N actors;
- a naive pipeline in the same process: the same compile to SVG, then cairosvg to PNG and
  Pillow to JPEG. Its throughput is the baseline the ratio is taken against.

Perception is warmed first (not timed). Products are the bundled sample catalogue, and
optionally photos from ../shared/data/products-grocery (read in place, never copied).

    .venv/bin/python benchmarks/batch_throughput.py                 # writes results/
    .venv/bin/python benchmarks/batch_throughput.py --products 3 --no-write --no-ray
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
GROCERY = REPO.parent / "shared" / "data" / "products-grocery"
DAILY = 80_000_000          # Alibaba's DDM: about 80 million creatives a day


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=10, help="sample products (max 10)")
    ap.add_argument("--grocery", type=int, default=0,
                    help="also this many products-grocery photos (a folder catalogue)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3,
                    help="engines make the sample jobs this many times (to separate worker "
                         "start-up from the steady rate)")
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--library", help="material library to warm and read (default: a new "
                    "temporary one; reusing one skips the perception warm-up)")
    ap.add_argument("--no-write", action="store_true", help="print, don't write results/")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ddm-batch-bench-"))
    os.environ["DDM_LIBRARY"] = args.library or str(work / "materials.sqlite")
    from provenance import ddm_lang_source, machine, run_lines, versions

    from ddm_lang.api import load_template
    from ddm_lang.batch.plan import Settings, load_templates, make_plan, template_paths
    from ddm_lang.batch.prepass import missing_materials
    from ddm_lang.perception import record as records
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.perception.library import MaterialLibrary
    from ddm_lang.stdlib_templates import stdlib_dir

    catalogue = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    catalogue = type(catalogue)(catalogue.path, catalogue.base_dir,
                                catalogue.products[:args.products], catalogue.kind)
    paths = template_paths(["stdlib"])
    templates = load_templates(paths)
    square = {n: t for n, t in templates.items()
              if any((f.width, f.height) == (1080, 1080) for f in t.formats)}
    paths = [p for p in paths if load_template(p).name in square]
    skipped = sorted(set(templates) - set(square))
    feed = sorted({f.name for t in square.values() for f in t.formats
                   if (f.width, f.height) == (1080, 1080)})
    library = MaterialLibrary()
    settings = Settings("jpg", 90, 0)

    catalogues = [catalogue]
    if args.grocery:
        catalogues.append(_grocery(work, args.grocery, load_catalogue))
    print(f"warming perception for {sum(len(c) for c in catalogues)} products ...",
          file=sys.stderr)
    for cat in catalogues:
        for material in missing_materials(cat, library):
            library.perceive(material)
    versions_key = records.versions_key(library.versions)
    plans = [make_plan(square, cat, settings, feed, versions_key) for cat in catalogues]
    units = sum(len(p.units) for p in plans)
    print(f"{units} creatives: {len(square)} templates × "
          f"{sum(len(c) for c in catalogues)} products at 1080×1080", file=sys.stderr)

    record: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python " + shlex.join(["benchmarks/batch_throughput.py", *sys.argv[1:]]),
        "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source(),
        "creatives": units, "templates": sorted(square), "skipped_templates": skipped,
        "load_before": os.getloadavg(),
    }
    jobs = [(p, cat) for p, cat in zip(plans, catalogues, strict=True)]
    record["split"] = _split(jobs, square, settings, work)
    record["naive"] = _naive(jobs, square)
    record["engines"] = _engines(jobs, paths, settings, work, args.workers, not args.no_ray,
                                 str(library.path), max(1, args.repeat))
    record["load_after"] = os.getloadavg()
    text = _markdown(record, run_lines(record))
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "batch_throughput.md").write_text(text)
        print(f"wrote {RESULTS / 'batch_throughput.md'}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return 0


# ---- measurements ------------------------------------------------------------------------
def _split(jobs: list[tuple[Any, Any]], templates: dict[str, Any], settings: Any,
           work: Path) -> dict[str, Any]:
    """One process, creative by creative: where the time goes. Each creative is made once
    untimed first, so caches are as warm as in a long batch."""
    from ddm_lang.files import write_atomic
    from ddm_lang.renderer import render
    from ddm_lang.renderer.encode import encode

    stages: dict[str, list[float]] = {k: [] for k in ("compile", "raster", "encode",
                                                      "write")}
    cpu = 0.0
    for warm in (True, False):
        cpu = time.process_time()
        for unit, product, base in _units(jobs):
            t0 = time.perf_counter()
            creative = templates[unit.template].compile(product, unit.format, base_dir=base)
            t1 = time.perf_counter()
            pixels = render(creative.svg, unit.width, unit.height, allowed_roots=(base,))
            t2 = time.perf_counter()
            data = encode(pixels, "jpg", settings.quality)
            t3 = time.perf_counter()
            write_atomic(work / "split" / unit.path, data)
            t4 = time.perf_counter()
            if not warm:
                for name, value in (("compile", t1 - t0), ("raster", t2 - t1),
                                    ("encode", t3 - t2), ("write", t4 - t3)):
                    stages[name].append(value * 1000)
    cpu = time.process_time() - cpu
    ms = {k: statistics.fmean(v) for k, v in stages.items()}
    total = ms["compile"] + ms["raster"] + ms["encode"] + ms["write"]
    return {"ms": ms, "total_ms": total, "per_second": 1000 / total,
            "per_cpu_second": len(stages["compile"]) / cpu}


def _naive(jobs: list[tuple[Any, Any]], templates: dict[str, Any]) -> dict[str, Any]:
    """Compile to SVG, rasterise with cairosvg, encode with Pillow: one process."""
    import cairosvg
    from PIL import Image

    times: dict[str, list[float]] = {"compile": [], "raster": [], "encode": []}
    cpu = time.process_time()
    for unit, product, base in _units(jobs):
        t0 = time.perf_counter()
        svg = templates[unit.template].compile(product, unit.format, base_dir=base).svg
        t1 = time.perf_counter()
        png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=unit.width,
                               output_height=unit.height)
        t2 = time.perf_counter()
        out = io.BytesIO()
        Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=90)
        t3 = time.perf_counter()
        for name, value in (("compile", t1 - t0), ("raster", t2 - t1), ("encode", t3 - t2)):
            times[name].append(value * 1000)
    cpu = time.process_time() - cpu
    ms = {k: statistics.fmean(v) for k, v in times.items()}
    return {"ms": ms, "total_ms": sum(ms.values()), "per_second": 1000 / sum(ms.values()),
            "per_cpu_second": len(times["compile"]) / cpu}


def _engines(jobs: list[tuple[Any, Any]], paths: list[Path], settings: Any, work: Path,
             workers: int, with_ray: bool, library: str, repeat: int) -> list[dict[str, Any]]:
    from ddm_lang.batch.local import run_local
    from ddm_lang.batch.plan import Job

    sample_jobs = [Job(j.product, tuple(replace(u, path=f"r{i}/{u.path}") for u in j.units))
                   for i in range(repeat) for j in jobs[0][0].jobs]
    base = str(jobs[0][1].base_dir)
    if len(jobs) > 1:   # the engines take one base folder; time the sample catalogue only
        print("engines: timing the sample catalogue's jobs only", file=sys.stderr)
    common = {"template_paths": [str(p) for p in paths], "settings": settings,
              "base_dir": base, "library": library}
    runs: list[dict[str, Any]] = []

    def local(name: str, n: int, todo: list[Job]) -> None:
        out = str(work / f"out-{len(runs)}")
        runs.append(_timed(name, n, len(todo),
                           lambda: run_local(todo, out=out, workers=n, **common)))
        print(f"    {runs[-1]['steady_per_second']:.1f} creatives/s steady", file=sys.stderr)

    local("local, 1 process", 1, sample_jobs)
    local(f"local, {workers} processes", workers, sample_jobs)
    local(f"local, {workers} processes, one creative per job", workers,
          [Job(j.product, (u,)) for j in sample_jobs for u in j.units])
    if with_ray:
        from ddm_lang.batch.ray_engine import RaySession, run_ray
        start = time.perf_counter()
        session = RaySession(None, workers, library)
        init = time.perf_counter() - start
        try:
            out = str(work / "out-ray")
            entry = _timed(f"Ray, {workers} actors", workers, len(sample_jobs),
                           lambda: run_ray(session, sample_jobs, out=out, workers=workers,
                                           **common))
            entry["ray_init_s"] = init
            runs.append(entry)
        finally:
            session.close()
    return runs


def _timed(name: str, workers: int, total: int,
           start: Callable[[], Iterator[list[dict[str, Any]]]]) -> dict[str, Any]:
    """Run an engine of `total` jobs: total wall time; start-up, the time until `workers`
    jobs have finished (by then each worker has most likely started and made a first
    product); and the steady rate with every worker busy: the creatives finished after
    start-up and before the last `workers - 1` jobs, when workers start to run out of work
    (a catalogue of millions keeps them busy; a benchmark's few dozen jobs would not)."""
    print(f"  {name} ...", file=sys.stderr)
    c0 = _cpu()
    t0 = time.perf_counter()
    first_t, first_n, last_t, last_n, count, failed = None, 0, None, 0, 0, 0
    busy_until = max(workers, total - workers + 1)
    for jobs, rows in enumerate(start(), 1):
        count += len(rows)
        failed += sum(r["status"] != "ok" for r in rows)
        if jobs == workers:
            first_t, first_n = time.perf_counter(), count
        if jobs == busy_until:
            last_t, last_n = time.perf_counter(), count
    end = time.perf_counter()
    cpu = _cpu() - c0   # this process and its reaped workers (Ray's actors are not ours)
    assert first_t is not None and last_t is not None and not failed, \
        f"{name}: {failed} creatives failed"
    if last_t <= first_t:   # too few jobs for a busy window: after start-up, to the end
        last_t, last_n = end, count
    steady = (last_n - first_n) / (last_t - first_t) if last_t > first_t else 0.0
    return {"engine": name, "workers": workers, "creatives": count, "wall_s": end - t0,
            "startup_s": first_t - t0, "per_second": count / (end - t0),
            "steady_per_second": steady, "steady_per_core": steady / workers,
            "per_cpu_second": count / cpu if cpu > 0 and "Ray" not in name else None}


def _maybe(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _cpu() -> float:
    """CPU seconds of this process and its finished children: the cost on a shared machine,
    where wall time also counts other programs' turns."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _units(jobs: list[tuple[Any, Any]]) -> Iterator[tuple[Any, dict[str, Any], Path]]:
    for plan, catalogue in jobs:
        for job in plan.jobs:
            for unit in job.units:
                yield unit, job.product, catalogue.base_dir


def _grocery(work: Path, n: int, load_catalogue: Callable[[Path], Any]) -> Any:
    """The first `n` products of the grocery photo folder (a folder catalogue, read in
    place), or a clear exit when ../shared/data is not there."""
    if not GROCERY.is_dir():
        sys.exit(f"{GROCERY}: not found; run without --grocery")
    full = load_catalogue(GROCERY)
    return type(full)(full.path, full.base_dir, full.products[:n], full.kind)


# ---- report ------------------------------------------------------------------------------
def _markdown(record: dict[str, Any], run: list[str]) -> str:
    split, naive, engines = record["split"], record["naive"], record["engines"]
    ms = split["ms"]
    # creatives per second per worker with every core busy (the local engine as production
    # runs it, manifest writing included), after start-up: a production batch starts its
    # workers once for millions of creatives.
    full = engines[1] if len(engines) > 1 else None
    per_core = full["steady_per_core"] if full else split["per_cpu_second"]
    cores = DAILY / 86_400 / per_core
    wall_ratio = split["per_second"] / naive["per_second"]
    cpu_ratio = split["per_cpu_second"] / naive["per_cpu_second"]
    load = (f"{record['load_before'][0]:.1f} before, {record['load_after'][0]:.1f} after "
            f"on {record['machine']['cpus']} CPUs")
    lines = [
        "# Batch throughput", "",
        f"{record['creatives']} creatives: {len(record['templates'])} bundled templates at "
        "their 1080×1080 format × the sample products, JPEG quality 90, perception cached "
        f"(warmed before timing). Not timed: {', '.join(record['skipped_templates'])} "
        "(no 1080×1080 format).", "",
        f"Load average (1 min) during the run: {load}. Where other programs share the "
        "machine, wall-clock rates are low and noisy and rates per CPU-second (the CPU time "
        "this process and its workers used) are the steadier figure.", "",
        "## Per creative, one process", "",
        "| stage | ours, ms | naive, ms |", "|---|---:|---:|",
        f"| compile (bind + emit SVG) | {ms['compile']:.1f} | {naive['ms']['compile']:.1f} |",
        f"| raster | {ms['raster']:.1f} | {naive['ms']['raster']:.1f} (cairosvg) |",
        f"| encode JPEG | {ms['encode']:.1f} | {naive['ms']['encode']:.1f} (Pillow) |",
        f"| write (atomic) | {ms['write']:.1f} | — |",
        f"| **total** | **{split['total_ms']:.1f}** | **{naive['total_ms']:.1f}** |",
        f"| creatives/s (wall) | {split['per_second']:.1f} | {naive['per_second']:.1f} |",
        f"| creatives per CPU-second | {split['per_cpu_second']:.1f} | "
        f"{naive['per_cpu_second']:.1f} |", "",
        f"Ours against the naive pipeline: **{cpu_ratio:.2f}×** per CPU-second "
        f"({wall_ratio:.2f}× by wall time; same process, same creatives; target 5×).", "",
        "## Engines", "",
        "| engine | creatives | wall s | start-up s | creatives/s | steady creatives/s "
        "| steady per worker | per CPU-second |", "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in engines:
        init = f" (+ Ray start {e['ray_init_s']:.1f} s)" if "ray_init_s" in e else ""
        lines.append(f"| {e['engine']} | {e['creatives']} | {e['wall_s']:.1f}{init} | "
                     f"{e['startup_s']:.1f} | {e['per_second']:.1f} | "
                     f"{e['steady_per_second']:.1f} | {e['steady_per_core']:.1f} | "
                     f"{_maybe(e['per_cpu_second'])} |")
    lines += [
        "", "Each engine makes the sample jobs several times over (`--repeat`). Start-up is "
        "the time until as many jobs have finished as there are workers: worker processes "
        "or actors import the package, load the templates and warm their caches once. "
        "Steady rates count what finished after it and before the last jobs, while every "
        "worker is busy. Per CPU-second counts the whole run, "
        "start-up included, over the CPU time of this process and its worker processes "
        "(not measured for Ray, whose actors are not this process's children). Other work "
        "on the machine while this ran makes every figure noisy.", "",
        "## Extrapolation", "",
        (f"Measured: **{per_core:.1f} creatives per second per core** (steady rate per "
         f"worker of {full['engine']}, every core busy; {full['per_cpu_second']:.1f} per "
         "CPU-second with start-up counted in a run this short; target 30). " if full else
         f"Measured: **{per_core:.1f} creatives per CPU-second** (one process; target 30). ")
        + "80 million creatives "
        f"a day is {DAILY / 86_400:.0f}/s, so about **{cores:.0f} cores** at this rate, "
        "assuming the per-core rate holds as workers are added (each worker is independent; "
        "the material library is read-only during the batch).", "",
        *run,
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
