"""Harvesting: saved product pages, images and videos in, one product's photos out, each with
where it came from.

`harvest` takes any mix of sources, finds every candidate picture in them (the page's image
references, the sections of long detail images, a video's key frames), groups copies of one
picture and keeps the largest, keeps out what the suitability classifier calls pure text or
a collage and what is too small to use, and writes into the output folder:

- the kept pictures, `image-01.jpg`, `image-02.png`... (a whole JPEG, PNG or WebP file as it
  was, byte for byte; sections and frames encoded as JPEG, or PNG when they have
  transparency or come from a PNG);
- `harvest.json`: every candidate, kept or not, with its origin (the page and the attribute
  and URL it came from; `section 3 of detail.jpg, y 1200–1980`; `frame at 4.20 s of
  video.mp4`), pHash, the copy it duplicates, the classifier's verdict and why it was left
  out; `provenance` reads it back for one image;
- `product.json`: the product in the catalogue's own schema (id, title from the page's
  schema.org Product, og:title or `<title>`, the schema.org description, brand and price
  when the page states them, and the kept images), as a one-product catalogue
  (`{"products": [...]}`): `ddm materials add DIR/product.json` reads catalogues, and the
  commands that take `--product` read a catalogue's products too (`catalogue.read_products`).

Whether an image is a product photo is the classifier's call for pure text and collages;
its `low_quality` flag is recorded but does not keep a picture out: photos it flags are
often the only ones a product has, and templates rank by `quality` anyway.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np
from PIL import Image

from ddm_lang.errors import UserError
from ddm_lang.files import write_atomic
from ddm_lang.perception import suitability
from ddm_lang.perception.catalogue import _bad_id, validate_product  # one id rule
from ddm_lang.perception.catalogue_errors import CatalogueError
from ddm_lang.perception.feeds.detect import MAX_HTML_BYTES
from ddm_lang.perception.feeds.rows import Options, finish
from ddm_lang.perception.materials import MAX_BYTES, MaterialError

from . import dedup, sections
from .errors import HarvestError
from .images import decode_image, work_copy
from .obtain import Fetch, obtain
from .page import PageImages, read_page
from .video import key_frames

PAGE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".mpg", ".mpeg",
                            ".ogv", ".3gp"})
MANIFEST = "harvest.json"
PRODUCT_FILE = "product.json"
MANIFEST_VERSION = 1
MIN_SIDE = 160
"""Pictures with a shorter side are thumbnails or icons, too small for any ad slot (the
perception record flags under 400 px as too small for large slots; such photos are kept)."""
MAX_PAGE_IMAGES = 100
"""At most this many image references of one page are read (a listing page names hundreds)."""
DROP_FLAGS = ("pure_text", "collage")
"""The suitability classifier's flags that keep a picture out."""
_FLAG_WORDS = {"pure_text": "pure text", "collage": "a collage"}
_OUTPUT_NAME = re.compile(r"image-\d{2,}\.(?:jpg|png|webp)\Z")
_KEEP_AS_IS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class Candidate:
    """One picture a harvest found, as `harvest.json` lists it. `index` counts from 1;
    `duplicate_of` is the index of the copy kept instead; `file` is the written file's name
    in the output folder (None when not kept); `why` says why it was not kept."""

    index: int
    source: str
    origin: str
    reference: str | None
    width: int | None
    height: int | None
    phash: str | None
    duplicate_of: int | None
    suitability: dict[str, Any] | None
    file: str | None
    kept: bool
    why: str | None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class HarvestReport:
    """What `harvest` found and wrote: every candidate, the manifest, the product file
    (None when nothing was kept), notes (what was not read) and problems (sources that could
    not be read at all; the rest were still harvested)."""

    out_dir: Path
    product_id: str
    title: str
    candidates: tuple[Candidate, ...]
    manifest: Path
    product_file: Path | None
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def kept(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.kept)


@dataclass
class _Item:
    """A candidate while the harvest runs: what to write it from (the encoded bytes and a
    crop box, or a frame's pixels) and what was found out about it."""

    source: str
    origin: str
    reference: str | None = None
    data: bytes | None = None
    fmt: str | None = None
    box: tuple[int, int, int, int] | None = None
    pixels: np.ndarray | None = None
    width: int | None = None
    height: int | None = None
    alpha: bool = False
    fingerprint: dedup.Fingerprint | None = None
    verdict: dict[str, Any] | None = None
    duplicate_of: int | None = None
    why: str | None = None
    file: str | None = None


