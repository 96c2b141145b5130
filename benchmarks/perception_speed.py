"""Perception speed per image, per perceiver, and the material library's cache.

Perceives every image of a catalogue (default: ../shared/data/products-grocery, 81 real
product photos) into a fresh library, timing each perceiver, then perceives them again
from the same library: the second pass must run no model at all (counted, not assumed).
Then `ddm materials add` twice in subprocesses, as a user runs it, to show the same from
the command line.

    python benchmarks/perception_speed.py [--catalogue PATH] [--limit N]

Results: benchmarks/results/perception_speed.{md,json}.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import ddm_lang_source, machine, versions, write_results

from ddm_lang.perception import models, ocr, quality, record, suitability
from ddm_lang.perception.catalogue import load_catalogue
from ddm_lang.perception.library import MaterialLibrary
from ddm_lang.perception.materials import load_material

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "products-grocery"
RESULTS = REPO / "benchmarks" / "results"

timings: dict[str, list[float]] = defaultdict(list)


def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            timings[name].append(time.perf_counter() - start)
    return wrapper


def instrument() -> None:
    """Time each perceiver where the record calls it."""
    record.decode = timed("decode", record.decode)
    record.perceive_subject = timed("subject (u2netp)", record.perceive_subject)
    ocr.perceive_text = timed("text (PP-OCRv6 det+rec)", ocr.perceive_text)
    record.perceive_colour = timed("palette and regions", record.perceive_colour)
    suitability.suitability = timed("suitability classifier", suitability.suitability)
    quality.sharpness = timed("sharpness", quality.sharpness)
    quality.light = timed("light direction", quality.light)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    def ms(seconds: float) -> float:
        return round(seconds * 1000, 1 if seconds >= 0.01 else 3)

    return {"median_ms": ms(statistics.median(ordered)), "p90_ms": ms(p90),
            "mean_ms": ms(statistics.fmean(ordered))}


def cli_add(catalogue: Path, library: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ddm_lang.cli", "materials", "add",
                           str(catalogue), "--library", str(library)],
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ddm materials add failed:\n{done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N products")
    args = parser.parse_args()
    catalogue = load_catalogue(args.catalogue)
    products = catalogue.products[:args.limit] if args.limit else catalogue.products
    materials = [load_material(p, (catalogue.base_dir,)) for product in products
                 for p in product.image_paths()]
    instrument()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        library = MaterialLibrary(Path(tmp) / "materials.sqlite")
        start = time.perf_counter()
        models.role_session("subject")
        ocr.engine()
        warmup = time.perf_counter() - start
        totals = []
        for material in materials:
            start = time.perf_counter()
            library.perceive(material)
            totals.append(time.perf_counter() - start)
        first_calls = {k: len(v) for k, v in timings.items()}
        cached_totals = []
        for material in materials:
            start = time.perf_counter()
            entry = library.perceive(material)
            cached_totals.append(time.perf_counter() - start)
            assert entry.cached
        model_calls_second = sum(len(v) for v in timings.values()) - sum(first_calls.values())
        cli_library = Path(tmp) / "cli.sqlite"
        cli_first = cli_add(args.catalogue, cli_library) if not args.limit else None
        cli_second = cli_add(args.catalogue, cli_library) if not args.limit else None
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python benchmarks/perception_speed.py"
                   + (f" --limit {args.limit}" if args.limit else ""),
        "catalogue": "../" + str(args.catalogue.resolve().relative_to(REPO.parent))
        if args.catalogue.resolve().is_relative_to(REPO.parent) else str(args.catalogue),
        "images": len(materials),
        "image_sizes": sorted({f"{m.width}x{m.height}" for m in materials})[:8],
        "providers": models.providers(),
        "model_load_s": round(warmup, 2),
        "per_image_total": summary(totals),
        "per_perceiver": {k: summary(v) for k, v in timings.items()},
        "second_pass": {**summary(cached_totals), "model_calls": model_calls_second},
        "cli": None if cli_first is None else {
            "first_s": round(cli_first[0], 1), "first": cli_first[1],
            "second_s": round(cli_second[0], 1), "second": cli_second[1]},
        "machine": {**machine(), "load_1min": [round(load_before, 2),
                                               round(os.getloadavg()[0], 2)]},
        "versions": {**versions(), "onnxruntime": _version("onnxruntime"),
                     "rapidocr": _version("rapidocr")},
        "ddm_lang": ddm_lang_source(),
    }
    if not args.limit:  # a partial run is a look, not a record
        write_results(RESULTS, "perception_speed", result, markdown(result))
    print(markdown(result))


def _version(name: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def markdown(r: dict[str, Any]) -> str:
    lines = [
        "# Perception speed and the material library's cache", "",
        f"{r['images']} images from `{r['catalogue']}` (sizes e.g. "
        f"{', '.join(r['image_sizes'])}), perceived one at a time into a fresh library on "
        f"the CPU (providers: {', '.join(r['providers'])}). Models loaded once per process "
        f"({r['model_load_s']} s, not included below). u2netp's ONNX input is fixed at "
        "batch 1, so images are not batched through it; rapidocr batches the recogniser "
        "over the lines of one image.", "",
        "| per image | median ms | p90 ms | mean ms |", "|---|---:|---:|---:|",
    ]
    lines.append(f"| **whole record, first time** | {r['per_image_total']['median_ms']} | "
                 f"{r['per_image_total']['p90_ms']} | {r['per_image_total']['mean_ms']} |")
    for name, s in r["per_perceiver"].items():
        lines.append(f"| {name} | {s['median_ms']} | {s['p90_ms']} | {s['mean_ms']} |")
    s = r["second_pass"]
    lines.append(f"| **same images again (library hit)** | {s['median_ms']} | {s['p90_ms']} | "
                 f"{s['mean_ms']} |")
    lines += ["", f"Model calls in the second pass: **{s['model_calls']}** (every record came "
              "from the library, keyed by content hash and model versions)."]
    if r["cli"]:
        c = r["cli"]
        lines += ["", "`ddm materials add` twice on the same catalogue and library "
                  "(wall time including process start and model loading):", "",
                  f"- first: {c['first_s']} s: `{c['first']}`",
                  f"- second: {c['second_s']} s: `{c['second']}`"]
    m = r["machine"]
    lines += ["", "## Run", "", f"- date: {r['date']}", f"- command: `{r['command']}`",
              f"- machine: {m['platform']}, {m['processor']}, {m['cpus']} CPUs; 1-minute load "
              f"average {m['load_1min'][0]} before, {m['load_1min'][1]} after",
              "- versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()),
              f"- ddm_lang measured: commit {r['ddm_lang']['commit']}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
