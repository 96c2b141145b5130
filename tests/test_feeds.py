"""Product feeds (`ddm_lang.perception.feeds`): each reader on a real sample, detection by
content, per-row problems, broken and hostile files, and streaming in bounded memory.

The samples and their origins are in tests/fixtures/feeds/SOURCES.md.
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ddm_lang.perception.catalogue import validate_product
from ddm_lang.perception.catalogue_errors import CatalogueError
from ddm_lang.perception.feeds import FEED_KINDS, FeedError, FeedRow, detect_feed, read_feed
from ddm_lang.perception.feeds import shopify as shopify_module
from ddm_lang.perception.feeds.rows import discount_for, parse_price, plain_text
from ddm_lang.values import sale_amount

FEEDS = Path(__file__).parent / "fixtures" / "feeds"

KINDS = {
    "gmc_atom_gbase.xml": "gmc-atom",
    "gmc_rss_gbase.xml": "gmc-rss",
    "gmc_tsv_gbase.tsv": "gmc-tsv",
    "meta_gbase.csv": "meta-csv",
    "shopify_products.json": "shopify-json",
    "woocommerce_export.csv": "woocommerce-csv",
    "schema_microdata.html": "schema-html",
    "schema_jsonld.html": "schema-html",
    "broken_truncated.xml": "gmc-rss",
    "billion_laughs.xml": "gmc-rss",
    "latin1_cp1252.tsv": "gmc-tsv",
    "problems.tsv": "gmc-tsv",
}

GBASE = [  # the three Google Base items, as every format of them must read
    ("305668-REG", "Digital Camera Battery Notebook Computer 12v DC Power Cable - 5.5mm x "
     "2.5mm (Center +) Camera Connecting Cables",
     "http://base.google.com/base_image?q=http%3A%2F%2Fwww.bhphotovideo.com%2Fimages%2Fitems"
     "%2F305668.jpg&dhm=ffffffff84c9a95e&size=6"),
    ("305656-REG", "Digital Camera Battery Electronic Device 5v DC Power Cable - 5.5mm x 2.5mm "
     "(Center +) Camera Connecting Cables",
     "http://base.google.com/base_image?q=http%3A%2F%2Fwww.bhphotovideo.com%2Fimages%2Fitems"
     "%2F305656.jpg&dhm=7315bdc8&size=6"),
    ("305685-REG", "Digital Camera Battery Power Cable for Kodak 645 Pro-Back ProBack & DCS-300 "
     "Series Camera Connecting Cables",
     "http://base.google.com/base_image?q=http%3A%2F%2Fwww.bhphotovideo.com%2Fimages%2Fitems"
     "%2F305685.jpg&dhm=72f0ca0a&size=6"),
]


def rows(path: Path | str, **kwargs: Any) -> list[FeedRow]:
    return list(read_feed(path, **kwargs))


def records(path: Path | str, **kwargs: Any) -> list[dict]:
    return [r.record for r in rows(path, **kwargs) if r.record is not None]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---- detection ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind"), sorted(KINDS.items()))
def test_each_fixture_is_detected_by_content(name: str, kind: str) -> None:
    assert detect_feed(FEEDS / name) == kind
    assert kind in FEED_KINDS


@pytest.mark.parametrize("name", ["gmc_rss_gbase.xml", "gmc_atom_gbase.xml", "gmc_tsv_gbase.tsv",
                                  "shopify_products.json", "schema_microdata.html"])
def test_detection_ignores_the_file_name(tmp_path: Path, name: str) -> None:
    """A Merchant Center RSS feed saved as feed.txt (or any feed without its suffix) is
    still what its content says."""
    for copy in (tmp_path / "feed.txt", tmp_path / "products", tmp_path / "export.csv"):
        shutil.copy(FEEDS / name, copy)
        assert detect_feed(copy) == KINDS[name]
        assert [r.record for r in read_feed(copy)] == [r.record for r in read_feed(FEEDS / name)]


def test_files_that_are_not_feeds_are_not_detected(tmp_path: Path) -> None:
    cases = {
        "catalogue.csv": "id,title,price,currency,images\nsku-1,Mug,12.9,USD,mug.jpg\n",
        "catalogue.json": '{"products": [{"id": "a", "title": "A", "images": ["a.png"]}]}',
        "blog.xml": '<?xml version="1.0"?><rss version="2.0"><channel><item><title>Post'
                    "</title></item></channel></rss>",
        "page.html": "<!DOCTYPE html><html><body><p>No products here.</p></body></html>",
        "notes.txt": "Just some text\nwith lines\n",
        "empty.tsv": "",
    }
    for name, text in cases.items():
        assert detect_feed(write(tmp_path / name, text)) is None, name
    assert detect_feed(tmp_path / "missing.xml") is None
    with pytest.raises(FeedError, match="not a product feed this reader knows"):
        read_feed(tmp_path / "catalogue.csv")


def test_a_utf16_tsv_is_detected_and_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.txt"
    path.write_bytes("id\ttitle\tprice\timage_link\nZ-1\tÜberzug\t5.00 EUR\thttps://x.test/z.jpg\n"
                     .encode("utf-16"))
    assert detect_feed(path) == "gmc-tsv"
    [row] = rows(path)
    assert row.record is not None and row.notes == ()
    assert row.record["title"] == "Überzug"


# ---- the real samples ---------------------------------------------------------------------

def test_merchant_center_atom_feed() -> None:
    feed = rows(FEEDS / "gmc_atom_gbase.xml")
    assert [r.where for r in feed] == [
        f"{FEEDS / 'gmc_atom_gbase.xml'}:entry {n} (line {line})"
        for n, line in ((1, 18), (2, 50), (3, 83))]
    first = feed[0].record
    assert first is not None
    assert first["id"] == "305668-REG"
    assert first["title"] == GBASE[0][1]
    assert first["price"] == {"amount": 34.95, "currency": "USD"}  # "34.95 usd"
    assert first["category"] == "Camera Connecting Cables"  # "Digital Photography>Camera..."
    assert first["brand"] == {"name": "Digital Camera Battery"}
    assert first["lang"] == "en"  # g:item_language EN
    assert first["images"] == [GBASE[0][2]]
    assert first["description"].startswith("Notebook Computer 12v DC Power Cable - 5.5mm x 2.1mm")
    assert first["attributes"] == {
        "mpn": "DCB5092", "condition": "new",
        "link": "http://www.bhphotovideo.com/bnh/controller/home?O=productlist&A=details&Q="
                "&sku=305668&is=REG&kw=DIDCB5092&BI=583"}
    assert feed[1].record is not None and feed[1].record["attributes"]["gtin"] == "838098005108"


@pytest.mark.parametrize("name", ["gmc_rss_gbase.xml", "gmc_tsv_gbase.tsv", "meta_gbase.csv"])
def test_every_format_of_the_same_items_reads_the_same(name: str) -> None:
    atom = records(FEEDS / "gmc_atom_gbase.xml")
    other = records(FEEDS / name)
    assert [(r["id"], r["title"], r["images"][0]) for r in other] == GBASE
    keys = ("id", "title", "category", "description", "brand", "price", "images")
    assert [{k: r.get(k) for k in keys} for r in other] == [{k: r.get(k) for k in keys}
                                                            for r in atom]
    assert [r["attributes"].get("gtin") for r in other] == [None, "838098005108", None]
    if name.endswith(".xml"):
        assert {r["lang"] for r in other} == {"en-US"}  # the channel's <language>en-us


def test_shopify_products_json() -> None:
    feed = rows(FEEDS / "shopify_products.json", currency="USD")
    nano = feed[0].record
    assert nano is not None
    assert nano == {
        "id": "632910392",
        "title": "IPod Nano - 8GB",
        "category": "Cult Products",
        "description": nano["description"],
        "brand": {"name": "Apple"},
        "price": {"amount": 199, "currency": "USD"},
        "attributes": {"handle": "ipod-nano", "sku": "IPOD2008PINK"},  # Color has 4 values
        "images": ["https://cdn.shopify.com/s/files/1/0006/9093/3842/products/ipod-nano.png"
                   "?v=1441219832",
                   "https://cdn.shopify.com/s/files/1/0006/9093/3842/products/ipod-nano-2.png"
                   "?v=1441219832"],
    }
    assert nano["description"].startswith("It's the small iPod with one very big idea: Video.")
    assert "<p>" not in nano["description"]
    touch = feed[1]
    assert touch.record is None
    assert touch.problems == (f'{FEEDS / "shopify_products.json"}:products[1]: product '
                              '"921728736": field "images" is required: the catalogue needs '
                              "at least one image",)
    assert "currency" not in records(FEEDS / "shopify_products.json")[0]["price"]


def test_shopify_sale_single_options_and_variant_images(tmp_path: Path) -> None:
    data = {"products": [{
        "id": 7, "title": "Linen Shirt", "body_html": "<p>Washed <strong>linen</strong>.</p>",
        "vendor": "Atelier", "product_type": "Shirts", "tags": ["summer", "sale"],
        "options": [{"name": "Colour", "position": 1, "values": ["Sand"]},
                    {"name": "Size", "position": 2, "values": ["S", "M"]}],
        "variants": [
            {"id": 1, "price": "59.00", "compare_at_price": "79.00", "option1": "Sand",
             "option2": "S", "available": False,
             "featured_image": {"src": "https://cdn.test/shirt-s.jpg"}},
            {"id": 2, "price": "59.00", "compare_at_price": "79.00", "option1": "Sand",
             "option2": "M", "available": True,
             "featured_image": {"src": "https://cdn.test/shirt.jpg"}}],
        "images": [{"src": "https://cdn.test/shirt.jpg"}, {"src": "https://cdn.test/back.jpg"}],
    }]}
    path = write(tmp_path / "products.json", json.dumps(data))
    [record] = records(path, currency="eur")
    assert record["price"] == {"amount": 79, "currency": "EUR", "discount": 25.32}
    assert sale_amount(79, 25.32) == 59.0
    assert record["description"] == "Washed linen."
    assert record["attributes"] == {"availability": "in_stock", "color": "Sand"}
    assert record["images"] == ["https://cdn.test/shirt.jpg", "https://cdn.test/back.jpg",
                                "https://cdn.test/shirt-s.jpg"]
    assert "selling_points" not in record


def test_woocommerce_export() -> None:
    feed = rows(FEEDS / "woocommerce_export.csv", currency="USD")
    by_id = {r.record["id"]: r.record for r in feed if r.record is not None}
    assert list(by_id) == ["woo-vneck-tee", "woo-hoodie", "woo-hoodie-with-logo", "woo-beanie",
                           "woo-belt", "woo-album", "logo-collection", "wp-pennant"]
    tee = by_id["woo-vneck-tee"]
    assert tee["title"] == "Awesome V-Neck T-Shirt"
    assert tee["category"] == "Tshirts"
    assert "price" not in tee  # a variable product's prices are its variations'
    assert tee["images"] == [
        "https://shop.example/wp-content/uploads/2017/12/vneck-tee-2.jpg",
        "https://shop.example/wp-content/uploads/2017/12/"
        "vnech-tee-green-1.jpg",
        "https://shop.example/wp-content/uploads/2017/12/"
        "vnech-tee-blue-1.jpg"]
    assert "color" not in tee["attributes"]  # "Blue, Green, Red" are options
    assert by_id["woo-hoodie-with-logo"]["attributes"]["color"] == "Blue"
    assert by_id["woo-hoodie-with-logo"]["price"] == {"amount": 45, "currency": "USD"}
    assert by_id["woo-beanie"]["price"] == {"amount": 20, "currency": "USD", "discount": 10}
    belt = by_id["woo-belt"]["price"]
    assert belt == {"amount": 65, "currency": "USD", "discount": 15.38}
    assert sale_amount(65, belt["discount"]) == 55.0  # the feed's sale price, to the cent
    assert by_id["wp-pennant"]["price"] == {"amount": 11.05, "currency": "USD"}
    assert by_id["wp-pennant"]["attributes"]["link"] == \
        "https://pennants.example/product/wordpress-pennant/"
    variation = feed[6]
    assert variation.record is None and variation.problems == ()
    assert variation.notes == (f"{FEEDS / 'woocommerce_export.csv'}:row 7 (line 8): a "
                               "variation of woo-vneck-tee; one record per product, so it is "
                               "read with its parent",)


def test_schema_org_microdata_page() -> None:
    [row] = rows(FEEDS / "schema_microdata.html")
    assert row.where == f"{FEEDS / 'schema_microdata.html'}:Product 1 (microdata, line 8)"
    assert row.record == {
        "id": "925872",  # no sku or productID: the mpn
        "title": "Executive Anvil",
        "description": "Sleeker than ACME's Classic Anvil, the Executive Anvil is perfect for "
                       "the business traveler looking for something to drop from a height.",
        "brand": {"name": "ACME"},
        "price": {"amount": 119.99, "currency": "USD"},
        "attributes": {"mpn": "925872", "availability": "in_stock", "condition": "used"},
        "images": ["anvil_executive.jpg"],
    }


def test_schema_org_json_ld_page() -> None:
    feed = rows(FEEDS / "schema_jsonld.html")
    assert [r.where.split(":", 1)[1] for r in feed] == [
        "Product 1 (JSON-LD, line 7)", "Product 2 (JSON-LD, line 56)",
        "Product 3 (JSON-LD, line 86)", "Product 4 (JSON-LD, line 140)"]
    kenmore = feed[0]
    assert kenmore.record is None
    assert kenmore.problems == (f"{FEEDS / 'schema_jsonld.html'}:Product 1 (JSON-LD, line 7): "
                                'field "sku (or productID, mpn, gtin)" is required',)
    dishwasher = feed[1].record
    assert dishwasher == {
        "id": "1234-5678", "title": "Household Dishwasher",
        "description": "Large capacity household dishwasher", "lang": "en",
        "brand": {"name": "Household applicance brand"},
        "price": {"amount": 499, "currency": "EUR"},
        "attributes": {"mpn": "DW1234", "gtin": "12345678901231", "availability": "in_stock",
                       "condition": "new", "link": "https://www.example.com/dishwasher1234"},
        "images": ["https://www.example.com/dishwasher1234.jpg"]}
    # the Certification's "about" Product and the credential's subject are references
    assert [r.record["title"] for r in feed[1:] if r.record] == [
        "Household Dishwasher", "Water heater", "Large green jacket"]
    jacket = feed[3].record
    assert jacket is not None
    assert jacket["attributes"]["color"] == "green" and jacket["attributes"]["size"] == "3XL"


def test_every_record_is_a_catalogue_product(tmp_path: Path) -> None:
    """Records are in the catalogue's schema: with their image URLs mapped to local files
    (the loader's job), the catalogue's own checker accepts every one of them."""
    count = 0
    for name in KINDS:
        try:
            feed = rows(FEEDS / name, currency="USD")
        except FeedError:
            continue
        for row in feed:
            if row.record is None:
                continue
            local = {**row.record, "images": [f"img-{i}.jpg" for i in
                                              range(len(row.record["images"]))]}
            product = validate_product(local, source=row.where, base=tmp_path)
            assert product.id == row.record["id"]
            count += 1
    assert count >= 25
    with pytest.raises(CatalogueError, match="not a URL"):
        validate_product(records(FEEDS / "gmc_rss_gbase.xml")[0], source="feed", base=tmp_path)


# ---- mapping details -----------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
<channel>
<title>Shop</title>
<language>de</language>
<item>
<g:id>TEE-1</g:id>
<g:title>Organic &amp; Fair T-Shirt</g:title>
<g:description><![CDATA[<p>Soft <b>organic</b> cotton&nbsp;&amp;
  a <em>relaxed</em> fit.</p><ul><li>Pre-washed</li><li>Made in Portugal</li></ul>]]></g:description>
<g:link>https://shop.test/tee-1</g:link>
<g:image_link>https://shop.test/tee-1.jpg</g:image_link>
<g:additional_image_link>https://shop.test/tee-1-back.jpg</g:additional_image_link>
<g:additional_image_link>https://shop.test/tee-1.jpg</g:additional_image_link>
<g:additional_image_link>https://shop.test/tee,detail.jpg</g:additional_image_link>
<g:price>29.90 EUR</g:price>
<g:sale_price>19.90 EUR</g:sale_price>
<g:brand>Nordfaser</g:brand>
<g:product_type>Apparel &gt; Tops &gt; T-Shirts</g:product_type>
<g:google_product_category>212</g:google_product_category>
<g:color>Blue</g:color><g:size>M</g:size><g:material>Cotton</g:material>
<g:gender>Unisex</g:gender><g:age_group>adult</g:age_group>
<g:availability>in stock</g:availability><g:condition>new</g:condition>
<g:item_group_id>TEE</g:item_group_id><g:gtin>4006381333931</g:gtin>
<g:shipping><g:country>DE</g:country><g:price>4.95 EUR</g:price></g:shipping>
</item>
<item>
<g:id>TEE-2</g:id>
<g:title>Linen Shirt</g:title>
<g:content_language>fr</g:content_language>
<g:image_link>https://shop.test/tee-2.jpg</g:image_link>
<g:price>50 EUR</g:price>
<g:sale_price>40 EUR</g:sale_price>
<g:sale_price_effective_date>2024-06-01T00:00+02:00/2024-06-30T23:59+02:00</g:sale_price_effective_date>
<g:google_product_category>Apparel &amp; Accessories &gt; Clothing &gt; Shirts &amp; Tops</g:google_product_category>
</item>
</channel>
</rss>
"""


def test_merchant_center_fields_map_to_the_record(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.xml", RSS)
    at = datetime(2024, 7, 15, tzinfo=UTC)
    tee, shirt = rows(path, at=at)
    assert tee.record == {
        "id": "TEE-1",
        "title": "Organic & Fair T-Shirt",
        "category": "T-Shirts",
        "description": "Soft organic cotton & a relaxed fit. Pre-washed Made in Portugal",
        "lang": "de",
        "brand": {"name": "Nordfaser"},
        "price": {"amount": 29.9, "currency": "EUR", "discount": 33.44},
        "attributes": {"gtin": "4006381333931", "color": "Blue", "size": "M",
                       "material": "Cotton", "availability": "in_stock", "condition": "new",
                       "gender": "unisex", "age_group": "adult", "item_group_id": "TEE",
                       "google_product_category": "212", "link": "https://shop.test/tee-1"},
        "images": ["https://shop.test/tee-1.jpg", "https://shop.test/tee-1-back.jpg",
                   "https://shop.test/tee,detail.jpg"],
    }
    assert sale_amount(29.9, 33.44) == 19.9
    assert tee.notes == ()
    assert shirt.record is not None
    assert shirt.record["lang"] == "fr"  # the item's own language wins over the channel's
    assert shirt.record["category"] == "Shirts & Tops"
    assert shirt.record["price"] == {"amount": 50, "currency": "EUR"}  # the sale has ended
    assert shirt.notes == (f"{path}:item 2 (line 27): product \"TEE-2\": the sale price applies "
                           "only 2024-06-01T00:00+02:00/2024-06-30T23:59+02:00; the list price "
                           "is used",)
    during = rows(path, at=datetime(2024, 6, 15, tzinfo=UTC))[1].record
    assert during is not None and during["price"] == {"amount": 50, "currency": "EUR",
                                                      "discount": 20}


def test_problem_rows_name_the_row_product_and_field() -> None:
    path = FEEDS / "problems.tsv"
    feed = rows(path)
    assert feed[0].record is not None
    assert feed[0].record["price"] == {"amount": 39, "currency": "EUR", "discount": 25}
    assert feed[0].record["images"] == ["https://shop.example.com/img/ok-1.jpg",
                                        "https://shop.example.com/img/ok-1-side.jpg"]
    assert [r.problems for r in feed[1:]] == [
        (f'{path}:row 2 (line 3): field "id" is required',),
        (f'{path}:row 3 (line 4): product "NO-TITLE-1": field "title" is required',
         f'{path}:row 3 (line 4): product "NO-TITLE-1": field "image_link" is required: the '
         "catalogue needs at least one image"),
        (f'{path}:row 4 (line 5): product "COMMA-1": field "price" has a decimal comma, got '
         '"12,99 EUR"; write the amount with a point (12.99)',),
        (f'{path}:row 5 (line 6): product "NOCUR-1": field "price" has no currency, got '
         '"12.99"; write it as "12.99 EUR" (the ISO 4217 code of the currency)',),
        (f'{path}:row 6 (line 7): product "BADCUR-1": field "price" has the unknown currency '
         'code "EUX", got "12.99 EUX"',),
        (f'{path}:row 7 (line 8): product "MIXCUR-1": field "sale_price" is in USD but the '
         "price is in EUR",),
        (f"{path}:row 8 (line 9): 9 cells but the header names 8 columns",),
    ]
    assert all(r.record is None for r in feed[1:])
    # a currency for prices the feed states without one
    nocur = rows(path, currency="EUR")[4]
    assert nocur.record is not None and nocur.record["price"] == {"amount": 12.99,
                                                                  "currency": "EUR"}


def test_latin1_tsv_is_read_as_windows_1252_with_a_note() -> None:
    path = FEEDS / "latin1_cp1252.tsv"
    feed = rows(path)
    assert [r.record["title"] for r in feed if r.record] == [
        "Crème-brûlée-Schälchen, 4 Stück", "Gusseiserner Bräter, 28 cm", "Holzlöffel-Set"]
    first = feed[0].record
    assert first is not None
    assert first["description"] == ("Feuerfestes Porzellan für Ofen und Spülmaschine. Früher "
                                    "19,90 €, jetzt günstiger.")
    assert first["attributes"] == {"color": "Weiß", "material": "Porzellan"}
    assert first["brand"] == {"name": "Küchenwerk"}
    assert feed[1].record is not None and "–" in feed[1].record["description"]
    assert feed[0].notes == (f"{path}:row 1 (line 2): line 2 is not UTF-8; read as "
                             "Windows-1252 (save the feed as UTF-8 to be sure of its accents)",)
    assert all(len(r.notes) == 1 for r in feed)


def test_a_utf8_line_in_a_mixed_file_stays_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mixed.tsv"
    path.write_bytes(b"id\ttitle\tprice\timage_link\n"
                     + "A\tCrème\t1.00 EUR\thttps://x.test/a.jpg\n".encode()
                     + "B\tCrème\t1.00 EUR\thttps://x.test/b.jpg\n".encode("cp1252"))
    a, b = rows(path)
    assert a.record is not None and b.record is not None
    assert a.record["title"] == b.record["title"] == "Crème"
    assert a.notes == () and len(b.notes) == 1


def test_a_page_stating_a_product_twice_gives_one_record(tmp_path: Path) -> None:
    """Shop themes often give a product as JSON-LD and again as microdata."""
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<html lang="nl"><head>'
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
            '{"@type": "Product", "sku": "V-1", "name": "Vaas", "image": {"@type": '
            '"ImageObject", "url": "https://x.test/vaas.jpg"}, "offers": {"@type": "Offer", '
            '"price": "24.95", "priceCurrency": "EUR", "priceSpecification": {"@type": '
            '"UnitPriceSpecification", "priceType": "https://schema.org/StrikethroughPrice", '
            '"price": "29.95", "priceCurrency": "EUR"}}}]}</script></head><body>'
            '<div itemscope itemtype="https://schema.org/Product"><span itemprop="sku">V-1'
            '</span><span itemprop="name">Vaas</span><img itemprop="image" src="vaas.jpg">'
            "</div></body></html>")
    path = write(tmp_path / "vaas.xhtml", page)
    assert detect_feed(path) == "schema-html"
    first, second = rows(path)
    assert first.record == {"id": "V-1", "title": "Vaas", "lang": "nl",
                            "price": {"amount": 29.95, "currency": "EUR", "discount": 16.7},
                            "images": ["https://x.test/vaas.jpg"]}
    assert sale_amount(29.95, 16.7) == 24.95
    assert second.record is None and second.problems == ()
    assert second.notes == (f"{path}:Product 2 (microdata, line 2): the product V-1 again, as "
                            f"at {path}:Product 1 (JSON-LD, line 2); left out",)


def test_links_are_kept_as_given(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.tsv", "id\ttitle\tprice\timage_link\tlink\n"
                 "L-1\tLamp &amp; Shade\t5.00 EUR\thttps://x.test/l.jpg?a=1&copy=2\t"
                 "https://x.test/l?a=1&copy=2\n")
    [record] = records(path)
    assert record["title"] == "Lamp & Shade"
    assert record["attributes"]["link"] == "https://x.test/l?a=1&copy=2"
    assert record["images"] == ["https://x.test/l.jpg?a=1&copy=2"]


def test_a_default_language_for_feeds_that_state_none() -> None:
    [first, *_] = records(FEEDS / "shopify_products.json", lang="en_GB")
    assert first["lang"] == "en-GB"
    assert records(FEEDS / "gmc_rss_gbase.xml", lang="fr")[0]["lang"] == "en-US"  # the feed's
    with pytest.raises(FeedError, match="not a language tag"):
        read_feed(FEEDS / "shopify_products.json", lang="english please")


# ---- broken and hostile files ------------------------------------------------------------

def test_broken_xml_names_the_line_after_yielding_the_rows_before() -> None:
    path = FEEDS / "broken_truncated.xml"
    got: list[FeedRow] = []
    with pytest.raises(FeedError) as info:
        for row in read_feed(path):
            got.append(row)
    assert [r.record["id"] for r in got if r.record] == ["MUG-001", "MUG-002"]
    message = str(info.value)
    assert message.startswith(f"{path}:24: broken XML (after item 2): ")
    assert "Premature end of data" in message
    assert isinstance(info.value, CatalogueError)


def test_undefined_entity_is_a_broken_feed_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.xml", RSS.replace("<title>Shop</title>",
                                                    "<title>Shop&nbsp;</title>"))
    with pytest.raises(FeedError, match=r"feed\.xml:4: broken XML: Entity 'nbsp' not defined"):
        rows(path)


