"""Delimited-text feeds, streamed row by row: Merchant Center TSV, Meta's catalogue CSV and
WooCommerce's product export CSV.

Encoding, the one behaviour to know: a byte order mark decides (UTF-8 or UTF-16); without
one, every physical line is decoded as UTF-8, and a line that is not valid UTF-8 is decoded
as Windows-1252 (cp1252, which reads Latin-1 text the same except for 0x80-0x9F, where it
has the € and typographic quotes spreadsheets write) — its row is kept and says so in its
`notes`. Deciding per line keeps the file streamed (no second pass), reads a Latin-1 export
right, and keeps the UTF-8 lines of a file that mixes both right too. A physical line longer
than `MAX_LINE_BYTES` ends the feed with a `FeedError` (memory stays bounded); so does a
quoting error the `csv` module cannot read past, naming the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .detect import delimiter_of, header_names
from .merchant import merchant_draft
from .rows import Draft, FeedError, FeedRow, Options, finish, state

MAX_LINE_BYTES = 4 * 1024 * 1024
"""The longest physical line read; a longer one is a file without line ends."""

WOO_NAMES = {"id": "SKU", "title": "Name", "description": "Description", "image": "Images",
             "price": "Regular price", "sale_price": "Sale price", "category": "Categories",
             "brand": "Brands", "lang": "lang"}
"""WooCommerce's column for each part of a product, for messages."""


class _Lines:
    """The decoded physical lines of a file (line ends kept, as `csv` wants them), counting
    them and noting which were not UTF-8."""

    def __init__(self, f: BinaryIO, shown: str) -> None:
        self.f = f
        self.shown = shown
        self.count = 0
        self.not_utf8: list[int] = []

    def __iter__(self) -> Iterator[str]:
        start = self.f.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.f.seek(0)
            yield from self._utf16()
            return
        self.f.seek(3 if start.startswith(codecs.BOM_UTF8) else 0)
        while True:
            raw = self.f.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.count += 1
            if len(raw) > MAX_LINE_BYTES:
                raise FeedError(f"{self.shown}:{self.count}: a line longer than "
                                f"{MAX_LINE_BYTES:,} bytes; is this a delimited file?",
                                self.shown)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.not_utf8.append(self.count)
                try:
                    yield raw.decode("cp1252")
                except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
                    yield raw.decode("latin-1")

    def _utf16(self) -> Iterator[str]:
        text = io.TextIOWrapper(self.f, encoding="utf-16", newline="")
        try:
            while True:
                try:
                    line = text.readline(MAX_LINE_BYTES + 1)
                except UnicodeDecodeError as err:
                    raise FeedError(f"{self.shown}:{self.count + 1}: not UTF-16 text after its "
                                    f"byte order mark ({err.reason})", self.shown) from None
                if not line:
                    return
                self.count += 1
                if len(line) > MAX_LINE_BYTES:
                    raise FeedError(f"{self.shown}:{self.count}: a line longer than "
                                    f"{MAX_LINE_BYTES:,} characters", self.shown)
                yield line
        finally:
            text.detach()


