"""Saved product pages: schema.org `Product` in JSON-LD or microdata.

A page is read whole (it is bounded: `detect.MAX_HTML_BYTES`) with lxml's HTML parser, which
fetches nothing. Each top-level Product is a row: a JSON-LD block's own node, or a node of
its `@graph` or `mainEntity`; a microdata item whose element is not itself a property of
another item. A Product named only by reference (`"about": {"@type": "Product", "@id":
...}`) is not one. The id is the first of `sku`, `productID`, `mpn` and the GTINs; the price
comes from the first offer (`price`, an `AggregateOffer`'s `lowPrice`, or a
`priceSpecification` that is not for members only), and a `StrikethroughPrice` or `ListPrice`
specification above it makes it a sale. Microdata values follow the microdata rules (`content`,
then `src`/`href`/`datetime`/`value` by element, then the text).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from .. import records
from .detect import MAX_HTML_BYTES
from .rows import Draft, FeedError, FeedRow, Options, finish, state

_TYPES = frozenset({"Product", "IndividualProduct", "SomeProducts"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_SRC_TAGS = frozenset({"img", "audio", "embed", "iframe", "source", "track", "video"})
_HREF_TAGS = frozenset({"a", "area", "link"})
_ID_PROPS = ("sku", "productID", "mpn", "gtin13", "gtin14", "gtin12", "gtin8", "gtin")
NAMES = {"id": "sku (or productID, mpn, gtin)", "title": "name", "description": "description", "brand": "brand",
         "image": "image", "price": "offers.price", "sale_price": "offers.price",
         "category": "category", "lang": "html lang", "currency": "offers.priceCurrency"}
"""The schema.org property each part of a product comes from, for messages."""


def read_schema_html(path: Path, shown: str, options: Options) -> Iterator[FeedRow]:
    """Rows of an HTML page's schema.org Products, JSON-LD first, then microdata."""
    size = path.stat().st_size
    if size > MAX_HTML_BYTES:
        raise FeedError(f"{shown}: {size:,} bytes; the most read of an HTML page is "
                        f"{MAX_HTML_BYTES:,}", shown)
    raw = path.read_bytes()
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True,
                                  remove_pis=True)
    text = _XML_DECLARATION.sub("", _decoded(raw), count=1)  # lxml refuses it in a str
    try:
        root = lxml.html.fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise FeedError(f"{shown}: cannot be read as HTML: {err}", shown) from None
    page = root.getroottree().getroot()
    page_lang = page.get("lang") or page.get("{http://www.w3.org/XML/1998/namespace}lang")
    count = 0
    seen: dict[str, str] = {}  # id → where JSON-LD gave it
    for script in page.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = script.text or ""
        try:
            value = records.decode_json(text)
        except records.JSONTextError as err:
            if "Product" in text:
                count += 1
                where = f"{shown}:Product {count} (JSON-LD, line {script.sourceline})"
                yield FeedRow(where, None, (f"{where}: invalid JSON-LD: {err.reason} "
                                            f"(line {err.line} of the block)",))
            continue
        for node in _ld_products(value):
            count += 1
            where = f"{shown}:Product {count} (JSON-LD, line {script.sourceline})"
            row = finish(_draft(node, page_lang), where, options)
            if row.record is not None:
                seen[row.record["id"]] = where
            yield row
    for elem in page.iter():
        if not isinstance(elem.tag, str) or elem.get("itemscope") is None:
            continue
        if elem.get("itemprop") is not None or _type_name(elem.get("itemtype")) not in _TYPES:
            continue
        count += 1
        where = f"{shown}:Product {count} (microdata, line {elem.sourceline})"
        row = finish(_draft(_microdata_item(elem), page_lang), where, options)
        if row.record is not None and row.record["id"] in seen:
            # pages often state a product twice, as JSON-LD and as microdata
            yield FeedRow(where, None, (), (f"{where}: the product {row.record['id']} again, "
                                            f"as at {seen[row.record['id']]}; left out",))
            continue
        yield row
    if count == 0:
        raise FeedError(f"{shown}: no schema.org Product in the page", shown)


