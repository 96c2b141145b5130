"""Rows of a product feed, and the one place a feed's fields become a catalogue record.

Every reader (XML, delimited text, Shopify JSON, schema.org HTML) gathers a `Draft` per
product — the fields as the feed states them, with the feed's own field names for messages —
and `finish` turns it into a `FeedRow`: the record in the catalogue's schema, or the
problems that keep it out. Prices, discounts, texts, ids and languages are therefore read
the same way whatever the feed's format.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ddm_lang.values import sale_amount

from .. import records
from ..catalogue import _bad_id  # one id rule: ids name output files
from ..catalogue_errors import CatalogueError

FEED_KINDS: dict[str, str] = {
    "gmc-rss": "Google Merchant Center RSS 2.0 feed (g: namespace)",
    "gmc-atom": "Google Merchant Center Atom feed (g: namespace)",
    "gmc-tsv": "Google Merchant Center tab-separated feed",
    "meta-csv": "Meta (Facebook) commerce catalogue CSV",
    "shopify-json": "Shopify products.json",
    "woocommerce-csv": "WooCommerce product export CSV",
    "schema-html": "HTML page with schema.org Product (JSON-LD or microdata)",
}
"""Feed kind → what it is; `detect_feed` returns one of these keys."""


class FeedError(CatalogueError):
    """A feed that cannot be read on (missing, too large, not a known kind, broken XML or
    CSV). The message reads `FILE[:LINE]: why`; rows read before the break were yielded."""

    def __init__(self, problem: str, source: str = "") -> None:
        super().__init__([problem], source)


@dataclass(frozen=True)
class FeedRow:
    """One product of a feed.

    `where` names it (`feed.xml:item 12 (line 340)`, `feed.tsv:row 5 (line 6)`). `record` is
    the product in the catalogue's schema (`id`, `title`, `category`, `description`, `lang`,
    `brand`, `price`, `attributes`, `images`), with `images` holding the feed's image URLs
    or paths as given; it is None when `problems` is not empty, and also for a row that is
    deliberately not a product of its own (a WooCommerce variation, an unpublished product),
    which says why in `notes`. `notes` are warnings that do not refuse the row (a line read
    as Windows-1252, a sale outside its dates, images beyond the catalogue's limit).
    """

    where: str
    record: dict[str, Any] | None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    """How a feed is read: `currency` for prices the feed states without one (Shopify and
    WooCommerce never state it), `lang` for products whose feed states no language, `at`
    the moment sale-price dates are judged at."""

    currency: str | None = None
    lang: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


GMC_NAMES: Mapping[str, str] = MappingProxyType({
    "id": "id", "title": "title", "description": "description", "brand": "brand",
    "image": "image_link", "price": "price", "sale_price": "sale_price",
    "category": "product_type", "lang": "content_language",
})
"""The field each part of a product comes from in a Merchant Center feed, for messages."""


@dataclass
class Draft:
    """A product as its feed states it, before checking. Texts are raw (a description may be
    HTML with entities); `price`/`sale_price` are texts such as "15.00 USD" or "15"; `currency`
    is a currency the feed states apart from the price (schema.org `priceCurrency`);
    `currency_required` says the feed's prices must carry one (Merchant Center, Meta).
    `names` maps the parts above to the feed's own field names, for messages."""

    id: str | None = None
    title: str | None = None
    description: str | None = None
    brand: str | None = None
    category: str | None = None
    lang: str | None = None
    images: list[str] = field(default_factory=list)
    price: str | None = None
    sale_price: str | None = None
    sale_dates: str | None = None
    currency: str | None = None
    currency_required: bool = False
    attributes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    names: Mapping[str, str] = field(default_factory=lambda: GMC_NAMES)


# ---- texts -------------------------------------------------------------------------------

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*(?:br|hr|p|/p|div|/div|li|/li|/?h[1-6]|tr|/tr|td|th|/?ul|/?ol)"
                        r"\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_SPACE = re.compile(r"\s+")
_UNTIDY = re.compile(r"[<&]|\s\s|[^\S ]|\A\s|\s\Z")


def plain_text(text: str, *, markup: bool = False) -> str:
    """`text` with entities decoded and whitespace collapsed to single spaces; with `markup`,
    HTML tags are removed first (block tags become a space, inline tags nothing) and so are
    scripts and styles. Entities are decoded once, then tags removed again, so a description
    that was HTML-escaped inside the feed loses its tags too."""
    if _UNTIDY.search(text) is None:
        return text
    if markup and "<" in text:
        text = _strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
        if markup and "<" in text:
            text = _strip_tags(text)
    return _SPACE.sub(" ", text).strip()


def _strip_tags(text: str) -> str:
    return _TAG.sub("", _BLOCK_TAG.sub(" ", _SCRIPT.sub(" ", text)))


def last_segment(path: str) -> str:
    """The last segment of a category path: "Home > Kitchen > Mugs" → "Mugs"."""
    return path.rsplit(">", 1)[-1].strip()


# ---- prices ------------------------------------------------------------------------------

_CURRENCY_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD
XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
"""
CURRENCIES: frozenset[str] = frozenset(_CURRENCY_CODES.split())
"""ISO 4217 currency codes (current ones, and a few still seen in feeds such as HRK)."""

MAX_AMOUNT = 10 ** 12
"""The largest price a feed may state; more is a feed mistake (digits run together)."""

_PRICE = re.compile(r"\s*(?:(?P<pre>[A-Za-z]{3})\s*)?(?P<num>[0-9][0-9.,]*)\s*"
                    r"(?:(?P<post>[A-Za-z]{3}))?\s*\Z")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?\Z")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,2}\Z")


@lru_cache(maxsize=4096)
def parse_price(text: str) -> tuple[Decimal, str | None] | str:
    """(amount, currency code or None) of a price text ("15.00 USD", "USD 15", "1,250.00 SAR",
    "15"), or why it cannot be read. The decimal mark is a point; commas are accepted only
    as thousands separators that cannot be read as a decimal comma ("1,250.00", "1,250,000"),
    so "12,99 EUR" is refused rather than read as 1299 or guessed as 12.99."""
    m = _PRICE.match(text)
    if m is None:
        return ('must be a number and an ISO 4217 currency code such as "12.99 EUR", '
                f"got {_quote(text)}")
    pre, num, post = m.group("pre"), m.group("num"), m.group("post")
    if pre and post:
        return f"names two currencies, got {_quote(text)}"
    if _DECIMAL_COMMA.match(num):
        return (f"has a decimal comma, got {_quote(text)}; write the amount with a point "
                f"({num.replace(',', '.')})")
    if _GROUPED.match(num) and ("." in num or num.count(",") > 1):
        num = num.replace(",", "")
    elif not _PLAIN.match(num):
        return f"is not a number with a decimal point, got {_quote(text)}"
    try:
        amount = Decimal(num)
    except InvalidOperation:  # pragma: no cover - the patterns above admit digits only
        return f"is not a number, got {_quote(text)}"
    if amount >= MAX_AMOUNT:
        return f"is {num}, more than any price; check the feed, got {_quote(text)}"
    code = (pre or post or "").upper() or None
    if code is not None and code not in CURRENCIES:
        return f"has the unknown currency code {_quote(code)}, got {_quote(text)}"
    return amount, code


def number(amount: Decimal) -> int | float:
    """A price as the catalogue stores it: an int when whole, else a float."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


@lru_cache(maxsize=4096)
def discount_for(list_price: Decimal, sale: Decimal) -> int | float:
    """The percentage `discount` that makes `sale_amount(list_price, discount)` — what the
    language and the copy writer show as the price paid — equal `sale`: the one with the
    fewest decimals (a whole percentage when one fits), else the exact ratio. `sale` must be
    below `list_price` and `list_price` above zero."""
    exact = (list_price - sale) * 100 / list_price
    target = float(sale.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    for places in range(5):
        candidate = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if 0 < candidate <= 100 and sale_amount(float(list_price), float(candidate)) == target:
            return int(candidate) if places == 0 else float(candidate)
    return float(round(exact, 6))


def sale_in_effect(dates: str, at: datetime) -> bool | None:
    """Whether `at` falls in a Merchant Center `sale_price_effective_date` ("START/END" in
    ISO 8601); None when the text cannot be read."""
    start_text, sep, end_text = dates.partition("/")
    if not sep:
        return None
    try:
        start = _moment(start_text)
        end = _moment(end_text)
    except ValueError:
        return None
    return start <= at <= end


def _moment(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ---- languages ---------------------------------------------------------------------------

_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")


@lru_cache(maxsize=256)
def language(tag: str | None) -> str | None:
    """A language tag as the catalogue takes it ("en_US" → "en-US", "EN" → "en"), or None."""
    if not tag:
        return None
    text = tag.strip().replace("_", "-")
    if not _LANG.match(text):
        return None
    parts = text.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            part = part.upper()  # a region: en-US
        elif len(part) == 4 and part.isalpha():
            part = part.title()  # a script: zh-Hans
        out.append(part)
    return "-".join(out)


# ---- from draft to row -------------------------------------------------------------------

_STATES = {"instock": "in_stock", "outofstock": "out_of_stock", "preorder": "preorder",
           "backorder": "backorder", "newcondition": "new", "usedcondition": "used",
           "refurbishedcondition": "refurbished", "damagedcondition": "damaged",
           "discontinued": "out_of_stock", "soldout": "out_of_stock",
           "limitedavailability": "in_stock", "onlineonly": "in_stock",
           "instoreonly": "in_stock"}


_URLS = frozenset({"link"})
"""Attributes that are URLs: kept as given (an entity decoder would read a query such as
"?a=1&copy=2" as "?a=1©=2")."""


@lru_cache(maxsize=1024)
def state(value: str) -> str:
    """An enumerated value (availability, condition, gender, age group) in one spelling:
    "in stock", "In_Stock" and schema.org's "https://schema.org/InStock" all read "in_stock"."""
    text = value.strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    known = _STATES.get(re.sub(r"[\s_-]+", "", text).lower())
    return known or re.sub(r"[\s-]+", "_", text).lower()


def finish(draft: Draft, where: str, options: Options) -> FeedRow:
    """The row of one drafted product: its record, or the problems that keep it out."""
    names = draft.names
    problems: list[str] = []
    notes = list(draft.notes)
    pid = (draft.id or "").strip()

    def who() -> str:
        return f"{where}: product {_quote(pid)}" if pid else where

    def bad(part: str, text: str) -> None:
        problems.append(f'{who()}: field "{names.get(part, part)}" {text}')

    if not pid:
        bad("id", "is required")
    elif reason := _bad_id(pid):
        bad("id", reason)
    title = plain_text(draft.title or "")
    if not title:
        bad("title", "is required")
    images: list[str] = []
    for url in draft.images:
        url = url.strip()
        if url and url not in images:
            images.append(url)
    if not images:
        bad("image", "is required: the catalogue needs at least one image")
    elif len(images) > records.MAX_IMAGES:
        notes.append(f"{who()}: {len(images)} images; the first {records.MAX_IMAGES} are kept")
        images = images[:records.MAX_IMAGES]

    record: dict[str, Any] = {"id": pid, "title": title}
    if draft.category:
        category = last_segment(plain_text(draft.category))
        if category:
            record["category"] = category
    if draft.description:
        description = plain_text(draft.description, markup=True)
        if description:
            record["description"] = description
    lang = language(draft.lang) if draft.lang else None
    if draft.lang and lang is None:
        notes.append(f'{who()}: field "{names.get("lang", "lang")}" is not a language tag, '
                     f"got {_quote(draft.lang)}; left out")
    lang = lang or language(options.lang)
    if lang:
        record["lang"] = lang
    if draft.brand:
        brand = plain_text(draft.brand)
        if brand:
            record["brand"] = {"name": brand}
    price = _price(draft, options, bad, notes, who)
    if price is not None:
        record["price"] = price
    attributes = {key: text for key, value in draft.attributes.items()
                  if (text := value.strip() if key in _URLS else plain_text(value))}
    if attributes:
        record["attributes"] = attributes
    record["images"] = images

    for part in ("title", "category", "description"):
        value = record.get(part)
        limit = records.MAX_DESCRIPTION if part == "description" else records.MAX_TEXT
        if isinstance(value, str) and (why := records.text_problem(value, limit)):
            bad(part, why)
    if "brand" in record and (why := records.text_problem(record["brand"]["name"],
                                                          records.MAX_TEXT)):
        bad("brand", why)
    for key, value in attributes.items():
        if why := records.text_problem(value, records.MAX_TEXT):
            bad(key, why)
    for url in images:
        if why := records.text_problem(url, records.MAX_PATH):
            bad("image", why)
    if problems:
        return FeedRow(where, None, tuple(problems), tuple(notes))
    return FeedRow(where, record, (), tuple(notes))


def _price(draft: Draft, options: Options, bad: Any, notes: list[str],
           who: Callable[[], str]) -> dict[str, Any] | None:
    """The record's price from the draft's price and sale price; problems go to `bad`."""
    text = (draft.price or "").strip()
    sale_text = (draft.sale_price or "").strip()
    if not text:
        if sale_text:
            bad("sale_price", "is given but the price is not")
        return None
    parsed = parse_price(text)
    if isinstance(parsed, str):
        bad("price", parsed)
        return None
    amount, code = parsed
    stated = (draft.currency or "").strip().upper() or None
    if stated is not None and stated not in CURRENCIES:
        bad("currency", f"has the unknown currency code {_quote(stated)}")
        return None
    if code and stated and code != stated:
        bad("price", f"is in {code} but the feed states the currency {stated}")
        return None
    code = code or stated
    if code is None and draft.currency_required:
        if options.currency is None:
            bad("price", f'has no currency, got {_quote(text)}; write it as "{text} EUR" '
                         "(the ISO 4217 code of the currency)")
            return None
        code = options.currency.upper()
    elif code is None:
        code = options.currency.upper() if options.currency else None
    out: dict[str, Any] = {"amount": number(amount)}
    if code is not None:
        out["currency"] = code
    if not sale_text:
        return out
    parsed_sale = parse_price(sale_text)
    if isinstance(parsed_sale, str):
        bad("sale_price", parsed_sale)
        return None
    sale, sale_code = parsed_sale
    if sale_code is not None and code is not None and sale_code != code:
        bad("sale_price", f"is in {sale_code} but the price is in {code}")
        return None
    if draft.sale_dates:
        active = sale_in_effect(draft.sale_dates, options.at)
        if active is False:
            notes.append(f"{who()}: the sale price applies only {draft.sale_dates}; "
                         "the list price is used")
            return out
        if active is None:
            notes.append(f"{who()}: the sale dates {_quote(draft.sale_dates)} cannot be read; "
                         "the sale price is used")
    if sale >= amount:
        if sale > amount:
            notes.append(f"{who()}: the sale price {sale} is above the price {amount}; "
                         "the price is used")
        return out
    out["discount"] = discount_for(amount, sale)
    return out


def _quote(value: str) -> str:
    """A feed value in a message: JSON-quoted, cut short past 60 characters."""
    return json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
