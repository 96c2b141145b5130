"""Product feeds advertisers already have, read into catalogue records.

Why: every advertiser already keeps a product feed for Google Merchant Center, Meta, its
shop system or its own product pages; asking them to rewrite it in this project's
catalogue shape (`perception.catalogue`) is the step that stops most of them. These readers
take the feed as it is and yield records in the catalogue's schema, so the catalogue's own
checker (`validate_product`) then applies the same rules to them as to a hand-written JSON.

How:

- `detect_feed(path)` tells the kind from the file's content (root element and namespace,
  JSON shape, schema.org markup, header row and delimiter), never from its name: see
  `detect`. Kinds are listed in `FEED_KINDS`.
- `read_feed(path, kind=None)` yields one `FeedRow` per product, streaming: XML with lxml's
  `iterparse` (each item cleared once read; no entities, DTDs or network), delimited text
  line by line with the `csv` module; JSON and HTML, which cannot be streamed usefully, are
  read whole up to a bound. Memory therefore stays flat over a feed of millions of items.
- A row holds either a `record` or the `problems` that keep it out (no id, no image, a price
  such as "12,99 EUR" or one without a currency, an unknown currency...), each prefixed with
  where it is (`feed.xml:item 12 (line 340): product "A1": field "price" ...`), so a feed is
  fixed in one pass. A file that cannot be read on (missing, broken XML, too large) raises
  `FeedError`, a `CatalogueError`, naming the file and line; the rows before were yielded.
- The mapping is the same for every kind (`rows.finish`): title; description with HTML
  removed and entities decoded; brand → `brand.name`; price and sale price → `price.amount`
  (the list price), `price.currency` and `price.discount` (the percentage that makes the
  language's `sale_price` equal the feed's sale price); the last segment of product_type
  (or a named google_product_category) → `category`; GTIN, MPN, colour, size, material,
  pattern, availability, condition, gender, age group, item group and link → `attributes`
  (strings); the feed's language (RSS `<language>`, `content_language`, HTML `lang`) → `lang`.
- `images` keeps the feed's image URLs as given (image_link first, then the additional
  ones, then variant images; duplicates dropped). The catalogue wants files next to it, so
  a loader must map these URLs to local files before `validate_product`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from .detect import detect_feed
from .rows import CURRENCIES, FEED_KINDS, FeedError, FeedRow, Options, language

__all__ = ["FEED_KINDS", "FeedError", "FeedRow", "detect_feed", "read_feed"]


def read_feed(path: str | Path, kind: str | None = None, *, currency: str | None = None,
              lang: str | None = None, at: datetime | None = None) -> Iterator[FeedRow]:
    """The products of a feed, one `FeedRow` each, in the feed's order.

    `kind` (a key of `FEED_KINDS`) skips detection. `currency` is used for prices the feed
    states without one (Shopify and WooCommerce never state it; a Merchant Center price
    without one is otherwise a problem); `lang` for products whose feed states no language;
    `at` is the moment sale-price dates are judged at (default: now).

    Raises `FeedError` at once for a missing file or one of no known kind, and while
    iterating when the file cannot be read on (rows read before the break were yielded).
    """
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise FeedError(f"{shown}: feed not found", shown)
    if p.is_dir():
        raise FeedError(f"{shown}: is a directory, not a feed", shown)
    if kind is None:
        kind = detect_feed(p)
        if kind is None:
            raise FeedError(f"{shown}: not a product feed this reader knows (known: "
                            f"{', '.join(FEED_KINDS)})", shown)
    elif kind not in FEED_KINDS:
        raise FeedError(f"{shown}: unknown feed kind {kind!r} (known: {', '.join(FEED_KINDS)})",
                        shown)
    options = Options(currency=currency, lang=lang) if at is None else \
        Options(currency=currency, lang=lang, at=at)
    if currency is not None and currency.upper() not in CURRENCIES:
        raise FeedError(f"{shown}: unknown currency code {currency!r} for prices without one",
                        shown)
    if lang is not None and language(lang) is None:
        raise FeedError(f"{shown}: {lang!r} is not a language tag such as \"en\" or "
                        "\"zh-Hans\"", shown)
    return _rows(p, shown, kind, options)


def _rows(path: Path, shown: str, kind: str, options: Options) -> Iterator[FeedRow]:
    try:
        if kind in ("gmc-rss", "gmc-atom"):
            from .xmlfeeds import read_xml
            yield from read_xml(path, shown, kind, options)
        elif kind in ("gmc-tsv", "meta-csv", "woocommerce-csv"):
            from .delimited import read_delimited
            yield from read_delimited(path, shown, kind, options)
        elif kind == "shopify-json":
            from .shopify import read_shopify
            yield from read_shopify(path, shown, options)
        else:
            from .schema_html import read_schema_html
            yield from read_schema_html(path, shown, options)
    except OSError as err:
        raise FeedError(f"{shown}: cannot read: {err.strerror or err}", shown) from None
