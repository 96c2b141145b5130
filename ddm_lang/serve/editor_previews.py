"""Preview rendering for the editor: checked template versions, a bounded thread pool and
a cache of encoded previews.

Every check of the editor's text yields a *version* (a hash of the source and every file
it imports); preview URLs name a version, a product and a format, so the browser caches
them forever and the server renders each one at most once. While an author types, the
pool would otherwise fill with previews of text already replaced: a job whose version is
no longer any open page's latest is skipped before it starts (the page asks again).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ddm_lang.api import Creative, ProductError, Template
from ddm_lang.lru import ByteLRU
from ddm_lang.perception.catalogue import Catalogue, Product
from ddm_lang.renderer import RenderError
from ddm_lang.renderer.encode import encode
from ddm_lang.syntax.diagnostics import DiagnosticError

from .config import ServeConfig
from .editor_edits import utf16_offsets
from .editor_templates import SOURCE_FILE, EditorError, error_json

PREVIEW_SIDE = 360
"""Longest side of a preview, px: a grid cell; never larger than the creative itself."""
PREVIEW_QUALITY = 85
THUMBNAIL_SIDE = 96
MAX_VERSIONS = 64
"""Checked versions kept; a page whose version was dropped is told to check again (410)."""
MAX_CLIENTS = 64
CACHE_BYTES = 96 * 1024 * 1024
"""Encoded previews (and failures) kept, by total size: about 3000 previews."""
MAX_PIXELS = ServeConfig.max_pixels
"""Largest download, width × height: the service's --max-pixels default (it passes its
own value); a full-size raster is 4 bytes a pixel, so a 16384² format would take a
gigabyte and more."""


@dataclass(frozen=True)
class Outcome:
    """A rendered image, or why it could not be made (JSON for the page)."""

    image: bytes | None = None
    media_type: str = "image/jpeg"
    problem: dict[str, Any] | None = None
    layout: dict[str, Any] | None = None  # where each element was drawn (`layout_json`)

    @property
    def size(self) -> int:
        return (len(self.image) if self.image is not None else 512) + \
            (256 * len(self.layout["elements"]) if self.layout else 0)


class _Stale(Exception):
    """The version was replaced on every page, or the page scrolled away from the
    product, before its preview started."""


# Problems of one product or one image: shown in the preview cell, never a server error.
_CREATIVE_ERRORS: tuple[type[Exception], ...] = (ProductError, RenderError, ValueError, OSError)


def _creative_errors() -> tuple[type[Exception], ...]:
    from ddm_lang.perception.library import LibraryError
    from ddm_lang.perception.materials import MaterialError
    from ddm_lang.perception.models import ModelError
    return (*_CREATIVE_ERRORS, LibraryError, MaterialError, ModelError)


def _version_of(template: Template, source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8"))
    for name, text in sorted(template.ir.sources.items()):
        digest.update(b"\0" + name.encode("utf-8") + b"\0" + text.encode("utf-8"))
    return digest.hexdigest()[:20]


def preview_size(width: int, height: int, side: int = PREVIEW_SIDE) -> tuple[int, int]:
    """A creative's preview size: longest side `side`, aspect kept, never enlarged."""
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


