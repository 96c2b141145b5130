"""The work of one batch worker: compile, rasterise, encode and write a product's creatives.

A worker (a pool process or a Ray actor) builds its environment (fonts, models, the batch's
material library) and loads the templates into it once, and keeps them for every job it
gets.
It writes the files itself and hands back one manifest row per creative; a creative that
fails becomes a row with the error, and the worker goes on with the next one.
"""

from __future__ import annotations

import hashlib
import os
import time
import traceback
from pathlib import Path
from typing import Any

from ddm_lang.api import ProductError, Template
from ddm_lang.batch.plan import Job, Settings, Unit, load_templates
from ddm_lang.batch.sink import open_sink
from ddm_lang.environment import Environment
from ddm_lang.perception.catalogue import CatalogueError
from ddm_lang.perception.library import LibraryError
from ddm_lang.perception.materials import MaterialError
from ddm_lang.perception.models import ModelError
from ddm_lang.processes import follow_parent
from ddm_lang.renderer.encode import encode
from ddm_lang.renderer.errors import RenderError
from ddm_lang.syntax.diagnostics import DiagnosticError

_EXPECTED = (ProductError, RenderError, CatalogueError, MaterialError, ModelError, LibraryError,
             ValueError, OSError)


class Worker:
    """Holds what is loaded once: templates by name, the settings and the output sink."""

    def __init__(self, template_paths: list[str], settings: Settings, out: str,
                 base_dir: str, library: str | None = None) -> None:
        self.environment = Environment.from_environ(library=library)
        self.templates: dict[str, Template] = load_templates(
            (Path(p) for p in template_paths), self.environment)
        self.settings = settings
        self.sink = open_sink(out)
        self.base = Path(base_dir)

    def run(self, job: Job) -> list[dict[str, Any]]:
        return [self.make(job.product, unit) for unit in job.units]

    def make(self, product: dict[str, Any], unit: Unit) -> dict[str, Any]:
        """One creative written to the sink; its manifest row (status ok or error)."""
        s = self.settings
        row = base_row(unit, s, os.getpid())
        t0 = time.perf_counter()
        stage = "compile"
        try:
            creative = self.templates[unit.template].compile(
                product, unit.format, base_dir=self.base, seed=s.seed)
            t1 = time.perf_counter()
            stage = "raster"
            pixels = creative.pixels()
            t2 = time.perf_counter()
            stage = "encode"
            data = encode(pixels, s.image_format, s.quality)
            t3 = time.perf_counter()
            stage = "write"
            self.sink.write(unit.path, data)
            t4 = time.perf_counter()
        except DiagnosticError as err:
            return {**row, "status": "error", "stage": stage, "error": err.render()}
        except _EXPECTED as err:
            return {**row, "status": "error", "stage": stage,
                    "error": f'product "{unit.product}": {err}'}
        except Exception as err:  # a bug must not stop the batch: record it with its trace
            return {**row, "status": "error", "stage": stage,
                    "error": f'product "{unit.product}": internal error {type(err).__name__}: '
                             f"{err}\n{traceback.format_exc(limit=6)}"}
        return {**row, "status": "ok", "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "notes": list(creative.scene.notes),
                "ms": {"compile": _ms(t1 - t0), "raster": _ms(t2 - t1),
                       "encode": _ms(t3 - t2), "write": _ms(t4 - t3)}}


def base_row(unit: Unit, settings: Settings, worker: int | None) -> dict[str, Any]:
    """The manifest fields a creative's row has whatever became of it."""
    return {"key": unit.key, "template": unit.template, "product": unit.product,
            "format": unit.format, "width": unit.width, "height": unit.height,
            "image_format": settings.image_format, "quality": settings.quality,
            "seed": settings.seed, "path": unit.path, "worker": worker}


def died_rows(job: Job, settings: Settings, tries: int) -> list[dict[str, Any]]:
    """Error rows for creatives whose worker process died every time it made them (killed,
    out of memory, a crash in native code): the batch records them and goes on."""
    return [{**base_row(unit, settings, None), "status": "error", "stage": "worker",
             "error": f'product "{unit.product}", template "{unit.template}", format '
                      f'"{unit.format}": the worker process died making it, {tries} times '
                      "(killed, out of memory or crashed)"}
            for unit in job.units]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# ---- process-pool side: one Worker per process, made by the pool's initializer ------------
_worker: Worker | None = None
_started: Any = None      # the pool's queue of job tags its workers have begun


def init_process(template_paths: list[str], settings: Settings, out: str, base_dir: str,
                 library: str | None, parent: int, started: Any) -> None:
    """Load the Worker, after tying this process's life to the batch's (`parent`)."""
    global _worker, _started
    follow_parent(parent)
    _started = started
    _worker = Worker(template_paths, settings, out, base_dir, library)


def run_in_process(job: Job, tag: int) -> list[dict[str, Any]]:
    """Run `job`, first telling the pool it started (`tag`), so that if this process dies
    the pool knows which job was under way. SimpleQueue's put writes at once: the tag is
    in the pipe before the job can kill the process."""
    assert _worker is not None, "init_process was not run"
    _started.put(tag)
    return _worker.run(job)
