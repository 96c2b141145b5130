"""Product catalogues: JSON, JSONL, CSV or a folder of photos, loaded into checked records.

A catalogue is the data side of every creative, so a mistake in it should surface once, at
load, with the file, line, product and field named, not as a bind error per template and
format later. All problems of a file are collected into one `CatalogueError` so a large
feed is fixed in one pass. Image files are not opened here (the material library probes
them and names the file); paths are only normalised and kept inside the catalogue folder,
so a feed cannot make the renderer read files elsewhere (a path naming a folder is refused,
which costs one `stat`).

The same checker serves every way a product arrives: `validate_product` checks one record
(`ddm compile --product`, `ddm check --product` and `ddm_lang.load_product` read their file
with `load_product_file`), so a record one entry point refuses is refused by all. The bounds
on texts, lists and JSON nesting are in `records`.

The format is documented in docs/materials.md; keep the two in step.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import records
from .catalogue_errors import CatalogueError
from .records import JSONTextError, decode_json, list_problem, text_problem

IMAGE_SUFFIXES: frozenset[str] = frozenset({".png", ".jpg", ".jpeg", ".webp"})
"""Suffixes (lower case) that make a file in a folder catalogue a product photo."""

CATALOGUE_SUFFIXES: dict[str, str] = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
                                      ".csv": "csv"}
"""File suffix (lower case) → catalogue kind."""

PRODUCT_FIELDS: tuple[str, ...] = ("id", "title", "category", "description", "lang", "brand",
                                   "price", "selling_points", "attributes", "images", "sources")
"""Fields a product may have in JSON/JSONL, in the order `Product.as_dict` writes them."""

CSV_COLUMNS: tuple[str, ...] = ("id", "title", "category", "description", "lang", "price",
                                "currency", "discount", "images", "brand", "logos",
                                "selling_points")
"""CSV columns besides `attr.<key>`; list cells are separated by `|`."""

_REQUIRED = ("id", "title", "images")
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SIDECAR_KEY = re.compile(r"([A-Za-z][A-Za-z0-9 ()/&.,'-]{0,60}?)\s*:(?:\s+(.*))?\Z")
_ICONIC = re.compile(r"[_-]iconic\Z", re.IGNORECASE)

AttrValue = str | int | float




@dataclass(frozen=True)
class Price:
    """A price; `discount` is a percentage (0..100). Currency is an ISO code such as USD."""

    amount: int | float
    currency: str | None = None
    discount: int | float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"amount": self.amount}
        if self.currency is not None:
            out["currency"] = self.currency
        if self.discount is not None:
            out["discount"] = self.discount
        return out


@dataclass(frozen=True)
class Brand:
    """The brand shown on the creative; logo paths are relative to the catalogue folder."""

    name: str | None = None
    logos: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name is not None:
            out["name"] = self.name
        out["logos"] = list(self.logos)
        return out


_NO_ATTRIBUTES: Mapping[str, AttrValue] = MappingProxyType({})
_NO_SOURCES: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Product:
    """One checked product. Paths in `images` and `brand.logos` are normalised POSIX paths
    relative to `base_dir` (the catalogue's folder), which is what the binder resolves them
    against; `image_paths()` / `logo_paths()` give them absolute.
    """

    id: str
    title: str
    images: tuple[str, ...]
    base_dir: Path = field(repr=False)
    category: str | None = None
    description: str | None = None
    lang: str | None = None
    brand: Brand | None = None
    price: Price | None = None
    selling_points: tuple[str, ...] = ()
    attributes: Mapping[str, AttrValue] = field(default_factory=lambda: _NO_ATTRIBUTES, hash=False)
    sources: Mapping[str, str] = field(default_factory=lambda: _NO_SOURCES, hash=False)
    """Where facts came from when they were not typed by hand: fact id (as the copy writer
    names facts, e.g. `selling_point:2`) → a line such as `images/detail-1.jpg, block 4`."""

    def image_paths(self) -> tuple[Path, ...]:
        return tuple(self.base_dir / p for p in self.images)

    def logo_paths(self) -> tuple[Path, ...]:
        return tuple(self.base_dir / p for p in self.brand.logos) if self.brand else ()

    def as_dict(self) -> dict[str, Any]:
        """The plain dict templates bind against (`product.title`, `brand.logos`, ...).

        Absent optional values are left out, so `product.price == none` and `default(...)`
        behave as with hand-written JSON; list and map fields are always present.
        """
        out: dict[str, Any] = {"id": self.id, "title": self.title}
        for name in ("category", "description", "lang"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.brand is not None:
            out["brand"] = self.brand.as_dict()
        if self.price is not None:
            out["price"] = self.price.as_dict()
        out["selling_points"] = list(self.selling_points)
        out["attributes"] = dict(self.attributes)
        out["images"] = list(self.images)
        if self.sources:
            out["sources"] = dict(self.sources)
        return out


@dataclass(frozen=True)
class Catalogue:
    """A loaded catalogue: `base_dir` is the folder image paths are relative to. `notes`
    are warnings that did not refuse it: a product feed's rows left out and why, images
    not yet in its mirror (see `feeds.load`); a hand-written catalogue has none."""

    path: Path
    base_dir: Path
    products: tuple[Product, ...]
    kind: str = "json"   # json | jsonl | csv | folder | a feed kind (feeds.FEED_KINDS)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def get(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def as_dicts(self) -> list[dict[str, Any]]:
        """Every product as the binder's dict (see `Product.as_dict`)."""
        return [p.as_dict() for p in self.products]


# ---- loading -----------------------------------------------------------------------------

def load_catalogue(path: str | Path, *, images: str | Path | None = None,
                   currency: str | None = None, lang: str | None = None) -> Catalogue:
    """Load and check a catalogue file (.json, .jsonl/.ndjson, .csv), a folder of photos,
    or a product feed (Merchant Center, Meta, Shopify, WooCommerce, schema.org pages; told
    by content, see `feeds`).

    Raises `CatalogueError` listing every problem; never returns a partly valid catalogue of
    our own formats. A feed's rows with problems are left out and named in `notes`
    (`feeds.load`); `images` is its image mirror folder, `currency` and `lang` apply to
    prices and products the feed states none for.
    """
    p = Path(path)
    shown = str(path)
    if p.is_dir():
        return _load_folder(p, shown)
    if not p.exists():
        raise CatalogueError([f"{shown}: catalogue not found"], shown)
    from .feeds import FEED_KINDS, detect_feed
    feed = detect_feed(p)
    if feed is not None:
        from .feeds.load import load_feed
        return load_feed(p, shown, feed, images=images, currency=currency, lang=lang)
    kind = CATALOGUE_SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise CatalogueError([f"{shown}: not a catalogue: use .json, .jsonl, .csv, a folder of "
                              f"images, or a product feed ({', '.join(FEED_KINDS)})"], shown)
    text = _read_text(p, shown)
    base = p.parent.resolve()
    checker = _Checker(shown, base, p.parent.absolute())
    if kind == "json":
        _parse_json(text, checker)
    elif kind == "jsonl":
        _parse_jsonl(text, checker)
    else:
        _parse_csv(text, checker)
    return Catalogue(p, base, checker.finish(), kind)


def load_product_file(path: str | Path) -> Product:
    """One product from a JSON file holding one object, checked as a catalogue's products are.

    Image paths are relative to the file's folder. Raises `CatalogueError` listing every
    problem, each prefixed with the file as given (never made absolute).
    """
    shown = str(path)
    data = read_json(path, what="product file")
    if not isinstance(data, dict):
        raise CatalogueError([f"{shown}: a product file holds one JSON object, "
                              f"got {_describe(data)}"], shown)
    return validate_product(data, source=shown, base=Path(path).parent)


def read_products(source: str | Path, *, what: str = "file"
                  ) -> tuple[tuple[Product, ...], Path]:
    """The products a command-line argument names, and their images' folder: a product
    JSON file (one object) or any catalogue `load_catalogue` reads (image paths relative to
    its folder, as in a batch); both are checked by the same record rules. A catalogue is
    parsed once, by the catalogue loader: a `.json` file is read as one product only when
    its first bytes are not a catalogue's. `what` names a missing .json file."""
    path = Path(source)
    if path.suffix.lower() == ".json" and _may_be_product(path):
        data = read_json(path, what=what)  # bounded, and names the file, line and column
        if isinstance(data, dict) and "products" not in data:
            product = validate_product(data, source=str(source), base=path.parent)
            return (product,), product.base_dir
    catalogue = load_catalogue(path)
    return catalogue.products, catalogue.base_dir


_CATALOGUE_START = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*(?:\[|\{\s*"products"\s*:)')


def _may_be_product(source: Path) -> bool:
    """Whether a .json file may hold one product, told from its first bytes so that a
    catalogue (`[...]` or `{"products": ...}`) is parsed once, by the catalogue loader; a
    missing file is one, for the product file's own message."""
    if source.is_dir():
        return False
    try:
        with source.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return True
    return _CATALOGUE_START.match(head) is None


def read_json(path: str | Path, *, what: str = "file") -> Any:
    """The JSON value of a UTF-8 file, nesting bounded (`records.MAX_JSON_DEPTH`); a
    `CatalogueError` naming FILE[:LINE:COL] when it is missing, unreadable or invalid."""
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise CatalogueError([f"{shown}: {what} not found"], shown)
    if p.is_dir():
        raise CatalogueError([f"{shown}: is a directory, not a {what}"], shown)
    return _decode(_read_text(p, shown), shown)


def validate_product(item: Any, *, source: str, base: str | Path) -> Product:
    """`item` (a product as decoded from JSON) checked by the catalogue's rules.

    `source` begins every message (a file name, or a label such as "request body"), and
    relative image paths are resolved against `base`, which must contain them. Raises
    `CatalogueError` with every problem of the record.
    """
    folder = Path(base)
    checker = _Checker(source, folder.resolve(), folder.absolute())
    checker.product(item, source, source)
    return checker.finish()[0]


def _read_text(p: Path, shown: str) -> str:
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise CatalogueError([f"{shown}: cannot read: {err.strerror or err}"], shown) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise CatalogueError([f"{shown}:{line}:{col}: not UTF-8 text (byte "
                              f"0x{raw[err.start]:02x}); save the file as UTF-8"], shown) from None


def _parse_json(text: str, checker: _Checker) -> None:
    data = _decode(text, checker.file)
    items = data
    if isinstance(data, dict):
        extra = sorted(k for k in data if k != "products")
        if "products" not in data or extra:
            what = ('no "products" key' if "products" not in data
                    else f"unknown top-level keys {', '.join(map(repr, extra))}")
            raise CatalogueError([f'{checker.file}: a catalogue is a list of products or '
                                  f'{{"products": [...]}}; found an object with {what}'],
                                 checker.file)
        items = data["products"]
    if not isinstance(items, list):
        raise CatalogueError([f'{checker.file}: a catalogue is a list of products or '
                              f'{{"products": [...]}}; found {_describe(items)}'], checker.file)
    lines = _json_item_lines(text, isinstance(data, dict))
    for i, item in enumerate(items):
        line = lines[i] if lines is not None and i < len(lines) else None
        where = f"{checker.file}:{line}: " if line else f"{checker.file}: "
        checker.product(item, where + f"products[{i}]",
                        f"products[{i}] (line {line})" if line else f"products[{i}]")


def _decode(text: str, file: str) -> Any:
    """The JSON value of a whole file; a `CatalogueError` naming FILE:LINE:COL otherwise."""
    try:
        return decode_json(text)
    except JSONTextError as err:
        raise CatalogueError([f"{file}:{err}"], file) from None


def _json_item_lines(text: str, wrapped: bool) -> list[int] | None:
    """Line of each product in an already valid JSON text, for messages; None if unsure."""
    dec = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")

    def skip(i: int) -> int:
        m = ws.match(text, i)
        return m.end() if m else i

    try:
        i = skip(0)
        if text.startswith("\ufeff", i):
            i = skip(i + 1)
        if wrapped:
            found: int | None = None
            i = skip(i + 1)                         # past "{"
            while text[i] != "}":
                key, i = dec.raw_decode(text, i)
                i = skip(skip(i) + 1)               # past ":"
                if key == "products":
                    found = i
                _, i = dec.raw_decode(text, i)
                i = skip(i)
                if text[i] == ",":
                    i = skip(i + 1)
            if found is None:
                return None
            i = found
        lines: list[int] = []
        i, line, counted = skip(i + 1), 1, 0        # past "["
        while text[i] != "]":
            line += text.count("\n", counted, i)
            counted = i
            lines.append(line)
            _, i = dec.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        return lines
    except (ValueError, IndexError):
        return None


def _parse_jsonl(text: str, checker: _Checker) -> None:
    # Split on "\n" only: str.splitlines would also split inside strings at U+2028 etc.
    for n, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        try:
            item = decode_json(raw)
        except JSONTextError as err:
            checker.problem(f"{checker.file}:{n}:{err.column}: {err.reason}")
            continue
        checker.product(item, f"{checker.file}:{n}", f"line {n}")


def _parse_csv(text: str, checker: _Checker) -> None:
    f = checker.file
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise CatalogueError([f"{f}:1: invalid CSV: {err}"], f) from None
    if not header or not any(h.strip() for h in header):
        raise CatalogueError([f"{f}: empty CSV; the first line names the columns "
                              f"(at least {', '.join(_REQUIRED)})"], f)
    columns = [h.strip() for h in header]
    bad: list[str] = []
    for name in columns:
        if name not in CSV_COLUMNS and not (name.startswith("attr.") and len(name) > 5):
            bad.append(f'{f}:1: unknown column "{name}" (known: {", ".join(CSV_COLUMNS)}, '
                       "attr.<key>)")
    bad += [f'{f}:1: column "{n}" appears twice' for n in sorted(set(columns))
            if columns.count(n) > 1]
    bad += [f'{f}:1: required column "{n}" is missing' for n in _REQUIRED if n not in columns]
    if bad:
        raise CatalogueError(bad, f)
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as err:
            checker.problem(f"{f}:{start}: invalid CSV: {err}")
            break
        if row is None:
            break
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            checker.problem(f"{f}:{line}: row has {len(row)} cells but the header names "
                            f"{len(columns)} columns")
            continue
        cells = {c: v.strip() for c, v in zip(columns, row, strict=False) if v.strip()}
        checker.product(_csv_product(cells, f"{f}:{line}", checker), f"{f}:{line}",
                        f"line {line}")


def _csv_product(cells: dict[str, str], where: str, checker: _Checker) -> dict[str, Any]:
    """The JSON-shaped product of one CSV row; number cells that do not parse are reported."""
    item: dict[str, Any] = {}
    pid = cells.get("id")
    who = f"{where}: product {_quote(pid)}" if pid else where

    def number(col: str) -> float | int | None:
        if col not in cells:
            return None
        value = _parse_number(cells[col])
        if value is None:
            checker.problem(f'{who}: field "{col}" must be a number, got {_quote(cells[col])}')
        return value

    for name in ("id", "title", "category", "description", "lang"):
        if name in cells:
            item[name] = cells[name]
    amount, discount = number("price"), number("discount")
    if "price" in cells:
        if amount is not None:
            item["price"] = {"amount": amount}
            if "currency" in cells:
                item["price"]["currency"] = cells["currency"]
            if discount is not None:
                item["price"]["discount"] = discount
    elif "currency" in cells or "discount" in cells:
        col = "currency" if "currency" in cells else "discount"
        checker.problem(f'{who}: field "{col}" is given but "price" is empty')
    if "brand" in cells or "logos" in cells:
        brand: dict[str, Any] = {"logos": _split(cells.get("logos", ""))}
        if "brand" in cells:
            brand["name"] = cells["brand"]
        item["brand"] = brand
    item["images"] = _split(cells.get("images", ""))
    if "selling_points" in cells:
        item["selling_points"] = _split(cells["selling_points"])
    attrs = {c[5:]: v for c, v in cells.items() if c.startswith("attr.")}
    if attrs:
        item["attributes"] = attrs
    return item


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _parse_number(text: str) -> int | float | None:
    if re.fullmatch(r"[+-]?\d+", text) and len(text) <= records.MAX_INT_DIGITS:
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ---- folder catalogues -------------------------------------------------------------------

def _load_folder(folder: Path, shown: str) -> Catalogue:
    """Every photo under `folder` becomes a product; sidecar text files add title and facts.

    The convention (docs/materials.md): for `Dir/Name_Iconic.jpg` the prefix is `Name`
    (a trailing `_Iconic`/`-iconic` is dropped), `Dir/Name_Information.txt` gives
    `Title:` and other `Key: value` facts, `Dir/Name_Description.txt` the description.
    """
    base = folder.resolve()
    checker = _Checker(shown, base, folder.absolute())
    photos: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(folder)
        photos += [(rel_dir / name).as_posix() for name in filenames
                   if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES]
    if not photos:
        raise CatalogueError([f"{shown}: no PNG, JPEG or WebP images in this folder"], shown)
    for rel in sorted(photos):
        where = str(folder / rel)
        checker.product(_folder_product(folder, rel, checker), where, rel)
    return Catalogue(folder, base, checker.finish(), "folder")


def _folder_product(folder: Path, rel: str, checker: _Checker) -> dict[str, Any]:
    photo = folder / rel
    stem = photo.stem
    prefix = _ICONIC.sub("", stem) or stem
    item: dict[str, Any] = {"id": posixpath.splitext(rel)[0], "images": [rel]}
    title = re.sub(r"[\s_-]+", " ", prefix).strip() or stem
    info = _sidecar(photo.parent, prefix, "Information", checker)
    desc = _sidecar(photo.parent, prefix, "Description", checker)
    attrs: dict[str, str] = {}
    if info is not None:
        for key, value in _sidecar_fields(info):
            if not value:
                continue
            if key == "title":
                title = value
            elif key == "description":
                desc = desc if desc is not None else value
            else:
                attrs.setdefault(key, value)
    item["title"] = title
    if desc and desc.strip():
        item["description"] = desc.strip()
    if attrs:
        item["attributes"] = attrs
    return item


def _sidecar(directory: Path, prefix: str, what: str, checker: _Checker) -> str | None:
    """Text of `<prefix>_<what>.txt` (or `-<what>`), None when there is none."""
    for sep in ("_", "-"):
        path = directory / f"{prefix}{sep}{what}.txt"
        if path.is_file():
            try:
                return path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as err:
                checker.problem(f"{path}: not UTF-8 text (byte offset {err.start}); "
                                "save the file as UTF-8")
                return None
            except OSError as err:
                checker.problem(f"{path}: cannot read: {err.strerror or err}")
                return None
    return None


def _sidecar_fields(text: str) -> list[tuple[str, str]]:
    """`Key: value` lines as (snake_case key, value); other lines continue the last value."""
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _SIDECAR_KEY.match(line) if line[:1].strip() else None
        if m:
            key = re.sub(r"[^0-9a-z]+", "_", m.group(1).lower()).strip("_")
            fields.append((key, (m.group(2) or "").strip()))
        elif fields and line.strip():
            key, value = fields[-1]
            fields[-1] = (key, f"{value}\n{line.strip()}" if value else line.strip())
    return fields


# ---- checking ----------------------------------------------------------------------------

class _Checker:
    """Turns raw product dicts into `Product`s, collecting every problem with its place."""

    def __init__(self, file: str, base: Path, given: Path) -> None:
        self.file = file
        self.base = base
        self.roots = (base.as_posix(), posixpath.normpath(given.as_posix()))
        self.problems: list[str] = []
        self.products: list[Product] = []
        self.seen: dict[str, str] = {}            # id → where it was first defined

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def finish(self) -> tuple[Product, ...]:
        if not self.problems and not self.products:
            self.problems.append(f"{self.file}: the catalogue has no products")
        if self.problems:
            raise CatalogueError(self.problems, self.file)
        return tuple(self.products)

    def product(self, item: Any, where: str, place: str) -> None:
        """Check one product; `where` prefixes messages, `place` names it for duplicates."""
        if not isinstance(item, dict):
            self.problem(f"{where}: a product must be an object, got {_describe(item)}")
            return
        before = len(self.problems)
        pid = item.get("id")
        who = f"{where}: product {_quote(pid)}" if isinstance(pid, str) and pid else where

        def bad(name: str, text: str) -> None:
            self.problem(f'{who}: field "{name}" {text}')

        for key in item:
            if key not in PRODUCT_FIELDS:
                bad(_shown_key(key), _unknown(key, "product", PRODUCT_FIELDS,
                                              ' (put custom data under "attributes")'))
        for key in _REQUIRED:
            if key not in item or item[key] is None:
                bad(key, "is required")

        if isinstance(pid, str) and pid:
            reason = _bad_id(pid)
            if reason:
                bad("id", reason)
            elif pid in self.seen:
                bad("id", f"duplicates the product at {self.seen[pid]}")
            else:
                self.seen[pid] = place
        elif pid is not None:
            bad("id", f"must be a non-empty string, got {_describe(pid)}")

        title = _text(item, "title", bad, required=True)
        category = _text(item, "category", bad)
        description = _text(item, "description", bad, limit=records.MAX_DESCRIPTION)
        lang = _text(item, "lang", bad, limit=records.MAX_LANG)
        if lang is not None and not _LANG.match(lang):
            bad("lang", f'must be a language tag such as "en" or "zh-Hans", got {_quote(lang)}')
            lang = None

        images = self.paths(item.get("images"), "images", bad, records.MAX_IMAGES, non_empty=True)
        brand = self.brand(item.get("brand"), bad)
        price = _price(item.get("price"), bad)
        points = _strings(item.get("selling_points"), "selling_points", bad)
        attributes = _attributes(item.get("attributes"), bad)
        sources = _sources(item.get("sources"), bad)

        if len(self.problems) > before:
            return
        assert isinstance(pid, str) and title is not None and images is not None
        self.products.append(Product(
            id=pid, title=title, images=images, base_dir=self.base, category=category,
            description=description, lang=lang, brand=brand, price=price,
            selling_points=points, attributes=attributes, sources=sources))

    def paths(self, value: Any, name: str, bad: Any, limit: int, *, non_empty: bool = False
              ) -> tuple[str, ...] | None:
        shape = "a non-empty list of paths" if non_empty else "a list of paths"
        if value is None:
            return None if non_empty else ()
        if not isinstance(value, list) or (non_empty and not value):
            bad(name, f"must be {shape}, got {_describe(value)}")
            return None
        too_many = list_problem(len(value), limit)
        if too_many:
            bad(name, too_many)
            return None
        out: list[str] = []
        for i, entry in enumerate(value):
            norm = self.path(entry, f"{name}[{i}]", bad)
            if norm is not None:
                out.append(norm)
        return tuple(out) if len(out) == len(value) else None

    def path(self, entry: Any, name: str, bad: Any) -> str | None:
        """One image or logo path, normalised; a folder is refused here, where the product
        and field are known, rather than as a bare "Is a directory" when it is opened."""
        if not isinstance(entry, str):
            bad(name, f"must be a path string, got {_describe(entry)}")
            return None
        why = text_problem(entry, records.MAX_PATH)
        norm, reason = _normalise_path(entry, self.roots) if why is None else ("", why)
        if not reason and (self.base / norm).is_dir():
            reason = f"is a directory, not an image file, got {_quote(entry)}"
        if reason:
            bad(name, reason)
            return None
        return norm

    def brand(self, value: Any, bad: Any) -> Brand | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            bad("brand", f'must be an object {{"name": ..., "logos": [...]}}, '
                         f"got {_describe(value)}")
            return None
        for key in value:
            if key not in ("name", "logos"):
                bad(f"brand.{_shown_key(key)}", _unknown(key, "brand", ("name", "logos")))
        name = _text(value, "name", bad, prefix="brand.")
        logos = self.paths(value.get("logos"), "brand.logos", bad, records.MAX_LOGOS)
        return Brand(name, logos or ())


def _text(item: dict, name: str, bad: Any, *, required: bool = False, prefix: str = "",
          limit: int = records.MAX_TEXT) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        shape = "a non-empty string" if required else "a string"
        bad(prefix + name, f"must be {shape}, got {_describe(value)}")
        return None
    why = text_problem(value, limit)
    if why:
        bad(prefix + name, why)
        return None
    return value


def _unknown(key: Any, kind: str, known: tuple[str, ...], hint: str = "") -> str:
    """The message for a field `kind` does not have; a near miss (`imgaes`) gets the field
    it was probably meant to be, since a misspelt field would otherwise drop its data."""
    close = records.did_you_mean(key, known) if isinstance(key, str) else None
    if close:
        return f"is not a {kind} field; did you mean {_quote(close)}?"
    return f"is not a {kind} field{hint}; known: {', '.join(known)}"


def _shown_key(key: Any) -> str:
    """A field name as messages show it: a pasted paragraph used as a key is cut short."""
    text = str(key)
    return text if len(text) <= 60 else text[:57] + "..."


def _strings(value: Any, name: str, bad: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        bad(name, f"must be a list of strings, got {_describe(value)}")
        return ()
    too_many = list_problem(len(value), records.MAX_SELLING_POINTS)
    if too_many:
        bad(name, too_many)
        return ()
    for i, entry in enumerate(value):
        if not isinstance(entry, str) or not entry.strip():
            bad(f"{name}[{i}]", f"must be a non-empty string, got {_describe(entry)}")
        elif why := text_problem(entry, records.MAX_TEXT):
            bad(f"{name}[{i}]", why)
    return tuple(v for v in value if isinstance(v, str))


def _price(value: Any, bad: Any) -> Price | None:
    if value is None:
        return None
    if _is_number(value):
        if value < 0:
            bad("price", f"must not be negative, got {value}")
            return None
        return Price(value)
    if not isinstance(value, dict):
        bad("price", 'must be a number or {"amount": ..., "currency": ..., "discount": ...}, '
                     f"got {_describe(value)}")
        return None
    for key in value:
        if key not in ("amount", "currency", "discount"):
            bad(f"price.{_shown_key(key)}",
                _unknown(key, "price", ("amount", "currency", "discount")))
    amount, currency, discount = value.get("amount"), value.get("currency"), value.get("discount")
    if amount is None:
        bad("price.amount", "is required")
    elif not _is_number(amount) or amount < 0:
        bad("price.amount", f"must be a number ≥ 0, got {_describe(amount)}")
    if currency is not None and (not isinstance(currency, str) or not currency.strip()):
        bad("price.currency", f'must be a currency code such as "USD", got {_describe(currency)}')
    elif currency is not None and (why := text_problem(currency, records.MAX_CURRENCY)):
        bad("price.currency", why)
    if discount is not None and (not _is_number(discount) or not 0 <= discount <= 100):
        bad("price.discount", f"must be a percentage 0..100, got {_describe(discount)}")
    if amount is None:
        return None  # reported as required above: the product is refused
    return Price(amount, currency, discount)


def _attributes(value: Any, bad: Any) -> Mapping[str, AttrValue]:
    if value is None:
        return _NO_ATTRIBUTES
    if not isinstance(value, dict):
        bad("attributes", f"must be an object of key → string or number, got {_describe(value)}")
        return _NO_ATTRIBUTES
    too_many = list_problem(len(value), records.MAX_ATTRIBUTES)
    if too_many:
        bad("attributes", too_many)
        return _NO_ATTRIBUTES
    for key, entry in value.items():
        name = f"attributes.{_shown_key(key)}"
        if not key.strip():
            bad("attributes", "has an empty key")
        elif why := text_problem(key, records.MAX_KEY):
            bad(name, f"has a key that {why}")
        elif not (isinstance(entry, str) or _is_number(entry)):
            bad(name, f"must be a string or a number, got {_describe(entry)}")
        elif isinstance(entry, str) and (why := text_problem(entry, records.MAX_TEXT)):
            bad(name, why)
    return MappingProxyType(dict(value))


_MAX_INT = 10 ** records.MAX_INT_DIGITS
"""An int this large (either sign) is no quantity; JSON reads such digits as a float
(`records.MAX_INT_DIGITS`), so it comes from a record built in Python. It is described by
its length, never printed whole."""


_FACT_ID = re.compile(r"[a-z_]+(?::.+)?\Z")


def _sources(value: Any, bad: Any) -> Mapping[str, str]:
    """`sources`: fact id → where the fact came from (text), as the copy writer names
    facts (`selling_point:0`, `attr:volume=250g`, `title`)."""
    if value is None:
        return _NO_SOURCES
    if not isinstance(value, dict):
        bad("sources", f'must be an object {{"selling_point:0": "where it came from"}}, '
                       f"got {_describe(value)}")
        return _NO_SOURCES
    too_many = list_problem(len(value), records.MAX_ATTRIBUTES)
    if too_many:
        bad("sources", too_many)
        return _NO_SOURCES
    out: dict[str, str] = {}
    for key, text in value.items():
        if not _FACT_ID.match(key) or text_problem(key, records.MAX_KEY + records.MAX_TEXT):
            bad(f"sources.{_shown_key(key)}", "must be a fact id such as \"selling_point:0\"")
        elif not isinstance(text, str) or (why := text_problem(text, records.MAX_TEXT)):
            bad(f"sources.{_shown_key(key)}",
                why if isinstance(text, str) else f"must be a string, got {_describe(text)}")
        else:
            out[key] = text
    return MappingProxyType(out)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) < _MAX_INT if isinstance(value, int) else math.isfinite(value)


def _bad_id(pid: str) -> str | None:
    """Why an id cannot be used; ids name output files, so they must not leave a folder."""
    if len(pid) > records.MAX_ID:
        return (f"is {len(pid):,} characters long; the most is {records.MAX_ID} "
                "(ids name output files)")
    if pid != pid.strip():
        return f"must not start or end with spaces, got {_quote(pid)}"
    if _CONTROL.search(pid):
        return f"must not contain control characters, got {_quote(pid)}"
    why = text_problem(pid, records.MAX_ID)
    if why:
        return why
    if "\\" in pid or pid.startswith("/") or ".." in pid.split("/") or "" in pid.split("/"):
        return (f'must not contain "\\", "..", empty or leading "/" segments (ids name output '
                f"files), got {_quote(pid)}")
    return None


def _normalise_path(entry: str, roots: tuple[str, ...]) -> tuple[str, str | None]:
    """(normalised path relative to `base`, None) or ("", why it is refused)."""
    if not entry.strip():
        return "", "must be a path, got an empty string"
    if _CONTROL.search(entry):
        return "", f"must not contain control characters, got {_quote(entry)}"
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", entry):
        return "", f"must be a file path relative to the catalogue, not a URL, got {_quote(entry)}"
    if "\\" in entry:
        return "", f'must use "/" as the separator, got {_quote(entry)}'
    if entry.startswith("/"):
        absolute = posixpath.normpath(entry)
        for root in roots:
            if absolute.startswith(root.rstrip("/") + "/"):
                return posixpath.relpath(absolute, root), None
        return "", ("must be inside the catalogue folder (write it relative to the catalogue "
                    f"file), got {_quote(entry)}")
    norm = posixpath.normpath(entry)
    if norm == ".." or norm.startswith("../"):
        return "", f"must stay inside the catalogue folder, got {_quote(entry)}"
    if norm == ".":
        return "", f"must name a file, got {_quote(entry)}"
    return norm, None


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if isinstance(value, int) and not -_MAX_INT < value < _MAX_INT:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return f"the non-finite number {json.dumps(value)}"
        return f"the number {value}"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {_quote(text)}"
    if isinstance(value, list):
        return "an empty list" if not value else f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
