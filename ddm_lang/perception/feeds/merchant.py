"""The Merchant Center attribute set, shared by its RSS, Atom and tab-separated feeds and by
Meta's catalogue CSV (which uses the same names): fields → `Draft`.

Fields arrive as name → values (a name may repeat: `additional_image_link`); the name is the
attribute's, without the `g:` prefix. RSS and Atom feeds may give the title, description and
link as their own elements instead (`title`, `atom:content`...); those are the fallbacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .rows import Draft, state

ATTRIBUTES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gtin", ("gtin", "upc", "ean", "isbn", "jan")),
    ("mpn", ("mpn", "manufacturer_id")),
    ("color", ("color", "colour")),
    ("size", ("size",)),
    ("material", ("material",)),
    ("pattern", ("pattern",)),
    ("availability", ("availability",)),
    ("condition", ("condition",)),
    ("gender", ("gender",)),
    ("age_group", ("age_group",)),
    ("item_group_id", ("item_group_id",)),
    ("google_product_category", ("google_product_category", "fb_product_category")),
    ("link", ("link", "rss:link", "atom:link")),
)
"""Record attribute ← the feed fields it is read from, first present wins."""

_STATES = frozenset({"availability", "condition", "gender", "age_group"})


def merchant_draft(fields: Mapping[str, Sequence[str]], *, split_images: bool) -> Draft:
    """The draft of one Merchant Center (or Meta) item. With `split_images` (delimited
    text), `additional_image_link` cells hold comma-separated URLs; in XML the element
    repeats instead, and a URL may then hold a comma."""
    present: dict[str, str] = {}
    for name, values in fields.items():
        for value in values:
            if value and not value.isspace():
                present[name] = value
                break

    def first(*names: str) -> str | None:
        for name in names:
            value = present.get(name)
            if value is not None:
                return value
        return None

    images: list[str] = []
    for value in fields.get("image_link", ()):
        images.append(value)
    for value in fields.get("additional_image_link", ()):
        images.extend(value.split(",") if split_images else [value])
    gpc = first("google_product_category", "fb_product_category")
    category = first("product_type")
    if category is None and gpc is not None and not gpc.strip().isdigit():
        category = gpc
    draft = Draft(
        id=first("id"),
        title=first("title", "rss:title", "atom:title"),
        description=first("description", "rich_text_description", "rss:description",
                          "atom:content", "atom:summary"),
        brand=first("brand"),
        category=category,
        lang=first("content_language", "item_language"),
        images=images,
        price=first("price"),
        sale_price=first("sale_price"),
        sale_dates=first("sale_price_effective_date"),
        currency_required=True,
    )
    for key, sources in ATTRIBUTES:
        found = first(*sources)
        if found is not None:
            draft.attributes[key] = state(found) if key in _STATES else found
    return draft
