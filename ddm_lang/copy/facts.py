"""The facts a caption may state: one product's data, normalised for the copy writer.

Everything the writer says comes out of a `Facts` (attribute values, selling points, the
title, the brand, the price), and the factuality check measures candidates against the
same object, so the two can never disagree about what the data contain.

A fact has an id (`attr:KEY=VALUE`, `selling_point:I`, `title`, `brand`, `price`,
`description:I`) so that the captions of one creative can name what they used and the
next box can avoid saying it again. A product may say where a fact came from (its
`sources`, fact id → text, e.g. the detail image and block a selling point was read
from); `Facts.source` answers it, so a caption can be traced to its evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ddm_lang.values import sale_amount

from .segment import is_cjk
from .text import bounded

# Attributes that are data about the listing, not copy: never stated in a caption. The
# second line is what product feeds carry for the shop system (Merchant Center's
# availability "in_stock", condition "new", item_group_id...), not for the shopper.
NON_COPY_KEYS = frozenset({
    "url", "link", "id", "sku", "ean", "gtin", "upc", "mpn", "asin", "barcode", "image",
    "images", "ingredients", "nutrition", "nutrition_values_per_100_gram", "allergens",
    "availability", "condition", "item_group_id", "age_group", "identifier_exists",
})
MAX_COPY_VALUE = 40      # a longer value is a paragraph, not something to put on an ad
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A sentence ends at . ! ? (or their CJK forms), but not at the point of a decimal number:
# "Power Cable - 5.5mm" is one sentence, not "Power Cable - 5." and "5mm".
_SENTENCE = re.compile(r"(?:[^.!?。！？]|\.(?=\d))+[.!?。！？]?")


@dataclass(frozen=True)
class Price:
    amount: float
    currency: str | None = None
    discount: float | None = None

    @property
    def sale(self) -> float:
        """What the buyer pays: the list `amount` less `discount` percent (`sale_amount`)."""
        return sale_amount(self.amount, self.discount)


@dataclass(frozen=True)
class Facts:
    """One product as the copy writer sees it. `attributes` keeps the data's order and
    may hold a key more than once (AdvertiseGen lists several 图案 values)."""

    title: str = ""
    lang: str = "en"
    category: str | None = None
    brand: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    selling_points: tuple[str, ...] = ()
    description: str | None = None
    price: Price | None = None
    numbers: frozenset[float] = field(default=frozenset(), compare=False)
    # Where facts came from (fact id, text), in the data's order. Not compared: provenance
    # changes nothing about what a caption may say, and equal facts share caches.
    sources: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.numbers:
            found: set[float] = set()
            for text in self.texts():
                found |= numbers_in(text)
            if self.price is not None:
                found |= numbers_in(_plain(self.price.amount))
                if self.price.discount is not None:
                    found |= numbers_in(_plain(self.price.discount))
                    found |= numbers_in(_plain(self.price.sale))
            object.__setattr__(self, "numbers", frozenset(found))

    # ---- construction -----------------------------------------------------------------
    @classmethod
    def from_product(cls, product: Any) -> Facts:
        """From a catalogue `Product` or a dict shaped like `Product.as_dict()`."""
        data: Mapping[str, Any] = product.as_dict() if hasattr(product, "as_dict") else product
        title = bounded(str(data.get("title") or ""))  # before any segmenting
        brand = data.get("brand")
        brand_name = brand.get("name") if isinstance(brand, Mapping) else brand
        price = data.get("price")
        parsed: Price | None = None
        if isinstance(price, Mapping) and price.get("amount") is not None:
            parsed = Price(float(price["amount"]), price.get("currency"),
                           None if price.get("discount") is None else float(price["discount"]))
        elif isinstance(price, int | float) and not isinstance(price, bool):
            parsed = Price(float(price))
        attrs = data.get("attributes") or {}
        pairs = tuple((str(k), _plain(v)) for k, v in attrs.items())
        category = data.get("category")
        lang = data.get("lang") or guess_lang(title)
        sources = data.get("sources")
        return cls(title=title, lang=primary_lang(str(lang)),
                   category=str(category) if category else None,
                   brand=str(brand_name) if brand_name else None, attributes=pairs,
                   selling_points=tuple(str(s) for s in data.get("selling_points") or ()),
                   description=str(data["description"]) if data.get("description") else None,
                   price=parsed,
                   sources=tuple((str(k), str(v)) for k, v in sources.items())
                   if isinstance(sources, Mapping) else ())

    @classmethod
    def from_content(cls, content: str, lang: str = "zh") -> Facts:
        """From an AdvertiseGen `key#value*key#value` string; 类型 is the category."""
        pairs: list[tuple[str, str]] = []
        for part in content.split("*"):
            key, sep, value = part.partition("#")
            if sep and key.strip() and value.strip() and (key, value) not in pairs:
                pairs.append((key.strip(), value.strip()))
        category = next((v for k, v in pairs if k == "类型"), None)
        return cls(lang=lang, category=category, attributes=tuple(pairs))

    # ---- views --------------------------------------------------------------------------
    def source(self, fact_id: str) -> str | None:
        """Where the fact `fact_id` (`selling_point:2`) came from, when the data say."""
        return next((text for key, text in self.sources if key == fact_id), None)

    def texts(self) -> list[str]:
        """Every string of the data a caption may quote from."""
        out = [self.title, *(v for _, v in self.attributes), *self.selling_points]
        out += [self.brand or "", self.description or "", self.category or ""]
        return [t for t in out if t]

    def copy_attributes(self) -> tuple[tuple[str, str], ...]:
        """Attributes fit to be stated on an ad: not listing metadata, not paragraphs."""
        return tuple((k, v) for k, v in self.attributes
                     if k.casefold() not in NON_COPY_KEYS and v.strip()
                     and len(v) <= MAX_COPY_VALUE and "\n" not in v and "://" not in v)

    def description_sentences(self) -> tuple[str, ...]:
        if not self.description:
            return ()
        return tuple(s.strip() for s in _SENTENCE.findall(self.description) if s.strip())


def attr_id(key: str, value: str) -> str:
    return f"attr:{key}={value}"


def primary_lang(lang: str) -> str:
    """`zh-Hans-CN` → `zh`: the writer's tables are per language, not per region."""
    return lang.split("-")[0].split("_")[0].lower() or "en"


def guess_lang(text: str) -> str:
    """zh when a third or more of the letters are CJK, en otherwise."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(is_cjk(c) for c in letters) * 3 >= len(letters):
        return "zh"
    return "en"


def _plain(value: Any) -> str:
    """A number as data writes it (no trailing `.0`), anything else as text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def numbers_in(text: str) -> set[float]:
    """Numbers written in `text` (NFKC digits). `1,5` reads as 1.5 and as 15, `1,000` as
    1000 and 1.0: every reading counts, so the check never rejects a number the data
    wrote in another convention."""
    found: set[float] = set()
    for m in _NUMBER.finditer(unicodedata.normalize("NFKC", text)):
        raw = m.group()
        readings = {raw.replace(",", ""), raw.replace(",", ".") if raw.count(",") == 1
                    and "." not in raw else raw.replace(",", "")}
        for r in readings:
            parts = r.split(".")
            r = parts[0] + ("." + "".join(parts[1:]) if len(parts) > 1 else "")
            try:
                found.add(round(float(r), 6))
            except ValueError:
                continue
    return found
