"""`ddm materials add|inspect` and `ddm models install|list`: the command-line side of
perception (cli.py wires the arguments).

`add` perceives every image of a catalogue into the material library, several processes
at once with `--jobs`; one bad image is reported with its product and file and the rest
are still stored (the command then exits 1). A second `add` of the same catalogue finds
every record in the library and runs no model.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ddm_lang.files import write_atomic
from ddm_lang.perception import models
from ddm_lang.perception.catalogue import Catalogue
from ddm_lang.perception.library import MaterialLibrary
from ddm_lang.perception.materials import MaterialError, load_material
from ddm_lang.processes import follow_parent
from ddm_lang.progress import Progress
from ddm_lang.renderer.encode import encode
from ddm_lang.scene import Material


@dataclass(frozen=True)
class Outcome:
    sha256: str
    cached: bool
    seconds: float
    error: str | None = None


_worker_library: MaterialLibrary | None = None


def _init_worker(path: str, parent: int) -> None:
    global _worker_library
    follow_parent(parent)
    _worker_library = MaterialLibrary(path)


def _perceive_in_worker(material: Material) -> Outcome:
    assert _worker_library is not None
    return _perceive(_worker_library, material)


def _perceive(library: MaterialLibrary, material: Material) -> Outcome:
    try:
        entry = library.perceive(material)
    except (MaterialError, models.ModelError) as err:
        return Outcome(material.sha256, False, 0.0, str(err))
    return Outcome(material.sha256, entry.cached, entry.seconds)


def add(catalogue: Catalogue, library_path: Path | None, jobs: int = 1) -> int:
    library = MaterialLibrary(library_path)
    start = time.perf_counter()
    failures: list[str] = []
    uses: list[tuple[str, str, Path, Material]] = []
    for product in catalogue.products:
        logos = product.brand.logos if product.brand else ()
        for role, names in (("image", product.images), ("logo", logos)):
            for name in names:
                path = product.base_dir / name
                try:
                    material = load_material(path, (catalogue.base_dir,), shown=name)
                except MaterialError as err:
                    failures.append(f'product "{product.id}": {err}')
                    continue
                uses.append((product.id, role, path, material))
    unique = list({m.sha256: m for *_, m in uses}.values())
    progress = Progress(len(unique), "perceiving")
    outcomes: dict[str, Outcome] = {}
    if jobs > 1 and len(unique) > 1:
        context = multiprocessing.get_context("spawn")  # no onnxruntime state across a fork
        with ProcessPoolExecutor(jobs, context, _init_worker, (str(library.path), os.getpid())) as pool:
            for outcome in pool.map(_perceive_in_worker, unique):
                outcomes[outcome.sha256] = outcome
                progress.advance()
    else:
        for material in unique:
            outcome = _perceive(library, material)
            outcomes[outcome.sha256] = outcome
            progress.advance(Path(material.path).name)
    progress.close()
    for product_id, role, path, material in uses:
        outcome = outcomes[material.sha256]
        if outcome.error:
            failures.append(f'product "{product_id}": {outcome.error}')
        else:
            library.link(str(catalogue.path), product_id, role, path, material.sha256)
    computed = [o for o in outcomes.values() if not o.error and not o.cached]
    cached = sum(1 for o in outcomes.values() if not o.error and o.cached)
    elapsed = time.perf_counter() - start
    model_time = sum(o.seconds for o in computed)
    per_image = f", {model_time / len(computed):.2f} s per computed image" if computed else ""
    print(f"{catalogue.path}: {len(catalogue.products)} products, {len(uses)} images "
          f"({len(unique)} distinct): {len(computed)} perceived, {cached} from the library, "
          f"{len(failures)} failed in {elapsed:.1f} s{per_image}")
    print(f"library: {library.path} ({library.count()} records)")
    for failure in dict.fromkeys(failures):
        print(f"ddm: error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def inspect(key: str, library_path: Path | None, out: Path | None) -> int:
    from ddm_lang.perception.overlay import overlay
    from ddm_lang.perception.pixels import decode_file
    from ddm_lang.perception.record import mask_from_png

    library = MaterialLibrary(library_path)
    rows = library.images(key)
    if not rows and Path(key).is_file():
        resolved = Path(key).resolve()
        rows = [("", "image", str(resolved), "")]
    if not rows:
        raise MaterialError(f"{key}: no product, image or content hash of that name in "
                            f"{library.path}; add its catalogue with `ddm materials add`")
    for i, (product, role, path, _) in enumerate(rows):
        material = load_material(Path(path), (Path(path).parent,))
        entry = library.perceive(material)
        title = f"{product} {role} {path}" if product else path
        print(f"== {title}\nsha256 {material.sha256}  "
              f"({'from the library' if entry.cached else f'perceived in {entry.seconds:.2f} s'})")
        for line in origins(Path(path), material.sha256):
            print(f"  {line}")
        print(format_record(entry.record))
        target = out or Path(f"{_safe(product or Path(path).stem)}-inspect.png")
        if len(rows) > 1:
            target = target.with_name(f"{target.stem}-{i + 1}{target.suffix}")
        picture = overlay(decode_file(Path(path)), entry.record, mask_from_png(entry.mask_png)
                          if entry.mask_png else None)
        write_atomic(target, encode(np.asarray(picture.convert("RGBA")), "png"))
        print(f"overlay: {target}")
    return 0


MIRROR_DEPTH = 12  # folders above an image searched for the mirror it was downloaded into


def origins(path: Path, sha256: str) -> list[str]:
    """Where an image came from, as far as the project made it: the URL it was downloaded
    from (the fetch index of the mirror it lies in, when the file is still the one
    downloaded) and what harvesting found it in (harvest.json beside it)."""
    from ddm_lang.perception.fetch import fetched_from
    found: list[str] = []
    resolved = path.resolve()
    for parent in list(resolved.parents)[:MIRROR_DEPTH]:
        record = fetched_from(parent, resolved.relative_to(parent).as_posix())
        if record is not None:
            same = record.get("sha256") == sha256
            when = record.get("fetched_at", "?")
            found.append(f"downloaded from {record.get('url')} ({when}"
                         + ("" if same else "; the file has changed since") + ")")
            break
    from ddm_lang.perception.harvest import provenance
    harvested = provenance(resolved)
    if harvested:
        found.append(harvested)
    return found


def format_record(record: dict[str, Any]) -> str:
    lines = []
    for key in sorted(record):
        if key == "text.lines":
            for line in record[key]:
                lines.append(f"  text line  {line['text']!r} score {line['score']} "
                             f"box {line['box']}")
            continue
        lines.append(f"  {key:<28} {json.dumps(record[key], ensure_ascii=False)}")
    return "\n".join(lines)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80] or "material"


def models_install(directory: Path | None) -> int:
    models.install(directory)
    return 0


def models_list() -> int:
    print(f"providers: {', '.join(models.providers())}")
    print(f"model directory: {models.model_dir()}")
    status = 0
    for role in models.SPECS:
        if models.optional(role) and models.configured_path(role) is None:
            print(f"{role:<12} {'(optional)':<20} not configured: {models.SPECS[role].env_var}=PATH")
            continue
        try:
            path = models.model_path(role)
            print(f"{role:<12} {models.model_version(role):<20} {path}")
        except models.ModelError as err:
            print(f"{role:<12} missing: {err}")
            status = 1
    return status