def _decoded(raw: bytes) -> str:
    """The page as text: its byte order mark or `<meta charset>` decides, else UTF-8 and,
    failing that, Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    m = _CHARSET.search(raw[:4096])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _type_name(value: Any) -> str:
    """"https://schema.org/Product" or "Product" → "Product" (the first of several types)."""
    if isinstance(value, list):
        value = next((v for v in value if _type_name(v) in _TYPES), value[0] if value else "")
    if not isinstance(value, str):
        return ""
    first = value.split()[0] if value.split() else ""
    return first.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _ld_products(value: Any) -> Iterator[dict[str, Any]]:
    """The top-level Product nodes of a JSON-LD value."""
    nodes = value if isinstance(value, list) else [value]
    for node in nodes:
        if not isinstance(node, dict):
            continue
        if _type_name(node.get("@type")) in _TYPES:
            yield node
        graph = node.get("@graph")
        if isinstance(graph, list):
            yield from _ld_products(graph)
        main = node.get("mainEntity")
        if isinstance(main, dict) and _type_name(main.get("@type")) in _TYPES:
            yield main


def _microdata_item(scope: Any) -> dict[str, Any]:
    """A microdata item as property → list of values (nested items as dicts)."""
    props: dict[str, Any] = {"@type": scope.get("itemtype")}

    def walk(elem: Any) -> None:
        for child in elem:
            if not isinstance(child.tag, str):
                continue
            names = (child.get("itemprop") or "").split()
            nested = child.get("itemscope") is not None
            if names:
                value = _microdata_item(child) if nested else _microdata_value(child)
                for name in names:
                    props.setdefault(name, []).append(value)
            if not nested:
                walk(child)

    walk(scope)
    return props


def _microdata_value(elem: Any) -> str:
    content = elem.get("content")
    if content is not None:
        return str(content)
    tag = elem.tag.lower()
    attr = ("src" if tag in _SRC_TAGS else "href" if tag in _HREF_TAGS
            else "data" if tag == "object" else "value" if tag in ("data", "meter")
            else "datetime" if tag == "time" and elem.get("datetime") else None)
    if attr is not None:
        return str(elem.get(attr) or "")
    return str(elem.text_content())


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return next((v for v in value if v not in (None, "", [], {})), None)
    return value


def _text(value: Any, *keys: str) -> str | None:
    """A property as text; an object gives its first present key of `keys`."""
    value = _first(value)
    if isinstance(value, dict):
        for key in keys:
            text = _text(value.get(key))
            if text:
                return text
        return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value).strip() or None
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _draft(node: dict[str, Any], page_lang: str | None) -> Draft:
    """The draft of one schema.org Product node (JSON-LD object or microdata item)."""
    pid = next((t for key in _ID_PROPS if (t := _text(node.get(key)))), None)
    images = [t for image in _list(node.get("image"))
              if (t := _text(image, "contentUrl", "url"))]
    category = _text(node.get("category"), "name")
    draft = Draft(
        id=pid,
        title=_text(node.get("name")),
        description=_text(node.get("description")),
        brand=_text(node.get("brand"), "name") or _text(node.get("manufacturer"), "name"),
        category=category,
        lang=_text(node.get("inLanguage")) or page_lang,
        images=images,
        names=NAMES,
    )
    for key in ("color", "material", "pattern", "mpn"):
        if text := _text(node.get(key), "name"):
            draft.attributes[key] = text
    if size := _text(node.get("size"), "name"):
        draft.attributes["size"] = size
    gtin = next((t for key in ("gtin", "gtin13", "gtin14", "gtin12", "gtin8")
                 if (t := _text(node.get(key)))), None)
    if gtin:
        draft.attributes["gtin"] = gtin
    _offer(node, draft)
    return draft


def _offer(node: dict[str, Any], draft: Draft) -> None:
    """Price, sale price, currency, availability, condition and link from the first offer."""
    offers = [o for o in _list(node.get("offers")) if isinstance(o, dict)]
    offer = next((o for o in offers if _offer_price(o)[0] is not None), offers[0] if offers
                 else None)
    link = _text(node.get("url"))
    if offer is not None:
        price, currency, list_price = _offer_price(offer)
        if price is not None:
            if list_price is not None and _above(list_price, price):
                draft.price, draft.sale_price = list_price, price
            else:
                draft.price = price
        draft.currency = currency or _text(offer.get("priceCurrency"))
        if availability := _text(offer.get("availability")):
            draft.attributes["availability"] = state(availability)
        link = _text(offer.get("url")) or link
        condition = _text(offer.get("itemCondition")) or _text(node.get("itemCondition"))
        if condition:
            draft.attributes["condition"] = state(condition)
    if link:
        draft.attributes["link"] = link


def _offer_price(offer: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(price, its currency, list price) of an offer, each None when not stated."""
    price = _text(offer.get("price")) or _text(offer.get("lowPrice"))
    currency = _text(offer.get("priceCurrency"))
    list_price = None
    for spec in _list(offer.get("priceSpecification")):
        if not isinstance(spec, dict) or spec.get("validForMemberTier"):
            continue
        kind = _type_name(_text(spec.get("priceType")) or "")
        value = _text(spec.get("price"))
        if kind in ("StrikethroughPrice", "ListPrice"):
            list_price = list_price or value
        elif price is None and value is not None:
            price, currency = value, _text(spec.get("priceCurrency")) or currency
    return price, currency, list_price


def _above(a: str, b: str) -> bool:
    try:
        return float(a) > float(b)
    except ValueError:
        return False