class PreviewService:
    """Versions, the render pool and the preview cache for one catalogue."""

    def __init__(self, catalogue: Catalogue, workers: int | None = None,
                 max_pixels: int = MAX_PIXELS) -> None:
        self.catalogue = catalogue
        self.max_pixels = max_pixels
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ddm-editor")
        self.versions: OrderedDict[str, tuple[Template, str]] = OrderedDict()
        self.latest: OrderedDict[str, str] = OrderedDict()   # page id → its latest version
        self.shown: OrderedDict[str, frozenset[str]] = OrderedDict()  # page id → products
        self.cache: ByteLRU[str, Outcome] = ByteLRU(CACHE_BYTES)
        self.inflight: dict[str, Future[Outcome]] = {}
        self.lock = threading.Lock()
        # previews rendered, and skipped for a replaced version or a product scrolled away
        self.counts: Counter[str] = Counter()

    # ---- versions -------------------------------------------------------------------

    def remember(self, template: Template, source: str, client: str = "") -> str:
        """Keep a checked template and make it `client`'s latest version."""
        version = _version_of(template, source)
        with self.lock:
            self.versions[version] = (template, source)
            self.versions.move_to_end(version)
            while len(self.versions) > MAX_VERSIONS:
                self.versions.popitem(last=False)
            self.latest[client[:64]] = version
            self.latest.move_to_end(client[:64])
            while len(self.latest) > MAX_CLIENTS:
                self.latest.popitem(last=False)
        return version

    def template(self, version: str) -> tuple[Template, str]:
        """A kept version's template and source text."""
        with self.lock:
            kept = self.versions.get(version)
        if kept is None:
            raise EditorError("this version of the template is no longer kept: check it again",
                              410)
        return kept

    def _count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1

    def _is_live(self, version: str) -> bool:
        with self.lock:
            return version in self.latest.values()

    # ---- lookups ---------------------------------------------------------------------

    def product(self, product_id: str) -> Product:
        product = self.catalogue.get(product_id)
        if product is None:
            raise EditorError(f"no product `{product_id}` in the catalogue", 404)
        return product

    def _format(self, template: Template, name: str):
        fmt = next((f for f in template.formats if f.name == name), None)
        if fmt is None:
            names = ", ".join(f.name for f in template.formats) or "none"
            raise EditorError(f"template `{template.name}` has no format `{name}` "
                              f"(its formats: {names})", 404)
        return fmt

    # ---- rendering -------------------------------------------------------------------

    def show(self, client: str, product_ids: list[str]) -> None:
        """The products `client`'s grid shows now: previews of others that have not
        started are skipped (the page asks again when it scrolls back to them)."""
        with self.lock:
            self.shown[client[:64]] = frozenset(product_ids)
            self.shown.move_to_end(client[:64])
            while len(self.shown) > MAX_CLIENTS:
                self.shown.popitem(last=False)

    def _is_shown(self, client: str, product_id: str) -> bool:
        with self.lock:
            shown = self.shown.get(client[:64])
        return shown is None or product_id in shown

    async def preview(self, version: str, product_id: str, format_name: str,
                      client: str = "") -> Outcome:
        """A JPEG preview of one creative, with where each element was drawn, rendered
        once per (version, product, format)."""
        template, source = self.template(version)
        product = self.product(product_id)
        fmt = self._format(template, format_name)
        key = hashlib.sha256(f"{version}\0{product_id}\0{format_name}".encode()).hexdigest()

        def job() -> Outcome:
            if not self._is_live(version):
                self._count("stale")
                raise _Stale("the template changed before this preview started")
            if not self._is_shown(client, product_id):
                self._count("hidden")
                raise _Stale("the grid scrolled away from this product before its preview "
                             "started")
            self._count("rendered")
            width, height = preview_size(fmt.width, fmt.height)
            return self._render(template, source, product, fmt.name, width, height, "jpg",
                                PREVIEW_QUALITY, mapped=True)

        try:
            return await self._cached(key, job)
        except _Stale as stale:
            raise EditorError(str(stale), 410) from None

    async def backdrop(self, version: str, product_id: str, format_name: str,
                       element_start: int) -> dict[str, Any]:
        """The colour under a text of one creative, its text left out (what the
        inspector measures a text colour's contrast against), and the text's own."""
        template, _ = self.template(version)
        product = self.product(product_id)
        fmt = self._format(template, format_name)

        def job() -> dict[str, Any]:
            from .editor_backdrop import text_backdrop
            creative = template.compile(product.as_dict(), fmt.name,
                                        base_dir=self.catalogue.base_dir)
            return text_backdrop(creative, element_start)

        try:
            return await asyncio.wrap_future(self.pool.submit(job))
        except DiagnosticError:
            raise EditorError("this creative does not compile", 422) from None
        except _creative_errors() as err:
            raise EditorError(f"{product.id} · {fmt.name}: {err}", 422) from None

    async def download(self, version: str, product_id: str, format_name: str,
                       kind: str) -> Outcome:
        """One creative at full size as PNG or JPEG (not cached: downloads are rare)."""
        if kind not in ("png", "jpg"):
            raise EditorError(f"download type `{kind}`: use png or jpg")
        template, source = self.template(version)
        product = self.product(product_id)
        fmt = self._format(template, format_name)
        if fmt.width * fmt.height > self.max_pixels:
            raise EditorError(f"format `{fmt.name}` is {fmt.width}x{fmt.height} = "
                              f"{fmt.width * fmt.height} pixels, over this server's limit of "
                              f"{self.max_pixels} (--max-pixels): too large to download", 422)
        job = self.pool.submit(self._render, template, source, product, fmt.name, fmt.width,
                               fmt.height, kind, 92)
        return await asyncio.wrap_future(job)

    async def thumbnail(self, product_id: str, index: int = 0) -> Outcome:
        """One of the product's photos (the first by default), small: the product picker's
        and the materials panel's."""
        product = self.product(product_id)
        key = hashlib.sha256(f"thumb\0{product_id}\0{index}".encode()).hexdigest()
        return await self._cached(key, lambda: _thumbnail(product, index))

    async def _cached(self, key: str, job: Callable[[], Outcome]) -> Outcome:
        """The cached outcome, else the job run once in the pool however many requests
        ask for it at the same time."""
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        with self.lock:
            future = self.inflight.get(key)
            if future is None:
                future = self.pool.submit(self._store, key, job)
                self.inflight[key] = future
        # Shielded: one page going away must not cancel a render another page waits for.
        return await asyncio.shield(asyncio.wrap_future(future))

    def _store(self, key: str, job: Callable[[], Outcome]) -> Outcome:
        try:
            outcome = job()
            self.cache.put(key, outcome, outcome.size)
            return outcome
        finally:
            with self.lock:
                self.inflight.pop(key, None)

    def _render(self, template: Template, source: str, product: Product, format_name: str,
                width: int, height: int, kind: str, quality: int,
                mapped: bool = False) -> Outcome:
        base = self.catalogue.base_dir
        try:
            creative = template.compile(product.as_dict(), format_name, base_dir=base)
            pixels = creative.pixels(width, height)
            data = encode(pixels, kind, quality)
            layout = layout_json(creative, product, source) if mapped else None
        except DiagnosticError as err:
            return Outcome(problem={"message": f"{product.id} · {format_name}: does not compile",
                                    "diagnostics": list(error_json(err, source))})
        except _creative_errors() as err:
            return Outcome(problem={"message": f"{product.id} · {format_name}: {err}",
                                    "diagnostics": []})
        return Outcome(data, "image/png" if kind == "png" else "image/jpeg", layout=layout)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def layout_json(creative: Creative, product: Product, source: str) -> dict[str, Any]:
    """Where each element of a creative was drawn (canvas px) and how its position is
    written, spans in the page's `source` also in UTF-16 units (`start16`, `end16`); what
    each object chose, its images named by their place in the product."""
    from ddm_lang.quality.checks import safe_margin
    fmt = creative.format
    source_map = creative.source_map
    paths = [str(p.resolve()) for p in product.image_paths()]
    units = utf16_offsets(source)

    def image_index(path: str | None) -> int | None:
        return paths.index(path) if path in paths else None

    elements = []
    for placed in source_map.placements if source_map else ():
        item = placed.as_json()
        item["image"] = image_index(item.pop("material"))  # not the server's own path
        for key in ("span", "value", "override"):
            span = item[key]
            if span and span["file"] == SOURCE_FILE:
                span.update(start16=units(span["start"]), end16=units(span["end"]))
        elements.append(item)
    selections = []
    for chosen in source_map.selections if source_map else ():
        item = chosen.as_json()
        item["chosen"] = [image_index(p) for p in chosen.chosen]
        for candidate in item["candidates"]:
            candidate["image"] = image_index(candidate.pop("path"))
        selections.append(item)
    return {"width": fmt.width, "height": fmt.height,
            "safe_margin": round(safe_margin(fmt.width, fmt.height), 2),
            "elements": elements, "selections": selections}


def _thumbnail(product: Product, index: int = 0) -> Outcome:
    from PIL import Image, UnidentifiedImageError
    paths = product.image_paths()
    if index >= len(paths):
        return Outcome(problem={"message": f"{product.id}: no image {index + 1}",
                                "diagnostics": []})
    try:
        with Image.open(paths[index]) as image:
            image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (OSError, UnidentifiedImageError) as err:
        # The product's own path: Pillow's message repeats the server's absolute one.
        reason = err.strerror or "not a readable PNG, JPEG or WebP image"
        return Outcome(problem={"message": f"{product.id}: {product.images[index]}: {reason}",
                                "diagnostics": []})
    return Outcome(out.getvalue())