@dataclass
class _Run:
    items: list[_Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    pages: list[PageImages] = field(default_factory=list)


def harvest(sources: list[Path], out_dir: Path, *, product_id: str,
            page_url: str | None = None, fetch: Fetch | None = None) -> HarvestReport:
    """Harvest one product's pictures from saved pages, image files and video files into
    `out_dir` (see the module docstring).

    `page_url` is the address the (first) page was saved from, for its relative references;
    `fetch` downloads a remote reference to a file and returns its path (or None); without it
    remote references are listed as not downloaded. Raises `HarvestError` for a missing or
    unknown source or a product id that cannot name files, before anything is read; a
    source that cannot be read is a problem of the report, and the others are harvested."""
    if why := _bad_id(product_id):
        raise HarvestError(f'product id "{product_id}": {why}')
    kinds = [(Path(s), _kind(Path(s))) for s in sources]
    if not kinds:
        raise HarvestError("nothing to harvest: give saved pages, images or videos")
    run = _Run()
    for path, kind in kinds:
        shown = str(path)
        try:
            if kind == "page":
                _page(run, path, shown, page_url, fetch)
            elif kind == "image":
                _image_file(run, path, shown)
            else:
                _video(run, path, shown)
        except UserError as err:
            run.problems.append(str(err))
    _deduplicate(run.items)
    _judge(run.items)
    title = next(iter(run.titles), None)
    if title is None:
        title = product_id
        run.notes.append(f'no title found in the sources; the product id "{product_id}" '
                         "stands in")
    try:
        return _write(run, out_dir, product_id, title, sources, page_url)
    except OSError as err:
        raise HarvestError(f"{err.filename or out_dir}: cannot write "
                           f"({err.strerror or type(err).__name__})") from None


def _write(run: _Run, out_dir: Path, product_id: str, title: str, sources: list[Path],
           page_url: str | None) -> HarvestReport:
    """Write the kept pictures, the product file and the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(out_dir)
    _write_kept(run.items, out_dir)
    product_file = _write_product(run, out_dir, product_id, title)
    candidates = tuple(_candidate(i, item) for i, item in enumerate(run.items, 1))
    manifest = out_dir / MANIFEST
    write_atomic(manifest, (json.dumps({
        "version": MANIFEST_VERSION,
        "product": product_id,
        "title": title,
        "sources": [str(p) for p in sources],
        "page_url": page_url,
        "product_file": product_file.name if product_file else None,
        "candidates": [c.as_dict() for c in candidates],
        "notes": run.notes,
        "problems": run.problems,
    }, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return HarvestReport(out_dir, product_id, title, candidates, manifest, product_file,
                         tuple(run.notes), tuple(run.problems))


def _kind(path: Path) -> str:
    """page, image or video, by the file's suffix; a `HarvestError` for a missing file."""
    if not path.exists():
        raise HarvestError(f"{path}: not found")
    if path.is_dir():
        raise HarvestError(f"{path}: is a directory; give the saved page (.html), images "
                           "or videos in it")
    suffix = path.suffix.lower()
    if suffix in PAGE_SUFFIXES:
        return "page"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    raise HarvestError(f"{path}: unknown kind of source {suffix or '(no suffix)'!r}; give a "
                       "saved page (.html), an image (.jpg, .png, .webp...) or a video "
                       "(.mp4, .mov, .webm...)")


# ---- finding candidates ------------------------------------------------------------------

def _read_bounded(path: Path, shown: str, limit: int, what: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise HarvestError(f"{shown}: {size:,} bytes; the most read of {what} is "
                               f"{limit:,}")
        return path.read_bytes()
    except OSError as err:
        raise HarvestError(f"{shown}: cannot read ({err.strerror or 'error'})") from None


def _page(run: _Run, path: Path, shown: str, page_url: str | None,
          fetch: Fetch | None) -> None:
    page = read_page(_read_bounded(path, shown, MAX_HTML_BYTES, "an HTML page"),
                     page_url=page_url if not run.pages else None, shown=shown)
    run.pages.append(page)
    run.notes += page.notes
    if page.title:
        run.titles.append(page.title)
    refs = page.refs
    if len(refs) > MAX_PAGE_IMAGES:
        run.notes.append(f"{shown}: {len(refs)} image references; the first "
                         f"{MAX_PAGE_IMAGES} were read")
        refs = refs[:MAX_PAGE_IMAGES]
    for ref in refs:
        origin = f"{ref.origin} in {path.name}"
        got = obtain(ref, path.parent, fetch)
        reference = got.where if got.where != "data: URI" else "data: URI"
        if got.data is None:
            run.items.append(_Item(shown, origin, reference, why=got.why or "not found"))
            continue
        _add_image(run, got.data, f"{shown}: {reference}", shown, origin, reference)
    for dropped in page.dropped:
        run.items.append(_Item(shown, f"{dropped.origin} in {path.name}", dropped.url,
                               why=f"left out: {dropped.why}"))


def _image_file(run: _Run, path: Path, shown: str) -> None:
    data = _read_bounded(path, shown, MAX_BYTES, "an image")
    _add_image(run, data, shown, shown, path.name, None)


def _add_image(run: _Run, data: bytes, name: str, source: str, origin: str,
               reference: str | None) -> None:
    """One image's candidates: itself, or the sections of a long detail image."""
    try:
        decoded = decode_image(data, name)
    except MaterialError as err:
        run.items.append(_Item(source, origin, reference, why=str(err)))
        return
    img = decoded.image
    w, h = img.size
    if not sections.is_long(w, h):
        _measure(run, _Item(source, origin, reference, data, decoded.format), img)
        return
    parts = sections.split_sections(np.asarray(img.convert("RGB")))
    label = (unquote(urlsplit(reference).path).rsplit("/", 1)[-1]
             if reference and reference != "data: URI" else origin)
    cuts = "background gaps" if any(s.cut == "gap" for s in parts) else "overlapping windows"
    run.items.append(_Item(source, origin, reference, width=w, height=h,
                           why=f"a long detail image: split into {len(parts)} sections at "
                               f"{cuts}"))
    for k, part in enumerate(parts, 1):
        box = (0, part.top, w, part.bottom)
        kind = "" if part.cut == "gap" else ", a window"
        _measure(run, _Item(source, f"section {k} of {label}, y {part.top}–{part.bottom}{kind}",
                            reference, data, decoded.format, box), img.crop(box))


def _video(run: _Run, path: Path, shown: str) -> None:
    found = key_frames(path, shown=shown)
    run.notes += found.notes
    events: list[tuple[float, _Item, np.ndarray | None]] = []
    for frame in found.frames:
        events.append((frame.time, _Item(shown, f"frame at {frame.time:.2f} s of {path.name}"),
                       frame.rgb))
    for skip in found.skipped:
        events.append((skip.time, _Item(shown, f"frame at {skip.time:.2f} s of {path.name}",
                                        why=skip.why), None))
    for _, item, rgb in sorted(events, key=lambda e: e[0]):
        if rgb is None:
            run.items.append(item)
        else:
            item.pixels = rgb
            _measure(run, item, Image.fromarray(rgb))


def _measure(run: _Run, item: _Item, img: Image.Image) -> None:
    """Fingerprint and classify one picture, and list it."""
    item.width, item.height = img.size
    item.alpha = img.mode == "RGBA"
    item.fingerprint = dedup.fingerprint(img)
    rgb, alpha = work_copy(img)
    verdict = suitability.suitability(rgb, alpha)
    item.verdict = {"background": verdict["background"],
                    **{flag: bool(verdict[flag])
                       for flag in ("pure_text", "collage", "low_quality")},
                    "probabilities": {k: round(float(v), 3)
                                      for k, v in verdict["probabilities"].items()}}
    run.items.append(item)


# ---- choosing ----------------------------------------------------------------------------

def _deduplicate(items: list[_Item]) -> None:
    """Mark every copy of a picture but its largest (the earliest among equals)."""
    measured = [i for i, item in enumerate(items) if item.fingerprint is not None and item.why is None]
    prints = [p for i in measured if (p := items[i].fingerprint) is not None]
    pixels = [(items[i].width or 0) * (items[i].height or 0) for i in measured]
    groups = dedup.group_duplicates(prints, pixels)
    for i, copy_of in zip(measured, groups, strict=True):
        if copy_of is not None:
            kept = items[measured[copy_of]]
            items[i].duplicate_of = measured[copy_of] + 1
            items[i].why = (f"a copy of #{measured[copy_of] + 1} ({kept.width}×{kept.height}, "
                            "the larger or earlier)")


def _judge(items: list[_Item]) -> None:
    """Keep out what is too small or what the classifier calls pure text or a collage."""
    for item in items:
        if item.why is not None or item.verdict is None:
            continue
        w, h = item.width or 0, item.height or 0
        if min(w, h) < MIN_SIDE:
            item.why = f"too small ({w}×{h}; the least kept is {MIN_SIDE} px a side)"
            continue
        flags = [_FLAG_WORDS[f] for f in DROP_FLAGS if item.verdict.get(f)]
        if flags:
            item.why = f"unsuitable: {' and '.join(flags)} (suitability classifier)"


# ---- writing -----------------------------------------------------------------------------

def _remove_previous(out_dir: Path) -> None:
    """Remove the pictures an earlier harvest into this folder wrote (only those its
    manifest lists under this module's own names), so none is left behind unlisted."""
    manifest = out_dir / MANIFEST
    try:
        old = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(old, dict) or not isinstance(old.get("candidates"), list):
        return
    for entry in old["candidates"]:
        name = entry.get("file") if isinstance(entry, dict) else None
        if isinstance(name, str) and _OUTPUT_NAME.match(name):
            (out_dir / name).unlink(missing_ok=True)


def _write_kept(items: list[_Item], out_dir: Path) -> None:
    n = 0
    decoded: dict[int, Image.Image] = {}   # a long image's sections share one decoding
    for item in items:
        if item.why is not None or item.fingerprint is None:
            continue
        n += 1
        data, suffix = _encoded(item, decoded)
        item.file = f"image-{n:02d}{suffix}"
        write_atomic(out_dir / item.file, data)
        item.pixels = None   # written: a frame's pixels are not needed again


def _encoded(item: _Item, decoded: dict[int, Image.Image]) -> tuple[bytes, str]:
    """The bytes to write for a kept picture and their suffix: a whole JPEG, PNG or WebP
    file as it is; a section or frame encoded (PNG for transparency or a PNG source)."""
    if item.box is None and item.data is not None and item.fmt in _KEEP_AS_IS:
        return item.data, _KEEP_AS_IS[item.fmt]
    if item.pixels is not None:
        img = Image.fromarray(item.pixels)
    else:
        assert item.data is not None
        key = id(item.data)
        if key not in decoded:
            decoded.clear()
            decoded[key] = decode_image(item.data, item.origin).image
        img = decoded[key]
        if item.box is not None:
            img = img.crop(item.box)
    buf = io.BytesIO()
    if item.alpha or item.fmt == "PNG":
        img.save(buf, "PNG", optimize=False, compress_level=6)
        return buf.getvalue(), ".png"
    img.convert("RGB").save(buf, "JPEG", quality=92, optimize=True)
    return buf.getvalue(), ".jpg"


def _write_product(run: _Run, out_dir: Path, product_id: str, title: str) -> Path | None:
    """`product.json` in the catalogue's schema, checked by the catalogue's own rules; None
    (and a problem) when no picture was kept."""
    images = [item.file for item in run.items if item.file]
    target = out_dir / PRODUCT_FILE
    if not images:
        run.problems.append(f"{out_dir}: no product picture was kept, so no {PRODUCT_FILE} "
                            f"was written; {MANIFEST} says why of each candidate")
        return None
    record = _schema_record(run, product_id)
    record.update({"id": product_id, "title": title, "images": images})
    try:
        validate_product(record, source=str(target), base=out_dir)
    except CatalogueError as err:
        run.notes.append(f"{target}: the page's product data left out ({err.problems[0]})")
        record = {"id": product_id, "title": title, "images": images}
        try:
            validate_product(record, source=str(target), base=out_dir)
        except CatalogueError as again:
            raise HarvestError(str(again)) from None
    write_atomic(target, (json.dumps({"products": [record]}, indent=1, ensure_ascii=False)
                          + "\n").encode("utf-8"))
    return target


def _schema_record(run: _Run, product_id: str) -> dict[str, Any]:
    """The first page's schema.org Product as the feed reader turns it into a record
    (description, brand, price, category, language, attributes), without its images."""
    draft = next((p.product for p in run.pages if p.product is not None), None)
    if draft is None:
        return {}
    draft = dataclasses.replace(draft, id=product_id, images=["-"], notes=[],
                                attributes=dict(draft.attributes))
    row = finish(draft, "page", Options())
    if row.record is None:
        return {}
    return {k: v for k, v in row.record.items() if k not in ("id", "title", "images")}


def _candidate(index: int, item: _Item) -> Candidate:
    return Candidate(index, item.source, item.origin, item.reference, item.width, item.height,
                     item.fingerprint.hex if item.fingerprint else None, item.duplicate_of, item.verdict,
                     item.file, item.file is not None, item.why)


# ---- reading back ------------------------------------------------------------------------

def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The `harvest.json` of a folder, or None when there is none or it is not one."""
    path = out_dir / MANIFEST
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        value = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("candidates"), list):
        return None
    return value


def provenance(image_path: Path) -> str | None:
    """Where a harvested image came from, read from the `harvest.json` beside it (for
    `ddm materials inspect`): e.g. `srcset of <img class="gallery"> (largest: 1600w) in
    shoe.html, https://cdn.example/shoe_1600.jpg`. None for an image no harvest wrote."""
    manifest = read_manifest(Path(image_path).parent)
    if manifest is None:
        return None
    name = Path(image_path).name
    for entry in manifest["candidates"]:
        if isinstance(entry, dict) and entry.get("file") == name:
            origin = str(entry.get("origin") or "")
            reference = entry.get("reference")
            text = f"harvested from {entry.get('source')}: {origin}"
            if isinstance(reference, str) and reference and reference not in origin:
                text += f" ({reference})"
            return text
    return None
