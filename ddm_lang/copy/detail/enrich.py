"""Catalogue records given the selling points of their detail pages, with sources.

`enrich` adds a product's extracted points after the ones its record already has (a point
saying what an existing one says is left out) and names where each was read in the
record's `sources` (fact id → text, the ids `copy.facts` gives selling points,
`selling_point:I`), so the caption writer can use them and the factuality check counts
their numbers and words as data.

`extract_command` is `ddm materials extract-copy CATALOGUE --out FILE`: it picks each
product's detail images, enriches every product and writes a new catalogue.

Which images are detail pages (`is_detail`): an image at least `min_aspect` times as tall
as it is wide (a detail page is a tall strip of stacked panels; no product photo or ad is
that shape), or one whose text covers at least `min_text_area` of it as the text
perceiver reads it (an infographic panel, a size chart, a spec card). A product photo
with a label on its package covers a few per cent.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ddm_lang.errors import UserError
from ddm_lang.files import write_atomic
from ddm_lang.perception import ocr, records
from ddm_lang.perception.catalogue import load_catalogue
from ddm_lang.perception.library import MaterialLibrary
from ddm_lang.perception.materials import MaterialError
from ddm_lang.perception.pixels import decode_file

from . import rank
from .classify import similar
from .model import Point
from .pipeline import extract

MIN_ASPECT = 2.0       # height over width from which an image is a detail page
MIN_TEXT_AREA = 0.12   # share of an image covered by text from which it is one
SAME_POINT = 0.75      # similarity of two points that say one thing


def is_detail(path: Path, *, min_text_area: float = MIN_TEXT_AREA,
              min_aspect: float = MIN_ASPECT, library: MaterialLibrary | None = None) -> bool:
    """Whether the image at `path` is a detail page (see the module's rule). The image is
    decoded once at the perceiver's working size (its full size, EXIF-oriented, gives the
    aspect); only a photo of ordinary shape is then read for text, and not even that when
    `library` holds its record (`ddm materials add` perceived it: the text area is there,
    by content hash)."""
    pixels = decode_file(path)
    if pixels.height >= min_aspect * pixels.width:
        return True
    if min_text_area > 1.0:
        return False
    area = _known_text_area(path, library)
    if area is None:
        area = ocr.perceive_text(pixels.rgb)["text.area"]
    return bool(area >= min_text_area)


def _known_text_area(path: Path, library: MaterialLibrary | None) -> float | None:
    """The text area the material library recorded for this file's content, if any."""
    if library is None:
        return None
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    entry = library.lookup(digest)
    area = entry.record.get("text.area") if entry is not None else None
    return float(area) if isinstance(area, int | float) else None


def detail_images(paths: Iterable[Path], *, min_text_area: float = MIN_TEXT_AREA,
                  min_aspect: float = MIN_ASPECT,
                  library: MaterialLibrary | None = None) -> list[Path]:
    """The detail pages among `paths`, in their order."""
    return [p for p in paths if is_detail(p, min_text_area=min_text_area,
                                          min_aspect=min_aspect, library=library)]


def enrich(record: dict[str, Any], detail_images: list[Path], *, base: Path,
           top: int = rank.TOP) -> dict[str, Any]:
    """`record` (a product as `Product.as_dict()` writes it) with the best `top` points of
    its detail images appended to `selling_points` (none that repeats a point already
    there; never past the catalogue's MAX_SELLING_POINTS) and a `sources` entry for each
    (`selling_point:I` → `images/detail-1.jpg, block 4 (y 1210–1390), OCR 0.96`; never
    past the catalogue's bound on sources either). Image paths in sources are relative to
    `base`, the folder the record's paths are. The record given is not changed."""
    title = str(record.get("title") or "")
    attributes = [str(v) for v in (record.get("attributes") or {}).values()]
    found = extract(detail_images, base=base, title=title, attributes=attributes, top=top)
    return with_points(record, found)


def with_points(record: dict[str, Any], points: Sequence[Point]) -> dict[str, Any]:
    """`record` with `points` appended after its own selling points, without repeats,
    and their sources."""
    out = dict(record)
    have = [str(p) for p in record.get("selling_points") or ()]
    sources = {str(k): str(v) for k, v in (record.get("sources") or {}).items()}
    for point in points:
        if len(have) >= records.MAX_SELLING_POINTS or len(sources) >= records.MAX_ATTRIBUTES:
            break   # the catalogue's bounds on selling points and on sources (as attributes)
        if any(_same(point.text, h) for h in have):
            continue
        sources[f"selling_point:{len(have)}"] = point.source[:records.MAX_TEXT]
        have.append(point.text[:records.MAX_TEXT])
    out["selling_points"] = have
    if sources:
        out["sources"] = sources
    return out


def _same(a: str, b: str) -> bool:
    return rank.clean(a).casefold() == rank.clean(b).casefold() or similar(a, b) >= SAME_POINT


def extract_command(catalogue: Path, out: Path, *, min_text_area: float = MIN_TEXT_AREA,
                    min_aspect: float = MIN_ASPECT, top: int = rank.TOP,
                    library: Path | None = None, stream: TextIO | None = None) -> int:
    """Read the catalogue, enrich every product from its detail images and write the new
    catalogue to `out` (`{"products": [...]}`, image paths relative to `out`'s folder,
    written whole or not at all). Prints one line per product with points added, then a
    summary. Returns 0, or 1 when an image could not be read (the other products are
    still written). A catalogue error or an `out` whose folder does not contain the
    images raises `UserError`. Text areas the material library at `library` (the default
    one when None) recorded are read from it instead of running OCR again."""
    stream = stream or sys.stdout
    start = time.perf_counter()
    cat = load_catalogue(catalogue)
    known = MaterialLibrary(library)
    folder = out.parent.resolve()
    products, failures, pages, added = [], [], 0, 0
    for product in cat.products:
        record = product.as_dict()
        try:
            details = detail_images(product.image_paths(), min_text_area=min_text_area,
                                    min_aspect=min_aspect, library=known)
            enriched = enrich(record, details, base=folder, top=top) if details else record
        except MaterialError as err:
            failures.append(f'product "{product.id}": {err}')
            details, enriched = [], record
        enriched["images"] = [_relative(p, folder) for p in product.image_paths()]
        if product.brand is not None and product.brand.logos:
            enriched["brand"] = {**enriched["brand"],
                                 "logos": [_relative(p, folder) for p in product.logo_paths()]}
        new = len(enriched["selling_points"]) - len(record["selling_points"])
        pages += len(details)
        added += new
        if details:
            print(f'{product.id}: {len(details)} detail image(s), {new} point(s) added',
                  file=stream)
        products.append(enriched)
    data = json.dumps({"products": products}, ensure_ascii=False, indent=1) + "\n"
    write_atomic(out, data.encode("utf-8"))
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{out}: {len(products)} products, {pages} detail images read, {added} selling "
          f"points added, {len(failures)} failed, in {time.perf_counter() - start:.1f} s",
          file=stream)
    return 1 if failures else 0


def _relative(path: Path, folder: Path) -> str:
    """`path` relative to the new catalogue's folder, as the catalogue loader wants it
    (inside that folder: the loader refuses paths that leave it)."""
    rel = os.path.relpath(path.resolve(), folder)
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        raise UserError(f"{path}: the new catalogue's folder {folder} does not contain this "
                        "image; write the catalogue into a folder above the images")
    return Path(rel).as_posix()


__all__ = ["MIN_ASPECT", "MIN_TEXT_AREA", "detail_images", "enrich", "extract_command",
           "is_detail", "with_points"]
