"""The templates and products a server renders, loaded at start and reloadable.

A request never joins user input to a path: it names a template and a product, and both
are looked up here, in maps built from the configured folders and catalogue. A reload
builds a whole new `Snapshot` and swaps it in one assignment, so a request sees either
the old registry or the new one, never half of each. A template that stops compiling on
reload keeps its last good version (and the problem is reported), so a typo saved in the
editor does not take a live creative down.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..api import Template, load_template
from ..perception.catalogue import Catalogue, CatalogueError, load_catalogue
from ..stdlib_templates import TemplateNotFoundError, stdlib_dir, template_files
from ..syntax.diagnostics import DiagnosticError
from .config import ConfigError


@dataclass(frozen=True)
class Entry:
    """A loaded template with its version: the hash of every source it was built from."""

    template: Template
    path: Path
    version: str


@dataclass(frozen=True)
class Snapshot:
    """One consistent view of templates and products; replaced whole on reload."""

    templates: Mapping[str, Entry]
    catalogue: Catalogue
    products: Mapping[str, dict[str, Any]]      # id → the binder's product dict
    product_hashes: Mapping[str, str]           # id → hash of that dict
    generation: int
    loaded_at: float
    errors: tuple[str, ...] = field(default=())


def template_version(template: Template) -> str:
    """Hash of the template's sources (its file and every file it imports)."""
    digest = hashlib.sha256()
    for path, text in sorted(template.ir.sources.items()):
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(text.encode("utf-8", "surrogateescape") + b"\0")
    if not template.ir.sources:
        digest.update(template.ir.source.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def product_hash(product: dict[str, Any]) -> str:
    text = json.dumps(product, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Registry:
    """Templates from `template_dirs` (each a folder of `*.ddm`, a `.ddm` file or a bundled
    template's name; served by their declared name) and one catalogue."""

    def __init__(self, template_dirs: tuple[Path, ...] = (), catalogue: Path | None = None
                 ) -> None:
        self.template_dirs = template_dirs or (stdlib_dir(),)
        self.catalogue_path = catalogue or stdlib_dir() / "samples" / "catalogue.json"
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        first = self.reload()
        if not first.templates:
            dirs = ", ".join(map(str, self.template_dirs))
            raise ConfigError("\n".join([f"no template could be loaded from {dirs}",
                                          *first.errors]))

    @property
    def snapshot(self) -> Snapshot:
        assert self._snapshot is not None
        return self._snapshot

    def reload(self) -> Snapshot:
        """Re-read every template and the catalogue; returns the new snapshot.

        Raises CatalogueError when the catalogue cannot be loaded at start; on a later
        reload a broken catalogue keeps the previous one and is reported in `errors`.
        """
        with self._lock:
            old = self._snapshot
            errors: list[str] = []
            templates = self._load_templates(old, errors)
            try:
                catalogue = load_catalogue(self.catalogue_path)
            except CatalogueError as err:
                if old is None:
                    raise
                errors.append(f"catalogue not reloaded, the previous one is kept: {err}")
                catalogue = old.catalogue
            products = {p.id: p.as_dict() for p in catalogue.products}
            self._snapshot = Snapshot(
                MappingProxyType(templates), catalogue, MappingProxyType(products),
                MappingProxyType({k: product_hash(v) for k, v in products.items()}),
                (old.generation + 1) if old else 1, time.time(), tuple(errors))
            return self._snapshot

    def _load_templates(self, old: Snapshot | None, errors: list[str]) -> dict[str, Entry]:
        templates: dict[str, Entry] = {}
        failed: set[Path] = set()
        for folder in self.template_dirs:
            try:
                files = template_files(str(folder))
            except TemplateNotFoundError as err:
                errors.append(str(err))
                files = []
            for path in files:
                try:
                    template = load_template(path)
                except DiagnosticError as err:
                    errors.append(err.render())
                    failed.add(path.resolve())
                    continue
                if template.name in templates:
                    errors.append(f"{path}: template `{template.name}` is already defined in "
                                  f"{templates[template.name].path}; this one is not served")
                    continue
                templates[template.name] = Entry(template, path.resolve(),
                                                 template_version(template))
        if old is not None and not templates and old.templates:
            errors.append("no template loaded on reload (a folder missing or emptied?); "
                          "the previous templates are still served")
            return dict(old.templates)
        if old is not None:  # keep the last good version of a template that broke
            for name, entry in old.templates.items():
                if name not in templates and entry.path in failed:
                    templates[name] = entry
                    errors.append(f"{entry.path}: does not compile; the previous version of "
                                  f"`{name}` is still served")
        return templates
