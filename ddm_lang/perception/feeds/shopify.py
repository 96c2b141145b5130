"""Shopify's `products.json` (the storefront's `/products.json` and the Admin API's product
list): one record per product, never per variant.

The file is JSON, so it is read whole, which is why its size is bounded (`MAX_JSON_BYTES`; a
storefront page holds at most 250 products). The product's first variant gives the price;
its `compare_at_price`, when above `price`, is the list price and `price` the sale price.
Options with one value across the product describe it (`Color: Black` becomes
`attributes.color`); options with several are the variants' choices and are left out, as is
Shopify's placeholder option "Title". Tags are merchandising labels ("sale", "summer24"),
not claims a buyer reads, so they are not selling points.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import records
from .rows import Draft, FeedError, FeedRow, Options, finish

MAX_JSON_BYTES = 64 * 1024 * 1024
"""The largest products.json read (it is parsed whole)."""

NAMES = {"id": "id", "title": "title", "description": "body_html", "brand": "vendor",
         "image": "images", "price": "variants[0].price",
         "sale_price": "variants[0].compare_at_price", "category": "product_type",
         "lang": "lang"}
"""The field each part of a product comes from, for messages."""


def load_json(path: Path, shown: str) -> Any:
    """The JSON value of a bounded UTF-8 file; a `FeedError` naming FILE:LINE:COL else."""
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise FeedError(f"{shown}: {size:,} bytes; a JSON feed is read whole, so the most is "
                        f"{MAX_JSON_BYTES:,} (split it, or export a delimited feed)", shown)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig") if not raw.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else raw.decode("utf-16")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise FeedError(f"{shown}:{line}: not UTF-8 text (byte 0x{raw[err.start]:02x})",
                        shown) from None
    try:
        return records.decode_json(text)
    except records.JSONTextError as err:
        raise FeedError(f"{shown}:{err}", shown) from None


def read_shopify(path: Path, shown: str, options: Options) -> Iterator[FeedRow]:
    """Rows of a Shopify products.json: `{"products": [...]}` or a bare list of products."""
    data = load_json(path, shown)
    products = data.get("products") if isinstance(data, dict) else data
    if not isinstance(products, list):
        raise FeedError(f'{shown}: a Shopify products.json holds {{"products": [...]}}', shown)
    if not products:
        raise FeedError(f"{shown}: the products list is empty", shown)
    for i, product in enumerate(products):
        where = f"{shown}:products[{i}]"
        if not isinstance(product, dict):
            yield FeedRow(where, None, (f"{where}: a product must be an object",))
            continue
        yield finish(shopify_draft(product), where, options)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def shopify_draft(product: dict[str, Any]) -> Draft:
    """The draft of one Shopify product."""
    variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
    first = variants[0] if variants else {}
    price = _text(first.get("price"))
    compare = _text(first.get("compare_at_price"))
    sale: str | None = None
    if price and compare and _number(compare) > _number(price):
        price, sale = compare, price  # compare-at is the list price: the variant is on sale
    images: list[str] = []
    for image in product.get("images") or []:
        src = image.get("src") if isinstance(image, dict) else image
        if isinstance(src, str):
            images.append(src)
    main = product.get("image")
    if isinstance(main, dict) and isinstance(main.get("src"), str):
        images.append(main["src"])
    for variant in variants:
        featured = variant.get("featured_image")
        if isinstance(featured, dict) and isinstance(featured.get("src"), str):
            images.append(featured["src"])
    draft = Draft(
        id=_text(product.get("id")) or _text(product.get("handle")),
        title=_text(product.get("title")),
        description=_text(product.get("body_html")),
        brand=_text(product.get("vendor")),
        category=_text(product.get("product_type")),
        images=images,
        price=price,
        sale_price=sale,
        names=NAMES,
    )
    handle = _text(product.get("handle"))
    if handle:
        draft.attributes["handle"] = handle
    sku = _text(first.get("sku"))
    if sku:
        draft.attributes["sku"] = sku
    barcode = (_text(first.get("barcode")) or "").strip()
    if barcode.isdigit() and len(barcode) in (8, 12, 13, 14):
        draft.attributes["gtin"] = barcode
    available = [v.get("available") for v in variants if isinstance(v.get("available"), bool)]
    if available:
        draft.attributes["availability"] = "in_stock" if any(available) else "out_of_stock"
    for name, value in _single_options(product, variants).items():
        draft.attributes.setdefault(name, value)
    return draft


def _single_options(product: dict[str, Any], variants: list[dict[str, Any]]) -> dict[str, str]:
    """Options with one value across the product, as attribute → value ("color": "Black")."""
    out: dict[str, str] = {}
    options = product.get("options") or []
    for position, option in enumerate(options, 1):
        if not isinstance(option, dict):
            continue
        name = _text(option.get("name"))
        if not name or name.strip().lower() == "title":
            continue
        values = option.get("values")
        if not isinstance(values, list):
            values = [v.get(f"option{position}") for v in variants]
        distinct = {v.strip() for v in values if isinstance(v, str) and v.strip()}
        if len(distinct) == 1:
            key = "_".join(name.strip().lower().split())
            out["color" if key == "colour" else key] = distinct.pop()
    return out


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
