"""One render, as a self-contained job that runs in a thread or in a worker process.

Rendering is CPU-bound, so it runs off the event loop in a pool (see `pool.py`). A job
carries plain data only (the template's file and version, the product dict, the format),
so the same function serves a thread pool and a process pool: a worker process loads each
template once and keeps it, keyed by version, so templates, fonts and models are loaded
once per worker, not per request. Errors a person can act on come back as `RenderFailed`
with one string (picklable across processes); anything else is a server bug.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api import ProductError, Template, load_template
from ..environment import Environment, default_environment
from ..perception.library import LibraryError
from ..perception.materials import MaterialError
from ..renderer.errors import RenderError
from ..syntax.diagnostics import DiagnosticError
from .registry import Entry, template_version

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp",
                 "svg": "image/svg+xml"}
LOSSY = frozenset({"jpg", "webp"})


class RenderFailed(Exception):
    """The template cannot render this product in this format; the message says why."""


class StaleTemplate(Exception):
    """The template file changed between the reload and this render: retry."""


@dataclass(frozen=True)
class RenderJob:
    template_path: str
    template_version: str
    product: dict[str, Any]
    base_dir: str
    format_name: str
    ext: str
    quality: int
    seed: int
    max_bytes: int


_templates: dict[str, tuple[str, Template]] = {}   # path → (version, template)
_lock = threading.Lock()


def remember(entry: Entry) -> None:
    """Give this process's memo a template the registry already loaded."""
    with _lock:
        _templates[str(entry.path)] = (entry.version, entry.template)


def _template(path: str, version: str) -> Template:
    with _lock:
        known = _templates.get(path)
    if known is not None and known[0] == version:
        return known[1]
    try:
        template = load_template(Path(path), environment=environment())
    except DiagnosticError as err:
        raise StaleTemplate(f"template {Path(path).name} changed on disk and no longer "
                            f"compiles:\n{err.render()}") from None
    loaded = template_version(template)
    if loaded != version:
        raise StaleTemplate(f"template {Path(path).name} changed on disk since the last "
                            "reload; retry")
    with _lock:
        _templates[path] = (loaded, template)
    return template


def run(job: RenderJob) -> bytes:
    """Compile and encode one creative; the encoded bytes."""
    template = _template(job.template_path, job.template_version).using(environment())
    who = f"template `{template.name}`, product `{job.product.get('id', '?')}`, " \
          f"format `{job.format_name}`"
    try:
        creative = template.compile(job.product, job.format_name, base_dir=Path(job.base_dir),
                                    seed=job.seed)
        if job.ext == "svg":
            data = creative.svg.encode("utf-8")
        else:
            data = creative.render(job.ext, quality=job.quality)
    except DiagnosticError as err:
        raise RenderFailed(f"{who}: " + "; ".join(
            d.message + (f" ({d.hint})" if d.hint else "") for d in err.diagnostics)) from None
    except (ProductError, MaterialError, RenderError, LibraryError) as err:
        raise RenderFailed(f"{who}: {err}") from None
    if len(data) > job.max_bytes:
        raise RenderFailed(f"{who}: the {job.ext} is {len(data)} bytes, over this server's "
                           f"limit of {job.max_bytes} (--max-bytes)")
    return data


_environment: Environment | None = None


def environment() -> Environment:
    """What this process compiles in: the environment `init_worker` built from the
    server's configuration, else the default one."""
    return _environment if _environment is not None else default_environment()


def init_worker(library: str | None) -> None:
    """Process-pool initializer: an environment with the server's material library."""
    global _environment
    _environment = Environment.from_environ(library=library)


def warm(_: int = 0) -> int:
    """Import and load fonts in a fresh worker, so the first request is not the slow one."""
    environment().fonts  # noqa: B018 - built on first use: parse the font files now
    return os.getpid()