def read_delimited(path: Path, shown: str, kind: str, options: Options) -> Iterator[FeedRow]:
    """Rows of a "gmc-tsv", "meta-csv" or "woocommerce-csv" feed."""
    with path.open("rb") as f:
        lines = _Lines(f, shown)
        source = iter(lines)
        header = next(source, None)
        while header is not None and not header.strip():
            header = next(source, None)
        if header is None:
            raise FeedError(f"{shown}: empty file: the first line names the columns", shown)
        delimiter = delimiter_of(header)
        names = header_names(header.rstrip("\r\n"), delimiter)
        unique = len(set(names)) == len(names)
        reader = csv.reader(source, delimiter=delimiter)
        count = 0
        start = lines.count + 1
        while True:
            lines.not_utf8.clear()
            try:
                cells = next(reader, None)
            except csv.Error as err:
                raise FeedError(f"{shown}:{start}: invalid {'TSV' if delimiter == chr(9) else 'CSV'}"
                                f" (after row {count}): {err}", shown) from None
            if cells is None:
                break
            line, start = start, lines.count + 1
            if not "".join(cells).strip():
                continue
            count += 1
            where = f"{shown}:row {count} (line {line})"
            notes = [f"{where}: line {n} is not UTF-8; read as Windows-1252 (save the feed "
                     "as UTF-8 to be sure of its accents)" for n in lines.not_utf8] \
                if lines.not_utf8 else []
            if len(cells) > len(names):
                yield FeedRow(where, None, (f"{where}: {len(cells)} cells but the header names "
                                            f"{len(names)} columns",), tuple(notes))
                continue
            fields: dict[str, list[str]]
            if unique:
                fields = {name: [cell] for name, cell in zip(names, cells, strict=False)
                          if cell and not cell.isspace()}
            else:
                fields = {}
                for name, cell in zip(names, cells, strict=False):
                    if cell and not cell.isspace():
                        fields.setdefault(name, []).append(cell)
            if kind == "woocommerce-csv":
                draft = woo_draft(fields)
                if isinstance(draft, str):
                    yield FeedRow(where, None, (), (*notes, f"{where}: {draft}"))
                    continue
            else:
                draft = merchant_draft(fields, split_images=True)
            draft.notes.extend(notes)
            yield finish(draft, where, options)
    if count == 0:
        raise FeedError(f"{shown}: no rows below the header: the feed has no products", shown)


_UNESCAPED_COMMA = re.compile(r"(?<!\\),")
_ATTRIBUTE_NAME = re.compile(r"attribute_([0-9]+)_name")


def _woo_list(cell: str) -> list[str]:
    """A WooCommerce list cell ("a, b\\, c") as its entries."""
    return [part.strip().replace("\\,", ",") for part in _UNESCAPED_COMMA.split(cell)
            if part.strip()]


def woo_draft(fields: dict[str, list[str]]) -> Draft | str:
    """The draft of one WooCommerce export row, or why the row is not a product of its own:
    a variation (WooCommerce lists it under its variable parent, which carries the images
    of all variations) or a product that is not published."""
    def cell(*names: str) -> str | None:
        for name in names:
            values = fields.get(name)
            if values:
                return values[0].strip()
        return None

    kinds = {part.strip().lower() for part in (cell("type") or "").split(",")}
    if "variation" in kinds:
        parent = cell("parent")
        return ("a variation" + (f" of {parent}" if parent else "") +
                "; one record per product, so it is read with its parent")
    published = cell("published")
    if published is not None and published not in ("1", "yes", "true"):
        return f"not published (Published is {published}); left out"
    categories = _woo_list(cell("categories") or "")
    starts, ends = cell("date_sale_price_starts"), cell("date_sale_price_ends")
    draft = Draft(
        id=cell("sku") or cell("id"),
        title=cell("name"),
        description=cell("description") or cell("short_description"),
        brand=next(iter(_woo_list(cell("brands") or "")), None),
        category=categories[0] if categories else None,
        images=_woo_list(cell("images") or ""),
        price=cell("regular_price"),
        sale_price=cell("sale_price"),
        sale_dates=(f"{(starts or '0001-01-01').replace(' ', 'T')}/"
                    f"{(ends or '9999-12-31').replace(' ', 'T')}") if starts or ends else None,
        names=WOO_NAMES,
    )
    stock = cell("in_stock?")
    if stock is not None:
        draft.attributes["availability"] = {"1": "in_stock", "0": "out_of_stock"}.get(
            stock, state(stock))
    if url := cell("external_url"):
        draft.attributes["link"] = url
    gtin = next((values[0] for name, values in fields.items() if name.startswith("gtin")), None)
    if gtin:
        draft.attributes["gtin"] = gtin.strip()
    for column in list(fields):
        m = _ATTRIBUTE_NAME.fullmatch(column)
        if m is None:
            continue
        values = _woo_list(cell(f"attribute_{m.group(1)}_value(s)") or "")
        key = re.sub(r"\s+", "_", (cell(column) or "").lower())
        if len(values) == 1 and key:  # a single value describes the product; more are options
            draft.attributes["color" if key == "colour" else key] = values[0]
    return draft
