"""The batch plan: which creatives a catalogue × templates × formats asks for, and their keys.

One planner serves both engines, so a local run and a Ray run of the same inputs produce
the same keys, paths and manifest. A creative's key is a hash of everything its bytes
depend on (template sources, the product record, the content of its images and logos, the
perception model versions, format, image format, quality, seed, package version), so a
rerun skips exactly the creatives whose inputs did not change. Work is grouped by product:
one job is one product × every template and format, so a worker decodes and looks up that
product's images once and finds them in its caches for the other creatives.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ddm_lang.api import Template, load_template
from ddm_lang.batch.arguments import IMAGE_FORMATS
from ddm_lang.environment import Environment
from ddm_lang.errors import SettingError
from ddm_lang.perception.catalogue import Catalogue
from ddm_lang.perception.materials import MaterialError, load_material
from ddm_lang.stdlib_templates import TemplateNotFoundError, template_files

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class BatchError(SettingError):
    """A batch that cannot start (unknown template or format, bad option); the message says
    what to change. A ValueError, so the CLI reports it as a user error."""


@dataclass(frozen=True)
class Settings:
    """What every creative of the batch shares besides its inputs."""

    image_format: str = "jpg"
    quality: int = 90
    seed: int = 0

    def __post_init__(self) -> None:
        if self.image_format not in IMAGE_FORMATS:
            raise BatchError(f"image format `{self.image_format}`: use jpg, png or webp")
        if not 1 <= self.quality <= 100:
            raise BatchError(f"quality {self.quality} is outside 1..100")


@dataclass(frozen=True)
class Unit:
    """One creative to make: template × product × format, its key and output path (POSIX,
    relative to the output root)."""

    template: str
    product: str
    format: str
    width: int
    height: int
    key: str
    path: str


@dataclass(frozen=True)
class Job:
    """The work one worker task does: one product (as the binder's dict) and its units."""

    product: dict[str, Any]
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    inputs: dict[str, dict[str, Any]]     # product id → the hashes its keys were made of
    template_hashes: dict[str, str]       # template name → hash of its sources

    @property
    def units(self) -> list[Unit]:
        return [u for job in self.jobs for u in job.units]


def template_paths(specs: Sequence[str]) -> list[Path]:
    """`.ddm` files from `--templates` items (each may hold comma-separated parts): a folder
    (its `*.ddm`), a `.ddm` file, `stdlib` (every bundled template) or a bundled name."""
    paths: list[Path] = []
    for spec in specs:
        for part in filter(None, (p.strip() for p in spec.split(","))):
            try:
                paths += template_files(part)
            except TemplateNotFoundError as err:
                raise BatchError(str(err)) from None
    if not paths:
        raise BatchError("no templates given")
    # one entry per file, named as the user named it (messages show that name)
    return list({p.resolve(): p for p in paths}.values())


def load_templates(paths: Iterable[Path],
                   environment: Environment | None = None) -> dict[str, Template]:
    """Templates by name, to compile in `environment` (None: the default); two files
    declaring one name would write over each other."""
    out: dict[str, Template] = {}
    where: dict[str, Path] = {}
    for path in paths:
        template = load_template(Path(path), environment=environment)
        if template.name in out:
            raise BatchError(f"{path}: template name `{template.name}` is also declared in "
                             f"{where[template.name]}; output folders are named by template")
        out[template.name] = template
        where[template.name] = Path(path)
    return out


def formats_of(template: Template, wanted: Sequence[str] | None) -> list[Any]:
    """The template's formats, filtered by name when `--formats` was given."""
    return [f for f in template.formats if wanted is None or f.name in wanted]


def check_formats(templates: dict[str, Template], wanted: Sequence[str] | None) -> None:
    if wanted is None:
        return
    served = {f.name for t in templates.values() for f in t.formats}
    unknown = [name for name in wanted if name not in served]
    if unknown:
        raise BatchError(f"format {', '.join(map(repr, unknown))} is served by none of the "
                         f"templates (they serve: {', '.join(sorted(served))})")


def make_plan(templates: dict[str, Template], catalogue: Catalogue, settings: Settings,
              wanted_formats: Sequence[str] | None, perception_versions: str) -> Plan:
    """Every unit of the batch, grouped by product, in catalogue order."""
    check_formats(templates, wanted_formats)
    common = {"package": _package_version(), "perception": perception_versions,
              "image_format": settings.image_format, "quality": settings.quality,
              "seed": settings.seed}
    template_hashes = {name: template_hash(t) for name, t in templates.items()}
    ext = settings.image_format
    jobs: list[Job] = []
    inputs: dict[str, dict[str, Any]] = {}
    used_paths: set[str] = set()
    for product in catalogue.products:
        record = product.as_dict()
        product_hash = _sha(canonical_json(record))
        materials = material_hashes(product.image_paths() + product.logo_paths(),
                                    catalogue.base_dir)
        inputs[product.id] = {"product_sha256": product_hash, "materials": materials}
        units: list[Unit] = []
        for name, template in templates.items():
            for fmt in formats_of(template, wanted_formats):
                key = _sha(canonical_json({**common, "template": template_hashes[name],
                                           "product": product_hash, "materials": materials,
                                           "format": [fmt.name, fmt.width, fmt.height]}))
                path = output_path(name, product.id, fmt.name, ext)
                if path in used_paths:  # two ids that differ only in unsafe characters
                    path = output_path(name, f"{product.id}-{key[:8]}", fmt.name, ext)
                used_paths.add(path)
                units.append(Unit(name, product.id, fmt.name, fmt.width, fmt.height, key, path))
        if units:
            jobs.append(Job(record, tuple(units)))
    return Plan(tuple(jobs), inputs, template_hashes)


def material_hashes(paths: Iterable[Path], base: Path) -> dict[str, str]:
    """Relative image path → content hash; an unreadable file is keyed by its error, so the
    creatives that need it fail (and are retried) while the others go ahead."""
    out: dict[str, str] = {}
    for path in paths:
        rel = Path(path).relative_to(base).as_posix()
        try:
            out[rel] = load_material(path, (base,), shown=rel).sha256
        except MaterialError as err:
            out[rel] = f"unreadable: {err}"
    return out


def template_hash(template: Template) -> str:
    """Hash of every source file the template was checked from (its imports included),
    independent of where they are installed."""
    sources = template.ir.sources or {template.name: template.name}
    return _sha(canonical_json(sorted(_sha(text) for text in sources.values())))


def output_path(template: str, product_id: str, fmt: str, ext: str) -> str:
    """`<template>/<product>-<format>.<ext>`: each part reduced to safe characters; a
    product id's `/` (folder catalogues) becomes a sub-folder, never a way out."""
    parts = [safe_name(p) for p in product_id.split("/") if p not in ("", ".", "..")]
    parts = parts or ["product"]
    parts[-1] = f"{parts[-1]}-{safe_name(fmt)}.{ext}"
    return "/".join([safe_name(template), *parts])


def safe_name(text: str) -> str:
    name = _UNSAFE.sub("_", text).strip("._") or "_"
    return name[:120]


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _package_version() -> str:
    try:
        return metadata.version("ddm_lang")
    except metadata.PackageNotFoundError:
        return "unknown"