def test_billion_laughs_is_refused_not_expanded() -> None:
    path = FEEDS / "billion_laughs.xml"
    assert detect_feed(path) == "gmc-rss"
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(FeedError) as info:
            rows(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(info.value) == (f"{path}: the feed declares entities in a DTD (<!ENTITY ...>); "
                               "they are refused, not expanded (a product feed needs none)")
    assert time.perf_counter() - start < 5
    assert peak < 5_000_000  # 10^9 "lol"s would be gigabytes


def test_billion_laughs_in_utf16_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    text = (FEEDS / "billion_laughs.xml").read_text().replace('encoding="UTF-8"',
                                                              'encoding="UTF-16"')
    path.write_bytes(text.encode("utf-16"))
    with pytest.raises(FeedError, match="refused, not expanded"):
        rows(path, kind="gmc-rss")


def test_entities_past_the_prolog_scan_are_refused_too(tmp_path: Path, monkeypatch:
                                                       pytest.MonkeyPatch) -> None:
    from ddm_lang.perception.feeds import xmlfeeds
    monkeypatch.setattr(xmlfeeds, "PROLOG_BYTES", 16)
    with pytest.raises(FeedError, match="refused, not expanded"):
        rows(FEEDS / "billion_laughs.xml")


def test_file_level_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FeedError, match="feed not found"):
        read_feed(tmp_path / "nope.xml")
    with pytest.raises(FeedError, match="is a directory"):
        read_feed(tmp_path)
    with pytest.raises(FeedError, match="unknown feed kind 'gmc'"):
        read_feed(FEEDS / "problems.tsv", kind="gmc")
    with pytest.raises(FeedError, match="unknown currency code 'XYZ'"):
        read_feed(FEEDS / "problems.tsv", currency="XYZ")
    broken = write(tmp_path / "products.json", '{"products": [{"title": "A", "variants": [}]}')
    with pytest.raises(FeedError, match=r"products\.json:1:\d+: invalid JSON"):
        rows(broken, kind="shopify-json")
    monkeypatch.setattr(shopify_module, "MAX_JSON_BYTES", 100)
    with pytest.raises(FeedError, match="a JSON feed is read whole, so the most is 100"):
        rows(FEEDS / "shopify_products.json")
    header_only = write(tmp_path / "h.tsv", "id\ttitle\timage_link\tprice\n")
    with pytest.raises(FeedError, match="no rows below the header"):
        rows(header_only)


