"""`ddm batch`: a catalogue × templates × formats to files and a manifest, resumably.

The run: load and check everything (templates, catalogue, options) so mistakes surface
before any work; perceive the images the material library lacks; plan every creative with
its key; drop those the manifest already records as done (and whose file exists); hand
the rest to an engine (local processes or Ray actors) and append a manifest row for each
creative as it finishes. One failing creative is a manifest row with its error, not the
end of the batch; the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ddm_lang.batch import manifest
from ddm_lang.batch.arguments import add_batch_parser
from ddm_lang.batch.plan import (
    BatchError,
    Job,
    Plan,
    Settings,
    load_templates,
    make_plan,
    template_paths,
)
from ddm_lang.batch.prepass import missing_materials, perceive_locally
from ddm_lang.batch.sink import FolderSink, UrlSink, is_url, open_sink
from ddm_lang.perception import record as records
from ddm_lang.perception.feeds.command import open_catalogue
from ddm_lang.perception.library import MaterialLibrary
from ddm_lang.progress import Progress


def run_batch(args: argparse.Namespace) -> int:
    settings = Settings(args.image_format, args.quality, args.seed)
    paths = template_paths(args.templates)
    templates = load_templates(paths)
    catalogue = open_catalogue(args.catalogue, args)
    wanted = _formats(args.formats)
    sink = open_sink(args.out)
    manifest_path = _manifest_path(args)
    library = MaterialLibrary(Path(args.library) if args.library else None)
    if args.workers < 0:
        raise BatchError(f"--workers {args.workers}: give a positive number (0: automatic)")

    session = None
    if args.engine == "ray":
        from ddm_lang.batch.ray_engine import RaySession
        session = RaySession(args.ray_address, args.workers or (os.cpu_count() or 1),
                             str(library.path))
    try:
        workers = args.workers or (session.cpus() if session else (os.cpu_count() or 1))
        _perceive_missing(catalogue, library, session, workers)
        plan = make_plan(templates, catalogue, settings, wanted,
                         records.versions_key(library.versions))
        done, torn = manifest.read(manifest_path)
        todo, skipped = _pending(plan, done, sink)
        total = len(plan.units)
        if torn:
            print(f"{manifest_path}: ignored {torn} unreadable line(s) (an interrupted run)",
                  file=sys.stderr)
        count = sum(len(job.units) for job in todo)
        if not count:
            print(f"0 to do: all {total} creatives are in {manifest_path} → {sink.root}")
            return 0
        swept = sink.sweep([u.path for job in todo for u in job.units])
        print(f"{count} to do ({skipped} of {total} already done{_swept(swept)}), "
              f"{args.engine} engine, {workers} workers → {sink.root}")
        rows = _engine_rows(args.engine, session, todo, paths, settings, args.out,
                            catalogue.base_dir, str(library.path), workers)
        return _record(rows, plan, manifest_path, count, sink.root)
    finally:
        if session is not None:
            session.close()


def _perceive_missing(catalogue: Any, library: MaterialLibrary, session: Any,
                      workers: int) -> None:
    missing = missing_materials(catalogue, library)
    if not missing:
        return
    print(f"perceiving {len(missing)} image(s) missing from the material library "
          f"{library.path}", file=sys.stderr)
    if session is not None:
        from ddm_lang.batch.ray_engine import perceive_on_ray
        perceive_on_ray(session, missing, str(library.path))
    else:
        perceive_locally(catalogue, library, workers)


def _engine_rows(engine: str, session: Any, jobs: list[Job], paths: list[Path],
                 settings: Settings, out: str, base: Path, library: str, workers: int
                 ) -> Iterator[list[dict[str, Any]]]:
    common: dict[str, Any] = {"template_paths": [str(p) for p in paths], "settings": settings,
                              "out": out, "base_dir": str(base), "library": library,
                              "workers": workers}
    if engine == "ray":
        from ddm_lang.batch.ray_engine import run_ray
        # a Ray worker need not share this process's working folder
        common["template_paths"] = [str(p.resolve()) for p in paths]
        return run_ray(session, jobs, **common)
    from ddm_lang.batch.local import run_local
    return run_local(jobs, **common)


def _record(results: Iterator[list[dict[str, Any]]], plan: Plan, manifest_path: Path,
            count: int, root: str) -> int:
    """Write each finished creative's manifest row; report errors; the exit status."""
    progress = Progress(count, "batch")
    start = time.perf_counter()
    failed = made = 0
    with manifest.Writer(manifest_path) as writer:
        for rows in results:
            for row in rows:
                inputs = plan.inputs.get(row["product"], {})
                row["inputs"] = {"template_sha256": plan.template_hashes.get(row["template"]),
                                 **inputs}
                row["finished"] = datetime.now(UTC).isoformat(timespec="milliseconds")
                writer.write(row)
                if row["status"] == "ok":
                    made += 1
                else:
                    failed += 1
                    print(f"\nddm: error: {row['template']} × {row['product']} × "
                          f"{row['format']}:\n{row['error']}", file=sys.stderr)
                progress.advance()
    progress.close()
    elapsed = time.perf_counter() - start
    print(f"{made} made, {failed} failed in {elapsed:.1f} s ({(made + failed) / elapsed:.1f} "
          f"creatives/s) → {root}; manifest {manifest_path}")
    return 1 if failed else 0


def _pending(plan: Plan, done: dict[str, dict[str, Any]], sink: FolderSink | UrlSink
             ) -> tuple[list[Job], int]:
    """Jobs cut down to the units not yet done: done means an ok manifest row for the key
    and the file still there."""
    todo: list[Job] = []
    skipped = 0
    for job in plan.jobs:
        units = tuple(u for u in job.units
                      if not (done.get(u.key, {}).get("status") == "ok"
                              and done[u.key].get("path") == u.path and sink.exists(u.path)))
        skipped += len(job.units) - len(units)
        if units:
            todo.append(Job(job.product, units))
    return todo, skipped


def _formats(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    return list(dict.fromkeys(names)) or None


def _manifest_path(args: argparse.Namespace) -> Path:
    if args.manifest:
        return Path(args.manifest)
    if is_url(args.out):
        raise BatchError(f"{args.out}: give --manifest PATH (a local file) when the output "
                         "is a URL")
    return Path(args.out.removeprefix("file://")) / "manifest.jsonl"


def _swept(n: int) -> str:
    return f", {n} leftover temporary file(s) removed" if n else ""


def main(argv: list[str] | None = None) -> int:
    """`python -m ddm_lang.batch ...`: the same command without the `ddm` front end."""
    from ddm_lang.api import ProductError
    from ddm_lang.perception.catalogue import CatalogueError
    from ddm_lang.perception.library import LibraryError
    from ddm_lang.syntax.diagnostics import DiagnosticError
    parser = argparse.ArgumentParser(prog="ddm")
    add_batch_parser(parser.add_subparsers(dest="command", required=True), run_batch)
    args = parser.parse_args(["batch", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run_batch(args)
    except DiagnosticError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except (BatchError, CatalogueError, LibraryError, ProductError, ValueError, OSError) as err:
        print(f"ddm: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
