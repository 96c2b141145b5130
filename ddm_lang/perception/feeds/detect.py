"""Which kind of product feed a file is, told from its content, not its name.

Advertisers' feeds arrive as `feed.txt`, `export (3).csv`, `products` or `google.xml`
whatever they hold, so the suffix decides nothing: the first bytes are read (after a byte
order mark) and the kind follows from the root element and its namespace (XML), the top of
the JSON value, the markup that schema.org needs (HTML), or the header row and its delimiter
(delimited text). An HTML page is the one kind read further than its head, since its
product markup may sit anywhere in the page; the page is bounded (`MAX_HTML_BYTES`).
"""

from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

G_NS = "http://base.google.com/ns/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"

HEAD_BYTES = 64 * 1024
"""Bytes read to tell a feed's kind (an HTML page is read whole, up to `MAX_HTML_BYTES`)."""

MAX_HTML_BYTES = 32 * 1024 * 1024
"""The largest HTML page read for schema.org products (a saved product page is well under)."""

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_PROLOG = re.compile(r"<\?.*?\?>|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_MICRODATA = re.compile(rb"""itemtype\s*=\s*["']?\s*https?://schema\.org/"""
                        rb"""(?:Individual)?Products?\b""", re.IGNORECASE)
_JSON_LD = re.compile(rb"""<script\b[^>]*application/ld\+json[^>]*>(.*?)</script""",
                      re.IGNORECASE | re.DOTALL)
_LD_PRODUCT = re.compile(rb'"@type"\s*:\s*(?:\[[^\]]*)?"(?:https?://schema\.org/)?'
                         rb'(?:Product|IndividualProduct|SomeProducts)"')
_WOO = frozenset({"id", "type", "sku", "name", "regular_price"})


def detect_feed(path: str | Path) -> str | None:
    """The kind of product feed `path` holds (a key of `FEED_KINDS`), or None when it is not
    one of them (or cannot be read). Decided by content: a Merchant Center RSS feed named
    `feed.txt` is still "gmc-rss"."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return None
    text = head_text(head)
    start = text.lstrip()
    if start.startswith("<"):
        return _markup_kind(p, head, text)
    if start.startswith(("{", "[")):
        return _json_kind(start)
    return _delimited_kind(text)


def head_text(head: bytes) -> str:
    """The first bytes of a file as text: a UTF-8 or UTF-16 byte order mark is honoured,
    anything else read as UTF-8 with undecodable bytes replaced (enough to tell a kind)."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", errors="replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="replace")


def _markup_kind(path: Path, head: bytes, text: str) -> str | None:
    body = _PROLOG.sub("", _COMMENT.sub("", text))
    m = _ELEMENT.search(body)
    root = m.group(1).rsplit(":", 1)[-1].lower() if m else ""
    if root == "rss":
        return "gmc-rss" if G_NS in text else None
    if root == "feed":
        return "gmc-atom" if G_NS in text and ATOM_NS in text else None
    if root in ("html", "head", "body", "div", "main", "article", "section", "span", "p") or \
            text.lstrip().lower().startswith("<!doctype html"):
        return "schema-html" if has_product_markup(path, head) else None
    return None


def has_product_markup(path: Path, head: bytes = b"") -> bool:
    """Whether an HTML page carries a schema.org Product, as microdata or in JSON-LD."""
    try:
        with path.open("rb") as f:
            page = f.read(MAX_HTML_BYTES)
    except OSError:
        page = head
    if _MICRODATA.search(page):
        return True
    return any(_LD_PRODUCT.search(block.group(1)) for block in _JSON_LD.finditer(page))


def _json_kind(start: str) -> str | None:
    """Shopify's products.json: `{"products": [...]}` (or a bare list of them) whose
    products have Shopify's fields."""
    shopify = ('"variants"' in start or '"body_html"' in start) and '"title"' in start
    if not shopify:
        return None
    wrapped = re.match(r'\{\s*"products"\s*:\s*\[', start) is not None
    bare = re.match(r'\[\s*\{', start) is not None
    return "shopify-json" if wrapped or bare or '"products"' in start else None


def header_names(line: str, delimiter: str) -> list[str]:
    """A header row's column names, normalised: lower case, spaces as underscores, a
    Merchant Center `g:` prefix dropped ("Image link" and "g:image_link" are "image_link")."""
    cells = next(csv.reader([line], delimiter=delimiter), [])
    out = []
    for cell in cells:
        name = re.sub(r"\s+", "_", cell.strip().lstrip("\ufeff").strip().lower())
        out.append(name[2:] if name.startswith("g:") else name)
    return out


def delimiter_of(line: str) -> str:
    """The delimiter of a header row: a tab if it has one, else a comma."""
    return "\t" if "\t" in line else ","


def _delimited_kind(text: str) -> str | None:
    line = text.split("\n", 1)[0].rstrip("\r")
    if not line.strip():
        return None
    delimiter = delimiter_of(line)
    names = set(header_names(line, delimiter))
    if names >= _WOO:
        return "woocommerce-csv"
    if {"id", "title", "image_link"} <= names:
        return "gmc-tsv" if delimiter == "\t" else "meta-csv"
    return None