def test_a_line_without_end_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ddm_lang.perception.feeds import delimited
    monkeypatch.setattr(delimited, "MAX_LINE_BYTES", 1000)
    path = write(tmp_path / "feed.tsv", "id\ttitle\tprice\timage_link\n" + "x" * 5000)
    with pytest.raises(FeedError, match=r"feed\.tsv:2: a line longer than 1,000 bytes"):
        rows(path)


# ---- prices ---------------------------------------------------------------------------------

def test_prices_are_read_strictly() -> None:
    assert parse_price("15.00 USD") == (Decimal("15.00"), "USD")
    assert parse_price("USD 15") == (Decimal("15"), "USD")
    assert parse_price("15.00usd") == (Decimal("15.00"), "USD")
    assert parse_price("1,250.00 SAR") == (Decimal("1250.00"), "SAR")
    assert parse_price("1,250,000 KRW") == (Decimal("1250000"), "KRW")
    assert parse_price("19") == (Decimal("19"), None)
    for text, why in (("12,99 EUR", "decimal comma"), ("1,250 SAR", "not a number"),
                      ("$15", "must be a number"), ("15 USD EUR", "must be a number"),
                      ("USD 15 EUR", "two currencies"), ("15 ABC", "unknown currency"),
                      ("1.2.3 EUR", "not a number"), ("99999999999999 USD", "more than any")):
        result = parse_price(text)
        assert isinstance(result, str) and why in result, (text, result)


@pytest.mark.parametrize(("price", "sale", "discount"), [
    ("12.90", "10.32", 20), ("19.99", "14.99", 25), ("65", "55", 15.38), ("10", "0", 100),
    ("100", "33.33", 66.67), ("7.49", "5.99", 20), ("1000", "999.99", 0.001)])
def test_discount_makes_the_language_show_the_feed_sale_price(price: str, sale: str,
                                                              discount: float) -> None:
    got = discount_for(Decimal(price), Decimal(sale))
    assert got == discount
    assert sale_amount(float(price), got) == float(sale)


def test_descriptions_lose_markup_and_entities() -> None:
    assert plain_text("<p>A&amp;B</p><p>C&nbsp;D</p>", markup=True) == "A&B C D"
    assert plain_text("&lt;b&gt;bold&lt;/b&gt; text", markup=True) == "bold text"
    assert plain_text("<script>var x = '<p>';</script>Kept", markup=True) == "Kept"
    assert plain_text("Size <10 cm> & more") == "Size <10 cm> & more"
    assert plain_text("  tidy  ") == "tidy"


# ---- streaming ------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_large_tsv_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """200,000 rows (about 30 MB) are counted right, and reading them holds one row at a
    time: the traced peak over 20,000 rows is as small as over 5,000 (a reader that
    accumulated would grow by megabytes), and far below the file's size. (Tracing costs
    several times the reading, so it covers part of the stream; the count covers all.)"""
    total = 200_000
    path = tmp_path / "big.tsv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("id\ttitle\tdescription\timage_link\tprice\tsale_price\tbrand\tproduct_type\n")
        f.writelines(f"SKU-{i}\tCotton T-Shirt {i}\tSoft <b>organic</b> cotton.\t"
                     f"https://cdn.example.com/{i}.jpg\t{i % 90 + 10}.99 USD\t"
                     f"{i % 90 + 5}.99 USD\tExampleWear\tApparel > Tops > T-Shirts\n"
                     for i in range(total))
    size = path.stat().st_size

    count = priced = 0
    last = None
    for row in read_feed(path):
        count += 1
        if row.record is not None and "discount" in row.record["price"]:
            priced += 1
            last = row.record["id"]
    assert (count, priced, last) == (total, total, f"SKU-{total - 1}")

    def traced_peak(n: int) -> int:
        tracemalloc.start()
        try:
            for _ in itertools.islice(read_feed(path), n):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = traced_peak(5_000), traced_peak(20_000)
    assert large < 50_000_000
    assert large < small + 1_000_000, (small, large)
    assert large < size / 10, (large, size)
